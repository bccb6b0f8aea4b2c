/* SPDX-License-Identifier: BSD-2-Clause */
/* process.c - the process's own id: libtlsmgr notices a fork by it, EGD answers it. */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <unistd.h>

#include "port.h"
#include "process.h"

long port_pid(void)
{
    return (long)getpid();
}

void process_signal_self(int sig)
{
    raise(sig);
}
