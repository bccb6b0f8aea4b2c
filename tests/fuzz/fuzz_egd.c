/* SPDX-License-Identifier: BSD-2-Clause */
/* fuzz_egd.c - the EGD request parser and encoder on arbitrary client streams, fed both whole
 * and in chunks whose sizes come from the input: the two must give the same answers, never
 * read outside the buffer, and never answer more than the protocol allows. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "egd_proto.h"

static unsigned char counter;

static int gen(void *arg, unsigned char *out, size_t len)
{
    (void)arg;
    while (len-- > 0)
        *out++ = ++counter;
    return 0;
}

static void mix(void *arg, const unsigned char *data, size_t len)
{
    volatile unsigned char sink = 0;
    (void)arg;
    while (len-- > 0)
        sink ^= *data++;
    (void)sink;
}

static const struct egd_env env = {gen, mix, NULL, 8192, 12345};

/* Serves data in chunks of `chunk` bytes (0: all at once) through a bounded input buffer;
 * appends answers to out (at most cap). Returns the bytes answered, and sets *closed. */
static size_t serve(const uint8_t *data, size_t size, size_t chunk, unsigned char *out, size_t cap,
                    int *closed)
{
    unsigned char in[EGD_MAX_REQUEST];
    size_t have = 0, pos = 0, made = 0;

    *closed = 0;
    counter = 0;
    while (pos < size || have > 0) {
        struct egd_request req;
        size_t take = size - pos;
        enum egd_parse_result r;

        if (chunk != 0 && take > chunk)
            take = chunk;
        if (take > sizeof(in) - have)
            take = sizeof(in) - have;
        memcpy(in + have, data + pos, take);
        have += take;
        pos += take;
        for (;;) {
            long n;
            r = egd_parse(in, have, &req);
            if (r == EGD_UNKNOWN) {
                *closed = 1;
                return made;
            }
            if (r == EGD_INCOMPLETE)
                break;
            if (req.size == 0 || req.size > have || req.size > EGD_MAX_REQUEST)
                abort();
            if (egd_answer_size(&req, &env) > EGD_MAX_ANSWER)
                abort();
            if (cap - made < EGD_MAX_ANSWER)
                return made;
            n = egd_answer(&req, &env, out + made, cap - made);
            if (n < 0 || (size_t)n != egd_answer_size(&req, &env))
                abort();
            made += (size_t)n;
            memmove(in, in + req.size, have - req.size);
            have -= req.size;
        }
        if (pos == size)
            break; /* an incomplete tail stays incomplete */
        if (have == sizeof(in))
            abort(); /* a full buffer always holds a complete request */
    }
    return made;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static unsigned char a[1 << 16], b[1 << 16];
    size_t na, nb, chunk;
    int ca, cb;

    if (size > 8192)
        return 0;
    chunk = size > 0 ? (size_t)(data[0] % 7) + 1 : 1;
    na = serve(data, size, 0, a, sizeof(a), &ca);
    nb = serve(data, size, chunk, b, sizeof(b), &cb);
    if (na != nb || ca != cb || memcmp(a, b, na) != 0)
        abort();
    return 0;
}
