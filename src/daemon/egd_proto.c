/* SPDX-License-Identifier: BSD-2-Clause */
/* egd_proto.c - EGD requests parsed and answered from memory; see egd_proto.h. */
#include <string.h>

#include "byteorder.h"
#include "egd_proto.h"
#include "tlsmgr_config.h"

/* Boards without the EGD service (tiny) carry none of it. */
#if TLSMGR_EGD_SERVER

/* The fixed part of each request, by opcode: the count (N or L) is its last byte when it has
 * more than one. */
static const unsigned char head_size[] = {1, 2, 2, 4, 1};

enum egd_parse_result egd_parse(const unsigned char *in, size_t len, struct egd_request *req)
{
    memset(req, 0, sizeof(*req));
    if (len == 0)
        return EGD_INCOMPLETE;
    req->cmd = in[0];
    if (in[0] > EGD_CMD_PID)
        return EGD_UNKNOWN;
    req->size = head_size[in[0]];
    if (len < req->size)
        return EGD_INCOMPLETE;
    if (req->size > 1)
        req->count = in[req->size - 1];
    if (in[0] == EGD_CMD_WRITE) {
        req->data = in + 4;
        req->size += req->count;
    }
    return len < req->size ? EGD_INCOMPLETE : EGD_PARSED;
}

size_t egd_format_pid(long pid, unsigned char out[20])
{
    unsigned long v = pid < 0 ? 0 : (unsigned long)pid, t = v;
    size_t n = 0, i;

    do
        n++;
    while ((t /= 10) != 0);
    for (i = n; i-- > 0; v /= 10)
        out[i] = (unsigned char)('0' + v % 10);
    return n;
}

size_t egd_answer_size(const struct egd_request *req, const struct egd_env *env)
{
    unsigned char digits[20];

    switch (req->cmd) {
    case EGD_CMD_AVAILABLE:
        return 4;
    case EGD_CMD_PID:
        return 1 + egd_format_pid(env->pid, digits);
    case EGD_CMD_WRITE:
        return 0;
    default: /* the reads: 01's length byte, then the bytes */
        return (req->cmd == EGD_CMD_READ) + (size_t)req->count;
    }
}

long egd_answer(const struct egd_request *req, const struct egd_env *env, unsigned char *out,
                size_t cap)
{
    unsigned char digits[20];
    /* 01's bytes come after their count */
    unsigned char *bytes = out + (req->cmd == EGD_CMD_READ);
    size_t need = (size_t)(bytes - out) + req->count, i;

    switch (req->cmd) {
    case EGD_CMD_AVAILABLE:
        if (cap < 4)
            return EGD_NO_ROOM;
        put_be32(out, env->available);
        return 4;
    case EGD_CMD_WRITE:
        if (req->count > 0)
            env->mix(env->arg, req->data, req->count);
        return 0;
    case EGD_CMD_PID:
        need = egd_format_pid(env->pid, digits);
        if (cap <= need)
            return EGD_NO_ROOM;
        out[0] = (unsigned char)need;
        for (i = 0; i < need; i++)
            out[1 + i] = digits[i];
        return (long)need + 1;
    default:
        if (cap < need)
            return EGD_NO_ROOM;
        if (req->count > 0 && env->random(env->arg, bytes, req->count) < 0) {
            /* OpenSSL treats M = 0 as failure, so 0 only when the generator truly cannot;
             * a blocking read that cannot be answered closes the connection. */
            if (bytes == out)
                return -1;
            need = 1;
            out[0] = 0;
        } else if (bytes != out) {
            out[0] = (unsigned char)req->count;
        }
        return (long)need;
    }
}

#endif /* TLSMGR_EGD_SERVER */
