/* SPDX-License-Identifier: BSD-2-Clause */
/* process.h - the port's own process calls beside port_pid, shared by fault.c and process.c
 * (port/linux/process.c overrides them with system calls that need no import of their own). */
#ifndef TLSMGR_PORT_PROCESS_H
#define TLSMGR_PORT_PROCESS_H

/* Sends sig to this process, as raise() does in a single-threaded one. Async-signal-safe. */
void process_signal_self(int sig);

#endif
