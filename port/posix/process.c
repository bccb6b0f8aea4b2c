/* SPDX-License-Identifier: BSD-2-Clause */
/* process.c - the process's own id: libtlsmgr notices a fork by it, EGD answers it. */
#define _POSIX_C_SOURCE 200809L
#include <unistd.h>

#include "port.h"

long port_pid(void)
{
    return (long)getpid();
}
