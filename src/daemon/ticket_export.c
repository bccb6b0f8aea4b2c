/* SPDX-License-Identifier: BSD-2-Clause */
/* ticket_export.c - writing the key files of tls_ticket_key_export, and HAProxy's socket. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "atomic_file.h"
#include "log.h"
#include "port.h"
#include "readfile.h"
#include "ticket_export.h"
#include "wipe.h"

/* TLSMGR_TICKET_EXPORT 0 leaves the export out of the build. */
#if TLSMGR_TICKET_EXPORT

#define BIT(i)      (1u << (i))
#define EXPORT_MODE 0640
#define WHAT        "ticket key export"

static void hap_next(struct ticket_export *x);

void ticket_export_init(struct ticket_export *x, const struct tlsmgr_conf *conf, struct loop *loop)
{
    const char *group = conf->export_group[0] != '\0' ? conf->export_group : conf->group;

    /* The HAProxy client's timer comes back to the same slot (same fn and arg). */
    if (x->conf != NULL)
        ticket_export_free(x);
    memset(x, 0, sizeof(*x));
    haproxy_cli_init(&x->cli, loop);
    x->conf = conf;
    x->hap_due = BIT(conf->nexports) - 1; /* each socket is checked once at start */
    if (conf->nexports > 0 && port_group_lookup(group, &x->gid) < 0) {
        log_err("ticket key export: unknown group %s: no key file is written", group);
        x->gid = PORT_ID_KEEP;
    }
}

void ticket_export_free(struct ticket_export *x)
{
    haproxy_cli_stop(&x->cli);
    wipe(x->hap_keys, sizeof(x->hap_keys));
}

/* NULL when nobody but root and this daemon's user can rename or replace the directories
 * that lead to path (a sticky directory such as /tmp protects the names it holds), else why
 * not. A writer in such a directory could swap it for one of its own between the checks of
 * this write and the rename that publishes the keys. */
static const char *unsafe_dir(const char *path)
{
    char dir[TLSMGR_PATH_MAX];
    struct port_stat st;

    if (atomic_dirname(path, dir, sizeof(dir)) < 0)
        return "name too long";
    for (;;) {
        if (port_lstat(dir, &st) < 0)
            return strerror(errno);
        if (st.uid != 0 && st.uid != port_uid())
            return "a directory on its path belongs to another user";
        if (st.type == PORT_FT_DIR && (st.mode & 022) != 0 && !(st.mode & 01000))
            return "a directory on its path is writable by group or others";
        if (strcmp(dir, "/") == 0 || strcmp(dir, ".") == 0)
            return NULL;
        if (atomic_dirname(dir, dir, sizeof(dir)) < 0)
            return "name too long";
    }
}

/* 1 when path already holds exactly data, with the export mode. */
static int same_on_disk(const char *path, const uint8_t *data, size_t len)
{
    uint8_t old[TICKET_FILE_MAX];
    struct readfile rf;
    int same = readfile(path, old, sizeof(old), &rf) == 0 && !rf.more && rf.len == len &&
               rf.mode == EXPORT_MODE && memcmp(old, data, len) == 0;

    wipe(old, sizeof(old));
    return same;
}

/* Writes the files of target i that changed. Returns 1 when it wrote, 0 when nothing
 * changed, -1 on failure (logged once per target until a write works again). */
static int write_target(struct ticket_export *x, unsigned i, const struct ticket_slots *s,
                        int64_t now)
{
    const struct conf_export *t = &x->conf->exports[i];
    uint8_t buf[TICKET_FILE_MAX];
    char path[TLSMGR_PATH_MAX + 16];
    const char *why = NULL;
    unsigned part, wrote = 0;

    for (part = 0; part < ticket_file_parts(t->kind) && why == NULL; part++) {
        size_t len = ticket_file_encode(t->kind, part, s, now, buf);

        if (t->kind == EXPORT_NGINX)
            snprintf(path, sizeof(path), "%s/%s", t->path, ticket_file_part_name(part));
        else
            snprintf(path, sizeof(path), "%s", t->path);
        if (len == 0 || same_on_disk(path, buf, len))
            continue;
        if (x->gid == PORT_ID_KEEP)
            why = "unknown group";
        else if ((why = unsafe_dir(path)) == NULL &&
                 atomic_file_write_gid(path, buf, len, EXPORT_MODE, x->gid, WHAT) < 0)
            why = "write failed";
        else if (why == NULL)
            wrote++;
    }
    wipe(buf, sizeof(buf));
    if (why != NULL) {
        if (!(x->failing & BIT(i)))
            log_err("ticket key export to %s: %s; retried in %us", t->path, why,
                    TLSMGR_TICKET_RETRY);
        x->failing |= BIT(i);
        return -1;
    }
    if (x->failing & BIT(i))
        log_info("ticket key export to %s works again", t->path);
    x->failing &= ~BIT(i);
    if (wrote > 0)
        log_info("wrote %u key(s) to %s",
                 t->kind == EXPORT_LIGHTTPD ? 1u
                 : t->kind == EXPORT_TLSMGR ? ticket_slots_count(s)
                                            : 3u,
                 t->path);
    return wrote > 0;
}

int64_t ticket_export_update(struct ticket_export *x, const struct ticket_slots *s, int64_t now)
{
    const struct tlsmgr_conf *c = x->conf;
    int64_t next = 0, t;
    unsigned i;

    if (c == NULL || !(s->present & BIT(TICKET_SLOT_CURRENT)))
        return 0;
    for (i = 0; i < c->nexports; i++) {
        int r = write_target(x, i, s, now);

        t = r < 0 ? now + TLSMGR_TICKET_RETRY : ticket_file_next_change(c->exports[i].kind, s, now);
        if (t > 0 && (next == 0 || t < next))
            next = t;
        if (c->exports[i].kind == EXPORT_HAPROXY && c->exports[i].socket[0] != '\0' && r > 0)
            x->hap_due |= BIT(i);
    }
    /* A failed socket is tried again; a conversation in progress keeps the keys it started
     * with, and the due ones wait a second for it to end. */
    x->hap_due |= x->hap_failing;
    t = 0;
    if (x->hap_due != 0 && haproxy_cli_busy(&x->cli)) {
        t = now + 1;
    } else if (x->hap_due != 0) {
        for (i = 0; i < TICKET_SLOTS; i++)
            ticket_file_haproxy_key(&s->k[(s->present & BIT(i)) ? i : TICKET_SLOT_CURRENT],
                                    x->hap_keys[i]);
        hap_next(x);
    }
    if (x->hap_failing != 0)
        t = now + TLSMGR_TICKET_RETRY;
    return t > 0 && (next == 0 || t < next) ? t : next;
}

/* ---- HAProxy's runtime socket -------------------------------------------------------------
 * "show tls-keys FILE" lists HAProxy's three keys as previous, current, next ("ID.0 B64" to
 * "ID.2 B64"), and each "set ssl tls-key FILE B64" pushes one: previous <- current <- next <-
 * B64. The daemon pushes the fewest keys that make HAProxy's list equal to its own: none, the
 * new next one (a rotation), or more after HAProxy missed some. */

static void hap_failed(struct ticket_export *x, const char *why, const char *detail)
{
    const struct conf_export *t = &x->conf->exports[x->hap_target];

    if (!(x->hap_failing & BIT(x->hap_target)))
        log_err("ticket keys to HAProxy socket %s (%s): %s%s%.80s; retried in %us", t->socket,
                t->path, why, detail[0] != '\0' ? ": " : "", detail, TLSMGR_TICKET_RETRY);
    x->hap_failing |= BIT(x->hap_target);
}

static void hap_ok(struct ticket_export *x)
{
    if (x->hap_failing & BIT(x->hap_target))
        log_info("ticket keys to HAProxy socket %s work again",
                 x->conf->exports[x->hap_target].socket);
    x->hap_failing &= ~BIT(x->hap_target);
}

/* The keys HAProxy listed, in out[0..2]; returns how many lines there were. */
static unsigned hap_parse(char *answer, const char *out[TICKET_SLOTS])
{
    unsigned n = 0;
    char *line, *next;

    for (line = answer; line != NULL && *line != '\0'; line = next) {
        char *sp;

        next = strchr(line, '\n');
        if (next != NULL)
            *next++ = '\0';
        sp = strchr(line, ' ');
        if (line[0] >= '0' && line[0] <= '9' && sp != NULL && sp[-2] == '.' && n < TICKET_SLOTS)
            out[n++] = sp + 1;
    }
    return n;
}

/* HAProxy's answer to each key it took. */
#define UPDATED "TLS ticket key updated!"

static void hap_done(void *arg, int err, char *answer, size_t len)
{
    struct ticket_export *x = arg;
    const struct conf_export *t = &x->conf->exports[x->hap_target];
    const char *have[TICKET_SLOTS];
    unsigned push, j, ok;
    char *req = x->cli.buf;

    (void)len;
    if (err != 0) {
        hap_failed(x, strerror(err), "");
        goto next;
    }
    if (x->hap_pushes > 0) {
        /* strncmp at each position: the one search, not worth an import of its own. */
        for (ok = 0; *answer != '\0'; answer++)
            ok += strncmp(answer, UPDATED, sizeof(UPDATED) - 1) == 0;
        if (ok != x->hap_pushes)
            hap_failed(x, "HAProxy refused a key", "");
        else
            hap_ok(x);
        goto next;
    }
    if (hap_parse(answer, have) != TICKET_SLOTS) {
        /* No key in the answer: it is an error message, safe to quote. */
        hap_failed(x, "unexpected answer to show tls-keys", answer);
        goto next;
    }
    /* Fewest pushes: HAProxy's list shifted by push must start with ours. */
    for (push = 0; push < TICKET_SLOTS; push++) {
        for (j = 0; j + push < TICKET_SLOTS; j++)
            if (strcmp(have[j + push], x->hap_keys[j]) != 0)
                break;
        if (j + push == TICKET_SLOTS)
            break;
    }
    if (push == 0) {
        hap_ok(x);
        goto next;
    }
    for (j = TICKET_SLOTS - push, req[0] = '\0'; j < TICKET_SLOTS; j++)
        snprintf(req + strlen(req), sizeof(x->cli.buf) - strlen(req), "set ssl tls-key %s %s%s",
                 t->path, x->hap_keys[j], j + 1 < TICKET_SLOTS ? "; " : "\n");
    x->hap_pushes = push;
    if (haproxy_cli_start(&x->cli, t->socket, req, hap_done, x) == 0) {
        log_info("sent %u key%s to HAProxy socket %s", push, push == 1 ? "" : "s", t->socket);
        return;
    }
    hap_failed(x, strerror(errno), "");
next:
    x->hap_due &= ~BIT(x->hap_target);
    x->hap_target++;
    hap_next(x);
}

/* Starts the conversation of the next due target, from hap_target on; wipes the keys when
 * none is left. */
static void hap_next(struct ticket_export *x)
{
    const struct tlsmgr_conf *c = x->conf;

    for (; x->hap_target < c->nexports; x->hap_target++) {
        const struct conf_export *t = &c->exports[x->hap_target];

        if (!(x->hap_due & BIT(x->hap_target)))
            continue;
        if (t->kind != EXPORT_HAPROXY || t->socket[0] == '\0') {
            x->hap_due &= ~BIT(x->hap_target);
            continue;
        }
        x->hap_pushes = 0;
        snprintf(x->cli.buf, sizeof(x->cli.buf), "show tls-keys %s\n", t->path);
        if (haproxy_cli_start(&x->cli, t->socket, x->cli.buf, hap_done, x) == 0)
            return;
        hap_failed(x, strerror(errno), "");
        x->hap_due &= ~BIT(x->hap_target);
    }
    x->hap_target = 0;
    wipe(x->hap_keys, sizeof(x->hap_keys));
}

#endif /* TLSMGR_TICKET_EXPORT */
