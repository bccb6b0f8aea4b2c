/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fault.c - port_guard: a function run under a SIGBUS handler that jumps out of it when, and
 * only when, the fault lies in a mapping of one of the guarded files (a file cut short under
 * LMDB's map). The handler asks maps.c where the fault lies; anything else gets the action the
 * process had before (the default one: a core dump), so that real bugs are not hidden.
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>

#include "maps.h"
#include "port.h"
#include "process.h"

/* The cache env has two files. */
#define GUARD_FILES 4

static jmp_buf jump;
static volatile sig_atomic_t armed, active;
static struct maps_file files[GUARD_FILES];
static unsigned nfiles;
static struct sigaction previous;

static int holds(uintptr_t start, uintptr_t end, void *arg)
{
    uintptr_t a = *(const uintptr_t *)arg;

    return a >= start && a < end;
}

static void on_bus(int sig, siginfo_t *si, void *ctx)
{
    uintptr_t a = (uintptr_t)si->si_addr;

    (void)ctx;
    /* BUS_ADRERR: no page behind a mapped address (past the end of its file). */
    if (armed && si->si_code == BUS_ADRERR && maps_walk(files, nfiles, holds, &a) > 0) {
        armed = 0;
        longjmp(jump, 1);
    }
    /* Not ours: the previous action takes it. A fault recurs when the handler returns; a
     * signal sent by kill or raise is sent again, and delivered at once (SA_NODEFER). */
    sigaction(SIGBUS, &previous, NULL);
    if (si->si_code <= 0)
        process_signal_self(sig);
}

int port_guard(const int *fds, unsigned n, void (*fn)(void *), void *arg)
{
    struct sigaction sa;
    volatile int faulted = 0;
    unsigned i;

    /* A guard inside another runs fn under the outer one. */
    if (!active) {
        nfiles = 0;
        for (i = 0; i < n && nfiles < GUARD_FILES; i++)
            if (fds[i] >= 0 && maps_file_of(fds[i], &files[nfiles]) == 0)
                nfiles++;
        memset(&sa, 0, sizeof(sa));
        sa.sa_sigaction = on_bus;
        /* SA_NODEFER: SIGBUS is not blocked while the handler runs, so that the signal mask is
         * the guarded function's own after the jump out, and plain setjmp/longjmp (which the
         * cache's assertion trap uses too) do instead of sigsetjmp/siglongjmp. */
        sa.sa_flags = SA_SIGINFO | SA_NODEFER; /* sa_mask: empty, zeroed (no sigemptyset) */
        /* Where the mappings cannot be listed, fn runs unguarded. */
        if (nfiles > 0 && sigaction(SIGBUS, &sa, &previous) == 0) {
            active = 1;
            if (setjmp(jump) == 0) {
                armed = 1;
                fn(arg);
                armed = 0;
            } else {
                faulted = 1;
            }
            sigaction(SIGBUS, &previous, NULL);
            active = 0;
            return faulted;
        }
    }
    fn(arg);
    return 0;
}
