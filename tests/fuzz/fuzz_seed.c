/* SPDX-License-Identifier: BSD-2-Clause */
/* fuzz_seed.c - the persistent seed reader on arbitrary file contents: a seed is used only
 * when it has exactly the right size, and it is always gone from disk afterwards. */
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz_file.h"
#include "port_test.h"
#include "seedfile.h"
#include "tlsmgr_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path;
    int used;

    port_test_reset();
    port_test_rng_ready = 0;
    path = fuzz_file_write("seed", data, size);
    if (chmod(path, 0600) != 0) /* as the daemon writes it, so that crediting is reached */
        abort();
    used = seedfile_load(path, 1, (unsigned)getuid());
    seedfile_close();
    if (used != (size == TLSMGR_SEED_SIZE) || port_test_credits != (unsigned)used)
        abort();
    if (access(path, F_OK) == 0) /* invalidated whether used or not */
        abort();
    return 0;
}
