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
#include "port.h"
#include "readfile.h"

#define WEEK (7u * 86400u)

/* Value types. Those from P_SEEDPATH on are parsed only by the daemon (set_daemon_value):
 * libtlsmgr (conf_load_client) checks their names and skips their values, so that their
 * parsers stay out of every TLS server. */
enum ptype {
    P_TIME,
    P_COUNT,
    P_SIZE,
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
    unsigned char num;  /* numbers: the index of its range and default in numbers[] */
    uint16_t offset;    /* of the field in struct tlsmgr_conf */
};

/* The range and compiled-in default of each number (a text value's default is in
 * default_text), apart from params[]: the text values take no room for them. */
struct number {
    uint32_t min, max, def;
};

enum {
    N_RANDOM_BYTES,
    N_RESEED,
    N_PRNG_UPDATE,
    N_SEED_SAVE,
    N_SEED_CREDIT,
    N_CACHE_TIMEOUT,
    N_CACHE_MAX,
    N_MAP_SIZE,
    N_SWEEP,
    N_CACHE_SYNC,
    N_TICKET_LIFETIME
};

#define OFF(field) offsetof(struct tlsmgr_conf, field)

/* Parser of the daemon's values (set_daemon_value), or NULL to skip them. */
typedef const char *conf_setter(struct tlsmgr_conf *c, const struct param *p, const char *v);

/* The names of params[], in its order, NUL-separated: one string, no table of pointers. */
static const char param_names[] =
    "state_directory\0tls_random_source\0tls_random_bytes\0tls_random_exchange_name\0"
    "tls_random_reseed_period\0tls_random_prng_update_period\0tls_random_seed_file\0"
    "tls_random_seed_save_period\0tls_random_seed_credit\0tls_random_egd_socket\0"
    "tls_session_cache_database\0tls_session_cache_timeout\0tls_session_cache_max_entries\0"
    "tls_session_cache_map_size\0tls_session_cache_sweep_period\0tls_session_cache_sync\0"
    "tls_ticket_key_lifetime\0tlsmgr_user\0tlsmgr_group\0syslog_name\0syslog_facility\0"
#if TLSMGR_TICKET_EXPORT
    "tls_ticket_key_export\0tls_ticket_key_source\0tls_ticket_key_export_group\0"
#endif
    ;

/* The compiled-in defaults of the text values, in the order of params[] (a number's word is
 * empty): they go through the same parsers as the file's values. */
static const char default_text[] = TLSMGR_DEFAULT_STATE_DIRECTORY
    "\0" TLSMGR_DEFAULT_RANDOM_SOURCE "\0\0" TLSMGR_DEFAULT_EXCHANGE_NAME
    "\0\0\0" TLSMGR_DEFAULT_SEED_FILE "\0\0\0" TLSMGR_DEFAULT_EGD_SOCKET
    "\0" TLSMGR_DEFAULT_CACHE_DATABASE "\0\0\0\0\0\0\0" TLSMGR_DEFAULT_USER
    "\0" TLSMGR_DEFAULT_GROUP "\0" TLSMGR_DEFAULT_SYSLOG_NAME "\0" TLSMGR_DEFAULT_SYSLOG_FACILITY
    "\0"
#if TLSMGR_TICKET_EXPORT
    TLSMGR_DEFAULT_TICKET_KEY_EXPORT "\0" TLSMGR_DEFAULT_TICKET_KEY_SOURCE
    "\0" TLSMGR_DEFAULT_TICKET_KEY_EXPORT_GROUP "\0"
#endif
    ;

/* A default above 4 GiB cannot be held in the table; the largest map accepted is 1 GiB. */
typedef char conf_map_size_default_fits[TLSMGR_DEFAULT_CACHE_MAP_SIZE <= 0xffffffffu ? 1 : -1];

static const struct number numbers[] = {
    [N_RANDOM_BYTES] = {1, 1024, TLSMGR_DEFAULT_RANDOM_BYTES},
    [N_RESEED] = {1, WEEK, TLSMGR_DEFAULT_RESEED_PERIOD},
    [N_PRNG_UPDATE] = {1, WEEK, TLSMGR_DEFAULT_PRNG_UPDATE_PERIOD},
    [N_SEED_SAVE] = {TLSMGR_MIN_SEED_SAVE_PERIOD, WEEK, TLSMGR_DEFAULT_SEED_SAVE_PERIOD},
    [N_SEED_CREDIT] = {0, 1, TLSMGR_DEFAULT_SEED_CREDIT},
    [N_CACHE_TIMEOUT] = {1, WEEK, TLSMGR_DEFAULT_CACHE_TIMEOUT},
    [N_CACHE_MAX] = {1, 10000000, TLSMGR_DEFAULT_CACHE_MAX_ENTRIES},
    [N_MAP_SIZE] = {65536, 1024UL * 1024 * 1024, (uint32_t)TLSMGR_DEFAULT_CACHE_MAP_SIZE},
    [N_SWEEP] = {0, WEEK, TLSMGR_DEFAULT_CACHE_SWEEP_PERIOD},
    [N_CACHE_SYNC] = {0, 1, TLSMGR_DEFAULT_CACHE_SYNC},
    [N_TICKET_LIFETIME] = {TLSMGR_MIN_TICKET_KEY_LIFETIME, 6 * 86400,
                           TLSMGR_DEFAULT_TICKET_KEY_LIFETIME},
};

static const struct param params[] = {
    {P_PATH, 0, OFF(state_directory)},
    {P_SOURCES, 0, 0},
    {P_COUNT, N_RANDOM_BYTES, OFF(random_bytes)},
    {P_PATH, 0, OFF(exchange_name)},
    {P_TIME, N_RESEED, OFF(reseed_period)},
    {P_TIME, N_PRNG_UPDATE, OFF(prng_update_period)},
    {P_SEEDPATH, 0, OFF(seed_file)},
    {P_TIME, N_SEED_SAVE, OFF(seed_save_period)},
    {P_BOOL, N_SEED_CREDIT, OFF(seed_credit)},
    {P_OPTPATH, 0, OFF(egd_socket)},
    {P_CACHEDB, 0, OFF(cache_database)},
    {P_TIME, N_CACHE_TIMEOUT, OFF(cache_timeout)},
    {P_COUNT, N_CACHE_MAX, OFF(cache_max_entries)},
    {P_SIZE, N_MAP_SIZE, OFF(cache_map_size)},
    {P_TIME, N_SWEEP, OFF(cache_sweep_period)},
    {P_BOOL, N_CACHE_SYNC, OFF(cache_sync)},
    {P_TIME, N_TICKET_LIFETIME, OFF(ticket_key_lifetime)},
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

#define NPARAMS (sizeof(params) / sizeof(params[0]))

static void copy_str(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);

    if (n >= cap)
        n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* The keyword of each enum conf_source_kind, in its order: a name, a prefix (ending in ':')
 * of an absolute path, or "" for a plain file's absolute path. */
static const char source_names[] = "getrandom\0dev:\0hwrng:\0egd:\0\0hardware\0";

/* Word k (from 0) of a NUL-separated list such as param_names. */
static const char *nth_word(const char *list, size_t k)
{
    for (; k > 0; k--)
        list += strlen(list) + 1;
    return list;
}

const char *conf_source_name(enum conf_source_kind kind)
{
    return nth_word(source_names, (size_t)kind);
}

/* The kind of tok and the length of its prefix; -1 if tok is no source. */
static int source_kind(const char *tok, size_t *prefix_len)
{
    const char *n = source_names;
    int k;

    for (k = 0; k <= SOURCE_HARDWARE; k++, n += strlen(n) + 1) {
        size_t nl = strlen(n);

        *prefix_len = nl;
        if (nl == 0            ? tok[0] == '/'
            : n[nl - 1] == ':' ? strncmp(tok, n, nl) == 0
                               : strcmp(tok, n) == 0)
            return k;
    }
    return -1;
}

/* Fills source list from text; returns NULL or the reason it is wrong. */
static const char *parse_sources(struct tlsmgr_conf *c, const char *text)
{
    static char why[96];
    const char *p = text;
    unsigned n = 0;

    while (*p != '\0') {
        char tok[TLSMGR_PATH_MAX + 8];
        size_t len = 0, plen;
        struct conf_source *s;
        int kind;

        while (p[len] != '\0' && p[len] != ',' && p[len] != ' ' && p[len] != '\t')
            len++;
        if (len == 0) {
            p++;
            continue;
        }
        if (len >= sizeof(tok) - 1)
            return "source name too long";
        memcpy(tok, p, len);
        tok[len] = '\0';
        p += len;
        if (n == TLSMGR_MAX_SOURCES) {
            snprintf(why, sizeof(why), "more than %d sources", TLSMGR_MAX_SOURCES);
            return why;
        }
        s = &c->sources[n];
        s->path[0] = '\0';
        kind = source_kind(tok, &plen);
        if (kind < 0) {
            snprintf(why, sizeof(why),
                     "unknown source '%.24s' (getrandom, hardware, dev:, hwrng:, egd: or /path)",
                     tok);
            return why;
        }
        s->kind = (enum conf_source_kind)kind;
        if (kind != SOURCE_GETRANDOM && kind != SOURCE_HARDWARE) {
            if (tok[plen] != '/')
                return "source path must be absolute";
            if (len - plen >= sizeof(s->path))
                return "source path too long";
            copy_str(s->path, sizeof(s->path), tok + plen);
        }
        n++;
    }
    if (n == 0)
        return "at least one source is needed";
    c->nsources = n;
    return NULL;
}

#if TLSMGR_TICKET_EXPORT
/* The keyword of each enum conf_export_kind, in its order. */
static const char export_names[] = "tlsmgr:\0lighttpd:\0nginx:\0haproxy:\0";

/* A path of a target or its option: an HAProxy command line and key file names carry it as
 * one word, so no blank, ';' or '#'. Returns NULL or why it is wrong. */
static const char *export_path(char *dst, const char *p, size_t len)
{
    if (len == 0)
        return "empty path";
    if (len >= TLSMGR_PATH_MAX)
        return "path too long";
    memcpy(dst, p, len);
    dst[len] = '\0';
    return dst[strcspn(dst, ";#")] != '\0' ? "';' or '#' in a path" : NULL;
}

/* Fills the export targets from text; returns NULL or the reason it is wrong. */
static const char *parse_exports(struct tlsmgr_conf *c, const char *p)
{
    unsigned n = 0, i;

    for (;;) {
        struct conf_export *x = &c->exports[n];
        const char *name = export_names;
        size_t len, plen;
        int k;

        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '\0')
            break;
        if (n == TLSMGR_TICKET_EXPORT_MAX)
            return "too many targets (TLSMGR_TICKET_EXPORT_MAX)";
        for (k = 0; *name != '\0'; k++, name += strlen(name) + 1)
            if (strncmp(p, name, strlen(name)) == 0)
                break;
        if (*name == '\0')
            return "unknown target (tlsmgr:, lighttpd:, nginx: or haproxy:PATH)";
        p += strlen(name);
        len = strcspn(p, " \t");
        plen = strcspn(p, ", \t"); /* the path; an option follows a comma */
        memset(x, 0, sizeof(*x));
        x->kind = (unsigned char)k;
        if ((name = export_path(x->path, p, plen)) != NULL)
            return name;
        if (plen < len) {
            if (k != EXPORT_HAPROXY || strncmp(p + plen + 1, "socket=", 7) != 0)
                return "unknown option (only haproxy:PATH,socket=PATH)";
            if ((name = export_path(x->socket, p + plen + 8, len - plen - 8)) != NULL)
                return name;
        }
        for (i = 0; i < n; i++)
            if (strcmp(c->exports[i].path, x->path) == 0)
                return "the same path twice";
        p += len;
        n++;
    }
    c->nexports = n;
    return NULL;
}
#endif

/* Why a value of the shared parameters is wrong. The phrases are looked up only for a
 * message (why_text), which libtlsmgr never asks for: they stay out of it. */
enum why {
    W_OK,
    W_NOT_TIME,
    W_NOT_NUMBER,
    W_TOO_LARGE,
    W_TIME_UNIT,
    W_SIZE_UNIT,
    W_NOT_BOOL,
    W_DB_TYPE,
    W_EMPTY,
    W_PATH_LONG,
    W_RANGE, /* formatted with the range */
    W_TEXT   /* the daemon's setter's own reason, in the caller's why buffer */
};

/* Number with an optional unit. Returns W_OK or why it is wrong. */
static enum why parse_number(const char *v, enum ptype type, uint64_t *out)
{
    uint64_t n = 0, mult = 1;
    const char *p = v;

    if (*p < '0' || *p > '9')
        return type == P_TIME ? W_NOT_TIME : W_NOT_NUMBER;
    while (*p >= '0' && *p <= '9') {
        if (n > (UINT64_MAX - 9) / 10)
            return W_TOO_LARGE;
        n = n * 10 + (uint64_t)(*p - '0');
        p++;
    }
    if (*p != '\0') {
        /* One unit letter: s m h d w for times, k m g (either case) for sizes. */
        static const char time_units[] = "smhdw", size_units[] = "kmg";
        static const uint32_t time_mult[] = {1, 60, 3600, 86400, WEEK},
                              size_mult[] = {1024, 1024 * 1024, 1024 * 1024 * 1024};
        const char *u = NULL;

        if (p[1] == '\0' && type == P_TIME)
            u = strchr(time_units, *p);
        else if (p[1] == '\0' && type == P_SIZE)
            u = strchr(size_units, *p | 0x20);
        if (u == NULL)
            return type == P_TIME ? W_TIME_UNIT : type == P_SIZE ? W_SIZE_UNIT : W_NOT_NUMBER;
        mult = type == P_TIME ? time_mult[u - time_units] : size_mult[u - size_units];
    }
    if (n != 0 && mult > UINT64_MAX / n)
        return W_TOO_LARGE;
    *out = n * mult;
    return W_OK;
}

static int valid_name(const char *v, int ident)
{
    const char *p;

    if (*v == '\0')
        return 0;
    for (p = v; *p; p++) {
        char ch = *p;
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '_' || ch == '-' || ch == '.' || (ident && ch == '/')))
            return 0;
    }
    return 1;
}

/* 1 if v is one of the NUL-separated words of list (ended by an empty word). */
static int in_list(const char *v, const char *list)
{
    for (; *list != '\0'; list += strlen(list) + 1)
        if (strcmp(v, list) == 0)
            return 1;
    return 0;
}

/* The phrase of reason w for p's value: text is the value as written, or NULL for a default
 * (n is quoted then); a range is formatted in why, where W_TEXT's reason already is. */
static const char *why_text(enum why w, const struct param *p, uint64_t n, const char *text,
                            char *why, size_t whycap)
{
    /* In the order of enum why, from W_NOT_TIME. */
    static const char phrases[] =
        "not a time (number with optional unit s, m, h, d or w)\0not a number\0"
        "number too large\0bad time unit (use s, m, h, d or w)\0bad size unit (use k, m or g)\0"
        "not a boolean (yes or no)\0unsupported database type (only lmdb:PATH)\0empty value\0"
        "path too long\0";
    const char *unit = p->type == P_TIME ? "s" : "";
    char num[24];

    if (w < W_RANGE)
        return nth_word(phrases, (size_t)(w - W_NOT_TIME));
    if (w == W_TEXT)
        return why;
    if (text == NULL) {
        snprintf(num, sizeof(num), "%llu", (unsigned long long)n);
        text = num;
    }
    snprintf(why, whycap, "%s out of range (%lu%s to %lu%s)", text,
             (unsigned long)numbers[p->num].min, unit, (unsigned long)numbers[p->num].max, unit);
    return why;
}

/* Stores a number into p's field. */
static void set_number(struct tlsmgr_conf *c, const struct param *p, uint64_t n)
{
    char *field = (char *)c + p->offset;

    if (p->type == P_SIZE)
        *(uint64_t *)(void *)field = n;
    else if (p->type == P_BOOL)
        *(int *)(void *)field = (int)n;
    else
        *(unsigned *)(void *)field = (unsigned)n;
}

/* Stores a path of at most TLSMGR_PATH_MAX - 1 bytes. */
static const char *set_path(char *field, const char *v)
{
    if (strlen(v) >= TLSMGR_PATH_MAX)
        return "path too long";
    copy_str(field, TLSMGR_PATH_MAX, v);
    return NULL;
}

/* The values only the daemon uses; returns NULL or the reason. */
static const char *set_daemon_value(struct tlsmgr_conf *c, const struct param *p, const char *v)
{
    char *field = (char *)c + p->offset;
    const char *slash;
    int code;

    switch (p->type) {
    case P_SEEDPATH:
        /* The seed's directory becomes the daemon's own (mode 0700, its owner): it must be a
         * directory of its own, never "/" or the current directory. */
        slash = strrchr(v, '/');
        if (slash == NULL || slash == v || slash[1] == '\0')
            return "must name a file in a directory of its own (e.g. /etc/tlsmgr/random/seed)";
        return set_path(field, v);
    case P_SOURCES:
        return parse_sources(c, v);
    case P_OPTNAME:
        if (*v == '\0') {
            *field = '\0';
            return NULL;
        }
        /* fall through */
    case P_NAME:
        if (!valid_name(v, 0) || strlen(v) > 32)
            return "not a valid user or group name";
        copy_str(field, 33, v);
        return NULL;
    case P_IDENT:
        if (!valid_name(v, 1) || strlen(v) >= sizeof(c->syslog_name))
            return "not a valid syslog name (letters, digits, . _ - /, at most 31)";
        copy_str(field, sizeof(c->syslog_name), v);
        return NULL;
#if TLSMGR_TICKET_EXPORT
    case P_EXPORTS:
        return parse_exports(c, v);
    case P_KEYSOURCE:
        if (*v != '\0' && strncmp(v, "file:", 5) != 0)
            return "unsupported source (file:PATH, or empty)";
        return set_path(field, v + (*v != '\0' ? 5 : 0));
#endif
    default: /* P_FACILITY */
        code = port_log_facility(v);
        if (code < 0)
            return "unknown facility (daemon, user, authpriv, local0 to local7)";
        *(int *)(void *)field = code;
        return NULL;
    }
}

/* Stores value v into c; returns W_OK or why it is wrong (W_TEXT: the reason of the daemon's
 * setter, copied into why). The daemon's values go to set_daemon (NULL: skipped). */
static enum why set_param(struct tlsmgr_conf *c, const struct param *p, const char *v, char *why,
                          size_t whycap, conf_setter *set_daemon)
{
    char *field = (char *)c + p->offset;
    uint64_t n;
    enum why w;
    const char *e;

    switch (p->type) {
    case P_TIME:
    case P_COUNT:
    case P_SIZE:
        w = parse_number(v, p->type, &n);
        if (w == W_OK && (n < numbers[p->num].min || n > numbers[p->num].max))
            w = W_RANGE;
        if (w == W_OK)
            set_number(c, p, n);
        return w;
    case P_BOOL:
        if (in_list(v, "yes\0true\0on\0"
                       "1\0"))
            set_number(c, p, 1);
        else if (in_list(v, "no\0false\0off\0"
                            "0\0"))
            set_number(c, p, 0);
        else
            return W_NOT_BOOL;
        return W_OK;
    case P_CACHEDB:
        if (strncmp(v, "lmdb:", 5) == 0)
            v += 5;
        else if (strchr(v, ':') != NULL && v[0] != '/')
            return W_DB_TYPE;
        /* fall through */
    case P_OPTPATH:
    case P_PATH:
        if (*v == '\0' && p->type == P_PATH)
            return W_EMPTY;
        return set_path(field, v) != NULL ? W_PATH_LONG : W_OK;
    default:
        e = set_daemon != NULL ? set_daemon(c, p, v) : NULL;
        if (e == NULL)
            return W_OK;
        copy_str(why, whycap, e);
        return W_TEXT;
    }
}

/* Fills c with the compiled-in defaults (config/tlsmgr_config.h and the board preset), every
 * one through the same checks as the file's values: a preset with a reseed period of 0 would
 * re-arm its timer at once, for ever. A bad default is still stored where it can be (a caller
 * never reads garbage). Returns 0, or -1 when one is bad; why (unless NULL) then names the
 * first and says why. */
static int apply_defaults(struct tlsmgr_conf *c, char *why, size_t whycap, conf_setter *set_daemon)
{
    const char *text = default_text;
    char reason[160];
    size_t i;
    int rc = 0;

    memset(c, 0, sizeof(*c));
    for (i = 0; i < NPARAMS; i++, text += strlen(text) + 1) {
        const struct param *p = &params[i];
        const struct number *num = &numbers[p->num];
        enum why w;

        if (p->type <= P_BOOL) {
            set_number(c, p, num->def);
            w = num->def < num->min || num->def > num->max ? W_RANGE : W_OK;
        } else {
            w = set_param(c, p, text, reason, sizeof(reason), set_daemon);
        }
        if (w == W_OK || rc < 0)
            continue;
        rc = -1;
        if (why != NULL)
            snprintf(
                why, whycap, "compiled-in default (board " TLSMGR_BOARD_NAME "): parameter %s: %s",
                nth_word(param_names, i),
                why_text(w, p, num->def, p->type <= P_BOOL ? NULL : text, reason, sizeof(reason)));
    }
    return rc;
}

int conf_path(const struct tlsmgr_conf *c, const char *name, char *out, size_t cap)
{
    int n;

    if (name[0] == '/' || name[0] == '\0')
        n = snprintf(out, cap, "%s", name);
    else
        n = snprintf(out, cap, "%s/%s", c->state_directory, name);
    return (n < 0 || (size_t)n >= cap) ? -1 : 0;
}

/* Relative names become state_directory/name, once, after the whole file is read. */
static const char *resolve_paths(struct tlsmgr_conf *c)
{
    char *fields[4 + 2 * TLSMGR_TICKET_EXPORT_MAX] = {c->exchange_name, c->egd_socket,
                                                      c->cache_database};
    char tmp[TLSMGR_PATH_MAX];
    size_t i, n = 3;

#if TLSMGR_TICKET_EXPORT
    fields[n++] = c->ticket_source;
    for (i = 0; i < c->nexports; i++) {
        fields[n++] = c->exports[i].path;
        fields[n++] = c->exports[i].socket;
    }
#endif
    for (i = 0; i < n; i++) {
        if (conf_path(c, fields[i], tmp, sizeof(tmp)) < 0)
            return "path too long once joined to state_directory";
        copy_str(fields[i], TLSMGR_PATH_MAX, tmp);
    }
    if (c->cache_sweep_period == 0)
        c->cache_sweep_period = c->cache_timeout;
    return NULL;
}

void conf_defaults(struct tlsmgr_conf *c)
{
    char why[TLSMGR_PATH_MAX];

    /* A preset that fails the checks (conf_load then refuses every file) still gets its
     * values. */
    (void)apply_defaults(c, why, sizeof(why), set_daemon_value);
    (void)resolve_paths(c);
}

/* "FILE:LINE: parameter NAME: why", or without the parameter when name is NULL. A NULL err
 * (libtlsmgr, which reports only that the file is bad) takes no message: the phrases that
 * only the file's checks give stay out of the library. */
static int fail(struct conf_error *err, const char *file, unsigned line, const char *name,
                const char *why)
{
    if (err == NULL)
        return -1;
    snprintf(err->msg, sizeof(err->msg), "%s:%u: %s%s%s%s", file, line,
             name != NULL ? "parameter " : "", name != NULL ? name : "", name != NULL ? ": " : "",
             why);
    return -1;
}

static void trim(char **s, char **e)
{
    while (*s < *e && (**s == ' ' || **s == '\t' || **s == '\r'))
        (*s)++;
    while (*e > *s && ((*e)[-1] == ' ' || (*e)[-1] == '\t' || (*e)[-1] == '\r'))
        (*e)--;
}

static int parse(struct tlsmgr_conf *out, const char *file, const char *buf, size_t len,
                 struct conf_error *err, conf_setter *set_daemon)
{
    struct tlsmgr_conf c;
    unsigned first_line[NPARAMS];
    unsigned lineno = 0;
    size_t pos = 0;
    const char *e;
    enum why w;

    if (apply_defaults(&c, err != NULL ? err->msg : NULL, sizeof(err->msg), set_daemon) < 0)
        return -1;
    memset(first_line, 0, sizeof(first_line));
    while (pos < len) {
        char line[TLSMGR_CONF_MAX_LINE + 1];
        char why[160];
        size_t llen = 0;
        int nl;
        char *s, *end, *eq, *name_end, *val;
        size_t i, namelen;

        while (pos + llen < len && buf[pos + llen] != '\n')
            llen++;
        nl = pos + llen < len;
        lineno++;
        if (llen > TLSMGR_CONF_MAX_LINE) {
            size_t w = 0;

            if (err == NULL)
                return -1;
            while (w < 64 && ((buf[pos + w] >= 'a' && buf[pos + w] <= 'z') || buf[pos + w] == '_'))
                w++;
            snprintf(why, sizeof(why), "line longer than %d bytes", TLSMGR_CONF_MAX_LINE);
            if (w > 0 && w < 64) {
                char nm[64];
                memcpy(nm, buf + pos, w);
                nm[w] = '\0';
                return fail(err, file, lineno, nm, why);
            }
            return fail(err, file, lineno, NULL, why);
        }
        memcpy(line, buf + pos, llen);
        line[llen] = '\0';
        pos += llen + (nl ? 1 : 0);
        if (strlen(line) != llen)
            return fail(err, file, lineno, NULL, "NUL byte in line");
        s = line;
        end = line + llen;
        trim(&s, &end);
        *end = '\0';
        if (*s == '\0' || *s == '#')
            continue;
        eq = strchr(s, '=');
        name_end = eq ? eq : end;
        while (name_end > s && (name_end[-1] == ' ' || name_end[-1] == '\t'))
            name_end--;
        namelen = (size_t)(name_end - s);
        if (namelen == 0)
            return fail(err, file, lineno, NULL, "missing parameter name before '='");
        {
            char name[64];
            const char *pn;

            if (namelen >= sizeof(name))
                namelen = sizeof(name) - 1;
            memcpy(name, s, namelen);
            name[namelen] = '\0';
            if (eq == NULL)
                return fail(err, file, lineno, name, "expected 'name = value'");
            for (i = 0, pn = param_names; i < NPARAMS && *pn != '\0'; i++, pn += strlen(pn) + 1)
                if (strcmp(pn, name) == 0)
                    break;
            if (i == NPARAMS || *pn == '\0')
                return fail(err, file, lineno, name, "unknown parameter");
            if (first_line[i] != 0) {
                if (err == NULL)
                    return -1;
                snprintf(why, sizeof(why), "duplicate (first set at line %u)", first_line[i]);
                return fail(err, file, lineno, name, why);
            }
            first_line[i] = lineno;
            val = eq + 1;
            while (*val == ' ' || *val == '\t')
                val++;
            w = set_param(&c, &params[i], val, why, sizeof(why), set_daemon);
            if (w != W_OK)
                return fail(err, file, lineno, name,
                            err != NULL ? why_text(w, &params[i], 0, val, why, sizeof(why)) : NULL);
        }
    }
    e = resolve_paths(&c);
    if (e != NULL) {
        if (err != NULL)
            snprintf(err->msg, sizeof(err->msg), "%s: %s", file, e);
        return -1;
    }
    if (file != NULL && file[0] != '\0')
        copy_str(c.file, sizeof(c.file), file);
    *out = c;
    return 0;
}

int conf_parse(struct tlsmgr_conf *c, const char *file, const char *buf, size_t len,
               struct conf_error *err)
{
    return parse(c, file, buf, len, err, set_daemon_value);
}

static int load(struct tlsmgr_conf *c, const char *path, struct conf_error *err,
                conf_setter *set_daemon)
{
    struct readfile rf;
    char *buf = malloc(TLSMGR_CONF_MAX_SIZE);
    int r, rc = -1;

    if (buf == NULL) {
        if (err != NULL)
            snprintf(err->msg, sizeof(err->msg), "%s: out of memory", path);
        return -1;
    }
    r = readfile(path, buf, TLSMGR_CONF_MAX_SIZE, &rf);
    if (r == 0 && !rf.more)
        rc = parse(c, path, buf, rf.len, err, set_daemon);
    else if (err != NULL && r < 0)
        snprintf(err->msg, sizeof(err->msg), "%s: cannot %s: %s", path, rf.step,
                 errno == ELOOP ? "is a symbolic link" : strerror(errno));
    else if (err != NULL && r > 0)
        snprintf(err->msg, sizeof(err->msg), "%s: not a regular file", path);
    else if (err != NULL)
        snprintf(err->msg, sizeof(err->msg), "%s: larger than %d bytes", path,
                 TLSMGR_CONF_MAX_SIZE);
    free(buf);
    return rc;
}

int conf_load(struct tlsmgr_conf *c, const char *path, struct conf_error *err)
{
    return load(c, path, err, set_daemon_value);
}

int conf_load_client(struct tlsmgr_conf *c, const char *path)
{
    return load(c, path, NULL, NULL);
}
