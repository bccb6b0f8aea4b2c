/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tlsmgr.h - libtlsmgr: lets any mbedTLS server share tlsmgr's session cache, seed and ticket
 * keys. Every call degrades to "miss" or "no keys" when the daemon or its files are missing;
 * nothing here aborts or logs secrets. Installed as <tlsmgr.h>.
 */
#ifndef TLSMGR_H
#define TLSMGR_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct tlsmgr;
struct mbedtls_ssl_config;  /* <mbedtls/ssl.h> */
struct mbedtls_ssl_session; /* <mbedtls/ssl.h> */

/* Error codes (negative). */
#define TLSMGR_ERR_CONFIG  (-1) /* the configuration file is missing or bad */
#define TLSMGR_ERR_ARG     (-2) /* bad argument (NULL, tag too long) */
#define TLSMGR_ERR_NOMEM   (-3) /* out of memory */
#define TLSMGR_ERR_UNAVAIL (-4) /* the service asked for is not available */

/*
 * Reads conf_file (NULL: the default, as the daemon) and prepares a handle for one service;
 * service_tag (1 to 32 bytes, e.g. "httpd") keeps its cache entries apart from other
 * services': two tags never see each other's sessions. Nothing is opened yet: the cache env
 * is opened by the first lookup or store of each process, so a handle may be opened before
 * fork() and used in every child. Returns 0 and sets *t, or a TLSMGR_ERR_* code (*t NULL).
 */
int tlsmgr_open(struct tlsmgr **t, const char *conf_file, const char *service_tag);

/*
 * Installs tlsmgr's shared session cache and shared session tickets on a server
 * configuration, so that a client resumes on any process of any server using the same env:
 *   - TLS 1.2 session-ID resumption through the env named by tls_session_cache_database,
 *     entries kept for tls_session_cache_timeout;
 *   - session tickets, TLS 1.2 and 1.3 (mbedtls_ssl_conf_session_tickets_cb with
 *     tlsmgr_ticket_write and tlsmgr_ticket_parse below), encrypted under the keys the daemon
 *     rotates in the env every tls_ticket_key_lifetime / 2. Both are on at once: a TLS 1.2
 *     client that asks for a ticket gets one, a client that does not resumes by session ID.
 * Call it after mbedtls_ssl_config_defaults() and before mbedtls_ssl_setup(); it replaces any
 * cache set with mbedtls_ssl_conf_session_cache() and any ticket callbacks. To keep tickets
 * of your own instead (or none), call mbedtls_ssl_conf_session_tickets_cb() after it. Early
 * data (TLS 1.3 0-RTT) is never accepted under these tickets: it could be replayed.
 *
 * The callbacks never fail the handshake: when the daemon is not running, the env is missing,
 * unreadable or broken, or an entry was written by another mbedTLS version or build, a lookup
 * is a miss (a bad entry is removed) and the server does a full handshake. While there is no
 * shared ticket key (no daemon, no env, an env off tmpfs), tickets are encrypted under keys of
 * this process, as mbedTLS's own ticket keys would be; the shared keys are used as soon as
 * they appear. After a failed open, the env is tried again every few seconds. Calls may come
 * from several threads (each holds a process-wide lock for one LMDB transaction or to copy a
 * key) and from processes forked after tlsmgr_open (a new process reopens the env and makes
 * its own keys; LMDB is never used across fork). Nothing about sessions or keys is logged.
 * Works with mbedTLS 2.28 and 3.6 alike. t and conf must outlive every TLS context using
 * conf. Returns 0, TLSMGR_ERR_ARG (NULL argument), TLSMGR_ERR_NOMEM, or TLSMGR_ERR_UNAVAIL
 * (the configuration disables the cache: tls_session_cache_database is empty; conf is left
 * unchanged then).
 */
int tlsmgr_ssl_conf(struct tlsmgr *t, struct mbedtls_ssl_config *conf);

/*
 * The ticket callbacks that tlsmgr_ssl_conf installs, with t as their context, for a server
 * that wraps them (to count or log tickets) or installs them itself:
 *   mbedtls_ssl_conf_session_tickets_cb(conf, tlsmgr_ticket_write, tlsmgr_ticket_parse, t);
 * t must have been passed to tlsmgr_ssl_conf. They have the types mbedtls_ssl_ticket_write_t
 * and mbedtls_ssl_ticket_parse_t, and return mbedTLS error codes: a ticket under an unknown or
 * expired key gives MBEDTLS_ERR_SSL_SESSION_TICKET_EXPIRED, a forged or damaged one
 * MBEDTLS_ERR_SSL_INVALID_MAC or MBEDTLS_ERR_SSL_BAD_INPUT_DATA: mbedTLS then goes on with a
 * full handshake. The lifetime given to the client is the time left to the key (under 7 days).
 */
int tlsmgr_ticket_write(void *t, const struct mbedtls_ssl_session *session, unsigned char *start,
                        const unsigned char *end, size_t *tlen, uint32_t *lifetime);
int tlsmgr_ticket_parse(void *t, struct mbedtls_ssl_session *session, unsigned char *buf,
                        size_t len);

/* Closes the handle and its env. No other call on t may run, or start, at the same time;
 * the mbedtls_ssl_config it was installed on must no longer be used. NULL is ignored. */
void tlsmgr_close(struct tlsmgr *t);
/* Fills out with len fresh seed bytes for this process's own DRBG: up to 64 bytes from the
 * daemon (its EGD socket, else its exchange file), hashed with the kernel RNG, the pid and the
 * clocks on every call (SHA-512; longer outputs in counter mode, at most 512 bits of entropy
 * whatever len). A forked child never gets its parent's bytes. Thread-safe, keeps no state,
 * waits at most the EGD timeout (0.5 s by default). Returns 0; TLSMGR_ERR_UNAVAIL when neither
 * the daemon nor the kernel RNG answered (out then holds only clock and pid material: do not
 * use it as a seed); TLSMGR_ERR_ARG for a NULL handle. */
int tlsmgr_seed(struct tlsmgr *t, unsigned char *out, size_t len);
/* tlsmgr_seed as an mbedTLS entropy source:
 *   mbedtls_entropy_add_source(&ctx, tlsmgr_entropy_source, t, 32, MBEDTLS_ENTROPY_SOURCE_STRONG);
 * Returns 0 with *olen = len, or MBEDTLS_ERR_ENTROPY_SOURCE_FAILED. */
int tlsmgr_entropy_source(void *t, unsigned char *out, size_t len, size_t *olen);

/* The library's version string. */
const char *tlsmgr_version(void);

#ifdef __cplusplus
}
#endif

#endif
