/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * noinline.h - TLSMGR_NOINLINE keeps a small function out of line where link-time optimisation
 * would copy it into each of its callers: for a helper called from several places, one copy
 * and a call each is smaller than a copy each.
 */
#ifndef TLSMGR_NOINLINE_H
#define TLSMGR_NOINLINE_H

#if defined(__GNUC__)
#define TLSMGR_NOINLINE __attribute__((noinline))
#else
#define TLSMGR_NOINLINE
#endif

#endif
