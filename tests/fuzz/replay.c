/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * replay.c - standalone main for the fuzz targets: calls LLVMFuzzerTestOneInput once per file
 * named on the command line (every regular file inside a directory), so make check replays the
 * corpora without libFuzzer. A crash or sanitizer report fails the run.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf;
    long len;

    if (f == NULL) {
        fprintf(stderr, "replay: %s: cannot open\n", path);
        return -1;
    }
    if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return -1;
    }
    /* A fresh, exact-size buffer so sanitizers see any read past the input. */
    buf = malloc(len > 0 ? (size_t)len : 1);
    if (buf == NULL || fread(buf, 1, (size_t)len, f) != (size_t)len) {
        free(buf);
        fclose(f);
        return -1;
    }
    fclose(f);
    LLVMFuzzerTestOneInput(buf, (size_t)len);
    free(buf);
    return 0;
}

int main(int argc, char **argv)
{
    int i, files = 0, bad = 0;

    for (i = 1; i < argc; i++) {
        struct stat sb;
        DIR *d;
        struct dirent *de;

        if (stat(argv[i], &sb) != 0) {
            fprintf(stderr, "replay: %s: missing\n", argv[i]);
            bad++;
            continue;
        }
        if (!S_ISDIR(sb.st_mode)) {
            bad += replay_file(argv[i]) < 0;
            files++;
            continue;
        }
        d = opendir(argv[i]);
        while (d != NULL && (de = readdir(d)) != NULL) {
            char path[4096];

            snprintf(path, sizeof(path), "%s/%s", argv[i], de->d_name);
            if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
                bad += replay_file(path) < 0;
                files++;
            }
        }
        if (d != NULL)
            closedir(d);
    }
    printf("replayed %d inputs\n", files);
    return bad ? 1 : 0;
}
