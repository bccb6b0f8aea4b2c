/* SPDX-License-Identifier: BSD-2-Clause */
/* ticket_export.c - writing the key files of tls_ticket_key_export, and HAProxy's socket. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "atomic_file.h"
#include "log.h"
#include "noinline.h"
#include "port.h"
#include "readfile.h"
#include "ticket_export.h"
#include "wipe.h"

/* TLSMGR_TICKET_EXPORT 0 leaves the export out of the build. */
#if TLSMGR_TICKET_EXPORT

#define BIT(i)      (1u << (i))
#define EXPORT_MODE 0640

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
        log_err("ticket export: unknown group %s", group); /* each target says so */
        x->gid = PORT_ID_KEEP;
    }
}

void ticket_export_free(struct ticket_export *x)
{
    haproxy_cli_stop(&x->cli);
    wipe(x->hap_keys, sizeof(x->hap_keys));
}

/* Bit i of *failing follows whether the file or socket name works (why NULL) or not; only a
 * change is logged, so a failure retried every minute is one line. A success that wrote keys
 * says how many. */
static void note(unsigned *failing, unsigned i, const char *name, const char *why, unsigned wrote)
{
    unsigned was = *failing & BIT(i);

    if (why != NULL) {
        *failing |= BIT(i);
        if (!was)
            log_err("ticket export %s: %.80s; retry in %us", name, why, TLSMGR_TICKET_RETRY);
        return;
    }
    *failing &= ~BIT(i);
    if (was)
        log_info("ticket export %s works again", name);
    if (wrote > 0)
        log_info("wrote %u key(s) to %s", wrote, name);
}

/* NULL when nobody but root and this daemon's user can rename or replace the directories
 * that lead to path (a sticky directory such as /tmp protects the names it holds), else why
 * not. A writer in such a directory could swap it for one of its own between the checks of
 * this write and the rename that publishes the keys. Out of line, as write_target: inlined,
 * their buffers would put the caller's locals out of short reach. */
TLSMGR_NOINLINE static const char *unsafe_dir(const char *path)
{
    char dir[TLSMGR_PATH_MAX];
    struct port_stat st;

    while (atomic_dirname(path, dir, sizeof(dir)) == 0) {
        if (port_lstat(dir, &st) < 0)
            return strerror(errno);
        if (st.uid != 0 && st.uid != port_uid())
            return "dir owner";
        if (st.type == PORT_FT_DIR && (st.mode & 022) != 0 && !(st.mode & 01000))
            return "dir writable";
        if ((dir[0] == '/' || dir[0] == '.') && dir[1] == '\0') /* "/" or "." */
            return NULL;
        path = dir;
    }
    return "name too long";
}

/* 1 when path already holds exactly data, with the export mode; read into old (the caller
 * wipes it). */
static int same_on_disk(const char *path, const uint8_t *data, size_t len,
                        uint8_t old[TICKET_FILE_MAX])
{
    struct readfile rf;

    return readfile(path, old, TICKET_FILE_MAX, &rf) == 0 && !rf.more && rf.len == len &&
           rf.mode == EXPORT_MODE && memcmp(old, data, len) == 0;
}

/* Bytes per key in the files of each kind (enum conf_export_kind): a record, lighttpd's
 * file, nginx's file, HAProxy's line. */
static const unsigned char record_len[] = {TICKET_RECORD_LEN, 92, 80, TICKET_B64_LEN};

/* Writes the files of target i that changed. Returns 1 when it wrote, 0 when nothing
 * changed, -1 on failure (logged once per target until a write works again). */
TLSMGR_NOINLINE static int write_target(struct ticket_export *x, unsigned i,
                                        const struct ticket_slots *s, int64_t now)
{
    const struct conf_export *t = &x->conf->exports[i];
    uint8_t buf[2][TICKET_FILE_MAX]; /* the file's new bytes, and those on disk */
    char path[TLSMGR_PATH_MAX + 16];
    const char *why = NULL;
    unsigned part, wrote = 0, kind = t->kind;

    for (part = 0; part < ticket_file_parts(kind) && why == NULL; part++) {
        size_t len = ticket_file_encode(kind, part, s, now, buf[0]);

        snprintf(path, sizeof(path), kind == EXPORT_NGINX ? "%s/%s" : "%s", t->path,
                 ticket_file_part_name(part));
        if (len == 0 || same_on_disk(path, buf[0], len, buf[1]))
            continue;
        why = x->gid == PORT_ID_KEEP ? "unknown group" : unsafe_dir(path);
        if (why == NULL &&
            atomic_file_write_gid(path, buf[0], len, EXPORT_MODE, x->gid, "ticket export") < 0)
            why = "write failed";
        if (why == NULL) /* a key per record: tlsmgr's header is shorter than a record */
            wrote += (unsigned)len / record_len[kind];
    }
    wipe(buf, sizeof(buf));
    note(&x->failing, i, t->path, why, wrote);
    if (why != NULL)
        return -1;
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

        next = ticket_sooner(next,
                             r < 0 ? now + TLSMGR_TICKET_RETRY
                                   : ticket_file_next_change(c->exports[i].kind, s, now),
                             now);
        if (r > 0)
            x->hap_due |= BIT(i); /* hap_next passes over the targets without a socket */
    }
    /* A failed socket is tried again; a conversation in progress keeps the keys it started
     * with, and the due ones wait a second for it to end. */
    x->hap_due |= x->hap_failing;
    t = 0;
    if (x->hap_due != 0 && haproxy_cli_busy(&x->cli)) {
        t = now + 1;
    } else if (x->hap_due != 0) {
        /* HAProxy's file is its three keys, one line each. */
        (void)ticket_file_encode(EXPORT_HAPROXY, 0, s, now, (uint8_t *)x->hap_keys);
        hap_next(x);
    }
    if (x->hap_failing != 0)
        t = now + TLSMGR_TICKET_RETRY;
    return ticket_sooner(next, t, now);
}

/* ---- HAProxy's runtime socket -------------------------------------------------------------
 * Each "set ssl tls-key FILE B64" pushes one key into HAProxy's three: previous <- current <-
 * next <- B64. The daemon sends its previous, current and next keys in that order, three
 * commands on one line: whatever HAProxy held, it then holds the lines of the file, and the
 * daemon needs no listing of HAProxy's keys to parse. While HAProxy runs the three commands it
 * may encrypt a ticket or two under the previous key, still valid for half a lifetime. */

/* The end of HAProxy's answer to each key it took, "TLS ticket key updated!": none of its
 * refusals says it. */
#define UPDATED "updated!"

static void hap_done(void *arg, int err, char *answer, size_t len)
{
    struct ticket_export *x = arg;
    const struct conf_export *t = &x->conf->exports[x->hap_target];
    const char *why = NULL;
    uint64_t word, want;
    size_t i;
    unsigned n = 0;

    if (err != 0) {
        why = strerror(err);
    } else {
        /* A word compare at each position: no call per byte of the answer. */
        memcpy(&want, UPDATED, sizeof(want));
        for (i = 0; i + sizeof(word) <= len; i++) {
            memcpy(&word, answer + i, sizeof(word));
            n += word == want;
        }
        if (n != TICKET_SLOTS)
            why = "key refused";
    }
    note(&x->hap_failing, x->hap_target, t->socket, why, n);
    x->hap_target++;
    hap_next(x);
}

/* Starts the conversation of the next due target, from hap_target on; wipes the keys when
 * none is left. */
static void hap_next(struct ticket_export *x)
{
    const struct tlsmgr_conf *c = x->conf;
    size_t len;
    unsigned j;

    for (; x->hap_target < c->nexports; x->hap_target++) {
        const struct conf_export *t = &c->exports[x->hap_target];

        if (!(x->hap_due & BIT(x->hap_target)))
            continue;
        x->hap_due &= ~BIT(x->hap_target);
        if (t->kind != EXPORT_HAPROXY || t->socket[0] == '\0')
            continue;
        /* Each command fits: HAPROXY_CLI_BUF holds three of them with the longest path. The
         * last one's "; " becomes the end of the line. */
        for (j = 0, len = 0; j < TICKET_SLOTS; j++)
            len += (size_t)snprintf(x->cli.buf + len, sizeof(x->cli.buf) - len,
                                    "set ssl tls-key %s %.108s; ", t->path, x->hap_keys[j]);
        x->cli.buf[len - 2] = '\n';
        if (haproxy_cli_start(&x->cli, t->socket, len - 1, hap_done, x) == 0)
            return;
        note(&x->hap_failing, x->hap_target, t->socket, strerror(errno), 0);
    }
    x->hap_target = 0;
    wipe(x->hap_keys, sizeof(x->hap_keys));
}

#endif /* TLSMGR_TICKET_EXPORT */
