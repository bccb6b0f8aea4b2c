/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * eintr.h - the port's retry of a call that a signal interrupted (port.h promises callers
 * only real failures). libtlsmgr runs in host processes whose handlers may lack SA_RESTART:
 * its calls retry on EINTR. The daemon catches every signal it handles with SA_RESTART
 * (port_signals_open) and has no other handler that can interrupt a system call (port_guard's
 * SIGBUS comes from the faulting access itself), so the kernel restarts every call of these
 * files that a signal interrupts: built with PORT_SIGNALS_RESTART (the Makefile sets it for
 * the daemon's objects), the check is left out. poll is never restarted: port_poll reports
 * EINTR to the event loop either way.
 */
#ifndef TLSMGR_PORT_EINTR_H
#define TLSMGR_PORT_EINTR_H

#include <errno.h>

#if defined(PORT_SIGNALS_RESTART) && PORT_SIGNALS_RESTART
#define EINTR_AGAIN(failed) 0
#else
#define EINTR_AGAIN(failed) ((failed) && errno == EINTR)
#endif

#endif
