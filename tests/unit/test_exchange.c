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

static void fault_at_every_step(void)
{
    static const struct {
        const char *call;
        int err;
    } faults[] = {{"unlink", EIO},   {"open", EACCES}, {"fchmod", EPERM},
                  {"write", ENOSPC}, {"write", EIO},   {"fsync", EIO},
                  {"close", EIO},    {"rename", EIO},  {"rename", EXDEV}};
    unsigned char old[SIZE];
    unsigned i, n;
    int rc;

    entropy_reset();
    T_EQ_INT(exchange_write("prng_exch", 0644), 0);
    for (i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
        T_EQ_INT(t_read_file("prng_exch", old, sizeof(old)), SIZE);
        port_test_fail(faults[i].call, 1, faults[i].err);
        rc = exchange_write("prng_exch", 0644);
        check_whole(old, rc, faults[i].call);
        T_ASSERT(rc != 0 || strcmp(faults[i].call, "close") == 0 ||
                 strcmp(faults[i].call, "unlink") == 0);
        T_EQ_INT(exchange_write("prng_exch", 0644), 0);
    }
    /* short writes are completed, not mistaken for the end */
    port_test_short("write", 1, 100);
    port_test_short("write", 2, 1);
    T_EQ_INT(exchange_write("prng_exch", 0644), 0);
    check_whole(old, 0, "short write");
    /* power cut after every number of changing calls */
    for (n = 0; n < 12; n++) {
        T_EQ_INT(t_read_file("prng_exch", old, sizeof(old)), SIZE);
        port_test_crash_after(n);
        rc = exchange_write("prng_exch", 0644);
        port_test_reset(); /* "reboot" */
        /* the rename may be done and only the directory fsync lost: old or new, whole */
        (void)rc;
        check_whole(old, 0, "crash");
        T_EQ_INT(exchange_write("prng_exch", 0644), 0);
    }
}

T_MAIN(T_CASE(written_whole_with_mode), T_CASE(bad_old_files_ignored_and_replaced),
       T_CASE(stale_temp_file_removed), T_CASE(fault_at_every_step))
