/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_exchange.c - the exchange file and the atomic writer under it: exact size and mode,
 * bad old files ignored and replaced (never followed, never blocked on), and a fault at any
 * step leaving the old file or the new one, whole.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_file.h"
#include "entropy.h"
#include "exchange.h"
#include "port.h"
#include "t.h"

#define SIZE TLSMGR_EXCHANGE_SIZE

static long file_size(const char *path)
{
    struct stat st;

    if (lstat(path, &st) != 0)
        return -1;
    return S_ISREG(st.st_mode) ? (long)st.st_size : -2;
}

static void written_whole_with_mode(void)
{
    unsigned char a[SIZE], b[SIZE];
    struct stat st;

    entropy_reset();
    umask(077); /* the mode must not depend on the umask */
    T_EQ_INT(exchange_write("prng_exch", 0644), 0);
    umask(022);
    T_EQ_INT(stat("prng_exch", &st), 0);
    T_EQ_INT(st.st_size, SIZE);
    T_EQ_INT(st.st_mode & 07777, 0644);
    T_ASSERT(port_test_log_has("exchange file prng_exch: wrote 1024 bytes, mode 0644"));
    T_EQ_INT(t_read_file("prng_exch", a, sizeof(a)), SIZE);
    T_EQ_INT(exchange_write("prng_exch", 0644), 0);
    T_EQ_INT(t_read_file("prng_exch", b, sizeof(b)), SIZE);
    T_ASSERT(memcmp(a, b, SIZE) != 0);
    T_EQ_INT(entropy_stats()->exchange_writes, 2);
    T_EQ_INT(exchange_load("prng_exch"), 1);
    T_EQ_INT(exchange_load("absent"), 0);
    T_EQ_INT(file_size("prng_exch.tmp"), -1);
}

/* Every kind of bad old file: ignored with a log line, then replaced by a regular file. */
static void bad_old_file(const char *what, const char *reason)
{
    T_EQ_INT(exchange_load("prng_exch"), 0);
    if (!port_test_log_has(reason))
        t_fail(__FILE__, __LINE__, "%s: log lacks \"%s\": %s", what, reason, port_test_log());
    T_ASSERT(port_test_log_has("ignored"));
    T_EQ_INT(exchange_write("prng_exch", 0644), 0);
    T_EQ_INT(file_size("prng_exch"), SIZE);
}

static void bad_old_files_ignored_and_replaced(void)
{
    static unsigned char big[2 * SIZE];
    unsigned char target[SIZE], after[SIZE];

    entropy_reset();
    T_EQ_INT(t_write_file("prng_exch", big, 100), 0);
    bad_old_file("short", "has 100 bytes, not 1024");
    T_EQ_INT(t_write_file("prng_exch", big, SIZE + 1), 0);
    bad_old_file("oversized", "has 1025 bytes");
    T_EQ_INT(t_write_file("prng_exch", big, 0), 0);
    bad_old_file("empty", "has 0 bytes");

    /* a symbolic link to a file of the right size: never followed, the target untouched */
    memset(target, 0x42, sizeof(target));
    T_EQ_INT(t_write_file("target", target, sizeof(target)), 0);
    T_EQ_INT(unlink("prng_exch"), 0);
    T_EQ_INT(symlink("target", "prng_exch"), 0);
    bad_old_file("symlink", "is a symbolic link");
    T_EQ_INT(t_read_file("target", after, sizeof(after)), SIZE);
    T_ASSERT(memcmp(target, after, SIZE) == 0);

    /* a FIFO nobody writes to: opening and reading must not block */
    T_EQ_INT(unlink("prng_exch"), 0);
    T_EQ_INT(mkfifo("prng_exch", 0644), 0);
    bad_old_file("fifo", "is a FIFO");

    T_EQ_INT(unlink("prng_exch"), 0);
    T_EQ_INT(mkdir("prng_exch", 0755), 0);
    bad_old_file("directory", "is a directory");
}

static void stale_temp_file_removed(void)
{
    entropy_reset();
    T_EQ_INT(t_write_file("prng_exch.tmp", "junk", 4), 0);
    T_EQ_INT(exchange_write("prng_exch", 0644), 0);
    T_EQ_INT(file_size("prng_exch"), SIZE);
    T_EQ_INT(file_size("prng_exch.tmp"), -1);
    /* a stale temp that is a symbolic link is removed, not written through */
    T_EQ_INT(symlink("victim", "prng_exch.tmp"), 0);
    T_EQ_INT(exchange_write("prng_exch", 0644), 0);
    T_EQ_INT(file_size("victim"), -1);
}

/* After any fault, the name holds the old bytes or the new bytes: never a short or mixed
 * file. Then a clean write works again. */
static void check_whole(const unsigned char *old, int rc, const char *what)
{
    unsigned char now[SIZE];

    if (t_read_file("prng_exch", now, sizeof(now)) != SIZE || file_size("prng_exch") != SIZE) {
        t_fail(__FILE__, __LINE__, "%s: exchange file not whole", what);
        return;
    }
    if (rc != 0 && memcmp(now, old, SIZE) != 0)
        t_fail(__FILE__, __LINE__, "%s: failed write changed the file", what);
}

/* The steps of one write, by file system: on a persistent one the data and then the directory
 * are fsynced; tmpfs has no disk to reach, so neither is. Every one of them may fail or be the
 * last before a power cut. */
static void fault_at_every_step(int fs)
{
    static const struct {
        const char *call;
        unsigned nth;
        int err;
        int persistent_only;
    } faults[] = {{"unlink", 1, EIO, 0},   {"open", 1, EACCES, 0}, {"fchmod", 1, EPERM, 0},
                  {"write", 1, ENOSPC, 0}, {"write", 1, EIO, 0},   {"fsync", 1, EIO, 1},
                  {"close", 1, EIO, 0},    {"rename", 1, EIO, 0},  {"rename", 1, EXDEV, 0},
                  {"fsync", 2, EIO, 1}};
    /* unlink of a stale temp, open, fchmod, write, [fsync], rename, [directory fsync] */
    const unsigned steps = fs == PORT_FS_TMPFS ? 5 : 7;
    unsigned char old[SIZE], now[SIZE];
    unsigned i, n;
    int rc;

    port_test_fs = fs;
    entropy_reset();
    T_EQ_INT(exchange_write("prng_exch", 0644), 0);
    T_EQ_INT(port_test_calls("fsync"), fs == PORT_FS_TMPFS ? 0 : 2);
    T_EQ_INT(port_test_calls("change"), steps);
    for (i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
        if (faults[i].persistent_only && fs == PORT_FS_TMPFS)
            continue;
        T_EQ_INT(t_read_file("prng_exch", old, sizeof(old)), SIZE);
        port_test_fail(faults[i].call, faults[i].nth, faults[i].err);
        rc = exchange_write("prng_exch", 0644);
        if (faults[i].nth == 2) {
            /* the directory fsync: the new file is in place but maybe not on disk; the caller
             * is told */
            T_ASSERT(rc != 0);
            check_whole(old, 0, "directory fsync");
        } else {
            check_whole(old, rc, faults[i].call);
            T_ASSERT(rc != 0 || strcmp(faults[i].call, "close") == 0 ||
                     strcmp(faults[i].call, "unlink") == 0);
        }
        T_EQ_INT(exchange_write("prng_exch", 0644), 0);
    }
    /* short writes are completed, not mistaken for the end */
    port_test_short("write", 1, 100);
    port_test_short("write", 2, 1);
    T_EQ_INT(exchange_write("prng_exch", 0644), 0);
    check_whole(old, 0, "short write");
    /* a power cut after each number of changing calls; after all of them the write is done */
    for (n = 0; n <= steps; n++) {
        T_EQ_INT(t_read_file("prng_exch", old, sizeof(old)), SIZE);
        port_test_crash_after(n);
        rc = exchange_write("prng_exch", 0644);
        port_test_reset(); /* "reboot" */
        port_test_fs = fs;
        /* the rename may be done and only the directory fsync lost: old or new, whole */
        check_whole(old, 0, "crash");
        if (n < steps) {
            T_ASSERT(rc != 0);
        } else {
            T_EQ_INT(rc, 0);
            T_EQ_INT(t_read_file("prng_exch", now, sizeof(now)), SIZE);
            T_ASSERT(memcmp(now, old, SIZE) != 0);
        }
        T_EQ_INT(exchange_write("prng_exch", 0644), 0);
    }
}

static void fault_at_every_step_on_disk(void)
{
    fault_at_every_step(PORT_FS_OTHER);
}

static void fault_at_every_step_on_tmpfs(void)
{
    fault_at_every_step(PORT_FS_TMPFS);
}

T_MAIN(T_CASE(written_whole_with_mode), T_CASE(bad_old_files_ignored_and_replaced),
       T_CASE(stale_temp_file_removed), T_CASE(fault_at_every_step_on_disk),
       T_CASE(fault_at_every_step_on_tmpfs))
