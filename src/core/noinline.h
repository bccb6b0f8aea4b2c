/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * noinline.h - TLSMGR_NOINLINE keeps a small function out of line where link-time optimisation
 * would copy it into each of its callers: for a helper called from several places, one copy
 * and a call each is smaller than a copy each.
 * TLSMGR_TABLE on a static table keeps the natural alignment of its type: GCC otherwise starts
 * an array of 16 bytes or more on a 16 or 32 byte boundary, padding that adds up across tables.
 */
#ifndef TLSMGR_NOINLINE_H
#define TLSMGR_NOINLINE_H

#if defined(__GNUC__)
#define TLSMGR_NOINLINE __attribute__((noinline))
#define TLSMGR_TABLE    __attribute__((aligned(1)))
#else
#define TLSMGR_NOINLINE
#define TLSMGR_TABLE
#endif

#endif
