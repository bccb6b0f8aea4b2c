/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_guard.c - the port's fault guard and mapping detach, on real mappings of real files: a
 * read past the end of a guarded file cut short returns from the guard; every other fault
 * (another file, SIGSEGV, a SIGBUS sent by kill) still ends the process as it would have
 * without the guard; the previous SIGBUS action is back afterwards; a detached mapping reads
 * zeros. Where the port cannot list its mappings, the guard runs its function as is and
 * detach fails with ENOSYS: the cases say so and check that instead.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "port.h"
#include "t.h"

#define PAGES 4

static long page;

/* A file of PAGES pages of 0xAB, mapped shared; *fd gets its descriptor. */
static volatile uint8_t *map_file(const char *name, int *fd)
{
    uint8_t b[65536];
    void *m;

    page = sysconf(_SC_PAGESIZE);
    T_ASSERT(page > 0 && page * PAGES <= (long)sizeof(b));
    memset(b, 0xAB, sizeof(b));
    T_EQ_INT(t_write_file(name, b, (size_t)page * PAGES), 0);
    *fd = port_open(name, PORT_O_RDWR, 0);
    T_ASSERT(*fd >= 0);
    m = mmap(NULL, (size_t)page * PAGES, PROT_READ | PROT_WRITE, MAP_SHARED, *fd, 0);
    T_ASSERT(m != MAP_FAILED);
    return m;
}

/* 1 when this port can tell which file a mapping belongs to. */
static int port_lists_mappings(void)
{
    int fd = port_open(".", PORT_O_RDONLY | PORT_O_DIRECTORY, 0), rc;

    rc = port_map_detach(fd);
    port_close(fd);
    return rc >= 0 || errno != ENOSYS;
}

struct cut {
    int fd;
    volatile uint8_t *map;
    unsigned got;
    int reached_end;
};

/* Cuts the file to one page, then reads its last page. */
static void cut_and_read(void *arg)
{
    struct cut *c = arg;

    T_EQ_INT(port_ftruncate(c->fd, (uint64_t)page), 0);
    c->got = c->map[(PAGES - 1) * page];
    c->reached_end = 1;
}

static void guarded_cut_child(void)
{
    struct cut c;

    memset(&c, 0, sizeof(c));
    c.map = map_file("data", &c.fd);
    T_EQ_INT(port_guard(&c.fd, 1, cut_and_read, &c), 1);
}

static void fault_in_guarded_file_returns(void)
{
    struct cut c;

    /* Where the port cannot tell where a fault lies, the guard lets it through: the process
     * ends as it would without the guard. Where the machine misnames it (here, one page past
     * the end of the mapping), the same. */
    if (!port_lists_mappings()) {
        t_child_dies(guarded_cut_child);
        return;
    }
    if (!t_fault_addresses_exact()) {
        t_guarded_child(guarded_cut_child);
        return;
    }
    memset(&c, 0, sizeof(c));
    c.map = map_file("data", &c.fd);
    T_EQ_INT(port_guard(&c.fd, 1, cut_and_read, &c), 1);
    T_EQ_INT(c.reached_end, 0);
    /* The process goes on: the first page is still there, and a second guard works too. */
    T_EQ_INT(c.map[0], 0xAB);
    T_EQ_INT(port_guard(&c.fd, 1, cut_and_read, &c), 1);
    munmap((void *)c.map, (size_t)page * PAGES);
    port_close(c.fd);
}

/* Reads the last page, as it is. */
static void read_end(void *arg)
{
    struct cut *c = arg;

    c->got = c->map[(PAGES - 1) * page];
    c->reached_end = 1;
}

static void no_fault_returns_zero(void)
{
    struct cut c;

    memset(&c, 0, sizeof(c));
    c.map = map_file("data", &c.fd);
    T_EQ_INT(port_guard(&c.fd, 1, read_end, &c), 0);
    T_EQ_INT(c.reached_end, 1);
    T_EQ_INT(c.got, 0xAB);
    munmap((void *)c.map, (size_t)page * PAGES);
    port_close(c.fd);
}

/* ---- Faults the guard must not hide (each in a child that must not come back) ---------- */

static int guarded_fd;

static void fault_in_other_file(void *arg)
{
    struct cut *c = arg;

    cut_and_read(c);
}

static void other_file_child(void)
{
    struct cut c;
    int fd;

    memset(&c, 0, sizeof(c));
    c.map = map_file("other", &c.fd);
    (void)map_file("data", &fd);
    guarded_fd = fd;
    (void)port_guard(&guarded_fd, 1, fault_in_other_file, &c);
    _exit(0); /* came back: the fault was hidden */
}

static void segv(void *arg)
{
    volatile int *p = arg;

    *p = 1;
}

static void segv_child(void)
{
    int fd;

    (void)map_file("data", &fd);
    (void)port_guard(&fd, 1, segv, NULL);
    _exit(0);
}

static void raise_bus(void *arg)
{
    (void)arg;
    kill(getpid(), SIGBUS);
}

static void sent_child(void)
{
    int fd;

    (void)map_file("data", &fd);
    (void)port_guard(&fd, 1, raise_bus, NULL);
    _exit(0);
}

static void fault_in_unguarded_file_kills(void)
{
    t_child_dies(other_file_child);
}

static void segv_kills(void)
{
    t_child_dies(segv_child);
}

static void sigbus_sent_by_kill_kills(void)
{
    t_child_dies(sent_child);
}

/* ---- The previous action is back; nesting; detach ---------------------------------------- */

static void on_bus(int sig)
{
    (void)sig;
}

static void noop(void *arg)
{
    (void)arg;
}

static void previous_action_restored(void)
{
    struct sigaction sa, now;
    int fd;

    (void)map_file("data", &fd);
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_bus;
    sigemptyset(&sa.sa_mask);
    T_EQ_INT(sigaction(SIGBUS, &sa, NULL), 0);
    T_EQ_INT(port_guard(&fd, 1, noop, NULL), 0);
    T_EQ_INT(sigaction(SIGBUS, NULL, &now), 0);
    T_ASSERT(now.sa_handler == on_bus);
    sa.sa_handler = SIG_DFL;
    sigaction(SIGBUS, &sa, NULL);
    port_close(fd);
}

static struct cut nested_cut;

static void inner(void *arg)
{
    (void)arg;
    T_EQ_INT(port_guard(&nested_cut.fd, 1, cut_and_read, &nested_cut), 0);
}

static void nested_guard_runs_under_outer(void)
{
    memset(&nested_cut, 0, sizeof(nested_cut));
    nested_cut.map = map_file("data", &nested_cut.fd);
    if (!port_lists_mappings() || !t_fault_addresses_exact())
        return; /* fault_in_guarded_file_returns checked what happens there */
    /* The inner guard does not install its own: the outer one catches the fault. */
    T_EQ_INT(port_guard(&nested_cut.fd, 1, inner, NULL), 1);
    T_EQ_INT(nested_cut.reached_end, 0);
    port_close(nested_cut.fd);
}

static void detached_mapping_reads_zeros(void)
{
    volatile uint8_t *m;
    int fd;

    m = map_file("data", &fd);
    if (!port_lists_mappings()) {
        errno = 0;
        T_EQ_INT(port_map_detach(fd), -1);
        T_EQ_INT(errno, ENOSYS);
        return;
    }
    T_EQ_INT(port_ftruncate(fd, 0), 0);
    T_EQ_INT(port_map_detach(fd), 1);
    /* Past the end of the file, and yet no fault: private zero pages. */
    T_EQ_INT(m[(PAGES - 1) * page], 0);
    T_EQ_INT(m[0], 0);
    /* The file is no longer reached: a write to it does not show. */
    T_EQ_INT(port_ftruncate(fd, (uint64_t)page), 0);
    T_EQ_INT(pwrite(fd, "x", 1, 0), 1);
    T_EQ_INT(m[0], 0);
    T_EQ_INT(munmap((void *)m, (size_t)page * PAGES), 0);
    port_close(fd);
}

/* Linux lists them (/proc/self/maps), also under qemu-user: the cases above are not empty
 * there. */
static void mappings_listed_on_linux(void)
{
#ifdef __linux__
    T_ASSERT(port_lists_mappings());
#endif
}

T_MAIN(T_CASE(mappings_listed_on_linux), T_CASE(fault_in_guarded_file_returns),
       T_CASE(no_fault_returns_zero), T_CASE(fault_in_unguarded_file_kills), T_CASE(segv_kills),
       T_CASE(sigbus_sent_by_kill_kills), T_CASE(previous_action_restored),
       T_CASE(nested_guard_runs_under_outer), T_CASE(detached_mapping_reads_zeros))
