/* SPDX-License-Identifier: BSD-2-Clause */
/* exchange.c - reading and rewriting the exchange file. */
#include <string.h>

#include "atomic_file.h"
#include "entropy.h"
#include "exchange.h"
#include "log.h"
#include "wipe.h"

int exchange_load(const char *path)
{
    unsigned char buf[TLSMGR_EXCHANGE_SIZE];
    int r = atomic_file_read(path, buf, sizeof(buf), "exchange file");

    if (r != 0)
        return 0;
    entropy_mix("exchange", buf, sizeof(buf));
    wipe(buf, sizeof(buf));
    log_debug("exchange file %s: mixed into the pool", path);
    return 1;
}

int exchange_write(const char *path, unsigned mode)
{
    unsigned char buf[TLSMGR_EXCHANGE_SIZE];
    int rc = -1;

    if (entropy_random(buf, sizeof(buf)) == 0 &&
        atomic_file_write(path, buf, sizeof(buf), mode, "exchange file") == 0) {
        entropy_stats()->exchange_writes++;
        log_info("exchange file %s: wrote %u bytes, mode %04o", path,
                 (unsigned)TLSMGR_EXCHANGE_SIZE, mode);
        rc = 0;
    }
    wipe(buf, sizeof(buf));
    return rc;
}
