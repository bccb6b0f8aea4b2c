/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * conf.c - parser of tlsmgr.conf: "name = value" lines, "#" comment lines, Postfix time units.
 * The file is parsed into a copy of the configuration; the caller's copy changes only when the
 * whole file is good, so a bad reload keeps the old configuration.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "noinline.h"
#include "port.h"
#include "readfile.h"

#define WEEK (7u * 86400u)

/* A compile-time limit as text. */
#define STR_(x) #x
#define STR(x)  STR_(x)

/* Value types. Those from P_SEEDPATH on are parsed only by the daemon (set_daemon_value). */
enum ptype {
    P_TIME, /* parse_number takes the units of P_TIME and P_SIZE by their values */
    P_SIZE,
    P_COUNT,
    P_BOOL,
    P_PATH,
    P_OPTPATH,
    P_CACHEDB,
    P_SEEDPATH,
    P_SOURCES,
    P_NAME,
    P_OPTNAME,
    P_IDENT,
    P_FACILITY,
    P_EXPORTS,
    P_KEYSOURCE
};

struct param {
    unsigned char type; /* enum ptype */
    unsigned char num;  /* numbers: the index of its range and default in its table's numbers */
    uint16_t offset;    /* of the field in struct tlsmgr_conf */
};

/* The range and compiled-in default of each number (a text value's default is in the
 * defaults' text), apart from the parameters: the text values take no room for them. */
struct number {
    uint32_t min, max, def;
};

#define OFF(field) offsetof(struct tlsmgr_conf, field)

/* Parser of the daemon's values (set_daemon_value), or NULL to skip them. */
typedef const char *conf_setter(struct tlsmgr_conf *c, const struct param *p, const char *v);

/* The names of the parameters, in their order, NUL-separated: one string, no table of pointers. A
 * first byte below ' ' stands for word (byte - 1) of name_prefixes. */
static const char name_prefixes[] TLSMGR_TABLE =
    "tls_random_\0tls_session_cache_\0tls_ticket_key_\0tlsmgr_\0syslog_";
static const char param_names[] TLSMGR_TABLE =
    "state_directory\0\1exchange_name\0\1egd_socket\0\2database\0\2timeout\0\2max_entries\0"
    "\2map_size\0\2sync\0\3lifetime\0\1source\0\1bytes\0\1reseed_period\0\1prng_update_period\0"
    "\1seed_file\0\1seed_save_period\0\1seed_credit\0\2sweep_period\0\4user\0\4group\0\5name\0"
    "\5facility\0"
#if TLSMGR_TICKET_EXPORT
    "\3export\0\3source\0\3export_group\0"
#endif
    ;

/* A default above 4 GiB cannot be held in the table; the largest map accepted is 1 GiB. */
typedef char conf_map_size_default_fits[TLSMGR_DEFAULT_CACHE_MAP_SIZE <= 0xffffffffu ? 1 : -1];

/* The parameters libtlsmgr reads come first (NLIB of them), in tables of their own: the
 * library checks the names of the others but skips their values, so that their tables and
 * parsers stay out of every TLS server (only the daemon's calls reach them). */
#define NLIB 9

/* The compiled-in defaults of the text values, in the order of the parameters (a number's
 * word is empty): they go through the same parsers as the file's values. */
static const char lib_text[] TLSMGR_TABLE =
    TLSMGR_DEFAULT_STATE_DIRECTORY "\0" TLSMGR_DEFAULT_EXCHANGE_NAME "\0" TLSMGR_DEFAULT_EGD_SOCKET
                                   "\0" TLSMGR_DEFAULT_CACHE_DATABASE "\0\0\0\0\0\0";
static const char daemon_text[] TLSMGR_TABLE = TLSMGR_DEFAULT_RANDOM_SOURCE
    "\0\0\0\0" TLSMGR_DEFAULT_SEED_FILE "\0\0\0\0" TLSMGR_DEFAULT_USER "\0" TLSMGR_DEFAULT_GROUP
    "\0" TLSMGR_DEFAULT_SYSLOG_NAME "\0" TLSMGR_DEFAULT_SYSLOG_FACILITY "\0"
#if TLSMGR_TICKET_EXPORT
    TLSMGR_DEFAULT_TICKET_KEY_EXPORT "\0" TLSMGR_DEFAULT_TICKET_KEY_SOURCE
    "\0" TLSMGR_DEFAULT_TICKET_KEY_EXPORT_GROUP "\0"
#endif
    ;

static const struct number lib_numbers[] TLSMGR_TABLE = {
    {1, WEEK, TLSMGR_DEFAULT_CACHE_TIMEOUT},
    {1, 10000000, TLSMGR_DEFAULT_CACHE_MAX_ENTRIES},
    {65536, 1024UL * 1024 * 1024, (uint32_t)TLSMGR_DEFAULT_CACHE_MAP_SIZE},
    {0, 1, TLSMGR_DEFAULT_CACHE_SYNC},
    {TLSMGR_MIN_TICKET_KEY_LIFETIME, 6 * 86400, TLSMGR_DEFAULT_TICKET_KEY_LIFETIME},
};

static const struct number daemon_numbers[] TLSMGR_TABLE = {
    {1, 1024, TLSMGR_DEFAULT_RANDOM_BYTES},
    {1, WEEK, TLSMGR_DEFAULT_RESEED_PERIOD},
    {1, WEEK, TLSMGR_DEFAULT_PRNG_UPDATE_PERIOD},
    {TLSMGR_MIN_SEED_SAVE_PERIOD, WEEK, TLSMGR_DEFAULT_SEED_SAVE_PERIOD},
    {0, 1, TLSMGR_DEFAULT_SEED_CREDIT},
    {0, WEEK, TLSMGR_DEFAULT_CACHE_SWEEP_PERIOD},
};

/* A number's num is its index in the numbers of its table. */
static const struct param lib_params[NLIB] TLSMGR_TABLE = {
    {P_PATH, 0, OFF(state_directory)},     {P_PATH, 0, OFF(exchange_name)},
    {P_OPTPATH, 0, OFF(egd_socket)},       {P_CACHEDB, 0, OFF(cache_database)},
    {P_TIME, 0, OFF(cache_timeout)},       {P_COUNT, 1, OFF(cache_max_entries)},
    {P_SIZE, 2, OFF(cache_map_size)},      {P_BOOL, 3, OFF(cache_sync)},
    {P_TIME, 4, OFF(ticket_key_lifetime)},
};

static const struct param daemon_params[] TLSMGR_TABLE = {
    {P_SOURCES, 0, 0},
    {P_COUNT, 0, OFF(random_bytes)},
    {P_TIME, 1, OFF(reseed_period)},
    {P_TIME, 2, OFF(prng_update_period)},
    {P_SEEDPATH, 0, OFF(seed_file)},
    {P_TIME, 3, OFF(seed_save_period)},
    {P_BOOL, 4, OFF(seed_credit)},
    {P_TIME, 5, OFF(cache_sweep_period)},
    {P_NAME, 0, OFF(user)},
    {P_NAME, 0, OFF(group)},
    {P_IDENT, 0, OFF(syslog_name)},
    {P_FACILITY, 0, OFF(syslog_facility)},
#if TLSMGR_TICKET_EXPORT
    {P_EXPORTS, 0, 0},
    {P_KEYSOURCE, 0, OFF(ticket_source)},
    {P_OPTNAME, 0, OFF(export_group)},
#endif
};

#define NPARAMS (NLIB + sizeof(daemon_params) / sizeof(daemon_params[0]))

/* Parameter k, and in *num its range and default (a number's). */
static const struct param *param_at(size_t k, const struct number **num)
{
    const struct param *p = k < NLIB ? &lib_params[k] : &daemon_params[k - NLIB];

    *num = (k < NLIB ? lib_numbers : daemon_numbers) + p->num;
    return p;
}

/* Stores the n bytes at src as the string of a path field. Returns NULL, or why not. */
static const char *put(char *dst, const char *src, size_t n)
{
    if (n >= TLSMGR_PATH_MAX)
        return "path too long";
    memcpy(dst, src, n);
    dst[n] = '\0';
    return NULL;
}

/* Word k (from 0) of a NUL-separated list such as param_names. */
static const char *nth_word(const char *list, size_t k)
{
    for (; k > 0; k--)
        list += strlen(list) + 1;
    return list;
}

/* The name of parameter k: its prefix into *pre ("" for none), and the rest. */
static const char *param_name(size_t k, const char **pre)
{
    const char *n = nth_word(param_names, k);

    *pre = "";
    if ((unsigned char)*n < ' ')
        *pre = nth_word(name_prefixes, (size_t)(*n++ - 1));
    return n;
}

/* The length of prefix if s starts with it, else 0. */
static size_t skip_prefix(const char *s, const char *prefix);

/* The index of the parameter called name, or NPARAMS. */
static size_t param_index(const char *name)
{
    const char *n = param_names;
    size_t k;

    for (k = 0; k < NPARAMS; k++, n += strlen(n) + 1) {
        const char *rest = name;

        if ((unsigned char)*n < ' ') {
            size_t pl = skip_prefix(name, nth_word(name_prefixes, (size_t)(*n - 1)));

            if (pl == 0)
                continue;
            rest += pl;
        }
        if (strcmp(n + ((unsigned char)*n < ' '), rest) == 0)
            break;
    }
    return k;
}

/* The length of prefix if s starts with it, else 0. */
static size_t skip_prefix(const char *s, const char *prefix)
{
    size_t n = 0;

    while (prefix[n] != '\0' && s[n] == prefix[n])
        n++;
    return prefix[n] == '\0' ? n : 0;
}

/* The length of the start of p whose bytes are (in = 1) or are not (in = 0) in set. */
static size_t span(const char *p, const char *set, int in)
{
    size_t n;

    for (n = 0; p[n] != '\0'; n++) {
        const char *s = set;

        while (*s != '\0' && *s != p[n])
            s++;
        if ((*s != '\0') != in)
            break;
    }
    return n;
}

/* The keyword of each enum conf_source_kind, in its order: a name, a prefix (ending in ':')
 * of an absolute path, or "" for a plain file's absolute path. */
static const char source_names[] TLSMGR_TABLE = "getrandom\0dev:\0hwrng:\0egd:\0\0hardware\0";

const char *conf_source_name(enum conf_source_kind kind)
{
    return nth_word(source_names, (size_t)kind);
}

/* Which of the first count words of list the item tok (len bytes) is, and the length of its
 * keyword; -1 if none. A word ending in ':' is a prefix, "" stands for an absolute path. */
static int keyword(const char *tok, size_t len, const char *list, int count, size_t *plen)
{
    int k;

    for (k = 0; k < count; k++, list += *plen + 1) {
        size_t nl = strlen(list);

        *plen = nl;
        if (nl == 0 ? tok[0] == '/'
                    : skip_prefix(tok, list) == nl && (list[nl - 1] == ':' || len == nl))
            return k;
    }
    return -1;
}

#if TLSMGR_TICKET_EXPORT
/* The keyword of each enum conf_export_kind, in its order. */
static const char export_names[] TLSMGR_TABLE = "tlsmgr:\0lighttpd:\0nginx:\0haproxy:";

/* A path of a target or its option: an HAProxy command line and key file names carry it as
 * one word, so no blank, ';' or '#'. Returns NULL or why it is wrong. */
static const char *export_path(char *dst, const char *p, size_t len)
{
    const char *e = len == 0 ? "empty path" : put(dst, p, len);

    if (e == NULL && dst[span(dst, ";#", 0)] != '\0')
        e = "';' or '#' in path";
    return e;
}

/* Export target n, of kind k, from the text after its keyword (q); returns NULL or why it is
 * wrong. */
static const char *set_export(struct tlsmgr_conf *c, unsigned n, int k, const char *q)
{
    struct conf_export *x = &c->exports[n];
    size_t plen = span(q, ", \t", 0); /* the path; an option follows a comma */
    const char *e = export_path(x->path, q, plen);
    unsigned i;

    x->kind = (unsigned char)k;
    x->socket[0] = '\0';
    if (e != NULL)
        return e;
    q += plen;
    if (*q == ',') {
        plen = skip_prefix(q + 1, "socket=");
        if (k != EXPORT_HAPROXY || plen == 0)
            return "unknown option";
        q += 1 + plen;
        if ((e = export_path(x->socket, q, span(q, " \t", 0))) != NULL)
            return e;
    }
    for (i = 0; i < n; i++)
        if (strcmp(c->exports[i].path, x->path) == 0)
            return "same path twice";
    return NULL;
}
#else
#define export_names source_names /* parse_list is never asked for targets */
#endif

/* Fills the random sources (exports 0) or the key export targets (1) from text: keywords, each
 * with its path, apart by blanks (or commas between sources). Returns NULL or why it is wrong. */
static const char *parse_list(struct tlsmgr_conf *c, const char *p, int exports)
{
    const char *seps = &", \t"[exports], *e;
    unsigned n = 0;

    for (;;) {
        size_t len, plen;
        int k;

        p += span(p, seps, 1);
        if (*p == '\0')
            break;
        len = span(p, seps, 0);
        if (n == (exports ? TLSMGR_TICKET_EXPORT_MAX : TLSMGR_MAX_SOURCES))
            return "too many"; /* the parameter's name says of what */
        k = keyword(p, len, exports ? export_names : source_names,
                    exports ? EXPORT_HAPROXY + 1 : SOURCE_HARDWARE + 1, &plen);
        if (k < 0)
            return "unknown kind";
        if (!exports) {
            struct conf_source *s = &c->sources[n];

            s->kind = (enum conf_source_kind)k;
            s->path[0] = '\0';
            if (k != SOURCE_GETRANDOM && k != SOURCE_HARDWARE) {
                if (p[plen] != '/')
                    return "path not absolute";
                if ((e = put(s->path, p + plen, len - plen)) != NULL)
                    return e;
            }
        }
#if TLSMGR_TICKET_EXPORT
        else if ((e = set_export(c, n, k, p + plen)) != NULL) {
            return e;
        }
#endif
        p += len;
        n++;
    }
#if TLSMGR_TICKET_EXPORT
    if (exports) {
        c->nexports = n;
        return NULL;
    }
#endif
    if (n == 0)
        return "no source";
    c->nsources = n;
    return NULL;
}

/* Number with an optional unit. Returns NULL or why it is wrong. A number of 2^32 or more is
 * kept as 2^32 - 1, above every range, so that the product cannot overflow. */
static const char *parse_number(const char *v, int type, uint64_t *out)
{
    /* One unit letter: s m h d w for times, k m g (either case) for sizes. */
    static const char units[] TLSMGR_TABLE = "smhdwkmg";
    static const uint32_t mult[] TLSMGR_TABLE = {1,    60,   3600,        86400,
                                                 WEEK, 1024, 1024 * 1024, 1024 * 1024 * 1024};
    uint64_t n = 0;
    const char *p = v;

    for (; *p >= '0' && *p <= '9'; p++)
        if (n <= 0xffffffffu)
            n = n * 10 + (uint64_t)(*p - '0');
    if (p == v || (*p != '\0' && type == P_COUNT))
        return "not a number";
    if (n > 0xffffffffu)
        n = 0xffffffffu;
    if (*p != '\0') {
        /* units[0..4] for P_TIME (0), units[5..7] for P_SIZE (1) */
        size_t i = 5 * (size_t)type, end = 5 + 3 * (size_t)type;
        char u = type == P_SIZE ? (char)(*p | 0x20) : *p;

        while (i < end && units[i] != u)
            i++;
        if (i == end || p[1] != '\0')
            return "bad unit";
        n *= mult[i];
    }
    *out = n;
    return NULL;
}

/* A user, group or syslog name: letters, digits, '_', '-', '.' (and '/' in a syslog name),
 * at least one, fewer than cap. */
static int valid_name(const char *v, int ident, size_t cap)
{
    const char *p;

    for (p = v; *p; p++) {
        char ch = *p;
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '_' || ch == '-' || ch == '.' || (ident && ch == '/')))
            return 0;
    }
    return p > v && (size_t)(p - v) < cap;
}

/* The index of v among the NUL-separated words of list (ended by an empty word), or -1. */
static int word_index(const char *v, const char *list)
{
    int k;

    for (k = 0; *list != '\0'; k++, list += strlen(list) + 1)
        if (strcmp(v, list) == 0)
            return k;
    return -1;
}

/* The values only the daemon uses; returns NULL or the reason. */
static const char *set_daemon_value(struct tlsmgr_conf *c, const struct param *p, const char *v)
{
    char *field = (char *)c + p->offset;
    const char *slash, *q;
    int code;

    switch (p->type) {
    case P_SEEDPATH:
        /* The seed's directory becomes the daemon's own (mode 0700, its owner): it must be a
         * directory of its own, never "/" or the current directory. */
        for (slash = v, q = v; *q != '\0'; q++) /* the last '/' (v: none), no strrchr import */
            if (*q == '/')
                slash = q;
        if (slash == v || slash[1] == '\0')
            return "no directory of its own";
        break;
    case P_SOURCES:
#if TLSMGR_TICKET_EXPORT
    case P_EXPORTS:
#endif
        return parse_list(c, v, p->type != P_SOURCES);
    case P_OPTNAME:
    case P_NAME:
    case P_IDENT:
        if (p->type == P_OPTNAME && *v == '\0') {
            *field = '\0';
            return NULL;
        }
        code = p->type == P_IDENT;
        if (!valid_name(v, code, code ? sizeof(c->syslog_name) : sizeof(c->user)))
            return "bad name";
        break;
#if TLSMGR_TICKET_EXPORT
    case P_KEYSOURCE:
        if (*v != '\0') {
            if (skip_prefix(v, "file:") == 0)
                return "not file:PATH";
            v += 5;
        }
        break;
#endif
    default: /* P_FACILITY */
        code = port_log_facility(v);
        if (code < 0)
            return "unknown facility";
        *(int *)(void *)field = code;
        return NULL;
    }
    /* Every name's field is TLSMGR_PATH_MAX bytes or holds what valid_name let through. */
    return put(field, v, strlen(v));
}

/* Stores value v of parameter k into c; returns NULL or why it is wrong, a range in why (160
 * bytes; NULL: the caller takes no message, and gets "" for it). v NULL: the default of a
 * number, "" for a text. A number out
 * of its range is stored all the same (a file's values go to a copy that an error drops; a
 * bad default is kept where it was set). The daemon's values go to set_daemon (NULL:
 * skipped). */
static const char *set_param(struct tlsmgr_conf *c, size_t k, const char *v, char *why,
                             conf_setter *set_daemon)
{
/* libtlsmgr (no set_daemon) reports a bad file alone: it carries none of the phrases. */
#define WHY(text) (set_daemon != NULL ? (text) : "")
    const struct number *num;
    const struct param *p;
    char *field;
    uint64_t n;
    const char *e, *unit;

    /* libtlsmgr skips the daemon's values: their tables stay out of it. */
    if (set_daemon == NULL && k >= NLIB)
        return NULL;
    p = param_at(k, &num);
    field = (char *)c + p->offset;
    n = num->def;
    unit = &"s"[p->type != P_TIME]; /* "s" or "" */
    if (v == NULL && p->type > P_BOOL)
        v = ""; /* an empty text default */

    switch (p->type) {
    case P_BOOL:
        if (v != NULL) {
            int w = word_index(v, "no\0false\0off\0"
                                  "0\0yes\0true\0on\0"
                                  "1\0");

            if (w < 0)
                return WHY("not yes or no");
            n = w >= 4;
        }
        /* fall through - to the range check */
    case P_TIME:
    case P_COUNT:
    case P_SIZE:
        if (v != NULL && p->type != P_BOOL && (e = parse_number(v, p->type, &n)) != NULL)
            return WHY(e);
        *(unsigned *)(void *)field = (unsigned)n; /* an int field for a boolean */
        if (n >= num->min && n <= num->max)
            return NULL;
        if (why == NULL || set_daemon == NULL)
            return "";
        /* The value as written, or the default's digits (a precision of 0 prints no digit of
         * the 0 passed with a text). */
        snprintf(why, 160, "%.*lu%.64s out of range (%lu%s to %lu%s)", v == NULL,
                 v == NULL ? (unsigned long)num->def : 0ul, v == NULL ? "" : v,
                 (unsigned long)num->min, unit, (unsigned long)num->max, unit);
        return why;
    case P_CACHEDB:
        if (skip_prefix(v, "lmdb:") != 0)
            v += 5;
        else if (v[0] != '/' && v[span(v, ":", 0)] != '\0')
            return WHY("bad database type");
        /* fall through */
    case P_OPTPATH:
    case P_PATH:
        if (*v == '\0' && p->type == P_PATH)
            return WHY("empty path");
        return put(field, v, strlen(v)) != NULL ? WHY("path too long") : NULL;
    default:
        return set_daemon != NULL ? set_daemon(c, p, v) : NULL;
    }
#undef WHY
}

/* "FILE[:LINE]: [NAME: ]WHY". A NULL err (libtlsmgr, which reports only that the file is bad)
 * takes no message: the phrases that only the file's checks give stay out of the library. */
static int fail(struct conf_error *err, const char *file, unsigned line, const char *name,
                const char *why)
{
    /* Line 0: no colon, and a precision of 0 prints no digit of a 0 - one format for both. */
    if (err != NULL)
        snprintf(err->msg, sizeof(err->msg), "%s%s%.0u: %.64s%s%s", file, &":"[line == 0], line,
                 name != NULL ? name : "", name != NULL ? ": " : "", why);
    return -1;
}

/* Fills c with the compiled-in defaults (config/tlsmgr_config.h and the board preset), every
 * one through the same checks as the file's values: a preset with a reseed period of 0 would
 * re-arm its timer at once, for ever. A bad default is still stored where it can be (a caller
 * never reads garbage). Returns 0, or -1 when one is bad; err (unless NULL) then names the
 * first and says why. Without set_daemon, only libtlsmgr's values are set, and their checks
 * ignored: the library is built with the daemon, which refuses a bad preset at every start
 * and at -n. */
static int apply_defaults(struct tlsmgr_conf *c, struct conf_error *err, conf_setter *set_daemon)
{
    const char *text = lib_text;
    char reason[160];
    size_t i;
    int rc = 0;

    memset(c, 0, sizeof(*c));
    for (i = 0; i < (set_daemon != NULL ? NPARAMS : NLIB); i++, text += strlen(text) + 1) {
        const char *e;

        if (i == NLIB)
            text = daemon_text;
        /* A number's word is empty: its default is in its table. */
        e = set_param(c, i, *text != '\0' ? text : NULL, err != NULL ? reason : NULL, set_daemon);
        if (e == NULL || rc < 0 || set_daemon == NULL)
            continue;
        rc = -1;
        if (err != NULL) {
            const char *pre, *rest = param_name(i, &pre);

            snprintf(err->msg, sizeof(err->msg), "default (board " TLSMGR_BOARD_NAME "): %s%s: %s",
                     pre, rest, e);
        }
    }
    return rc;
}

int conf_path(const struct tlsmgr_conf *c, const char *name, char *out, size_t cap)
{
    int bare = name[0] == '/' || name[0] == '\0';
    int n = snprintf(out, cap, "%s%s%s", bare ? "" : c->state_directory, bare ? "" : "/", name);

    return (n < 0 || (size_t)n >= cap) ? -1 : 0;
}

/* Relative names become state_directory/name, once, after the whole file is read (libtlsmgr's
 * alone without daemon). Returns 0 or -1. */
static int resolve_paths(struct tlsmgr_conf *c, int daemon)
{
    /* libtlsmgr's paths, then the daemon's key source; after them, the targets' paths and
     * sockets. */
    static const uint16_t fields[] TLSMGR_TABLE = {
        OFF(exchange_name),
        OFF(egd_socket),
        OFF(cache_database),
#if TLSMGR_TICKET_EXPORT
        OFF(ticket_source)
#endif
    };
    char tmp[TLSMGR_PATH_MAX];
    size_t i, n = 3;

    (void)daemon; /* without key export, the daemon has no more paths */
#if TLSMGR_TICKET_EXPORT
    if (daemon)
        n = 4 + 2 * c->nexports;
#endif
    for (i = 0; i < n; i++) {
        char *field;

#if TLSMGR_TICKET_EXPORT
        if (i >= 4)
            field = i & 1 ? c->exports[(i - 4) / 2].socket : c->exports[(i - 4) / 2].path;
        else
#endif
            field = (char *)c + fields[i];
        if (conf_path(c, field, tmp, sizeof(tmp)) < 0)
            return -1;
        put(field, tmp, strlen(tmp));
    }
    if (c->cache_sweep_period == 0)
        c->cache_sweep_period = c->cache_timeout;
    return 0;
}

void conf_defaults(struct tlsmgr_conf *c)
{
    /* A preset that fails the checks (conf_load then refuses every file) still gets its
     * values. */
    (void)apply_defaults(c, NULL, set_daemon_value);
    (void)resolve_paths(c, 1);
}

static int blank(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r';
}

/* Ends the text from s to end before its trailing blanks; returns where. */
static TLSMGR_NOINLINE char *trim_end(char *s, char *end)
{
    while (end > s && blank(end[-1]))
        end--;
    *end = '\0';
    return end;
}

static int parse(struct tlsmgr_conf *out, const char *file, const char *buf, size_t len,
                 struct conf_error *err, conf_setter *set_daemon)
{
    struct tlsmgr_conf c;
    unsigned first_line[NPARAMS];
    unsigned lineno = 0;
    size_t pos = 0;

    if (apply_defaults(&c, err, set_daemon) < 0)
        return -1;
    memset(first_line, 0, sizeof(first_line));
    while (pos < len) {
        char line[TLSMGR_CONF_MAX_LINE + 1], why[160];
        size_t llen = 0, n, i;
        char *s, *end, *eq;
        int has_eq;
        const char *e;

        while (pos + llen < len && buf[pos + llen] != '\n')
            llen++;
        n = llen > TLSMGR_CONF_MAX_LINE ? TLSMGR_CONF_MAX_LINE : llen;
        memcpy(line, buf + pos, n);
        line[n] = '\0';
        pos += llen + 1;
        lineno++;
        if (strlen(line) != n)
            return fail(err, file, lineno, NULL, "NUL byte");
        for (s = line, end = line + n; s < end && blank(*s); s++)
            ;
        trim_end(s, end);
        /* The name: what comes before '=', or the whole line; ended in place. */
        eq = s + span(s, "=", 0);
        has_eq = *eq == '=';
        end = trim_end(s, eq);
        if (llen > TLSMGR_CONF_MAX_LINE)
            return fail(err, file, lineno, end != s ? s : NULL,
                        "line longer than " STR(TLSMGR_CONF_MAX_LINE) " bytes");
        if ((end == s && !has_eq) || *s == '#')
            continue;
        if (end == s)
            return fail(err, file, lineno, NULL, "no parameter name");
        if (!has_eq)
            return fail(err, file, lineno, s, "no '='");
        i = param_index(s);
        if (i == NPARAMS)
            return fail(err, file, lineno, s, "unknown parameter");
        if (first_line[i] != 0) {
            if (err != NULL)
                snprintf(why, sizeof(why), "duplicate of line %u", first_line[i]);
            return fail(err, file, lineno, s, why);
        }
        first_line[i] = lineno;
        for (eq++; blank(*eq); eq++)
            ;
        e = set_param(&c, i, eq, err != NULL ? why : NULL, set_daemon);
        if (e != NULL)
            return fail(err, file, lineno, s, e);
    }
    if (resolve_paths(&c, set_daemon != NULL) < 0)
        return fail(err, file, 0, "state_directory", "path too long");
    *out = c;
    return 0;
}

int conf_parse(struct tlsmgr_conf *c, const char *file, const char *buf, size_t len,
               struct conf_error *err)
{
    return parse(c, file, buf, len, err, set_daemon_value);
}

/* buf: TLSMGR_CONF_MAX_SIZE bytes. */
static int load(struct tlsmgr_conf *c, const char *path, struct conf_error *err,
                conf_setter *set_daemon, char *buf)
{
    struct readfile rf;
    int r = readfile(path, buf, TLSMGR_CONF_MAX_SIZE, &rf);

    if (r == 0 && !rf.more)
        return parse(c, path, buf, rf.len, err, set_daemon);
    if (err == NULL)
        return -1;
    /* "FILE: open: errno's text": the call that failed, in place of a parameter's name. */
    return fail(err, path, 0, r < 0 ? rf.step : NULL,
                r < 0   ? (errno == ELOOP ? "symbolic link" : strerror(errno))
                : r > 0 ? "not a regular file"
                        : "larger than " STR(TLSMGR_CONF_MAX_SIZE) " bytes");
}

int conf_load(struct tlsmgr_conf *c, const char *path, struct conf_error *err)
{
    /* The daemon's: one process, one file at a time; of this buffer only the pages a file
     * filled are ever touched. */
    static char buf[TLSMGR_CONF_MAX_SIZE];

    return load(c, path, err, set_daemon_value, buf);
}

int conf_load_client(struct tlsmgr_conf *c, const char *path)
{
    /* A TLS server's threads may open handles at once. */
    char *buf = malloc(TLSMGR_CONF_MAX_SIZE);
    int rc = -1;

    if (buf != NULL) {
        rc = load(c, path, NULL, NULL, buf);
        free(buf);
    }
    return rc;
}
