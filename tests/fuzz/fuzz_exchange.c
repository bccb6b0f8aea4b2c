/* SPDX-License-Identifier: BSD-2-Clause */
/* fuzz_exchange.c - the exchange file reader on arbitrary file contents: it mixes a file only
 * when it has exactly the right size, and never crashes or reads out of bounds. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "exchange.h"
#include "port_test.h"

static char path[64];

static char *tmpdir;

/* The replay leaves no temp directory behind. */
static void cleanup(void)
{
    unlink(path);
    rmdir(tmpdir);
}

static void setup(void)
{
    static char dir[] = "/tmp/fuzz_exchange.XXXXXX";

    if (path[0] != '\0')
        return;
    if (mkdtemp(dir) == NULL)
        abort();
    tmpdir = dir;
    atexit(cleanup);
    snprintf(path, sizeof(path), "%s/prng_exch", dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *f;
    int mixed;

    setup();
    port_test_reset();
    f = fopen(path, "wb");
    if (f == NULL || fwrite(data, 1, size, f) != size || fclose(f) != 0)
        abort();
    mixed = exchange_load(path);
    if (mixed != (size == TLSMGR_EXCHANGE_SIZE))
        abort();
    unlink(path);
    return 0;
}
