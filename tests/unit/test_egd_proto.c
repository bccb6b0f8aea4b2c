/* SPDX-License-Identifier: BSD-2-Clause */
/* test_egd_proto.c - the EGD request parser and answer encoder: every command with N = 0, 1
 * and 255, pipelined streams, a byte at a time, unknown opcodes, 03 split anywhere. */
#include <string.h>

#include "egd_proto.h"
#include "t.h"

/* Test double of the generator: a counter, so every answer is distinct and checkable. */
static unsigned char next_byte;
static int random_fails;
static unsigned char mixed[4096];
static size_t mixed_len;

static int fake_random(void *arg, unsigned char *out, size_t len)
{
    (void)arg;
    if (random_fails)
        return -1;
    while (len-- > 0)
        *out++ = ++next_byte;
    return 0;
}

static void fake_mix(void *arg, const unsigned char *data, size_t len)
{
    (void)arg;
    if (len > sizeof(mixed) - mixed_len)
        len = sizeof(mixed) - mixed_len;
    memcpy(mixed + mixed_len, data, len);
    mixed_len += len;
}

static const struct egd_env env = {fake_random, fake_mix, NULL, 8192, 4321};

static void reset(void)
{
    next_byte = 0;
    random_fails = 0;
    mixed_len = 0;
}

/* Runs a whole stream through parse + answer, as the server does; returns the answer length
 * or -1 at an unknown opcode. *left gets the bytes of an incomplete tail. */
static long serve(const unsigned char *in, size_t len, unsigned char *out, size_t cap, size_t *left)
{
    struct egd_request req;
    size_t pos = 0, made = 0;

    for (;;) {
        enum egd_parse_result r = egd_parse(in + pos, len - pos, &req);
        long n;

        if (r == EGD_UNKNOWN)
            return -1;
        if (r == EGD_INCOMPLETE)
            break;
        n = egd_answer(&req, &env, out + made, cap - made);
        if (n < 0)
            return -1;
        made += (size_t)n;
        pos += req.size;
    }
    *left = len - pos;
    return (long)made;
}

static void available_answers_u32_big_endian(void)
{
    unsigned char in[] = {0x00}, out[8];
    size_t left;

    reset();
    T_EQ_INT(serve(in, 1, out, sizeof(out), &left), 4);
    T_EQ_INT(left, 0);
    T_ASSERT(out[0] == 0 && out[1] == 0 && out[2] == 0x20 && out[3] == 0);
}

static void read_nonblocking_n_0_1_255(void)
{
    static const unsigned ns[] = {0, 1, 255};
    unsigned i;

    for (i = 0; i < 3; i++) {
        unsigned char in[2] = {0x01, (unsigned char)ns[i]}, out[300];
        size_t left;
        struct egd_request req;

        reset();
        T_EQ_INT(egd_parse(in, 2, &req), EGD_PARSED);
        T_EQ_INT(egd_answer_size(&req, &env), 1 + ns[i]);
        T_EQ_INT(serve(in, 2, out, sizeof(out), &left), 1 + ns[i]);
        T_EQ_INT(out[0], ns[i]);
        if (ns[i] > 0) {
            T_EQ_INT(out[1], 1);
            T_EQ_INT(out[ns[i]], ns[i]);
        }
    }
    /* A generator that cannot serve answers M = 0 rather than blocking. */
    {
        unsigned char in[2] = {0x01, 5}, out[8];
        size_t left;
        reset();
        random_fails = 1;
        T_EQ_INT(serve(in, 2, out, sizeof(out), &left), 1);
        T_EQ_INT(out[0], 0);
    }
}

static void read_blocking_n_0_1_255(void)
{
    static const unsigned ns[] = {0, 1, 255};
    unsigned i;

    for (i = 0; i < 3; i++) {
        unsigned char in[2] = {0x02, (unsigned char)ns[i]}, out[300];
        size_t left;

        reset();
        T_EQ_INT(serve(in, 2, out, sizeof(out), &left), ns[i]);
        if (ns[i] > 0)
            T_EQ_INT(out[0], 1); /* no length byte: the first byte is output */
    }
    {
        unsigned char in[2] = {0x02, 5}, out[8];
        size_t left;
        reset();
        random_fails = 1;
        T_EQ_INT(serve(in, 2, out, sizeof(out), &left), -1);
    }
}

static void write_l_0_1_255_is_mixed_without_answer(void)
{
    static const unsigned ls[] = {0, 1, 255};
    unsigned i, j;

    for (i = 0; i < 3; i++) {
        unsigned char in[4 + 255], out[8];
        size_t left;
        struct egd_request req;

        reset();
        in[0] = 0x03;
        in[1] = 0x01;
        in[2] = 0x02;
        in[3] = (unsigned char)ls[i];
        for (j = 0; j < ls[i]; j++)
            in[4 + j] = (unsigned char)(j ^ 0x5a);
        T_EQ_INT(egd_parse(in, 4 + ls[i], &req), EGD_PARSED);
        T_EQ_INT(req.size, 4 + ls[i]);
        T_EQ_INT(serve(in, 4 + ls[i], out, sizeof(out), &left), 0);
        T_EQ_INT(left, 0);
        T_EQ_INT(mixed_len, ls[i]);
        T_ASSERT(memcmp(mixed, in + 4, ls[i]) == 0);
    }
}

static void pid_answers_length_and_ascii(void)
{
    unsigned char in[] = {0x04}, out[32];
    size_t left;
    struct egd_env e = env;
    struct egd_request req;

    reset();
    T_EQ_INT(serve(in, 1, out, sizeof(out), &left), 5);
    T_EQ_INT(out[0], 4);
    T_ASSERT(memcmp(out + 1, "4321", 4) == 0);
    e.pid = 0;
    T_EQ_INT(egd_parse(in, 1, &req), EGD_PARSED);
    T_EQ_INT(egd_answer(&req, &e, out, sizeof(out)), 2);
    T_ASSERT(out[0] == 1 && out[1] == '0');
    e.pid = 2147483647L;
    T_EQ_INT(egd_answer(&req, &e, out, sizeof(out)), 11);
    T_ASSERT(memcmp(out + 1, "2147483647", 10) == 0);
}

static const unsigned char stream[] = {0x00, 0x01, 0x03, 0x02, 0x02, 0x04, 0x03, 0x00, 0x08,
                                       0x03, 'a',  'b',  'c',  0x01, 0xff, 0x02, 0x00, 0x01,
                                       0x00, 0x02, 0xff, 0x03, 0x00, 0x00, 0x00};
/* 4 + (1+3) + 2 + 5 + 0 + (1+255) + 0 + 1 + 255 + 0 */
#define STREAM_ANSWER (4 + 4 + 2 + 5 + 256 + 1 + 255)

static void pipelined_stream_in_one_buffer(void)
{
    unsigned char out[1024];
    size_t left;

    reset();
    T_EQ_INT(serve(stream, sizeof(stream), out, sizeof(out), &left), STREAM_ANSWER);
    T_EQ_INT(left, 0);
    T_EQ_INT(mixed_len, 3);
    T_ASSERT(memcmp(mixed, "abc", 3) == 0);
    /* every generated byte distinct from the counter's previous output */
    T_EQ_INT(next_byte, (unsigned char)(3 + 2 + 255 + 255));
}

/* The same stream fed a byte at a time gives the same answers: incomplete requests wait. */
static void byte_at_a_time(void)
{
    unsigned char whole[1024], part[1024], buf[sizeof(stream)];
    size_t have = 0, made = 0, i, left;
    long n;

    reset();
    n = serve(stream, sizeof(stream), whole, sizeof(whole), &left);
    reset();
    for (i = 0; i < sizeof(stream); i++) {
        long m;
        buf[have++] = stream[i];
        m = serve(buf, have, part + made, sizeof(part) - made, &left);
        T_ASSERT(m >= 0);
        made += (size_t)m;
        memmove(buf, buf + have - left, left);
        have = left;
    }
    T_EQ_INT(have, 0);
    T_EQ_INT(made, n);
    T_ASSERT(memcmp(whole, part, made) == 0);
}

static void unknown_opcodes_close(void)
{
    unsigned op;
    struct egd_request req;
    unsigned char in[2];

    for (op = 5; op < 256; op++) {
        in[0] = (unsigned char)op;
        in[1] = 0;
        T_EQ_INT(egd_parse(in, 2, &req), EGD_UNKNOWN);
    }
    /* after valid requests too */
    {
        unsigned char s[] = {0x00, 0x04, 0x09, 0x00};
        unsigned char out[64];
        size_t left;
        reset();
        T_EQ_INT(serve(s, sizeof(s), out, sizeof(out), &left), -1);
    }
    T_EQ_INT(egd_parse(in, 0, &req), EGD_INCOMPLETE);
}

/* 03 with L = 0..255 split at every position is incomplete until its last byte. */
static void write_split_anywhere(void)
{
    unsigned char in[4 + 255];
    unsigned l, cut, j;
    struct egd_request req;

    for (l = 0; l <= 255; l++) {
        in[0] = 0x03;
        in[1] = 0;
        in[2] = (unsigned char)l;
        in[3] = (unsigned char)l;
        for (j = 0; j < l; j++)
            in[4 + j] = (unsigned char)j;
        for (cut = 0; cut < 4 + l; cut++)
            if (egd_parse(in, cut, &req) != EGD_INCOMPLETE)
                t_fail(__FILE__, __LINE__, "L=%u cut=%u parsed", l, cut);
        T_EQ_INT(egd_parse(in, 4 + l, &req), EGD_PARSED);
        T_EQ_INT(req.count, l);
        T_ASSERT(req.data == in + 4);
    }
}

static void answer_needs_room(void)
{
    unsigned char in[2] = {0x01, 255}, out[255];
    struct egd_request req;

    reset();
    T_EQ_INT(egd_parse(in, 2, &req), EGD_PARSED);
    T_EQ_INT(egd_answer(&req, &env, out, sizeof(out)), EGD_NO_ROOM);
    T_EQ_INT(next_byte, 0); /* nothing drawn for an answer that does not fit */
    T_ASSERT(EGD_MAX_ANSWER >= egd_answer_size(&req, &env));
}

T_MAIN(T_CASE(available_answers_u32_big_endian), T_CASE(read_nonblocking_n_0_1_255),
       T_CASE(read_blocking_n_0_1_255), T_CASE(write_l_0_1_255_is_mixed_without_answer),
       T_CASE(pid_answers_length_and_ascii), T_CASE(pipelined_stream_in_one_buffer),
       T_CASE(byte_at_a_time), T_CASE(unknown_opcodes_close), T_CASE(write_split_anywhere),
       T_CASE(answer_needs_room))
