/* SPDX-License-Identifier: BSD-2-Clause */
/* signal.c - signals become readable bytes on a self-pipe, so the event loop handles them
 * between two jobs and never inside a handler. */
#define _GNU_SOURCE /* pipe2 (POSIX.1-2024) in glibc before 2.41 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "port.h"
#include "syscalls.h"

static int sig_pipe[2] = {-1, -1};

static void on_signal(int sig)
{
    int saved = errno;
    unsigned char c = (unsigned char)sig;

    /* A full pipe already holds enough wake-ups; losing this byte loses nothing. */
    if (sys_write(sig_pipe[1], &c, 1) < 0) {
    }
    errno = saved;
}

/* Both ends non-blocking and closed on exec: in one call where the system has pipe2. */
#if defined(__linux__) || defined(__FreeBSD__) || defined(__NetBSD__) || defined(__OpenBSD__)
#define HAVE_PIPE2 1
#else
#define HAVE_PIPE2 0
static int set_flags(int fd)
{
    return (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0 ||
            fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0)
               ? -1
               : 0;
}
#endif

static const int caught[] = {SIGTERM, SIGINT, SIGHUP, SIGUSR1};
/* What each of caught[] means, in the same order. */
static const unsigned char meaning[] = {PORT_SIG_TERM, PORT_SIG_TERM, PORT_SIG_HUP, PORT_SIG_USR1};

/* A zeroed sigaction has an empty sa_mask on every system the port runs on: no sigemptyset
 * (one import less). */
static void set_action(int sig, void (*handler)(int), int flags)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = handler;
    sa.sa_flags = flags;
    sigaction(sig, &sa, NULL);
}

/* Sets handler for every signal of caught[]. */
static void catch_all(void (*handler)(int), int flags)
{
    size_t i;

    for (i = 0; i < sizeof(caught) / sizeof(caught[0]); i++)
        set_action(caught[i], handler, flags);
}

int port_signals_open(void)
{
    if (sig_pipe[0] >= 0)
        return sig_pipe[0];
#if HAVE_PIPE2
    if (sys_pipe2(sig_pipe, O_NONBLOCK | O_CLOEXEC) < 0)
        return -1;
#else
    if (pipe(sig_pipe) < 0)
        return -1;
    if (set_flags(sig_pipe[0]) < 0 || set_flags(sig_pipe[1]) < 0) {
        port_signals_close();
        return -1;
    }
#endif
    catch_all(on_signal, SA_RESTART);
    set_action(SIGPIPE, SIG_IGN, 0);
    return sig_pipe[0];
}

enum port_signal port_signal_next(void)
{
    unsigned char c;
    size_t i;

    while (sig_pipe[0] >= 0 && sys_read(sig_pipe[0], &c, 1) == 1)
        for (i = 0; i < sizeof(caught) / sizeof(caught[0]); i++)
            if (c == caught[i])
                return (enum port_signal)meaning[i];
    return PORT_SIG_NONE;
}

void port_signals_close(void)
{
    catch_all(SIG_DFL, 0);
    if (sig_pipe[0] >= 0)
        sys_close(sig_pipe[0]);
    if (sig_pipe[1] >= 0)
        sys_close(sig_pipe[1]);
    sig_pipe[0] = sig_pipe[1] = -1;
}
