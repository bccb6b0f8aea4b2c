/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_ticket_export.c - the key files of tls_ticket_key_export pinned byte for byte (nginx and
 * HAProxy against vectors computed apart from this code, lighttpd in the host's own integer
 * layout, checked byte by byte for either order so the big-endian cross run holds too), the
 * choice of lighttpd's key and its timing, tlsmgr's key file and every way tls_ticket_key_source
 * can be refused, writes only of changed bytes into safe directories, no torn file whatever call
 * fails, and the conversation with a HAProxy runtime socket played by the test.
 */
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "loop.h"
#include "port.h"
#include "t.h"
#include "ticket_export.h"
#include "ticket_files.h"
#include "ticket_import.h"

#define NOW 1700002000

/* previous, current, next: names 10.., 40.., 70..; keys 20.., 50.., 80.. */
static void make_slots(struct ticket_slots *s)
{
    static const int64_t active[3] = {1700000000, 1700001800, 1700003647};
    unsigned i, j;

    memset(s, 0, sizeof(*s));
    for (i = 0; i < 3; i++) {
        for (j = 0; j < TICKET_NAME_LEN; j++)
            s->k[i].name[j] = (uint8_t)(0x10 + 0x30 * i + j);
        for (j = 0; j < TICKET_KEY_LEN; j++)
            s->k[i].key[j] = (uint8_t)(0x20 + 0x30 * i + j);
        s->k[i].created = active[1] < active[i] ? active[1] : active[i];
        s->k[i].active = active[i];
        s->k[i].lifetime = 3600;
    }
    s->present = 7;
}

static size_t unhex(const char *h, uint8_t *out)
{
    size_t n = 0;
    unsigned v;

    for (; h[0] != '\0' && sscanf(h, "%2x", &v) == 1; h += 2)
        out[n++] = (uint8_t)v;
    return n;
}

/* Computed with Python's hashlib: name, then SHA-512("tlsmgr openssl ticket key\0" name key). */
static const char *const nginx_hex[3] = {
    "101112131415161718191a1b1c1d1e1feecc14fc801b25c60f9d8bebd665420066e981b39fd9c58ea4d24bf3fd"
    "14b7243e7cc34e07bfa10267e543db77ade623cf8e6c8e70abe25098a2a0b74d8dca25",
    "404142434445464748494a4b4c4d4e4f85f4474ce300876640e43c371e5a03be98e4bffbe14315c317da170933"
    "bffe42c982c87676bee66e95b50295349abdb9e0b1d7b692dcf96f589f68d844105c73",
    "707172737475767778797a7b7c7d7e7fcd96eda1de6d6cac2606d87f719c4ed4b222e8cbc4315a566363abf2dc"
    "a12b022a0843d976bf729c59af5fe13d3e8d0432512a7e3463a4b335271f85a723a5e2"};
/* The same keys as HAProxy's name, AES, HMAC, in base64. */
static const char haproxy_lines[] =
    "EBESExQVFhcYGRobHB0eHz58w04Hv6ECZ+VD23et5iPPjmyOcKviUJiioLdNjcol7swU/IAbJcYPnYvr1mVCAGbpgbOf"
    "2cWOpNJL8/0UtyQ=\n"
    "QEFCQ0RFRkdISUpLTE1OT8mCyHZ2vuZulbUClTSavbngsde2ktz5b1ifaNhEEFxzhfRHTOMAh2ZA5Dw3HloDvpjkv/vh"
    "QxXDF9oXCTO//kI=\n"
    "cHFyc3R1dnd4eXp7fH1+fyoIQ9l2v3KcWa9f4T0+jQQyUSp+NGOkszUnH4WnI6XizZbtod5tbKwmBth/cZxO1LIi6MvE"
    "MVpWY2Or8tyhKwI=\n";

static void nginx_files_pinned(void)
{
    struct ticket_slots s;
    uint8_t out[TICKET_FILE_MAX], want[80];
    static const unsigned slot_of_part[3] = {1, 0, 2};
    unsigned part;

    make_slots(&s);
    T_EQ_INT(ticket_file_parts(EXPORT_NGINX), 3);
    T_EQ_STR(ticket_file_part_name(0), "current.key");
    T_EQ_STR(ticket_file_part_name(1), "previous.key");
    T_EQ_STR(ticket_file_part_name(2), "next.key");
    for (part = 0; part < 3; part++) {
        T_EQ_INT(ticket_file_encode(EXPORT_NGINX, part, &s, NOW, out), 80);
        unhex(nginx_hex[slot_of_part[part]], want);
        T_ASSERT(memcmp(out, want, 80) == 0);
    }
}

static void haproxy_file_pinned(void)
{
    struct ticket_slots s;
    uint8_t out[TICKET_FILE_MAX];

    make_slots(&s);
    T_EQ_INT(ticket_file_parts(EXPORT_HAPROXY), 1);
    T_EQ_INT(ticket_file_encode(EXPORT_HAPROXY, 0, &s, NOW, out), sizeof(haproxy_lines) - 1);
    T_ASSERT(memcmp(out, haproxy_lines, sizeof(haproxy_lines) - 1) == 0);
}

/* A server that wants three keys gets the current one where a slot is empty; none without a
 * current key. */
static void missing_slots_take_the_current_key(void)
{
    struct ticket_slots s;
    uint8_t out[TICKET_FILE_MAX], want[80];

    make_slots(&s);
    s.present = 2;
    T_EQ_INT(ticket_file_encode(EXPORT_NGINX, 2, &s, NOW, out), 80);
    unhex(nginx_hex[1], want);
    T_ASSERT(memcmp(out, want, 80) == 0);
    T_EQ_INT(ticket_file_encode(EXPORT_HAPROXY, 0, &s, NOW, out), 327);
    T_ASSERT(memcmp(out, haproxy_lines + 109, 109) == 0 && memcmp(out + 109, out, 109) == 0 &&
             memcmp(out + 218, out, 109) == 0);
    s.present = 5;
    T_EQ_INT(ticket_file_encode(EXPORT_LIGHTTPD, 0, &s, NOW, out), 0);
    T_EQ_INT(ticket_file_encode(EXPORT_TLSMGR, 0, &s, NOW, out), 0);
}

/* v as 4 bytes in the host's order, built byte by byte (not through an int). */
static void host32(uint8_t *p, uint32_t v)
{
    static const union {
        uint32_t u;
        uint8_t b[4];
    } probe = {1};
    unsigned i;

    for (i = 0; i < 4; i++)
        p[probe.b[0] == 1 ? i : 3 - i] = (uint8_t)(v >> (8 * i));
}

static void lighttpd_want(uint8_t *w, const struct ticket_key *k, uint32_t active, uint32_t expiry)
{
    memset(w, 0, 92);
    host32(w + 4, active);
    host32(w + 8, expiry);
    memcpy(w + 12, k->name, 16);
    memcpy(w + 60, k->key, 32);
}

static void lighttpd_file_pinned_in_host_order(void)
{
    struct ticket_slots s;
    uint8_t out[TICKET_FILE_MAX], want[92];
    int32_t native[3] = {0, 1700001800, 1700005400};

    make_slots(&s);
    /* The current key until its successor's turn: 4 s before the multiple of 64 s at or
     * before the successor's activation (1700003647 -> 1700003584). */
    T_EQ_INT(ticket_file_encode(EXPORT_LIGHTTPD, 0, &s, NOW, out), 92);
    lighttpd_want(want, &s.k[1], 1700001800, 1700005400);
    T_ASSERT(memcmp(out, want, 92) == 0);
    T_ASSERT(memcmp(out, native, sizeof(native)) == 0); /* what lighttpd's int[23] reads */
    T_EQ_INT(ticket_file_next_change(EXPORT_LIGHTTPD, &s, NOW), 1700003580);
    T_EQ_INT(ticket_file_next_change(EXPORT_NGINX, &s, NOW), 0);
    T_EQ_INT(ticket_file_encode(EXPORT_LIGHTTPD, 0, &s, 1700003579, out), 92);
    T_ASSERT(memcmp(out, want, 92) == 0);
    /* Then the next key, with an activation lighttpd takes at once (at most 63 s after the
     * write) and its true expiry. */
    T_EQ_INT(ticket_file_encode(EXPORT_LIGHTTPD, 0, &s, 1700003580, out), 92);
    lighttpd_want(want, &s.k[2], 1700003643, 1700003647 + 3600);
    T_ASSERT(memcmp(out, want, 92) == 0);
    T_EQ_INT(ticket_file_next_change(EXPORT_LIGHTTPD, &s, 1700003580), 0);
    /* Times past 2038 stay the largest signed 32-bit value. */
    s.k[1].active = (int64_t)1 << 33;
    s.k[1].created = s.k[1].active;
    s.present = 2;
    T_EQ_INT(ticket_file_encode(EXPORT_LIGHTTPD, 0, &s, (int64_t)1 << 34, out), 92);
    lighttpd_want(want, &s.k[1], 0x7fffffff, 0x7fffffff);
    T_ASSERT(memcmp(out, want, 92) == 0);
}

static void tlsmgr_file_round_trip(void)
{
    struct ticket_slots s, back;
    uint8_t out[TICKET_FILE_MAX], rec[TICKET_RECORD_LEN];
    size_t len;

    make_slots(&s);
    len = ticket_file_encode(EXPORT_TLSMGR, 0, &s, NOW, out);
    T_EQ_INT(len, 8 + 3 * 72);
    T_ASSERT(memcmp(out, "TMGK\001\007\000\000", 8) == 0);
    T_EQ_INT(ticket_record_encode(rec, &s.k[2]), 72);
    T_ASSERT(memcmp(out + 8 + 2 * 72, rec, 72) == 0);
    T_ASSERT(ticket_file_decode(out, len, NOW, &back) == NULL);
    T_ASSERT(memcmp(&back, &s, sizeof(s)) == 0);
    s.present = 6;
    len = ticket_file_encode(EXPORT_TLSMGR, 0, &s, NOW, out);
    T_EQ_INT(len, 8 + 2 * 72);
    T_EQ_INT(out[5], 6);
    T_ASSERT(ticket_file_decode(out, len, NOW, &back) == NULL && back.present == 6);
}

static void tlsmgr_file_refused(void)
{
    struct ticket_slots s, back;
    uint8_t good[TICKET_FILE_MAX], bad[TICKET_FILE_MAX];
    size_t len;
    unsigned i;
    static const struct {
        unsigned off;
        uint8_t val;
    } flips[] = {{0, 'X'}, {4, 2}, {5, 0}, {5, 5}, {5, 8}, {6, 1}, {7, 1}, {8, 2}, {9, 2}};

    make_slots(&s);
    len = ticket_file_encode(EXPORT_TLSMGR, 0, &s, NOW, good);
    for (i = 0; i < sizeof(flips) / sizeof(flips[0]); i++) {
        memcpy(bad, good, len);
        bad[flips[i].off] = flips[i].val;
        T_ASSERT(ticket_file_decode(bad, len, NOW, &back) != NULL);
        T_EQ_INT(back.present, 0);
    }
    T_ASSERT(ticket_file_decode(good, len - 1, NOW, &back) != NULL);
    T_ASSERT(ticket_file_decode(good, 7, NOW, &back) != NULL);
    memcpy(bad, good, len);
    bad[len] = 0;
    T_ASSERT(ticket_file_decode(bad, len + 1, NOW, &back) != NULL);
    /* Two keys of one wire name; keys out of order. */
    s.k[2].name[0] = s.k[1].name[0], s.k[2].name[1] = s.k[1].name[1];
    s.k[2].name[2] = s.k[1].name[2], s.k[2].name[3] = s.k[1].name[3];
    len = ticket_file_encode(EXPORT_TLSMGR, 0, &s, NOW, bad);
    T_ASSERT(ticket_file_decode(bad, len, NOW, &back) != NULL);
    make_slots(&s);
    s.k[0].active = s.k[1].active;
    s.k[0].created = s.k[1].created;
    len = ticket_file_encode(EXPORT_TLSMGR, 0, &s, NOW, bad);
    T_ASSERT(ticket_file_decode(bad, len, NOW, &back) != NULL);
    /* Stale: the newest key has expired. */
    T_ASSERT(ticket_file_decode(good, 8 + 3 * 72, 1700003647 + 3600, &back) != NULL);
    T_ASSERT(strstr(ticket_file_decode(good, 8 + 3 * 72, 1700003647 + 3600, &back), "stale"));
    T_ASSERT(ticket_file_decode(good, 8 + 3 * 72, 1700003647 + 3599, &back) == NULL);
}

/* The source: a good file is taken; a bad one is logged once and the keys in use stay, but for
 * those that expire. */
static void import_keeps_last_good_keys(void)
{
    struct ticket_import im = {NULL};
    struct ticket_slots s, env;
    uint8_t file[TICKET_FILE_MAX], big[400];
    size_t len;
    char path[512];

    make_slots(&s);
    len = ticket_file_encode(EXPORT_TLSMGR, 0, &s, NOW, file);
    snprintf(path, sizeof(path), "%s/keys", t_dir());
    memset(&env, 0, sizeof(env));
    T_EQ_INT(ticket_import_apply(&im, path, &env, NOW), 0); /* missing */
    T_EQ_INT(t_log_count("keys: No such file"), 1);
    T_EQ_INT(t_write_file("keys", file, len), 0);
    T_EQ_INT(ticket_import_apply(&im, path, &env, NOW), 1);
    T_ASSERT(memcmp(&env, &s, sizeof(s)) == 0);
    T_EQ_INT(ticket_import_apply(&im, path, &env, NOW), 0);
    T_EQ_INT(t_log_count("took 3 keys"), 1);
    file[0] = 'X';
    T_EQ_INT(t_write_file("keys", file, len), 0);
    T_EQ_INT(ticket_import_apply(&im, path, &env, NOW), 0);
    T_EQ_INT(ticket_import_apply(&im, path, &env, NOW), 0);
    T_EQ_INT(t_log_count("keys: malformed"), 1);
    T_EQ_INT(env.present, 7);
    /* Too long, writable by others, a symbolic link, not a regular file. */
    memset(big, 0, sizeof(big));
    T_EQ_INT(t_write_file("keys", big, sizeof(big)), 0);
    T_EQ_INT(ticket_import_apply(&im, path, &env, NOW), 0);
    T_EQ_INT(t_log_count("too long"), 1);
    file[0] = 'T';
    T_EQ_INT(t_write_file("keys", file, len), 0);
    T_EQ_INT(chmod(path, 0666), 0);
    T_EQ_INT(ticket_import_apply(&im, path, &env, NOW), 0);
    T_EQ_INT(t_log_count("writable by others"), 1);
    T_EQ_INT(t_write_file("real", file, len), 0);
    T_EQ_INT(unlink(path), 0);
    T_EQ_INT(symlink("real", path), 0);
    T_EQ_INT(ticket_import_apply(&im, path, &env, NOW), 0);
    T_EQ_INT(t_log_count("symbolic link"), 1);
    T_EQ_INT(unlink(path), 0);
    T_EQ_INT(mkdir(path, 0755), 0);
    /* Meanwhile the previous key expired: it goes, the others stay. */
    T_EQ_INT(ticket_import_apply(&im, path, &env, 1700003600), 1);
    T_EQ_INT(t_log_count("not a regular file"), 1);
    T_EQ_INT(env.present, 6);
    T_ASSERT(!port_test_log_has("4041424344"));
}

/* An export of every kind into dir; x initialised on l. */
static void setup_export(struct tlsmgr_conf *c, struct ticket_export *x, struct loop *l)
{
    static const char *const files[4] = {"keys", "stek", "nginx", "hap"};
    struct group *g = getgrgid(getgid());
    unsigned i;

    conf_defaults(c);
    snprintf(c->export_group, sizeof(c->export_group), "%s", g != NULL ? g->gr_name : "root");
    for (i = 0; i < 4; i++) {
        c->exports[i].kind = (unsigned char)i;
        snprintf(c->exports[i].path, sizeof(c->exports[i].path), "%s/out/%s", t_dir(), files[i]);
    }
    c->nexports = 4;
    T_EQ_INT(mkdir("out", 0755), 0);
    T_EQ_INT(mkdir("out/nginx", 0755), 0);
    loop_init(l);
    memset(x, 0, sizeof(*x));
    ticket_export_init(x, c, l);
}

static void export_writes_only_what_changed(void)
{
    struct tlsmgr_conf c;
    struct ticket_export x;
    struct ticket_slots s;
    struct loop l;
    struct stat st;
    uint8_t buf[400], want[TICKET_FILE_MAX];

    setup_export(&c, &x, &l);
    make_slots(&s);
    T_EQ_INT(ticket_export_update(&x, &s, NOW), 1700003580);
    T_EQ_INT(t_log_count("wrote "), 4);
    T_EQ_INT(t_read_file("out/nginx/next.key", buf, sizeof(buf)), 80);
    T_EQ_INT(t_read_file("out/hap", buf, sizeof(buf)), 327);
    T_EQ_INT(ticket_file_encode(EXPORT_LIGHTTPD, 0, &s, NOW, want), 92);
    T_EQ_INT(t_read_file("out/stek", buf, sizeof(buf)), 92);
    T_ASSERT(memcmp(buf, want, 92) == 0);
    T_EQ_INT(stat("out/stek", &st), 0);
    T_EQ_INT(st.st_mode & 07777, 0640);
    T_EQ_INT(st.st_gid, getgid());
    T_ASSERT(access("out/stek.tmp", F_OK) != 0);
    /* Same slots, same bytes: nothing is written (lighttpd would take the key again). */
    T_EQ_INT(ticket_export_update(&x, &s, NOW + 10), 1700003580);
    T_EQ_INT(t_log_count("wrote "), 4);
    /* lighttpd's turn for the next key: only its file changes. */
    T_EQ_INT(ticket_export_update(&x, &s, 1700003580), 0);
    T_EQ_INT(t_log_count("wrote "), 5);
    T_EQ_INT(t_log_count("wrote 1 key(s) to "), 2);
    T_ASSERT(!port_test_log_has("4041424344") && !port_test_log_has("QEFCQ0RF"));
    ticket_export_free(&x);
}

static void export_refuses_a_directory_others_can_change(void)
{
    struct tlsmgr_conf c;
    struct ticket_export x;
    struct ticket_slots s;
    struct loop l;

    setup_export(&c, &x, &l);
    make_slots(&s);
    T_EQ_INT(chmod("out", 0777), 0);
    T_EQ_INT(ticket_export_update(&x, &s, NOW), NOW + TLSMGR_TICKET_RETRY);
    T_EQ_INT(ticket_export_update(&x, &s, NOW + 1), NOW + 1 + TLSMGR_TICKET_RETRY);
    T_EQ_INT(t_log_count("dir writable"), 4); /* once per target */
    T_ASSERT(access("out/stek", F_OK) != 0);
    T_EQ_INT(chmod("out", 01777), 0); /* sticky: names stay their owners' */
    T_EQ_INT(ticket_export_update(&x, &s, NOW + 2), 1700003580);
    T_EQ_INT(t_log_count("works again"), 4);
    T_EQ_INT(t_log_count("wrote "), 4);
    ticket_export_free(&x);
}

/* Whatever call fails, and a power cut after any number of calls that change the file
 * system: each file holds its old bytes or its new ones, never a mix. */
static void export_never_tears_a_file(void)
{
    static const char *const calls[] = {"open", "fchown", "fchmod", "write", "fsync", "rename"};
    struct tlsmgr_conf c;
    struct ticket_export x;
    struct ticket_slots s;
    struct loop l;
    uint8_t old[TICKET_FILE_MAX], new[TICKET_FILE_MAX], buf[400];
    unsigned i, n;
    long len;

    setup_export(&c, &x, &l);
    port_test_fs = PORT_FS_OTHER; /* fsync steps too */
    c.nexports = 2;               /* tlsmgr and lighttpd */
    make_slots(&s);
    T_EQ_INT(ticket_export_update(&x, &s, NOW), 1700003580);
    T_EQ_INT(ticket_file_encode(EXPORT_LIGHTTPD, 0, &s, NOW, old), 92);
    T_EQ_INT(ticket_file_encode(EXPORT_LIGHTTPD, 0, &s, 1700003580, new), 92);
    for (i = 0; i < sizeof(calls) / sizeof(calls[0]) + 12; i++) {
        if (i < sizeof(calls) / sizeof(calls[0]))
            port_test_fail(calls[i], 1, EIO);
        else
            port_test_crash_after(i - sizeof(calls) / sizeof(calls[0]));
        (void)ticket_export_update(&x, &s, 1700003580);
        port_test_crash_after(UINT_MAX); /* power is back */
        len = t_read_file("out/stek", buf, sizeof(buf));
        T_EQ_INT(len, 92);
        T_ASSERT(memcmp(buf, old, 92) == 0 || memcmp(buf, new, 92) == 0);
        if (memcmp(buf, new, 92) == 0) { /* back to the old key for the next try */
            n = (unsigned)t_log_count("wrote ");
            T_EQ_INT(ticket_export_update(&x, &s, NOW), 1700003580);
            T_EQ_INT(t_log_count("wrote "), n + 1);
        }
    }
    T_EQ_INT(ticket_export_update(&x, &s, 1700003580), 0);
    T_EQ_INT(t_read_file("out/stek", buf, sizeof(buf)), 92);
    T_ASSERT(memcmp(buf, new, 92) == 0);
    ticket_export_free(&x);
}

/* The test plays HAProxy: the daemon sends its three keys on one line and HAProxy confirms
 * each; an answer with fewer confirmations is logged once, the next good one works again. */
static void haproxy_socket_conversation(void)
{
    static const char *const answers[3] = {
        "TLS ticket key updated!\nTLS ticket key updated!\nTLS ticket key updated!\n\n",
        "TLS ticket key updated!\n'set ssl tls-key' expects a filename\n\n",
        "TLS ticket key updated!\nTLS ticket key updated!\nTLS ticket key updated!\n\n"};
    struct tlsmgr_conf c;
    struct ticket_export x;
    struct ticket_slots s;
    struct loop l;
    struct sockaddr_un sun;
    char req[2048], want[2048], path[300];
    int lfd, fd, i;
    long n;

    setup_export(&c, &x, &l);
    make_slots(&s);
    lfd = t_unix_socket(&sun, "h.sock");
    T_ASSERT(lfd >= 0 && bind(lfd, (struct sockaddr *)&sun, sizeof(sun)) == 0 &&
             listen(lfd, 4) == 0);
    snprintf(path, sizeof(path), "%s/out/hap", t_dir());
    c.exports[0] = c.exports[3];
    snprintf(c.exports[0].socket, sizeof(c.exports[0].socket), "%s/h.sock", t_dir());
    c.nexports = 1;
    ticket_export_init(&x, &c, &l);
    /* previous, current, next: the lines of the file, in its order. */
    snprintf(want, sizeof(want),
             "set ssl tls-key %s %.108s; set ssl tls-key %s %.108s; set ssl tls-key %s %.108s\n",
             path, haproxy_lines, path, haproxy_lines + 109, path, haproxy_lines + 218);
    for (i = 0; i < 3; i++) {
        x.hap_due = 1;
        T_EQ_INT(ticket_export_update(&x, &s, NOW), i == 2 ? NOW + TLSMGR_TICKET_RETRY : 0);
        fd = accept(lfd, NULL, NULL);
        T_ASSERT(fd >= 0);
        T_EQ_INT(loop_run_once(&l, 0), 0); /* the daemon sends its line */
        n = read(fd, req, sizeof(req) - 1);
        T_ASSERT(n > 0);
        req[n > 0 ? n : 0] = '\0';
        T_ASSERT(strcmp(req, want) == 0);
        T_ASSERT(write(fd, answers[i], strlen(answers[i])) == (ssize_t)strlen(answers[i]));
        close(fd);
        /* The daemon reads the answer and its end, one wake-up each. */
        for (n = 0; n < 4 && haproxy_cli_busy(&x.cli); n++)
            T_EQ_INT(loop_run_once(&l, 0), 0);
        T_ASSERT(!haproxy_cli_busy(&x.cli));
        T_EQ_INT(x.hap_failing, i == 1 ? 1 : 0);
    }
    T_EQ_INT(t_log_count("wrote 3 key(s) to "), 3); /* the file, then the socket twice */
    T_EQ_INT(t_log_count("h.sock: key refused"), 1);
    T_EQ_INT(t_log_count("h.sock works again"), 1);
    /* HAProxy gone: one line, retried later. */
    close(lfd);
    unlink("h.sock");
    x.hap_due = 1;
    T_EQ_INT(ticket_export_update(&x, &s, NOW), NOW + TLSMGR_TICKET_RETRY);
    T_EQ_INT(ticket_export_update(&x, &s, NOW + 60), NOW + 60 + TLSMGR_TICKET_RETRY);
    T_EQ_INT(t_log_count("h.sock: "), 2);
    T_ASSERT(!port_test_log_has("QEFCQ0RF"));
    ticket_export_free(&x);
}

T_MAIN(T_CASE(nginx_files_pinned), T_CASE(haproxy_file_pinned),
       T_CASE(missing_slots_take_the_current_key), T_CASE(lighttpd_file_pinned_in_host_order),
       T_CASE(tlsmgr_file_round_trip), T_CASE(tlsmgr_file_refused),
       T_CASE(import_keeps_last_good_keys), T_CASE(export_writes_only_what_changed),
       T_CASE(export_refuses_a_directory_others_can_change), T_CASE(export_never_tears_a_file),
       T_CASE(haproxy_socket_conversation))
