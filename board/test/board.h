/* SPDX-License-Identifier: BSD-2-Clause */
/* test - the unit tests' build: paths under the current directory, small limits so that
 * limit paths are reached by small tests. */
#define TLSMGR_BOARD_NAME              "test"
#define TLSMGR_DEFAULT_CONFIG_FILE     "tlsmgr.conf"
#define TLSMGR_DEFAULT_STATE_DIRECTORY "state"
#define TLSMGR_DEFAULT_SEED_FILE       "seed/seed"
#define TLSMGR_EGD_MAX_CLIENTS         4
#define TLSMGR_SWEEP_BATCH             100
#define TLSMGR_DRBG_BOTH               1
