/* SPDX-License-Identifier: BSD-2-Clause */
/* process.c - the process's own id, and a signal to itself, as system calls through syscall(),
 * which the port imports anyway (getrandom, RNDADDENTROPY): two imports less than getpid and
 * raise. glibc's getpid no longer caches the id, so nothing is lost across a fork. */
#define _GNU_SOURCE
#include <sys/syscall.h>
#include <unistd.h>

#include "port.h"
#include "posix/process.h"

long port_pid(void)
{
    return syscall(SYS_getpid);
}

/* The daemon, the only user, has one thread: the process is the thread raise() would name. */
void process_signal_self(int sig)
{
    syscall(SYS_kill, syscall(SYS_getpid), sig);
}
