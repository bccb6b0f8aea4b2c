/* SPDX-License-Identifier: BSD-2-Clause */
/* fuzz_file.h - for fuzz targets that read a file: writes each input to one file in a private
 * temp directory, made on first use and removed when the replay exits. */
#ifndef TLSMGR_FUZZ_FILE_H
#define TLSMGR_FUZZ_FILE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char fuzz_file_path[64];
static char fuzz_file_dir[] = "/tmp/fuzz_file.XXXXXX";

/* The replay leaves no temp directory behind. */
static void fuzz_file_cleanup(void)
{
    unlink(fuzz_file_path);
    rmdir(fuzz_file_dir);
}

/* Returns the path of the file NAME holding exactly DATA; aborts when it cannot be written. */
static const char *fuzz_file_write(const char *name, const uint8_t *data, size_t size)
{
    FILE *f;

    if (fuzz_file_path[0] == '\0') {
        if (mkdtemp(fuzz_file_dir) == NULL)
            abort();
        atexit(fuzz_file_cleanup);
        snprintf(fuzz_file_path, sizeof(fuzz_file_path), "%s/%s", fuzz_file_dir, name);
    }
    f = fopen(fuzz_file_path, "wb");
    if (f == NULL || fwrite(data, 1, size, f) != size || fclose(f) != 0)
        abort();
    return fuzz_file_path;
}

#endif
