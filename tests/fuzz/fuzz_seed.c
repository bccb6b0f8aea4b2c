/* SPDX-License-Identifier: BSD-2-Clause */
/* fuzz_seed.c - the persistent seed reader on arbitrary file contents: a seed is used only
 * when it has exactly the right size, and it is always gone from disk afterwards. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "port_test.h"
#include "seedfile.h"
#include "tlsmgr_config.h"

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
    static char dir[] = "/tmp/fuzz_seed.XXXXXX";

    if (path[0] != '\0')
        return;
    if (mkdtemp(dir) == NULL)
        abort();
    tmpdir = dir;
    atexit(cleanup);
    snprintf(path, sizeof(path), "%s/seed", dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *f;
    int used;

    setup();
    port_test_reset();
    port_test_rng_ready = 0;
    f = fopen(path, "wb");
    if (f == NULL || fwrite(data, 1, size, f) != size || fclose(f) != 0)
        abort();
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
