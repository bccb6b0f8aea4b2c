/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_random.c - the real port's kernel crediting takes a whole seed (TLSMGR_SEED_SIZE, 1024
 * bytes by default) and not only what one RNDADDENTROPY request holds. Zero bits are credited:
 * the bytes come from the kernel itself and are worth nothing to it.
 */
#include <errno.h>
#include <string.h>

#include "port.h"
#include "t.h"
#include "tlsmgr_config.h"

/* The port's own function, under the name the test port leaves it (real_names.h). */
int port_real_kernel_credit(const void *buf, size_t len, unsigned bits);

static void whole_seed_is_taken(void)
{
    static const size_t sizes[] = {1, 512, 513, TLSMGR_SEED_SIZE, 4096};
    unsigned char seed[4096];
    size_t i;

    memset(seed, 0x5a, sizeof(seed));
    for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        errno = 0;
        /* Without CAP_SYS_ADMIN the kernel refuses (EPERM), under qemu-user the ioctl may be
         * unknown: never EINVAL, the size refused. */
        if (port_real_kernel_credit(seed, sizes[i], 0) != 0)
            T_ASSERT(errno != EINVAL);
    }
}

T_MAIN(T_CASE(whole_seed_is_taken))
