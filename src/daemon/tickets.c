/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tickets.c - ticket key rotation in the cache env (tickets.h). Keys come from the daemon's
 * generator; they never appear in a log line, and every copy is wiped after the write.
 */
#include <stdio.h>
#include <string.h>

#include "cache_repair.h"
#include "entropy.h"
#include "log.h"
#include "port.h"
#include "ticket_store.h"
#include "tickets.h"

/* TLSMGR_TICKETS 0 leaves the shared ticket keys out of the build. */
#if TLSMGR_TICKETS

static int rng(void *arg, unsigned char *out, size_t len)
{
    (void)arg;
    return entropy_random(out, len);
}

static void on_timer(void *arg)
{
    (void)tickets_update(arg);
}

/* The timer fires at the next change, at most a rotation period away (a wall clock stepped
 * back must not postpone the rotation for long), and sooner after a failure. */
#if TLSMGR_TICKET_EXPORT
#define importing(t) ((t)->conf != NULL && (t)->conf->ticket_source[0] != '\0')
#else
#define importing(t) 0
#endif

static void schedule(struct tickets *t, int failed, int64_t now)
{
    int64_t period = t->lifetime / 2, at = t->next_change;

    if (t->timer < 0) /* no loop */
        return;
#if TLSMGR_TICKET_EXPORT
    at = ticket_sooner(at, t->export_at, now);
    /* The source is read again this often; keys it brought change at their own times. */
    if (importing(t) && period > TLSMGR_TICKET_IMPORT_CHECK)
        period = TLSMGR_TICKET_IMPORT_CHECK;
#endif
    if (failed && period > TLSMGR_TICKET_RETRY)
        period = TLSMGR_TICKET_RETRY;
    /* At least a second away: the lifetime is 2 s or more, both checks as well. */
    at = ticket_sooner(at, now + period, now);
    loop_timer_in(t->loop, t->timer, (uint64_t)(at - now) * 1000u);
}

/* The env's slots, read and written under the fault guard and LMDB's assertion trap: a damaged
 * env is an error here (cache_env_damaged), which the cache's next sweep repairs. */
struct slots_io {
    struct ticket_slots s;
    unsigned bad; /* the slots of malformed records */
};

static int read_slots(struct cache_env *ce, void *arg)
{
    struct slots_io *io = arg;

    return ticket_store_read(ce, &io->s, &io->bad);
}

static int write_slots(struct cache_env *ce, void *s)
{
    return ticket_store_write(ce, s);
}

static int store_write(struct cache_env *ce, struct ticket_slots *s)
{
    return cache_repair_guard(ce, write_slots, s);
}

/* Reads the slots, drops `next` when asked (a new lifetime), rotates, writes when changed.
 * A failure is logged when the state changes from working to failing, not at each retry. */
static int update(struct tickets *t, int drop_next)
{
    struct slots_io io;
    struct ticket_slots *s = &io.s;
    int64_t now = port_wall_time();
    int rc, changed, failed = 1;
    const char *what = "read the slots", *why;

    if (!t->enabled)
        return 0;
    rc = cache_repair_guard(t->ce, read_slots, &io);
    if (rc != 0)
        goto fail_env;
    if (io.bad != 0)
        log_warn("ticket keys: malformed record(s) replaced");
    if (drop_next && (s->present & (1u << TICKET_SLOT_NEXT))) {
        ticket_slots_drop(s, TICKET_SLOT_NEXT);
        io.bad |= 1u << TICKET_SLOT_NEXT;
    }
#if TLSMGR_TICKET_EXPORT
    if (importing(t))
        changed = ticket_import_apply(&t->imp, t->conf->ticket_source, s, now);
    else
#endif
        changed = ticket_slots_advance(s, now, t->lifetime, rng, NULL);
    if (changed < 0) {
        what = "make a key";
        why = "generator failed";
        goto done;
    }
    if (changed != 0 || io.bad != 0) {
        rc = store_write(t->ce, s);
        if (rc != 0) {
            what = "write the slots";
            goto fail_env;
        }
        t->rotations++;
        t->last_write = now;
        log_debug("ticket keys rotated (%u key(s))", ticket_slots_count(s));
    }
    t->next_change = ticket_slots_next_change(s, now);
#if TLSMGR_TICKET_EXPORT
    t->export_at = ticket_export_update(&t->exp, s, now);
#endif
    failed = 0;
    if (t->failing)
        log_info("ticket keys: rotation works again");
    goto done;

fail_env:
    why = cache_env_strerror(rc);
done:
    ticket_slots_wipe(s);
    if (failed) {
        t->failures++;
        if (!t->failing)
            log_err("ticket keys: cannot %s: %s; retrying", what, why);
    }
    t->failing = failed;
    schedule(t, failed, now);
    return -failed;
}

int tickets_update(struct tickets *t)
{
    return update(t, 0);
}

/* A new lifetime drops the next key (made again under it); always = 1 updates anyway. */
static void set_lifetime(struct tickets *t, unsigned lifetime, int always)
{
    int drop = lifetime != t->lifetime;

    t->lifetime = lifetime;
    if (drop || always)
        (void)update(t, drop);
}

void tickets_set_lifetime(struct tickets *t, unsigned lifetime)
{
    set_lifetime(t, lifetime, 0);
}

/* An env off tmpfs holds no key: whatever an earlier daemon may have left goes. t->enabled
 * is still 0 from init's memset. */
static void refuse(struct tickets *t)
{
    struct ticket_slots none;

    ticket_slots_wipe(&none);
    log_warn("ticket keys: off, %s not on tmpfs", t->ce->path);
    (void)store_write(t->ce, &none);
}

static int init(struct tickets *t, struct cache_env *ce, struct loop *loop, unsigned lifetime,
                const struct tlsmgr_conf *conf)
{
    memset(t, 0, sizeof(*t));
    t->conf = conf;
#if TLSMGR_TICKET_EXPORT
    if (conf != NULL)
        ticket_export_init(&t->exp, conf, loop);
#endif
    t->ce = ce;
    t->loop = loop;
    t->timer = -1;
    t->lifetime = lifetime;
    if (port_fs_type(ce->path) != PORT_FS_TMPFS) {
        refuse(t);
        return 0;
    }
    t->enabled = 1;
    if (loop != NULL) {
        t->timer = loop_timer_new(loop, "ticket keys", on_timer, t);
        if (t->timer < 0)
            return -1; /* loop_timer_new said why */
    }
    (void)tickets_update(t);
    return 0;
}

int tickets_init(struct tickets *t, struct cache_env *ce, struct loop *loop, unsigned lifetime)
{
    return init(t, ce, loop, lifetime, NULL);
}

int tickets_init_conf(struct tickets *t, struct cache_env *ce, struct loop *loop,
                      const struct tlsmgr_conf *conf)
{
    return init(t, ce, loop, conf->ticket_key_lifetime, conf);
}

void tickets_reload(struct tickets *t)
{
    if (t->conf == NULL)
        return;
#if TLSMGR_TICKET_EXPORT
    ticket_export_init(&t->exp, t->conf, t->loop);
    t->imp.refused = NULL;
#endif
    /* The files and the source are looked at again, whatever the lifetime. */
    set_lifetime(t, t->conf->ticket_key_lifetime, TLSMGR_TICKET_EXPORT);
}

void tickets_log_stats(const struct tickets *t)
{
    int64_t now = port_wall_time();
    uint64_t v[5];

    if (!t->enabled) {
        log_info("ticket keys: off");
        return;
    }
    v[0] = t->lifetime;
    v[1] = t->rotations;
    v[2] = t->failures;
    v[3] = t->last_write > 0 && now >= t->last_write ? (uint64_t)(now - t->last_write) : 0;
    v[4] = t->next_change > now ? (uint64_t)(t->next_change - now) : 0;
    log_counters("ticket keys", "lifetime (s)\0rotations\0failures\0written (s ago)\0next in (s)\0",
                 v);
}

void tickets_free(struct tickets *t)
{
    if (t->timer >= 0)
        loop_timer_stop(t->loop, t->timer);
#if TLSMGR_TICKET_EXPORT
    if (t->conf != NULL)
        ticket_export_free(&t->exp);
#endif
    t->enabled = 0;
}

size_t tickets_describe(struct cache_env *ce, char *text, size_t cap)
{
    /* Characters, not pointers: no relocation each in a position-independent binary. */
    static const char role[TICKET_SLOTS][9] = {"previous", "current", "next"};
    struct ticket_slots s;
    int64_t now = port_wall_time();
    size_t len = 0;
    unsigned i;
    int n;

    text[0] = '\0';
    if (ticket_store_read(ce, &s, NULL) != 0)
        return 0;
    for (i = 0; i < TICKET_SLOTS; i++) {
        /* One call: the format of an empty slot leaves its times out. */
        n = snprintf(text + len, cap - len,
                     s.present & (1u << i) ? "ticket key %s: active %+llds, expires %+llds\n"
                                           : "ticket key %s: none\n",
                     role[i], (long long)(s.k[i].active - now),
                     (long long)(ticket_key_expires(&s.k[i]) - now));
        if ((size_t)n >= cap - len) /* an error (n < 0) as well */
            break; /* cannot happen: three lines fit the status record's 256 bytes */
        len += (size_t)n;
    }
    ticket_slots_wipe(&s);
    return len;
}

#endif /* TLSMGR_TICKETS */
