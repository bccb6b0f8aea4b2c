/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sources.c - one read from each entropy source, never blocking the loop for long: devices
 * and files are opened non-blocking, the kernel RNG is asked with GRND_NONBLOCK, and an EGD
 * exchange is bounded by TLSMGR_EGD_CLIENT_TIMEOUT_MS.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "egd_client.h"
#include "entropy.h"
#include "log.h"
#include "port.h"
#include "sources.h"
#include "wipe.h"

#define SOURCE_MAX_READ 1024 /* tls_random_bytes' upper limit */

/* Result of one read: what went wrong, or NULL when it worked. */
struct outcome {
    const char *why;
    int err; /* errno to show with why, 0 for none */
};

static int device_open(struct source *src, struct outcome *o);

void sources_init(struct sources *s, const struct tlsmgr_conf *conf)
{
    unsigned i;

    memset(s, 0, sizeof(*s));
    for (i = 0; i < conf->nsources && i < TLSMGR_MAX_SOURCES; i++) {
        struct source *src = &s->src[i];

        src->conf = conf->sources[i];
        snprintf(src->name, sizeof(src->name), "%s%s", conf_source_name(src->conf.kind),
                 src->conf.kind == SOURCE_GETRANDOM || src->conf.kind == SOURCE_HARDWARE
                     ? ""
                     : src->conf.path);
#if TLSMGR_HEALTH_TESTS
        health_init(&src->health);
#endif
        src->fd = -1;
    }
    s->n = i;
}

void sources_open(struct sources *s)
{
    unsigned i;

    for (i = 0; i < s->n; i++) {
        struct source *src = &s->src[i];
        struct outcome o = {NULL, 0};

        if (src->conf.kind == SOURCE_DEV || src->conf.kind == SOURCE_HWRNG)
            device_open(src, &o); /* a failure shows at the first read */
    }
}

void sources_close(struct sources *s)
{
    unsigned i;

    for (i = 0; i < s->n; i++) {
        if (s->src[i].fd >= 0)
            port_close(s->src[i].fd);
        s->src[i].fd = -1;
    }
}

/* The result n of a read: n when it worked; else 0, with o saying why: errno `wait` is a
 * state to wait out (why_wait, no errno shown), any other a failure (why_failed, errno). */
static long outcome_of(long n, int wait, const char *why_wait, const char *why_failed,
                       struct outcome *o)
{
    int e = errno;

    if (n >= 0)
        return n;
    o->why = e == wait ? why_wait : why_failed;
    o->err = e == wait ? 0 : e;
    return 0;
}

/* Opens path non-blocking if it is of the given type: a descriptor, or -1 (o set). */
static int open_typed(const char *path, enum port_ftype type, struct port_stat *st,
                      struct outcome *o)
{
    int fd = port_open(path, PORT_O_RDONLY | PORT_O_NONBLOCK, 0);

    if (fd < 0) {
        o->why = "cannot open";
        o->err = errno;
    } else if (port_fstat(fd, st) != 0 || st->type != type) {
        o->why = type == PORT_FT_CHR ? "not a character device" : "not a regular file";
        port_close(fd);
        fd = -1;
    }
    return fd;
}

/* Opens a device and keeps it: /dev/hwrng is often readable by root only, so the descriptor
 * opened before the privilege drop is what later reseeds read. 0 or -1 (o set). */
static int device_open(struct source *src, struct outcome *o)
{
    struct port_stat st;

    if (src->fd < 0)
        src->fd = open_typed(src->conf.path, PORT_FT_CHR, &st, o);
    return src->fd < 0 ? -1 : 0;
}

/* Non-blocking, so a device with nothing to give is a short read, never a wait. */
static long read_device(struct source *src, unsigned char *buf, size_t want, struct outcome *o)
{
    size_t got = 0;

    if (device_open(src, o) != 0)
        return 0;
    while (got < want) {
        long n = port_read(src->fd, buf + got, want - got);

        if (n > 0) {
            got += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EAGAIN) {
            o->why = "no data available";
            break;
        }
        /* end of file or an error: reopen at the next reseed */
        o->why = n == 0 ? "end of file" : "read failed";
        o->err = n == 0 ? 0 : errno;
        port_close(src->fd);
        src->fd = -1;
        break;
    }
    return (long)got;
}

/* Plain files: read on from where the last reseed stopped, wrapping at the end once per
 * read (the file shrank below the offset: from its top). */
static long read_path(struct source *src, unsigned char *buf, size_t want, struct outcome *o)
{
    struct port_stat st;
    size_t got = 0;
    int fd, wrapped = 0;

    fd = open_typed(src->conf.path, PORT_FT_REG, &st, o);
    if (fd < 0)
        return 0;
    if (src->offset >= st.size)
        src->offset = 0;
    {
        uint64_t skip = src->offset;
        unsigned char sink[256];

        while (skip > 0) {
            long n = port_read(fd, sink, skip < sizeof(sink) ? (size_t)skip : sizeof(sink));

            if (n <= 0)
                break;
            skip -= (uint64_t)n;
        }
    }
    while (got < want) {
        long n = port_read(fd, buf + got, want - got);

        if (n < 0) {
            (void)outcome_of(n, EAGAIN, "no data available", "read failed", o);
            break;
        }
        if (n == 0) {
            if (wrapped || st.size == 0) {
                o->why = "end of file";
                break;
            }
            port_close(fd);
            src->offset = 0;
            wrapped = 1;
            fd = open_typed(src->conf.path, PORT_FT_REG, &st, o);
            if (fd < 0)
                return (long)got;
            continue;
        }
        got += (size_t)n;
        src->offset += (uint64_t)n;
    }
    port_close(fd);
    return (long)got;
}

/* The client half of the EGD protocol (egd_client.h), its reasons taken for the log. */
static long read_egd(struct source *src, unsigned char *buf, size_t want, struct outcome *o)
{
    struct egd_client_error e;
    size_t n = egd_client_read(src->conf.path, buf, want, &e);

    o->why = egd_client_why(e.why);
    o->err = e.err;
    return (long)n;
}

static void note_state(struct source *src, const struct outcome *o)
{
    if (o->why != NULL) {
        entropy_stats()->source_failures++;
        if (!src->failing)
            log_warn("random source %s: %s%s%s; retried at the next reseed", src->name, o->why,
                     o->err != 0 ? ": " : "", o->err != 0 ? strerror(o->err) : "");
        src->failing = 1;
    } else if (src->failing) {
        log_notice("random source %s: working again", src->name);
        src->failing = 0;
    }
}

static int health_tested(enum conf_source_kind kind)
{
    return kind == SOURCE_HWRNG || kind == SOURCE_EGD || kind == SOURCE_FILE ||
           kind == SOURCE_HARDWARE;
}

unsigned sources_read_all(struct sources *s, unsigned want)
{
    static unsigned char buf[SOURCE_MAX_READ];
    unsigned i, strong = 0;

    if (want > sizeof(buf))
        want = sizeof(buf);
    for (i = 0; i < s->n; i++) {
        struct source *src = &s->src[i];
        struct outcome o = {NULL, 0};
        int healthy = 1;
        size_t ask = src->conf.kind == SOURCE_EGD && want > EGD_CLIENT_MAX ? EGD_CLIENT_MAX : want;
        long n = 0;

        switch (src->conf.kind) {
        case SOURCE_GETRANDOM:
            n = outcome_of(port_getrandom(buf, ask), EAGAIN, "kernel RNG not initialised yet",
                           "getrandom failed", &o);
            break;
        case SOURCE_DEV:
        case SOURCE_HWRNG:
            n = read_device(src, buf, ask, &o);
            break;
        case SOURCE_FILE:
            n = read_path(src, buf, ask, &o);
            break;
        case SOURCE_EGD:
            n = read_egd(src, buf, ask, &o);
            break;
        case SOURCE_HARDWARE:
            n = outcome_of(port_hardware_entropy(buf, ask), ENOSYS,
                           "the port has no hardware RNG hook", "hardware RNG hook failed", &o);
            break;
        }
        if (n > 0 && o.why == NULL && (size_t)n < ask)
            o.why = "short read";
        note_state(src, &o);
        if (n <= 0)
            continue;
#if TLSMGR_HEALTH_TESTS
        if (health_tested(src->conf.kind) && health_feed(&src->health, buf, (size_t)n) != 0) {
            healthy = 0;
            entropy_stats()->health_failures++;
            if (!src->unhealthy)
                log_warn("random source %s: failed the SP 800-90B health tests; no longer "
                         "counted as strong",
                         src->name);
            src->unhealthy = 1;
        } else if (src->unhealthy) {
            log_notice("random source %s: passes the health tests again", src->name);
            src->unhealthy = 0;
        }
#else
        (void)health_tested;
#endif
        /* Mixing even a weak or short read costs nothing: the pool only gains. */
        entropy_mix(src->name, buf, (size_t)n);
        if (o.why == NULL && healthy)
            strong++;
    }
    wipe(buf, sizeof(buf));
    return strong;
}

void sources_log(const struct sources *s)
{
    unsigned i;

    if (s->n == 0)
        log_info("random sources: none configured (pool fed by the seed and clocks only)");
    for (i = 0; i < s->n; i++)
        log_info("random source %s: %s", s->src[i].name,
                 s->src[i].failing     ? "failing"
                 : s->src[i].unhealthy ? "failing health tests"
                                       : "ok");
}
