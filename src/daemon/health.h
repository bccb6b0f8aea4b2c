/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * health.h - SP 800-90B continuous health tests on raw source bytes: the repetition count
 * test (a byte value repeated too often in a row) and the adaptive proportion test (the first
 * byte of a window occurring too often in it). Cutoffs come from TLSMGR_HEALTH_MIN_ENTROPY
 * and TLSMGR_HEALTH_ALPHA_LOG2 (config/tlsmgr_config.h).
 */
#ifndef TLSMGR_HEALTH_H
#define TLSMGR_HEALTH_H

#include <stddef.h>

struct health {
    unsigned char rct_value;
    unsigned rct_run;
    unsigned char apt_value;
    unsigned apt_seen;  /* bytes of the current window so far (0: none) */
    unsigned apt_count; /* occurrences of apt_value in it, the first included */
};

void health_init(struct health *h);
/* Runs both tests over len bytes. Returns 0, or -1 when a test failed in them (the tests
 * restart, so later input is judged afresh). */
int health_feed(struct health *h, const unsigned char *data, size_t len);
/* The cutoffs in use: a run of rct bytes fails the RCT; apt occurrences in a window fail the
 * APT. */
unsigned health_rct_cutoff(void);
unsigned health_apt_cutoff(void);

#endif
