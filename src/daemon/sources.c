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
#include "noinline.h"
#include "port.h"
#include "sources.h"
#include "wipe.h"

#define SOURCE_MAX_READ 1024 /* tls_random_bytes' upper limit */

/* Why a read failed or came short: the EGD client's codes (egd_client.h), then the others. A
 * read's outcome is a struct egd_client_error: why (0: it worked), and the errno to show with it
 * (0: none).
 * Each wait state is followed by the failure of the same call (outcome_of). */
enum why {
    W_OPEN = EGD_CLIENT_TOO_FEW + 1,
    W_NOT_CHR,
    W_NOT_REG,
    W_NO_DATA,
    W_EOF,
    W_SHORT,
    W_RNG_WAIT,
    W_RNG_FAILED,
    W_NO_HOOK,
    W_HOOK_FAILED,
    W_READ = EGD_CLIENT_READ
};

/* The phrases of enum why, from EGD_CLIENT_CONNECT on. */
static const char why_text[] = "connect\0send\0closed\0read\0timed out\0too long\0too short\0"
                               "open\0not a char device\0not a regular file\0no data\0end of file\0"
                               "short read\0not initialised\0getrandom\0no hook\0hook failed\0";

/* Opens src's path non-blocking if it is of its kind's type (a plain file, else a character
 * device): a descriptor, or -1 (o set). */
static int open_typed(const struct source *src, struct port_stat *st, struct egd_client_error *o)
{
    enum port_ftype type = src->conf.kind == SOURCE_FILE ? PORT_FT_REG : PORT_FT_CHR;
    int fd = port_open(src->conf.path, PORT_O_RDONLY | PORT_O_NONBLOCK, 0);

    if (fd < 0) {
        o->why = W_OPEN;
        o->err = errno;
    } else if (port_fstat(fd, st) != 0 || st->type != type) {
        o->why = type == PORT_FT_CHR ? W_NOT_CHR : W_NOT_REG;
        port_close(fd);
        fd = -1;
    }
    return fd;
}

void sources_init(struct sources *s, const struct tlsmgr_conf *conf)
{
    struct port_stat st;
    struct egd_client_error o;
    unsigned i;

    memset(s, 0, sizeof(*s));
    for (i = 0; i < conf->nsources; i++) { /* at most TLSMGR_MAX_SOURCES: conf.c */
        struct source *src = &s->src[i];

        src->conf = conf->sources[i];
        /* The path is empty for getrandom and hardware (conf.h). */
        snprintf(src->name, sizeof(src->name), "%s%s", conf_source_name(src->conf.kind),
                 src->conf.path);
        /* health_init's state is all zeros: the memset above is it. */
        src->fd = -1;
        /* Devices are opened now and kept: /dev/hwrng is often readable by root only, so
         * the descriptor opened before the privilege drop is what later reseeds read. A
         * failure shows at the first read, which tries again. */
        if (src->conf.kind == SOURCE_DEV || src->conf.kind == SOURCE_HWRNG)
            src->fd = open_typed(src, &st, &o);
    }
    s->n = i;
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
 * state to wait out (why, no errno shown), any other a failure (why + 1, with errno). */
static long outcome_of(long n, int wait, unsigned why, struct egd_client_error *o)
{
    int e = errno;

    if (n >= 0)
        return n;
    o->why = e == wait ? why : why + 1;
    o->err = e == wait ? 0 : e;
    return 0;
}

/* Devices and plain files, non-blocking: a device with nothing to give is a short read, never
 * a wait. A device stays open, unless it fails or ends (reopened at the next reseed). A file
 * is read on from where the last reseed stopped, wrapping to its top once per read at its end
 * (or when it shrank below the offset). */
static long read_fd(struct source *src, unsigned char *buf, size_t want, struct egd_client_error *o)
{
    int file = src->conf.kind == SOURCE_FILE, wrapped = 0, fd = src->fd;
    struct port_stat st;
    size_t got = 0;

    if (fd < 0 && (fd = open_typed(src, &st, o)) < 0)
        return 0;
    if (!file)
        src->fd = fd;
    else if (src->offset >= st.size)
        src->offset = 0;
    while (got < want) {
        long n = file ? port_pread(fd, buf + got, want - got, src->offset)
                      : port_read(fd, buf + got, want - got);

        if (n > 0) {
            got += (size_t)n;
            src->offset += (uint64_t)n;
            continue;
        }
        if (n < 0 && errno == EAGAIN) {
            o->why = W_NO_DATA;
            break;
        }
        if (n == 0 && file && !wrapped && st.size != 0) {
            src->offset = 0;
            wrapped = 1;
            continue;
        }
        o->why = n == 0 ? W_EOF : W_READ;
        o->err = n == 0 ? 0 : errno;
        if (!file) {
            port_close(fd);
            src->fd = -1;
        }
        break;
    }
    if (file)
        port_close(fd);
    return (long)got;
}

/* Sets one of a source's two states (failing, unhealthy; 0 or 1) and logs its changes only:
 * why (with the text of err when it is not 0) when it begins, again when it ends (the line
 * sources_log gives a state). */
TLSMGR_NOINLINE static void change(const struct source *src, int *state, int now, const char *why,
                                   int err, const char *again)
{
    int was = *state;

    *state = now;
    errno = err;
    if (now != was)
        log_msg(!now       ? "\006random source %s: %s"
                : err != 0 ? "\024random source %s: %s"
                           : "\004random source %s: %s",
                src->name, now ? why : again);
}

/* The state of a source that fails the health tests, when it begins and at each state line. */
static const char unhealthy_text[] = "fails health tests, not counted";

unsigned sources_read_all(struct sources *s, unsigned want)
{
    static unsigned char buf[SOURCE_MAX_READ];
    unsigned i, strong = 0;

    for (i = 0; i < s->n; i++) {
        struct source *src = &s->src[i];
        enum conf_source_kind kind = src->conf.kind;
        struct egd_client_error o = {0, 0};
        size_t ask = kind == SOURCE_EGD && want > EGD_CLIENT_MAX ? EGD_CLIENT_MAX : want;
        const char *p = why_text;
        unsigned k, unhealthy = 0;
        long n;

        if (kind == SOURCE_GETRANDOM)
            n = outcome_of(port_getrandom(buf, ask), EAGAIN, W_RNG_WAIT, &o);
        else if (kind == SOURCE_HARDWARE)
            n = outcome_of(port_hardware_entropy(buf, ask), ENOSYS, W_NO_HOOK, &o);
        else if (kind == SOURCE_EGD)
            n = (long)egd_client_read(src->conf.path, buf, ask, &o);
        else
            n = read_fd(src, buf, ask, &o);
        if (n > 0 && o.why == 0 && (size_t)n < ask)
            o.why = W_SHORT;
        if (o.why != 0) {
            entropy_stats()->source_failures++;
            /* The phrase after the (why - 1)th NUL. */
            for (k = o.why; k > EGD_CLIENT_CONNECT; p++)
                k -= *p == '\0';
        }
        change(src, &src->failing, o.why != 0, p, o.err, "working again");
        if (n <= 0)
            continue;
#if TLSMGR_HEALTH_TESTS
        /* Health-tested: the raw sources (all but getrandom and dev:, which the kernel
         * conditions). */
        unhealthy = kind != SOURCE_GETRANDOM && kind != SOURCE_DEV &&
                    health_feed(&src->health, buf, (size_t)n) != 0;
        if (unhealthy)
            entropy_stats()->health_failures++;
        change(src, &src->unhealthy, (int)unhealthy, unhealthy_text, 0, "passes health tests");
#endif
        /* Mixing even a weak or short read costs nothing: the pool only gains. */
        entropy_mix(src->name, buf, (size_t)n);
        if (o.why == 0 && !unhealthy)
            strong++;
    }
    wipe(buf, sizeof(buf));
    return strong;
}

void sources_log(const struct sources *s)
{
    unsigned i;

    if (s->n == 0)
        log_info("random sources: none");
    for (i = 0; i < s->n; i++)
        log_info("random source %s: %s", s->src[i].name,
                 s->src[i].failing     ? "failing"
                 : s->src[i].unhealthy ? unhealthy_text
                                       : "ok");
}
