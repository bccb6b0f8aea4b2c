/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tls_pair.h - an mbedTLS client and server talking through memory, for the unit tests of
 * libtlsmgr's callbacks: two byte pipes, their BIO callbacks, a cheap deterministic RNG for
 * threads, and a loop that drives both handshakes. Header-only (static inline), so test
 * programs that include it need nothing else linked.
 */
#ifndef TLSMGR_TLS_PAIR_H
#define TLSMGR_TLS_PAIR_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mbedtls_compat.h"
#include <mbedtls/ssl.h>

#include "port.h"

struct pipe_buf {
    unsigned char b[32768];
    size_t len;
};

/* One end: what it reads comes from in, what it writes goes to out. */
struct link {
    struct pipe_buf *in, *out;
};

static inline int bio_send(void *ctx, const unsigned char *buf, size_t len)
{
    struct link *l = ctx;
    size_t room = sizeof(l->out->b) - l->out->len;

    if (room == 0)
        return MBEDTLS_ERR_SSL_WANT_WRITE;
    if (len > room)
        len = room;
    memcpy(l->out->b + l->out->len, buf, len);
    l->out->len += len;
    return (int)len;
}

static inline int bio_recv(void *ctx, unsigned char *buf, size_t len)
{
    struct link *l = ctx;

    if (l->in->len == 0)
        return MBEDTLS_ERR_SSL_WANT_READ;
    if (len > l->in->len)
        len = l->in->len;
    memcpy(buf, l->in->b, len);
    memmove(l->in->b, l->in->b + len, l->in->len - len);
    l->in->len -= len;
    return (int)len;
}

/* ctx NULL: the kernel's RNG through the port. Otherwise a per-thread xorshift64* state
 * (threads must not call the test port, whose bookkeeping is not thread-safe). */
static inline int rng(void *ctx, unsigned char *out, size_t len)
{
    uint64_t *x = ctx;
    size_t i;

    if (x == NULL)
        return port_getrandom(out, len) == (long)len ? 0 : -1;
    for (i = 0; i < len; i++) {
        *x ^= *x >> 12;
        *x ^= *x << 25;
        *x ^= *x >> 27;
        out[i] = (unsigned char)((*x * 0x2545F4914F6CDD1DULL) >> 56);
    }
    return 0;
}

/* A TLS 1.2 PSK configuration (no certificate needed): endpoint client or server, rng state
 * as for rng(). A client asks for session tickets when tickets is 1. Returns 0 or -1. */
static inline int tls_pair_conf_psk12(mbedtls_ssl_config *c, int endpoint, uint64_t *rng_state,
                                      int tickets)
{
    static const unsigned char psk[16] = "0123456789abcdef";
    static const int suites[] = {MBEDTLS_TLS_PSK_WITH_AES_128_GCM_SHA256, 0};

    mbedtls_ssl_config_init(c);
    if (mbedtls_ssl_config_defaults(c, endpoint, MBEDTLS_SSL_TRANSPORT_STREAM,
                                    MBEDTLS_SSL_PRESET_DEFAULT) != 0)
        return -1;
    mbedtls_ssl_conf_rng(c, rng, rng_state);
    if (mbedtls_ssl_conf_psk(c, psk, sizeof(psk), (const unsigned char *)"test", 4) != 0)
        return -1;
    mbedtls_ssl_conf_ciphersuites(c, suites);
    if (endpoint == MBEDTLS_SSL_IS_CLIENT)
        mbedtls_ssl_conf_session_tickets(c, tickets ? MBEDTLS_SSL_SESSION_TICKETS_ENABLED
                                                    : MBEDTLS_SSL_SESSION_TICKETS_DISABLED);
#if TLSMGR_MBEDTLS_3
    mbedtls_ssl_conf_min_tls_version(c, MBEDTLS_SSL_VERSION_TLS1_2);
    mbedtls_ssl_conf_max_tls_version(c, MBEDTLS_SSL_VERSION_TLS1_2);
#else
    mbedtls_ssl_conf_min_version(c, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
    mbedtls_ssl_conf_max_version(c, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
#endif
    return 0;
}

static inline int tls_pair_busy(int r)
{
    return r == MBEDTLS_ERR_SSL_WANT_READ || r == MBEDTLS_ERR_SSL_WANT_WRITE;
}

/* Connects cli and srv (set up, not yet connected) through two fresh pipes and runs both
 * handshakes to the end. Then, for TLS 1.3, lets the client read what the server sent after
 * its handshake (NewSessionTicket). Returns 0, or -1 when a handshake failed. */
static inline int tls_pair_run(mbedtls_ssl_context *cli, mbedtls_ssl_context *srv)
{
    struct pipe_buf *c2s = calloc(1, sizeof(*c2s)), *s2c = calloc(1, sizeof(*s2c));
    struct link lc, ls;
    unsigned char byte;
    int rc = -1, rs = -1, i, ret = -1;

    if (c2s == NULL || s2c == NULL)
        goto done;
    lc.in = s2c;
    lc.out = c2s;
    ls.in = c2s;
    ls.out = s2c;
    mbedtls_ssl_set_bio(cli, &lc, bio_send, bio_recv, NULL);
    mbedtls_ssl_set_bio(srv, &ls, bio_send, bio_recv, NULL);
    for (i = 0; i < 200 && (rc != 0 || rs != 0); i++) {
        if (rc != 0)
            rc = mbedtls_ssl_handshake(cli);
        if (rs != 0)
            rs = mbedtls_ssl_handshake(srv);
        if ((rc != 0 && !tls_pair_busy(rc)) || (rs != 0 && !tls_pair_busy(rs)))
            goto done;
    }
    if (rc != 0 || rs != 0)
        goto done;
    /* Post-handshake messages (a TLS 1.3 ticket, which takes two reads to surface): processed,
     * no application data. */
    for (i = 0; i < 4 && s2c->len + (size_t)mbedtls_ssl_check_pending(cli) > 0; i++) {
        int r = mbedtls_ssl_read(cli, &byte, 1);

#ifdef MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET
        if (r == MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET)
            break;
#endif
        if (r < 0 && !tls_pair_busy(r))
            goto done;
    }
    ret = 0;
done:
    mbedtls_ssl_set_bio(cli, NULL, NULL, NULL, NULL);
    mbedtls_ssl_set_bio(srv, NULL, NULL, NULL, NULL);
    free(c2s);
    free(s2c);
    return ret;
}

#endif
