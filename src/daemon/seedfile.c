/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * seedfile.c - the seed protocol. The order is the point: a seed is removed from disk (and the
 * removal is on disk) before it is credited, so no crash can make two boots credit it; a new
 * seed appears under its name only whole.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "atomic_file.h"
#include "entropy.h"
#include "exchange.h"
#include "log.h"
#include "port.h"
#include "seedfile.h"
#include "wipe.h"

#define NOCREDIT_SUFFIX ".nocredit"
#define CREDIT_BITS     256 /* the kernel takes at most 256 bits per call */
#define TEXT(n)         #n
#define TEXT_OF(n)      TEXT(n)

static int lock_fd = -1;
static int lock_failed; /* another instance holds the directory: leave the seed alone */
static int credit_refused;

static int lock_dir(const char *path)
{
    char dir[TLSMGR_PATH_MAX];
    int fd;

    if (lock_fd >= 0)
        return 0;
    if (lock_failed)
        return -1;
    (void)atomic_dirname(path, dir, sizeof(dir)); /* path is shorter than dir (conf.c) */
    fd = port_open(dir, PORT_O_RDONLY | PORT_O_DIRECTORY, 0);
    if (fd < 0) {
        log_err_errno("seed: open %s", dir);
        return -1;
    }
    if (port_lock(fd) != 0) {
        log_err_errno("seed: %s locked, left alone", dir);
        port_close(fd);
        lock_failed = 1;
        return -1;
    }
    lock_fd = fd;
    return 0;
}

void seedfile_close(void)
{
    if (lock_fd >= 0)
        port_close(lock_fd);
    lock_fd = -1;
    lock_failed = 0;
    credit_refused = 0;
}

static void credit(const unsigned char *buf, size_t len)
{
#if TLSMGR_KERNEL_CREDIT
    if (credit_refused)
        return;
    if (port_kernel_credit(buf, len, CREDIT_BITS) != 0) {
        /* Without CAP_SYS_ADMIN this never works: say so once and never try again. */
        credit_refused = 1;
        log_warn_errno("seed: credit refused, not retried");
        return;
    }
    entropy_stats()->credited_bits += CREDIT_BITS;
    log_info("seed: credited " TEXT_OF(CREDIT_BITS) " bits");
#else
    (void)buf;
    (void)len;
#endif
}

/* Reads one seed, removes it from disk, mixes it, and credits it when asked. */
static int load_one(const char *path, int credit_ok, unsigned owner)
{
    unsigned char buf[TLSMGR_SEED_SIZE];
    struct port_stat st;
    int r = atomic_file_read(path, buf, sizeof(buf), "seed");
    int gone, ours;

    if (r == 1)
        return 0;
    /* A seed this daemon wrote is owned by its user and private. Any other (shipped in a
     * firmware image, copied by hand) may exist on many devices: mixed, never credited. */
    ours = port_lstat(path, &st) == 0 && st.uid == owner && (st.mode & 077) == 0;
    /* Invalidate before use; a bad file is removed too so that it is replaced cleanly. */
    gone = atomic_file_unlink(path, "seed") >= 0;
    if (r != 0)
        return 0;
    entropy_mix("seed", buf, sizeof(buf));
    log_info("seed %s: mixed", path); /* a failed removal said so, and stops the credit */
    if (credit_ok && gone) {
        if (ours)
            credit(buf, sizeof(buf));
        else
            log_notice("seed %s: foreign owner or mode, not credited", path);
    }
    wipe(buf, sizeof(buf));
    return 1;
}

/* Locks the seed's directory and names the file of a seed that is not creditable (room for it:
 * the configured path is shorter than TLSMGR_PATH_MAX). 0, or -1 when the lock failed. */
static int seed_names(const char *path, char nc[TLSMGR_PATH_MAX + sizeof(NOCREDIT_SUFFIX)])
{
    snprintf(nc, TLSMGR_PATH_MAX + sizeof(NOCREDIT_SUFFIX), "%s" NOCREDIT_SUFFIX, path);
    return lock_dir(path);
}

int seedfile_load(const char *path, int credit_allowed, unsigned owner)
{
    char nc[TLSMGR_PATH_MAX + sizeof(NOCREDIT_SUFFIX)];
    int n = 0, credit_ok;

    if (seed_names(path, nc) != 0)
        return 0;
    /* Crediting after the kernel RNG is ready does nothing; before, it is what gets a router
     * through the boot-time entropy hole. */
    credit_ok = credit_allowed && port_kernel_rng_ready() != 1;
    n += load_one(path, credit_ok, owner);
    n += load_one(nc, 0, owner);
    if (n == 0)
        log_info("seed %s: none found", path);
    return n;
}

int seedfile_save(const char *path, int creditable)
{
    char nc[TLSMGR_PATH_MAX + sizeof(NOCREDIT_SUFFIX)];

    if (seed_names(path, nc) != 0 ||
        exchange_write_output(creditable ? path : nc, TLSMGR_SEED_SIZE, 0600, "seed",
                              &entropy_stats()->seed_writes) != 0)
        return -1;
    /* The other name would hold an older seed: the newest one is enough. */
    atomic_file_unlink(creditable ? nc : path, "seed");
    return 0;
}
