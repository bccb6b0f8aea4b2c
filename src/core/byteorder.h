/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * byteorder.h - big-endian integers in byte buffers: the one encoder of every format and digest
 * input of tlsmgr (cache keys and entries, hashed lengths and counters, EGD answers), so files
 * and known answers are the same on every host.
 */
#ifndef TLSMGR_BYTEORDER_H
#define TLSMGR_BYTEORDER_H

#include <stdint.h>

void put_be64(uint8_t *p, uint64_t v);
uint64_t get_be64(const uint8_t *p);
void put_be32(uint8_t *p, uint32_t v);
uint32_t get_be32(const uint8_t *p);

#endif
