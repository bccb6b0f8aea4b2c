/* SPDX-License-Identifier: BSD-2-Clause */
/* exchange.c - reading and rewriting the exchange file. */
#include <string.h>

#include "atomic_file.h"
#include "entropy.h"
#include "exchange.h"
#include "log.h"
#include "noinline.h"
#include "wipe.h"

int exchange_load(const char *path)
{
    unsigned char buf[TLSMGR_EXCHANGE_SIZE];
    int r = atomic_file_read(path, buf, sizeof(buf), "exchange file");

    if (r != 0)
        return 0;
    entropy_mix("exchange", buf, sizeof(buf));
    wipe(buf, sizeof(buf));
    log_debug("exchange file %s: mixed", path);
    return 1;
}

/* The larger of the two files written from the generator's output. */
#define OUTPUT_MAX                                                                                 \
    (TLSMGR_EXCHANGE_SIZE > TLSMGR_SEED_SIZE ? TLSMGR_EXCHANGE_SIZE : TLSMGR_SEED_SIZE)

int exchange_write_output(const char *path, size_t len, unsigned mode, const char *what,
                          uint64_t *count)
{
    unsigned char buf[OUTPUT_MAX];
    int rc = -1;

    if (entropy_random(buf, len) == 0 && atomic_file_write(path, buf, len, mode, what) == 0) {
        (*count)++;
        log_info("%s %s: wrote %u bytes, mode %04o", what, path, (unsigned)len, mode);
        rc = 0;
    }
    wipe(buf, len);
    return rc;
}

TLSMGR_NOINLINE int exchange_write(const char *path, unsigned mode)
{
    return exchange_write_output(path, TLSMGR_EXCHANGE_SIZE, mode, "exchange file",
                                 &entropy_stats()->exchange_writes);
}
