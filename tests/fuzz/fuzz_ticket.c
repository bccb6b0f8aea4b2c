/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_ticket.c - libtlsmgr's ticket parse callback on arbitrary tickets, as a TLS client may
 * send them, against an env holding three known keys; and the key record decoder on the same
 * bytes (what another process may have written into the ticket DB).
 *
 * Input: byte 0 chooses how the rest is used.
 *   even: bytes 1.. are the ticket, as received.
 *   odd:  byte 1 picks a slot, bytes 2.. are a session blob that the harness seals under that
 *         slot's key, so that mbedtls_ssl_session_load() sees arbitrary authentic content.
 * Never a crash or a read out of bounds; an accepted ticket yields a session that can be
 * saved again; a record that decodes re-encodes to the same bytes.
 * With FUZZ_TICKET_SEEDS=DIR in the environment, the first call writes seed inputs to DIR.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mbedtls_compat.h"
#include <mbedtls/gcm.h>
#include <mbedtls/ssl.h>
#if defined(MBEDTLS_USE_PSA_CRYPTO) || defined(MBEDTLS_SSL_PROTO_TLS1_3)
#include <psa/crypto.h>
#endif

#include "cache_env.h"
#include "cache_repair.h"
#include "port.h"
#include "port_test.h"
#include "ticket_client.h"
#include "ticket_store.h"
#include "tlsmgr.h"

#define LIFETIME 3600

static struct tlsmgr *handle;
static mbedtls_ssl_config conf;
static struct ticket_slots keys;
static char dir[] = "/tmp/fuzz_ticket.XXXXXX";

static int counter_rng(void *arg, unsigned char *out, size_t len)
{
    uint8_t *n = arg;
    size_t i;

    for (i = 0; i < len; i++)
        out[i] = (uint8_t)(++*n * 53u + 7u);
    return 0;
}

static void cleanup(void)
{
    char cmd[64];

    tlsmgr_close(handle);
    mbedtls_ssl_config_free(&conf);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "fuzz_ticket: cannot remove %s\n", dir);
}

/* A ticket of blob under key k (fixed IV: the harness needs no randomness). */
static size_t seal(uint8_t *out, const struct ticket_key *k, const uint8_t *blob, size_t n)
{
    mbedtls_gcm_context g;
    int rc;

    memcpy(out, k->name, TICKET_WIRE_NAME_LEN);
    memset(out + TICKET_WIRE_NAME_LEN, 0x3c, TICKET_IV_LEN);
    out[16] = (uint8_t)(n >> 8);
    out[17] = (uint8_t)n;
    mbedtls_gcm_init(&g);
    rc = mbedtls_gcm_setkey(&g, MBEDTLS_CIPHER_ID_AES, k->key, 8 * TICKET_KEY_LEN);
    if (rc == 0)
        rc = mbedtls_gcm_crypt_and_tag(&g, MBEDTLS_GCM_ENCRYPT, n, out + 4, TICKET_IV_LEN, out,
                                       TICKET_AAD_LEN, blob, out + TICKET_AAD_LEN, TICKET_TAG_LEN,
                                       out + TICKET_AAD_LEN + n);
    mbedtls_gcm_free(&g);
    if (rc != 0)
        abort();
    return TICKET_OVERHEAD + n;
}

static void seed_file(const char *seeds, const char *name, const uint8_t *p, size_t n)
{
    char path[512];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", seeds, name);
    f = fopen(path, "wb");
    if (f == NULL || fwrite(p, 1, n, f) != n || fclose(f) != 0)
        abort();
}

/* Seed inputs: a real ticket from the write callback, its damaged variants, sealed blobs. */
static void write_seeds(const char *seeds)
{
    uint8_t in[1024], rec[TICKET_RECORD_LEN];
    mbedtls_ssl_session s;
    size_t tlen = 0, n = 0;
    uint32_t life;

    mbedtls_ssl_session_init(&s);
    TLSMGR_SESSION_SET_TLS12(&s);
    in[0] = 0;
    if (tlsmgr_ticket_write(handle, &s, in + 1, in + sizeof(in), &tlen, &life) != 0)
        abort();
    seed_file(seeds, "valid", in, 1 + tlen);
    in[1 + tlen - 1] ^= 1;
    seed_file(seeds, "bad_tag", in, 1 + tlen);
    seed_file(seeds, "short", in, 1 + TICKET_OVERHEAD - 1);
    in[1] ^= 0x80;
    seed_file(seeds, "unknown_name", in, 1 + tlen);
    in[0] = 1;
    in[1] = TICKET_SLOT_PREVIOUS;
    if (mbedtls_ssl_session_save(&s, in + 2, sizeof(in) - 2, &n) != 0)
        abort();
    seed_file(seeds, "sealed_session", in, 2 + n);
    in[2 + 2] ^= 1; /* patch version */
    seed_file(seeds, "sealed_other_version", in, 2 + n);
    seed_file(seeds, "sealed_truncated", in, 2 + n / 2);
    mbedtls_ssl_session_free(&s);
    rec[0] = 2; /* even: also a (refused) ticket */
    ticket_record_encode(rec, &keys.k[TICKET_SLOT_NEXT]);
    rec[0] = 1;
    seed_file(seeds, "record", rec, sizeof(rec));
}

static void init(void)
{
    struct tlsmgr_conf c;
    struct cache_env ce;
    uint8_t n = 0;
    char path[64];
    FILE *f;

    port_test_reset();
    if (mkdtemp(dir) == NULL)
        abort();
    atexit(cleanup);
#if defined(MBEDTLS_USE_PSA_CRYPTO) || defined(MBEDTLS_SSL_PROTO_TLS1_3)
    if (psa_crypto_init() != PSA_SUCCESS)
        abort();
#endif
    /* The env, made as the daemon makes it, with three known keys around the virtual now. */
    snprintf(path, sizeof(path), "%s/tlsmgr.conf", dir);
    f = fopen(path, "w");
    if (f == NULL ||
        fprintf(f, "state_directory = %s\ntls_session_cache_database = lmdb:cache\n", dir) < 0 ||
        fclose(f) != 0)
        abort();
    conf_defaults(&c);
    snprintf(c.cache_database, sizeof(c.cache_database), "%s/cache", dir);
    memset(&keys, 0, sizeof(keys));
    if (cache_repair_open(&ce, &c, port_uid(), port_gid()) < 0 ||
        ticket_slots_advance(&keys, port_wall_time() - LIFETIME / 2, LIFETIME, counter_rng, &n) <
            0 ||
        ticket_slots_advance(&keys, port_wall_time(), LIFETIME, counter_rng, &n) < 0 ||
        ticket_store_write(&ce, &keys) != 0)
        abort();
    cache_env_close(&ce);
    mbedtls_ssl_config_init(&conf);
    if (mbedtls_ssl_config_defaults(&conf, MBEDTLS_SSL_IS_SERVER, MBEDTLS_SSL_TRANSPORT_STREAM,
                                    MBEDTLS_SSL_PRESET_DEFAULT) != 0 ||
        tlsmgr_open(&handle, path, "fuzz") != 0 || tlsmgr_ssl_conf(handle, &conf) != 0)
        abort();
    if (getenv("FUZZ_TICKET_SEEDS") != NULL)
        write_seeds(getenv("FUZZ_TICKET_SEEDS"));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t ticket[TICKET_OVERHEAD + 0x10000], again[4096];
    struct ticket_key k;
    uint8_t rec[TICKET_RECORD_LEN];
    mbedtls_ssl_session s;
    size_t len, n;

    if (handle == NULL)
        init();
    if (ticket_record_decode(data, size, &k) == 0 &&
        (ticket_record_encode(rec, &k) != TICKET_RECORD_LEN || memcmp(rec, data, size) != 0))
        abort();
    if (size < 1)
        return 0;
    if ((data[0] & 1) == 0) {
        len = size - 1;
        if (len > sizeof(ticket))
            return 0;
        memcpy(ticket, data + 1, len);
    } else {
        if (size < 2 || size - 2 > 0xFFFF)
            return 0;
        len = seal(ticket, &keys.k[data[1] % TICKET_SLOTS], data + 2, size - 2);
    }
    mbedtls_ssl_session_init(&s);
    if (tlsmgr_ticket_parse(handle, &s, ticket, len) == 0 &&
        mbedtls_ssl_session_save(&s, again, sizeof(again), &n) != 0 && n <= sizeof(again))
        abort();
    mbedtls_ssl_session_free(&s);
    return 0;
}
