/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tlsmgr_config.h - every compile-time option of tlsmgr, with its default.
 *
 * Include order: TLSMGR_USER_CONFIG_FILE (a packager's own file, if defined), then the board
 * preset TLSMGR_BOARD_HEADER (make BOARD=name), then the defaults below, which fill only what
 * neither defined, then tlsmgr_check.h, which rejects bad combinations. Every option has a
 * value (0/1 or a number) and is tested with #if; the build uses -Wundef so a misspelt option
 * fails loudly. Defaults named TLSMGR_DEFAULT_* are run-time parameters of tlsmgr.conf(5)
 * that the file may still change; the others are fixed at build time.
 */
#ifndef TLSMGR_CONFIG_H
#define TLSMGR_CONFIG_H

#ifdef TLSMGR_USER_CONFIG_FILE
#include TLSMGR_USER_CONFIG_FILE
#endif
#ifdef TLSMGR_BOARD_HEADER
#include TLSMGR_BOARD_HEADER
#endif

/* ---- Identity ------------------------------------------------------------------------- */

/* Version string printed by --version; the Makefile passes the content of VERSION. */
#ifndef TLSMGR_VERSION
#define TLSMGR_VERSION "0.1.0"
#endif

/* Name of the board preset, shown by --version and the statistics. */
#ifndef TLSMGR_BOARD_NAME
#define TLSMGR_BOARD_NAME "generic"
#endif

/* Directory of the system's configuration files. The Makefile passes its SYSCONFDIR, the
 * directory `make install` puts tlsmgr.conf in, so that the binaries look where it went. */
#ifndef TLSMGR_SYSCONFDIR
#define TLSMGR_SYSCONFDIR "/etc"
#endif

/* Configuration file read by the daemon and by libtlsmgr when none is given. */
#ifndef TLSMGR_DEFAULT_CONFIG_FILE
#define TLSMGR_DEFAULT_CONFIG_FILE TLSMGR_SYSCONFDIR "/tlsmgr/tlsmgr.conf"
#endif

/* ---- Entropy pool and generator --------------------------------------------------------- */

/* Size of the entropy pool in bytes: 8192 bits as in Postfix tlsmgr(8). A multiple of 64
 * (the pool is hashed in 64-byte SHA-512 blocks); 256 to 4096. */
#ifndef TLSMGR_POOL_SIZE
#define TLSMGR_POOL_SIZE 1024
#endif

/* Size of the exchange file and of the persistent seed, in bytes. Clients and older daemons
 * accept only this exact size. 64 to 4096. */
#ifndef TLSMGR_EXCHANGE_SIZE
#define TLSMGR_EXCHANGE_SIZE 1024
#endif
#ifndef TLSMGR_SEED_SIZE
#define TLSMGR_SEED_SIZE 1024
#endif

/* 1: the generator is CTR_DRBG with AES-256 (needs MBEDTLS_CTR_DRBG_C and MBEDTLS_AES_C).
 * 0: HMAC_DRBG with SHA-512, for builds whose mbedTLS leaves AES out. */
#ifndef TLSMGR_DRBG_CTR
#define TLSMGR_DRBG_CTR 1
#endif
/* 1: the other kind is built as well (where mbedTLS has it), so that the unit tests check
 * both; 0: only the kind TLSMGR_DRBG_CTR selects, which is all the daemon uses. */
#ifndef TLSMGR_DRBG_BOTH
#define TLSMGR_DRBG_BOTH 0
#endif

/* Most entropy sources in tls_random_source. 1 to 16. */
#ifndef TLSMGR_MAX_SOURCES
#define TLSMGR_MAX_SOURCES 8
#endif

/* 1: SP 800-90B repetition count and adaptive proportion tests on raw inputs (hwrng, EGD,
 * plain file, hardware hook). 0 saves about 1 KB of code where the sources are trusted. */
#ifndef TLSMGR_HEALTH_TESTS
#define TLSMGR_HEALTH_TESTS 1
#endif

/* Health tests: the min-entropy per byte, in bits (1 to 8), that raw inputs are assumed to
 * carry, and the false-alarm probability 2^-N per test (N 20 to 40). SP 800-90B cutoffs follow:
 * repetition count C = 1 + ceil(N / H) identical bytes in a row (16 for H 2, N 30); adaptive
 * proportion: more than the binomial(W, 2^-H) quantile 1 - 2^-N of the first byte of a window
 * of TLSMGR_HEALTH_APT_WINDOW bytes (64 to 4096). */
#ifndef TLSMGR_HEALTH_MIN_ENTROPY
#define TLSMGR_HEALTH_MIN_ENTROPY 2
#endif
#ifndef TLSMGR_HEALTH_ALPHA_LOG2
#define TLSMGR_HEALTH_ALPHA_LOG2 30
#endif
#ifndef TLSMGR_HEALTH_APT_WINDOW
#define TLSMGR_HEALTH_APT_WINDOW 512
#endif

/* 1: a creditable persistent seed may be credited to the kernel with RNDADDENTROPY (needs
 * CAP_SYS_ADMIN before privileges are dropped). 0 removes the code. */
#ifndef TLSMGR_KERNEL_CREDIT
#define TLSMGR_KERNEL_CREDIT 1
#endif

/* Timeout of one request to an external EGD daemon, in milliseconds. 10 to 10000. */
#ifndef TLSMGR_EGD_CLIENT_TIMEOUT_MS
#define TLSMGR_EGD_CLIENT_TIMEOUT_MS 500
#endif

/* Run-time defaults of tlsmgr.conf(5), entropy half. Times are in seconds. */
#ifndef TLSMGR_DEFAULT_RANDOM_SOURCE
#define TLSMGR_DEFAULT_RANDOM_SOURCE "getrandom"
#endif
#ifndef TLSMGR_DEFAULT_RANDOM_BYTES
#define TLSMGR_DEFAULT_RANDOM_BYTES 32
#endif
#ifndef TLSMGR_DEFAULT_EXCHANGE_NAME
#define TLSMGR_DEFAULT_EXCHANGE_NAME "prng_exch"
#endif
#ifndef TLSMGR_DEFAULT_RESEED_PERIOD
#define TLSMGR_DEFAULT_RESEED_PERIOD 3600
#endif
#ifndef TLSMGR_DEFAULT_PRNG_UPDATE_PERIOD
#define TLSMGR_DEFAULT_PRNG_UPDATE_PERIOD 60
#endif
/* The persistent seed lives in a directory of its own (created 0700 for tlsmgr_user): the
 * daemon must be able to write there after dropping root, and the directory that holds
 * tlsmgr.conf must stay root's, or a compromised daemon could rewrite the file that root reads
 * at the next start. */
#ifndef TLSMGR_DEFAULT_SEED_FILE
#define TLSMGR_DEFAULT_SEED_FILE TLSMGR_SYSCONFDIR "/tlsmgr/random/seed"
#endif
#ifndef TLSMGR_DEFAULT_SEED_SAVE_PERIOD
#define TLSMGR_DEFAULT_SEED_SAVE_PERIOD 86400
#endif
/* Shortest tls_random_seed_save_period accepted: bounds writes to flash. */
#ifndef TLSMGR_MIN_SEED_SAVE_PERIOD
#define TLSMGR_MIN_SEED_SAVE_PERIOD 3600
#endif
#ifndef TLSMGR_DEFAULT_SEED_CREDIT
#define TLSMGR_DEFAULT_SEED_CREDIT 1
#endif

/* ---- EGD service -------------------------------------------------------------------------- */

/* 1: the daemon can serve the EGD protocol on tls_random_egd_socket. */
#ifndef TLSMGR_EGD_SERVER
#define TLSMGR_EGD_SERVER 1
#endif
/* Most EGD clients holding a slot (1 KB of buffers each with the default buffer size): a
 * client holds one from its first byte. Connections that have sent nothing yet wait apart, in
 * TLSMGR_EGD_MAX_SILENT entries. 1 to 256, as a plain decimal number (debug log lines quote it
 * as it is spelled). */
#ifndef TLSMGR_EGD_MAX_CLIENTS
#define TLSMGR_EGD_MAX_CLIENTS 16
#endif
/* Most connections that have sent nothing yet, each a descriptor and a few bytes (no buffer).
 * When one more comes, the one silent the longest is closed, but only once it has had
 * TLSMGR_EGD_CONTENDED_MS to speak: until then the next connections wait in the kernel's
 * backlog. Twice the slots lets 3200 silent connections a second (default slots and bound)
 * come and go before a client that speaks has to wait. 1 to 512. */
#ifndef TLSMGR_EGD_MAX_SILENT
#define TLSMGR_EGD_MAX_SILENT (2 * TLSMGR_EGD_MAX_CLIENTS)
#endif
/* Bytes buffered per EGD client, each way. At least 260 (one 0x03 header and 255 bytes). */
#ifndef TLSMGR_EGD_CLIENT_BUFFER
#define TLSMGR_EGD_CLIENT_BUFFER 512
#endif
/* A client with no request in progress stays connected for as long as it likes while slots
 * are free (Postfix's tlsmgr, ekeyd and OpenSSL's RAND_egd users keep one connection for
 * hours); when every slot is taken and a new client needs one, an idle client gives up its
 * slot (the one served last: the longest-idle is typically Postfix's tlsmgr). What is bounded
 * in time is a request: from its first byte to the last byte of its answer handed to the
 * kernel, in milliseconds. A client whose request takes longer (it trickles its request or
 * does not read its answers) is closed, so slow clients cannot hold the slots. 10 to 10000, as
 * a plain decimal number (debug log lines quote it as it is spelled). */
#ifndef TLSMGR_EGD_REQUEST_TIMEOUT_MS
#define TLSMGR_EGD_REQUEST_TIMEOUT_MS 100
#endif
/* The time, in milliseconds, a client has to send a whole request when others compete for
 * its place: when every slot is taken and a new client needs one, a client whose request has
 * been incomplete this long yields its slot before any idle client does (real clients write a
 * request in one write, so only a trickling client waits this long), and a connection that
 * has sent nothing yet is never closed for a newer one before it had this long. 1 to
 * TLSMGR_EGD_REQUEST_TIMEOUT_MS. */
#ifndef TLSMGR_EGD_CONTENDED_MS
#define TLSMGR_EGD_CONTENDED_MS 10
#endif
/* Connections accepted per wake-up: each is read and its complete requests answered at once;
 * the clients already connected get their turn between two batches. 1 to 256. */
#ifndef TLSMGR_EGD_ACCEPT_BATCH
#define TLSMGR_EGD_ACCEPT_BATCH 16
#endif
/* Bytes of answers made for one client per wake-up: clients are served in turns, so one that
 * pipelines many requests delays the others by one turn at most. 256 (one answer) to
 * TLSMGR_EGD_CLIENT_BUFFER. */
#ifndef TLSMGR_EGD_SERVE_QUANTUM
#define TLSMGR_EGD_SERVE_QUANTUM 512
#endif
/* Default socket path; relative to state_directory; empty disables the service. */
#ifndef TLSMGR_DEFAULT_EGD_SOCKET
#define TLSMGR_DEFAULT_EGD_SOCKET "egd"
#endif

/* ---- Session cache ------------------------------------------------------------------------ */

/* Default cache environment (lmdb:PATH), relative to state_directory; empty disables. */
#ifndef TLSMGR_DEFAULT_CACHE_DATABASE
#define TLSMGR_DEFAULT_CACHE_DATABASE "lmdb:cache"
#endif
#ifndef TLSMGR_DEFAULT_CACHE_TIMEOUT
#define TLSMGR_DEFAULT_CACHE_TIMEOUT 3600
#endif
#ifndef TLSMGR_DEFAULT_CACHE_MAX_ENTRIES
#define TLSMGR_DEFAULT_CACHE_MAX_ENTRIES 10000
#endif
/* LMDB map size in bytes: the largest the cache file may grow. Keep it well under the
 * address space of 32-bit targets. */
#ifndef TLSMGR_DEFAULT_CACHE_MAP_SIZE
#define TLSMGR_DEFAULT_CACHE_MAP_SIZE (16UL * 1024 * 1024)
#endif
/* 0: sweep every tls_session_cache_timeout, as tlsmgr(8) does. */
#ifndef TLSMGR_DEFAULT_CACHE_SWEEP_PERIOD
#define TLSMGR_DEFAULT_CACHE_SWEEP_PERIOD 0
#endif
#ifndef TLSMGR_DEFAULT_CACHE_SYNC
#define TLSMGR_DEFAULT_CACHE_SYNC 0
#endif
/* Most deletions in one sweep transaction (1 to 100000), and the time after which a step
 * yields, in milliseconds (1 to 1000). */
#ifndef TLSMGR_SWEEP_BATCH
#define TLSMGR_SWEEP_BATCH 1000
#endif
#ifndef TLSMGR_SWEEP_STEP_MS
#define TLSMGR_SWEEP_STEP_MS 5
#endif
/* Entries created this many seconds in the future are taken as written under a wrong clock
 * and removed. 0 to 86400. */
#ifndef TLSMGR_CLOCK_SKEW_TOLERANCE
#define TLSMGR_CLOCK_SKEW_TOLERANCE 300
#endif
/* libtlsmgr: after an env it could not open (daemon not started yet, env missing or broken)
 * a process tries again after this many milliseconds; until then every lookup is a miss that
 * costs nothing. 100 to 3600000. */
#ifndef TLSMGR_CACHE_CLIENT_RETRY_MS
#define TLSMGR_CACHE_CLIENT_RETRY_MS 5000
#endif
/* The daemon: damaged envs that faulted again while being closed (a file cut short twice in
 * a few microseconds) and are therefore left mapped, one map and three descriptors each;
 * past this count no env is opened again until a restart. 1 to 64. */
#ifndef TLSMGR_CACHE_LEAK_MAX
#define TLSMGR_CACHE_LEAK_MAX 8
#endif
/* Longest service tag a client may use to namespace its entries, in bytes. 1 to 64. */
#ifndef TLSMGR_MAX_TAG_LEN
#define TLSMGR_MAX_TAG_LEN 32
#endif

/* ---- Ticket keys -------------------------------------------------------------------------- */

/* 1: shared session ticket keys: the daemon rotates them in the cache env and
 * tlsmgr_ssl_conf() installs ticket callbacks that use them. 0 removes both. */
#ifndef TLSMGR_TICKETS
#define TLSMGR_TICKETS 1
#endif
/* tls_ticket_key_lifetime: a key encrypts new tickets for half of it, then only decrypts for
 * the other half; a new key is made every half. Seconds, at most 6 days (TLS 1.3 forbids
 * ticket lifetimes of 7 days). The shortest accepted value exists for tests and demos: each
 * rotation is a wake-up and a write transaction. */
#ifndef TLSMGR_DEFAULT_TICKET_KEY_LIFETIME
#define TLSMGR_DEFAULT_TICKET_KEY_LIFETIME 43200
#endif
#ifndef TLSMGR_MIN_TICKET_KEY_LIFETIME
#define TLSMGR_MIN_TICKET_KEY_LIFETIME 10
#endif
/* Daemon: seconds before a failed rotation (env error, generator failure) is tried again
 * (at most half the lifetime). 1 to 3600. */
#ifndef TLSMGR_TICKET_RETRY
#define TLSMGR_TICKET_RETRY 60
#endif
/* libtlsmgr: a process reads the slots again when a key it holds becomes active or expires,
 * when a ticket names a key it does not hold (at most once per TLSMGR_CACHE_CLIENT_RETRY_MS),
 * and at least this often, in milliseconds, so that an env the daemon replaced (a repair, or
 * tmpfs cleared) is followed. One read transaction each time. 1000 to 3600000. */
#ifndef TLSMGR_TICKET_CLIENT_RECHECK_MS
#define TLSMGR_TICKET_CLIENT_RECHECK_MS 60000
#endif

/* 1: the daemon writes its ticket keys into the key files of servers that do not link
 * libtlsmgr (tls_ticket_key_export: lighttpd, nginx, HAProxy and its runtime socket, and its
 * own format) and can take its keys from a file instead of making them
 * (tls_ticket_key_source). Needs TLSMGR_TICKETS. 0 removes both. */
#ifndef TLSMGR_TICKET_EXPORT
#define TLSMGR_TICKET_EXPORT TLSMGR_TICKETS
#endif
/* Most targets in tls_ticket_key_export. 1 to 8. */
#ifndef TLSMGR_TICKET_EXPORT_MAX
#define TLSMGR_TICKET_EXPORT_MAX 4
#endif
/* tls_ticket_key_source is read again this often, in seconds, and at each key change and
 * SIGHUP: the latency of a new key file. A new key reaches the file half a key lifetime before
 * it is used, so this only needs to be well below that. 1 to 3600. */
#ifndef TLSMGR_TICKET_IMPORT_CHECK
#define TLSMGR_TICKET_IMPORT_CHECK 60
#endif
/* Longest conversation with a HAProxy runtime socket (connect, command, whole answer), in
 * milliseconds; a longer one is abandoned and retried later. 100 to 30000. */
#ifndef TLSMGR_HAPROXY_TIMEOUT_MS
#define TLSMGR_HAPROXY_TIMEOUT_MS 2000
#endif
/* Run-time defaults: no export target, no source (the daemon makes its keys), and the export
 * files' group: empty means tlsmgr_group. */
#ifndef TLSMGR_DEFAULT_TICKET_KEY_EXPORT
#define TLSMGR_DEFAULT_TICKET_KEY_EXPORT ""
#endif
#ifndef TLSMGR_DEFAULT_TICKET_KEY_SOURCE
#define TLSMGR_DEFAULT_TICKET_KEY_SOURCE ""
#endif
#ifndef TLSMGR_DEFAULT_TICKET_KEY_EXPORT_GROUP
#define TLSMGR_DEFAULT_TICKET_KEY_EXPORT_GROUP ""
#endif

/* ---- Daemon ------------------------------------------------------------------------------- */

#ifndef TLSMGR_DEFAULT_STATE_DIRECTORY
#define TLSMGR_DEFAULT_STATE_DIRECTORY "/var/run/tlsmgr"
#endif
#ifndef TLSMGR_DEFAULT_USER
#define TLSMGR_DEFAULT_USER "tlsmgr"
#endif
#ifndef TLSMGR_DEFAULT_GROUP
#define TLSMGR_DEFAULT_GROUP "tlsmgr"
#endif
#ifndef TLSMGR_DEFAULT_SYSLOG_NAME
#define TLSMGR_DEFAULT_SYSLOG_NAME "tlsmgr"
#endif
#ifndef TLSMGR_DEFAULT_SYSLOG_FACILITY
#define TLSMGR_DEFAULT_SYSLOG_FACILITY "daemon"
#endif

/* Seconds between two refreshes of the statistics file that tlsmgr -s prints, taken only on
 * wake-ups that happen anyway and only when the state directory is on tmpfs (elsewhere the
 * file is written at SIGUSR1 and at exit only, to spare flash). 0: never periodically;
 * at most 86400. */
#ifndef TLSMGR_STATUS_INTERVAL
#define TLSMGR_STATUS_INTERVAL 60
#endif

/* A service that cannot start (a session cache directory owned by someone else, an EGD socket
 * path taken) is retried while the others run: first after TLSMGR_SERVICE_RETRY_MIN seconds,
 * then after twice the previous delay, up to TLSMGR_SERVICE_RETRY_MAX. 1 to 86400. */
#ifndef TLSMGR_SERVICE_RETRY_MIN
#define TLSMGR_SERVICE_RETRY_MIN 10
#endif
#ifndef TLSMGR_SERVICE_RETRY_MAX
#define TLSMGR_SERVICE_RETRY_MAX 600
#endif

/* Timers in the event loop's fixed table. 4 to 64. */
#ifndef TLSMGR_MAX_TIMERS
#define TLSMGR_MAX_TIMERS 16
#endif
/* Descriptors the event loop watches: signals, EGD listener, clients and silent connections,
 * /dev/random. */
#ifndef TLSMGR_MAX_FDS
#define TLSMGR_MAX_FDS (TLSMGR_EGD_MAX_CLIENTS + TLSMGR_EGD_MAX_SILENT + 8)
#endif

/* ---- Configuration file ------------------------------------------------------------------- */

/* Longest line of tlsmgr.conf, in bytes (128 to the file size), and the largest file accepted
 * (1024 to 16 MiB). */
#ifndef TLSMGR_CONF_MAX_LINE
#define TLSMGR_CONF_MAX_LINE 1024
#endif
#ifndef TLSMGR_CONF_MAX_SIZE
#define TLSMGR_CONF_MAX_SIZE 65536
#endif
/* Longest path accepted for any file name parameter, including the state directory prefix. */
#ifndef TLSMGR_PATH_MAX
#define TLSMGR_PATH_MAX 256
#endif

/* ---- Logging ------------------------------------------------------------------------------ */

/* 1: debug messages (-v) are compiled in. 0 removes their format strings from the binary. */
#ifndef TLSMGR_LOG_DEBUG
#define TLSMGR_LOG_DEBUG 1
#endif
/* Longest log message in bytes; longer ones are cut. A configuration error, which goes through
 * the log too, names a path of up to TLSMGR_PATH_MAX bytes and the reason. 64 or more. */
#ifndef TLSMGR_LOG_LINE
#define TLSMGR_LOG_LINE 512
#endif

#include "tlsmgr_check.h"

#endif /* TLSMGR_CONFIG_H */
