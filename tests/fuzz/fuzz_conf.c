/* SPDX-License-Identifier: BSD-2-Clause */
/* fuzz_conf.c - the tlsmgr.conf parser on arbitrary bytes: it must reject or accept, never
 * read out of bounds, and on rejection leave the configuration untouched. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct tlsmgr_conf c, before;
    struct conf_error err;

    conf_defaults(&c);
    before = c;
    if (conf_parse(&c, "fuzz.conf", (const char *)data, size, &err) < 0) {
        if (memcmp(&c, &before, sizeof(c)) != 0 || strstr(err.msg, "fuzz.conf") == NULL)
            abort();
    } else if (c.nsources == 0 || c.nsources > TLSMGR_MAX_SOURCES || c.random_bytes == 0) {
        abort();
    }
    return 0;
}
