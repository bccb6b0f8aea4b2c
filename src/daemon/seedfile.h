/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * seedfile.h - the persistent seed (DESIGN 3.5), in seedrng's order: lock the directory, read
 * the old seed, make it unusable on disk before it is used, mix it, credit it to the kernel
 * only if it was written as creditable, and write the next seed through a temp file.
 * "FILE" (tls_random_seed_file) holds a creditable seed, "FILE.nocredit" one written before
 * the kernel RNG was ready.
 */
#ifndef TLSMGR_SEEDFILE_H
#define TLSMGR_SEEDFILE_H

/* path is tls_random_seed_file, called for only when it is set. */

/* Start-up, before the privilege drop: locks the seed directory (kept until seedfile_close),
 * reads and invalidates the old seed(s), mixes them in and credits a creditable one when
 * credit is set and the file is owned by owner (the daemon's user) with no group or other
 * permission, as this daemon writes it. Returns the number of seeds mixed (0 when none;
 * never fails start-up). */
int seedfile_load(const char *path, int credit, unsigned owner);
/* Writes a new seed from the generator: creditable (to FILE) or not (to FILE.nocredit), and
 * removes the other name. Returns 0 or -1 (logged). */
int seedfile_save(const char *path, int creditable);
/* Releases the directory lock. */
void seedfile_close(void);

#endif
