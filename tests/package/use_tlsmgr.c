/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * use_tlsmgr.c - the smallest program of a packager's world: built against an installed
 * libtlsmgr with nothing but `pkg-config --cflags --libs tlsmgr` (tests/package/pkgconfig.sh),
 * it must link and run. Usage: use_tlsmgr VERSION CONFIG_FILE.
 */
#include <stdio.h>
#include <string.h>

#include <tlsmgr.h>

int main(int argc, char **argv)
{
    struct tlsmgr *t = NULL;
    unsigned char seed[32];
    int rc;

    if (argc != 3) {
        fprintf(stderr, "usage: use_tlsmgr VERSION CONFIG_FILE\n");
        return 2;
    }
    if (strcmp(tlsmgr_version(), argv[1]) != 0) {
        fprintf(stderr, "use_tlsmgr: version %s, expected %s\n", tlsmgr_version(), argv[1]);
        return 1;
    }
    rc = tlsmgr_open(&t, argv[2], "pkgconfig");
    if (rc != 0) {
        fprintf(stderr, "use_tlsmgr: tlsmgr_open %s: %d\n", argv[2], rc);
        return 1;
    }
    /* No daemon runs: the seed comes from the kernel RNG alone, and must still come. */
    rc = tlsmgr_seed(t, seed, sizeof(seed));
    tlsmgr_close(t);
    if (rc != 0) {
        fprintf(stderr, "use_tlsmgr: tlsmgr_seed: %d\n", rc);
        return 1;
    }
    printf("libtlsmgr %s works\n", tlsmgr_version());
    return 0;
}
