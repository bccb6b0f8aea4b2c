/* SPDX-License-Identifier: BSD-2-Clause */
/* test_log.c - one log API: priorities, verbosity, truncation, silence for the library. */
#include <string.h>

#include "log.h"
#include "port.h"
#include "t.h"

static void priorities_reach_the_sink(void)
{
    log_open("t", 0, 1, 0);
    log_err("e %d", 1);
    log_warn("w %s", "x");
    log_notice("n");
    log_info("i");
    T_ASSERT(port_test_log_has("3 e 1\n"));
    T_ASSERT(port_test_log_has("4 w x\n"));
    T_ASSERT(port_test_log_has("5 n\n"));
    T_ASSERT(port_test_log_has("6 i\n"));
}

static void debug_only_when_verbose(void)
{
    log_open("t", 0, 1, 0);
    log_debug("hidden");
    T_ASSERT(!port_test_log_has("hidden"));
    log_open("t", 0, 1, 1);
    log_debug("shown");
#if TLSMGR_LOG_DEBUG
    T_ASSERT(port_test_log_has("7 shown"));
#endif
}

static void long_messages_are_cut_not_overflowed(void)
{
    char big[TLSMGR_LOG_LINE * 3];
    const char *log;

    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    log_open("t", 0, 1, 0);
    log_info("%s", big);
    log = port_test_log();
    T_EQ_INT(strlen(log), 2 + (TLSMGR_LOG_LINE - 1) + 1);
}

static void library_default_is_silent(void)
{
    log_open("t", 0, 1, 0);
    log_enable(0);
    log_err("should not appear");
    T_ASSERT(!port_test_log_has("should not appear"));
    log_enable(1);
    log_err("appears");
    T_ASSERT(port_test_log_has("appears"));
}

T_MAIN(T_CASE(priorities_reach_the_sink), T_CASE(debug_only_when_verbose),
       T_CASE(long_messages_are_cut_not_overflowed), T_CASE(library_default_is_silent))
