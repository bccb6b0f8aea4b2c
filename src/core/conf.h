/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * conf.h - tlsmgr.conf(5): one parser for the daemon and libtlsmgr, so one file configures
 * both sides. Every value is range-checked; any error is reported as "FILE:LINE: NAME: reason"
 * and leaves the caller's configuration untouched.
 */
#ifndef TLSMGR_CONF_H
#define TLSMGR_CONF_H

#include <stddef.h>
#include <stdint.h>

#include "tlsmgr_config.h"

enum conf_source_kind {
    SOURCE_GETRANDOM, /* getrandom */
    SOURCE_DEV,       /* dev:/path - a character device such as /dev/urandom */
    SOURCE_HWRNG,     /* hwrng:/path - raw hardware RNG, health-tested */
    SOURCE_EGD,       /* egd:/path - an external EGD daemon's socket */
    SOURCE_FILE,      /* /path - a plain file, health-tested */
    SOURCE_HARDWARE   /* hardware - the port_hardware_entropy() hook */
};

struct conf_source {
    enum conf_source_kind kind;
    char path[TLSMGR_PATH_MAX]; /* empty for getrandom and hardware */
};

/* A target of tls_ticket_key_export: a key file in the format of one server. */
enum conf_export_kind {
    EXPORT_TLSMGR,   /* tlsmgr:/path - the three slot records, what tls_ticket_key_source reads */
    EXPORT_LIGHTTPD, /* lighttpd:/path - ssl.stek-file */
    EXPORT_NGINX,    /* nginx:/dir - current.key, previous.key, next.key (ssl_session_ticket_key) */
    EXPORT_HAPROXY   /* haproxy:/path[,socket=/path] - tls-ticket-keys, and its runtime socket */
};

struct conf_export {
    unsigned char kind;           /* enum conf_export_kind */
    char path[TLSMGR_PATH_MAX];   /* the file (the directory for nginx) */
    char socket[TLSMGR_PATH_MAX]; /* haproxy: its stats socket, "" = none */
};

/* All paths are absolute or relative to the current directory once conf_load returns: a
 * relative name in the file is taken relative to state_directory. Times are in seconds. */
struct tlsmgr_conf {
    char state_directory[TLSMGR_PATH_MAX];
    struct conf_source sources[TLSMGR_MAX_SOURCES];
    unsigned nsources;
    unsigned random_bytes;
    char exchange_name[TLSMGR_PATH_MAX];
    unsigned reseed_period;
    unsigned prng_update_period;
    char seed_file[TLSMGR_PATH_MAX];
    unsigned seed_save_period;
    int seed_credit;
    char egd_socket[TLSMGR_PATH_MAX];     /* "" = no EGD service */
    char cache_database[TLSMGR_PATH_MAX]; /* LMDB env directory, without "lmdb:"; "" = none */
    unsigned cache_timeout;
    unsigned cache_max_entries;
    unsigned cache_map_size;     /* at most 1 GiB */
    unsigned cache_sweep_period; /* the cache timeout when the file says 0 */
    int cache_sync;
    unsigned ticket_key_lifetime;
#if TLSMGR_TICKET_EXPORT
    struct conf_export exports[TLSMGR_TICKET_EXPORT_MAX];
    unsigned nexports;
    char ticket_source[TLSMGR_PATH_MAX]; /* file path, without "file:"; "" = keys are made */
    char export_group[33];               /* "" = tlsmgr_group */
#endif
    char user[33];
    char group[33];
    char syslog_name[32];
    int syslog_facility; /* the port's facility code */
};

struct conf_error {
    char msg[TLSMGR_PATH_MAX + 200];
};

/* The keyword of a source kind as tls_random_source writes it ("getrandom", "dev:"...; "" for
 * a plain file). */
const char *conf_source_name(enum conf_source_kind kind);

/* The compiled-in defaults (config/tlsmgr_config.h and the board preset). */
void conf_defaults(struct tlsmgr_conf *c);

/* Reads path over the compiled-in defaults (never over what *c held before). Returns 0, or -1
 * with err->msg set and *c unchanged. */
int conf_load(struct tlsmgr_conf *c, const char *path, struct conf_error *err);
/* libtlsmgr's: the same, but of the values only the daemon uses (random sources, seed file,
 * user and group, syslog, key export and source, the numbers of the generator and the sweep)
 * only the names are checked: their fields stay zero and a TLS server carries none of their
 * parsers. The daemon checks them, and gives the messages: the library reports a bad file as
 * TLSMGR_ERR_CONFIG alone, so it carries none of their phrases. Returns 0 or -1. */
int conf_load_client(struct tlsmgr_conf *c, const char *path);

/* The same for a file already in memory (file names the messages). buf need not end in NUL
 * and may contain any byte. */
int conf_parse(struct tlsmgr_conf *c, const char *file, const char *buf, size_t len,
               struct conf_error *err);

/* Joins state_directory and name unless name is absolute. Returns 0, -1 if too long. */
int conf_path(const struct tlsmgr_conf *c, const char *name, char *out, size_t cap);

#endif
