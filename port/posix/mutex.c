/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mutex.c - libtlsmgr's one lock (pthread). Registered with pthread_atfork so that fork()
 * takes it first: the child starts with it free and with no call of the parent half done.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>

#include "port.h"

static pthread_mutex_t lib_mutex = PTHREAD_MUTEX_INITIALIZER;

static void before_fork(void)
{
    pthread_mutex_lock(&lib_mutex);
}

static void after_fork(void)
{
    pthread_mutex_unlock(&lib_mutex);
}

/* Without the handlers a fork during a call would leave the child's lock held. Registered
 * when the code is loaded, before any thread can call in, instead of by a pthread_once on
 * every lock. (glibc drops the handlers of a dlopen()ed copy when it is unloaded; musl never
 * unloads.) Without the constructor attribute, the first lock registers them, once. */
#if defined(__GNUC__)
__attribute__((constructor)) static void register_atfork(void)
{
    (void)pthread_atfork(before_fork, after_fork, after_fork);
}
#define REGISTER_ONCE()
#else
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

static void register_atfork(void)
{
    (void)pthread_atfork(before_fork, after_fork, after_fork);
}
#define REGISTER_ONCE() (void)pthread_once(&atfork_once, register_atfork)
#endif

void port_mutex_lock(void)
{
    REGISTER_ONCE();
    (void)pthread_mutex_lock(&lib_mutex);
}

void port_mutex_unlock(void)
{
    (void)pthread_mutex_unlock(&lib_mutex);
}
