/* SPDX-License-Identifier: BSD-2-Clause */
/* egd_proto.c - EGD requests parsed and answered from memory; see egd_proto.h. */
#include <string.h>

#include "byteorder.h"
#include "egd_proto.h"
#include "tlsmgr_config.h"

/* Boards without the EGD service (tiny) carry none of it. */
#if TLSMGR_EGD_SERVER

enum egd_parse_result egd_parse(const unsigned char *in, size_t len, struct egd_request *req)
{
    memset(req, 0, sizeof(*req));
    if (len == 0)
        return EGD_INCOMPLETE;
    req->cmd = in[0];
    switch (in[0]) {
    case EGD_CMD_AVAILABLE:
    case EGD_CMD_PID:
        req->size = 1;
        return EGD_PARSED;
    case EGD_CMD_READ:
    case EGD_CMD_READ_BLOCK:
        if (len < 2)
            return EGD_INCOMPLETE;
        req->count = in[1];
        req->size = 2;
        return EGD_PARSED;
    case EGD_CMD_WRITE:
        if (len < 4)
            return EGD_INCOMPLETE;
        req->count = in[3];
        if (len < 4 + (size_t)req->count)
            return EGD_INCOMPLETE;
        req->data = in + 4;
        req->size = 4 + (size_t)req->count;
        return EGD_PARSED;
    default:
        return EGD_UNKNOWN;
    }
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
    case EGD_CMD_READ:
        return 1 + (size_t)req->count;
    case EGD_CMD_READ_BLOCK:
        return req->count;
    case EGD_CMD_PID:
        return 1 + egd_format_pid(env->pid, digits);
    default:
        return 0;
    }
}

long egd_answer(const struct egd_request *req, const struct egd_env *env, unsigned char *out,
                size_t cap)
{
    size_t need = egd_answer_size(req, env);

    if (cap < need)
        return EGD_NO_ROOM;
    switch (req->cmd) {
    case EGD_CMD_AVAILABLE:
        put_be32(out, env->available);
        return 4;
    case EGD_CMD_READ:
        /* OpenSSL treats M = 0 as failure, so 0 only when the generator truly cannot. */
        if (req->count > 0 && env->random(env->arg, out + 1, req->count) < 0) {
            out[0] = 0;
            return 1;
        }
        out[0] = (unsigned char)req->count;
        return (long)need;
    case EGD_CMD_READ_BLOCK:
        if (req->count > 0 && env->random(env->arg, out, req->count) < 0)
            return -1;
        return (long)need;
    case EGD_CMD_WRITE:
        if (req->count > 0)
            env->mix(env->arg, req->data, req->count);
        return 0;
    case EGD_CMD_PID:
        out[0] = (unsigned char)egd_format_pid(env->pid, out + 1); /* need: room for it */
        return (long)need;
    default:
        return -1;
    }
}

#endif /* TLSMGR_EGD_SERVER */
