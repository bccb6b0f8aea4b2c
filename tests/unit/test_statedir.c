/* SPDX-License-Identifier: BSD-2-Clause */
/* test_statedir.c - the state directory is created right and never trusted when planted. */
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "port.h"
#include "statedir.h"
#include "t.h"

static unsigned mode_of(const char *path)
{
    struct stat sb;

    return lstat(path, &sb) == 0 ? (unsigned)(sb.st_mode & 07777) : 0xffff;
}

static void creates_missing_directory_with_exact_mode(void)
{
    umask(077);
    T_EQ_INT(statedir_prepare("state", 0750, port_uid(), port_gid(), 0), 0);
    T_EQ_INT(mode_of("state"), 0750);
    T_ASSERT(port_test_log_has("created state (mode 0750)"));
    umask(022);
    /* A second start finds it as it left it and changes nothing. */
    port_test_log_clear();
    T_EQ_INT(statedir_prepare("state", 0750, port_uid(), port_gid(), 0), 0);
    T_ASSERT(!port_test_log_has("created"));
}

static void tightens_a_loose_mode(void)
{
    T_EQ_INT(mkdir("state", 0755), 0);
    T_EQ_INT(statedir_prepare("state", 0750, port_uid(), port_gid(), 0), 0);
    T_EQ_INT(mode_of("state"), 0750);
}

static void refuses_symlink(void)
{
    T_EQ_INT(mkdir("elsewhere", 0750), 0);
    T_EQ_INT(symlink("elsewhere", "state"), 0);
    T_EQ_INT(statedir_prepare("state", 0750, port_uid(), port_gid(), 0), -1);
    T_ASSERT(port_test_log_has("symbolic link"));
}

static void refuses_a_file(void)
{
    T_EQ_INT(t_write_file("state", "x", 1), 0);
    T_EQ_INT(statedir_prepare("state", 0750, port_uid(), port_gid(), 0), -1);
}

static void refuses_directory_owned_by_someone_else(void)
{
    T_EQ_INT(mkdir("state", 0750), 0);
    /* Expecting another owner than the real one is the same as finding a foreign owner. */
    T_EQ_INT(statedir_prepare("state", 0750, port_uid() + 1, port_gid(), 0), -1);
    T_ASSERT(port_test_log_has("owned by uid"));
}

static void refuses_world_writable(void)
{
    T_EQ_INT(mkdir("state", 0777), 0);
    T_EQ_INT(chmod("state", 0777), 0);
    T_EQ_INT(statedir_prepare("state", 0750, port_uid(), port_gid(), 0), -1);
    T_ASSERT(port_test_log_has("writable by others"));
}

static void as_root_gives_directory_to_the_daemon_user(void)
{
    unsigned before = port_test_calls("fchown");

    port_test_root = 1;
    T_EQ_INT(statedir_prepare("state", 0750, 4242, 4343, 1), 0);
    T_EQ_INT(port_test_calls("fchown"), before + 1);
}

static void as_root_never_takes_over_an_existing_directory(void)
{
    /* The current directory, say a mistaken seed path's: it is not given away. */
    port_test_root = 1;
    T_EQ_INT(statedir_prepare(".", 0700, port_uid() + 1, port_gid(), 1), -1);
    T_EQ_INT(port_test_calls("fchown"), 0);
    T_EQ_INT(port_test_calls("fchmod"), 0);
    T_ASSERT(port_test_log_has("owned by uid"));
}

static void reports_mkdir_failure(void)
{
    port_test_fail("mkdir", 1, ENOSPC);
    T_EQ_INT(statedir_prepare("state", 0750, port_uid(), port_gid(), 0), -1);
    T_ASSERT(port_test_log_has("cannot create directory: No space left on device"));
}

T_MAIN(T_CASE(creates_missing_directory_with_exact_mode), T_CASE(tightens_a_loose_mode),
       T_CASE(refuses_symlink), T_CASE(refuses_a_file),
       T_CASE(refuses_directory_owned_by_someone_else), T_CASE(refuses_world_writable),
       T_CASE(as_root_gives_directory_to_the_daemon_user),
       T_CASE(as_root_never_takes_over_an_existing_directory), T_CASE(reports_mkdir_failure))
