/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * port_test.h - controls of the test port, for unit tests only.
 *
 * The test port is the real posix/linux port with every call wrapped: clocks are variables the
 * test moves, the kernel RNG and the hardware RNG hook replay a script, any call can be made to
 * fail with a chosen errno or return short, and the log is captured for the test to inspect.
 */
#ifndef TLSMGR_PORT_TEST_H
#define TLSMGR_PORT_TEST_H

#include <stddef.h>
#include <stdint.h>

/* Back to a fresh state: virtual clocks at their start values, no scripts, no faults, not
 * root, every path on a persistent file system, empty log. */
void port_test_reset(void);

/* Virtual clocks. port_now_ms() returns port_test_now, port_wall_time() port_test_wall. */
extern uint64_t port_test_now;
extern int64_t port_test_wall;
/* Moves both clocks forward. */
void port_test_advance(uint64_t ms);

/* port_poll never sleeps: it polls the descriptors without waiting and, when none is ready,
 * moves the virtual clocks by the timeout, but never past port_test_horizon (absolute ms;
 * 0 = no limit, where an infinite wait returns -1 with errno EDEADLK instead of hanging). */
extern uint64_t port_test_horizon;
/* Number of port_poll calls that returned since the reset. */
extern unsigned port_test_polls;

/* Kernel RNG: bytes returned by port_getrandom, cycled; NULL/0 means the real kernel RNG.
 * port_test_rng_ready: the answer of port_kernel_rng_ready; 0 also makes port_getrandom fail
 * with EAGAIN. port_test_rng_fd: what port_kernel_rng_wait_fd returns (-1 by default). */
void port_test_entropy(const void *script, size_t len);
extern int port_test_rng_ready;
extern int port_test_rng_fd;
/* Board hook: script for port_hardware_entropy (NULL: ENOSYS) and port_hardware_unique's bytes. */
void port_test_hardware_entropy(const void *script, size_t len);
void port_test_hardware_unique(const char *text);

/* Kernel crediting: calls made and bits credited (after port_kernel_credit's own cap). */
extern unsigned port_test_credits;
extern unsigned port_test_credited_bits;

/* Identity: port_is_root answers port_test_root; port_drop_privileges records the ids and
 * succeeds (unless a fault is set) without changing the real process. */
extern int port_test_root;
extern unsigned port_test_dropped_uid, port_test_dropped_gid, port_test_dropped_extra_gid;
extern int port_test_dropped;

/* The file system a path is on (port_fs_type) is the test's choice, never the machine's: the
 * code under test fsyncs or not, opens LMDB with or without sync, whatever /tmp is mounted as.
 * port_test_fs (an enum port_fs value) answers for every path; PORT_FS_OTHER, a persistent
 * disk, after a reset. port_test_fs_under(dir, fs): paths equal to dir or below it (as the code
 * names them: "state", "state/prng_exch.tmp") answer fs instead, e.g. a state directory on
 * tmpfs beside a seed on flash. Up to 4 directories (setting one again changes its type),
 * cleared by a reset. */
extern int port_test_fs;
void port_test_fs_under(const char *dir, int fs);

/* Faults. `call` is the function name without "port_" ("write", "rename", "open"...).
 * port_test_fail: the nth next call (1 = the next one) fails with errno err; nth 0 = every
 * call from now on. port_test_short: the nth next read or write moves at most len bytes.
 * port_test_crash_after: after n more calls that change a file system (open with create,
 * write, fsync, rename, unlink, mkdir, fchmod, fchown), every such call fails with EIO, as if
 * power had failed at that instant. port_test_calls: calls made since the reset;
 * port_test_calls("change"): the changing calls that port_test_crash_after counts (a crashed
 * one included, one failed by port_test_fail not). */
void port_test_fail(const char *call, unsigned nth, int err);
void port_test_short(const char *call, unsigned nth, size_t len);
void port_test_crash_after(unsigned n);
unsigned port_test_calls(const char *call);
/* Runs fn once, right after the nth next port_fstat returns (a file changed between a check
 * and what follows it). */
void port_test_after_fstat(unsigned nth, void (*fn)(void));

/* Captured output: everything logged ("priority message\n" lines) and printed. */
const char *port_test_log(void);
int port_test_log_has(const char *needle);
void port_test_log_clear(void);
const char *port_test_printed(void);

#endif /* TLSMGR_PORT_TEST_H */
