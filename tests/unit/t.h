/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * t.h - the unit-test harness: each test program runs its cases in order and prints one line
 * per case, "ok - NAME" or "not ok - NAME: FILE:LINE: what failed", which tests/run counts.
 * Each case starts on a fresh test port (port_test_reset) in a fresh temporary directory.
 */
#ifndef TLSMGR_T_H
#define TLSMGR_T_H

#include <stddef.h>

#include "port_test.h"

typedef void (*t_case_fn)(void);

struct t_case {
    const char *name;
    t_case_fn fn;
};

/* Runs the cases; returns the process exit status (1 if any failed). */
int t_run(const struct t_case *cases, size_t n, int argc, char **argv);

/* Records a failure of the current case (the case goes on; the first failure is reported). */
void t_fail(const char *file, int line, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* The temporary directory of the current case (the process's working directory too). */
const char *t_dir(void);
/* A directory for a file the case rewrites thousands of times (a month of exchange file
 * writes): a fresh one under /dev/shm, a real tmpfs where that costs little, when the machine
 * has it, else t_dir()/ram. Only the speed depends on the machine: the file system type the
 * code sees is the test port's (port_test_fs_under). Made at the first call of a case, removed
 * with the case. */
const char *t_ram_dir(void);
/* Writes a file of len bytes inside t_dir(); returns 0 or -1. */
int t_write_file(const char *name, const void *data, size_t len);
/* Reads a whole small file into buf; returns its length or -1. */
long t_read_file(const char *name, void *buf, size_t cap);
/* How many times needle stands in the captured log (port_test_log). */
unsigned t_log_count(const char *needle);

/* Runs fn in a forked child and records its failure here: a failed check inside it (its
 * message), or its death by a signal (a crash the case must not cause). The child's port
 * state, log and memory are its own. */
void t_child(t_case_fn fn);

/* Runs fn in a forked child that must not come back from it: it must end by a signal (or a
 * sanitizer's failed exit), as a process does on a fault no handler takes. */
void t_child_dies(t_case_fn fn);

/* 1 if a SIGBUS on this machine names the address that faulted. qemu-user 7.2 for MIPS
 * names the address one page further: there the fault guard (port_guard), which takes only
 * faults inside the files it guards, takes a fault only when that address still lies in the
 * same mapping, and lets it through otherwise. t_guarded_child runs a case that needs the
 * guard accordingly. */
int t_fault_addresses_exact(void);
/* Where faults are named exactly, t_child(fn); elsewhere fn must either pass or end the
 * child by a signal (a fault let through), never fail a check. */
void t_guarded_child(t_case_fn fn);

struct sockaddr_un;
/* A blocking Unix stream socket, and *sun set to path for its bind or connect; returns the
 * socket or -1. */
int t_unix_socket(struct sockaddr_un *sun, const char *path);

#define T_ASSERT(cond)                                                                             \
    do {                                                                                           \
        if (!(cond))                                                                               \
            t_fail(__FILE__, __LINE__, "%s", #cond);                                               \
    } while (0)

#define T_EQ_INT(a, b)                                                                             \
    do {                                                                                           \
        long long t_a_ = (long long)(a), t_b_ = (long long)(b);                                    \
        if (t_a_ != t_b_)                                                                          \
            t_fail(__FILE__, __LINE__, "%s == %lld, expected %s == %lld", #a, t_a_, #b, t_b_);     \
    } while (0)

#define T_EQ_STR(a, b)                                                                             \
    do {                                                                                           \
        const char *t_a_ = (a), *t_b_ = (b);                                                       \
        if (t_a_ == NULL || t_b_ == NULL || strcmp(t_a_, t_b_) != 0)                               \
            t_fail(__FILE__, __LINE__, "%s is \"%s\", expected \"%s\"", #a,                        \
                   t_a_ ? t_a_ : "(null)", t_b_ ? t_b_ : "(null)");                                \
    } while (0)

#define T_CASE(fn)                                                                                 \
    {                                                                                              \
        (#fn), (fn)                                                                                \
    }

#define T_MAIN(...)                                                                                \
    int main(int argc, char **argv)                                                                \
    {                                                                                              \
        static const struct t_case cases[] = {__VA_ARGS__};                                        \
        return t_run(cases, sizeof(cases) / sizeof(cases[0]), argc, argv);                         \
    }

#endif
