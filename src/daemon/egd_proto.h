/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * egd_proto.h - the EGD protocol, server side, without any I/O: parses one request at a time
 * from a client's input buffer and encodes its answer. Pure except for the generator and mix
 * callbacks it is given, so the fuzzer and the unit tests drive it directly.
 *
 * Requests (multi-byte integers big-endian):
 *   00                    -> u32 entropy available (advisory)
 *   01 N                  -> M, then M bytes (non-blocking read; M = N here)
 *   02 N                  -> exactly N bytes, no length byte (blocking read)
 *   03 hi lo L data[L]    -> nothing (data mixed in, never credited)
 *   04                    -> L, then the pid as L ASCII digits
 */
#ifndef TLSMGR_EGD_PROTO_H
#define TLSMGR_EGD_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define EGD_CMD_AVAILABLE  0x00
#define EGD_CMD_READ       0x01
#define EGD_CMD_READ_BLOCK 0x02
#define EGD_CMD_WRITE      0x03
#define EGD_CMD_PID        0x04

/* Longest request (03 hi lo 255 data[255]) and longest answer (01: 1 + 255). */
#define EGD_MAX_REQUEST 259
#define EGD_MAX_ANSWER  256

enum egd_parse_result {
    EGD_PARSED,     /* a complete request is in req */
    EGD_INCOMPLETE, /* wait for more bytes */
    EGD_UNKNOWN     /* unknown opcode: close the connection */
};

struct egd_request {
    unsigned cmd;              /* EGD_CMD_* */
    unsigned count;            /* N of 01/02, L of 03, 0 otherwise */
    const unsigned char *data; /* 03's payload, inside the parsed buffer (the entropy it
                                * claims, hi lo, is never credited: not kept) */
    size_t size;               /* bytes of input the request occupies */
};

/* Parses the request at the start of in[0..len). */
enum egd_parse_result egd_parse(const unsigned char *in, size_t len, struct egd_request *req);

/* What answering needs from the daemon. random fills out with fresh generator output and
 * returns 0, or -1 when the generator cannot (not seeded); mix takes 03's data. */
struct egd_env {
    int (*random)(void *arg, unsigned char *out, size_t len);
    void (*mix)(void *arg, const unsigned char *data, size_t len);
    void *arg;
    uint32_t available; /* the answer to 00 */
    long pid;           /* the answer to 04 */
};

/* Bytes the answer to req will take (0 for 03), so a caller can wait for room first. */
size_t egd_answer_size(const struct egd_request *req, const struct egd_env *env);

/* What egd_answer returns when its answer would not fit in cap (nothing drawn or mixed). */
#define EGD_NO_ROOM (-2)

/* Writes the answer to req (as egd_parse made it) into out and mixes 03's data. Returns the
 * answer's length, EGD_NO_ROOM when cap < egd_answer_size, or -1 when a blocking read (02) cannot
 * be answered: the caller closes the connection. A non-blocking read (01) the generator cannot
 * serve answers M = 0. */
long egd_answer(const struct egd_request *req, const struct egd_env *env, unsigned char *out,
                size_t cap);

/* The pid as decimal digits (no NUL) into out; returns their count (at most 20). */
size_t egd_format_pid(long pid, unsigned char out[20]);

#endif
