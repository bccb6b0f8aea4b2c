/* SPDX-License-Identifier: BSD-2-Clause */
/* fuzz_exchange.c - the exchange file reader on arbitrary file contents: it mixes a file only
 * when it has exactly the right size, and never crashes or reads out of bounds. */
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "exchange.h"
#include "fuzz_file.h"
#include "port_test.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path;
    int mixed;

    port_test_reset();
    path = fuzz_file_write("prng_exch", data, size);
    mixed = exchange_load(path);
    if (mixed != (size == TLSMGR_EXCHANGE_SIZE))
        abort();
    unlink(path);
    return 0;
}
