/* SPDX-License-Identifier: BSD-2-Clause */
/* client.c - the libtlsmgr handle: configuration shared with the daemon, service tag, pid. */
#include <stdlib.h>
#include <string.h>

#include "cache_client.h"
#include "client.h"
#include "port.h"
#include "ticket_client.h"

const char *tlsmgr_version(void)
{
    return TLSMGR_VERSION;
}

int tlsmgr_open(struct tlsmgr **out, const char *conf_file, const char *service_tag)
{
    struct tlsmgr *t;
    size_t taglen;

    if (out == NULL || service_tag == NULL)
        return TLSMGR_ERR_ARG;
    *out = NULL;
    taglen = strlen(service_tag);
    if (taglen == 0 || taglen > TLSMGR_MAX_TAG_LEN)
        return TLSMGR_ERR_ARG;
    /* Every field is set below: one allocator (malloc) for the whole library. */
    t = malloc(sizeof(*t));
    if (t == NULL)
        return TLSMGR_ERR_NOMEM;
    if (conf_load_client(&t->conf, conf_file != NULL ? conf_file : TLSMGR_DEFAULT_CONFIG_FILE) <
        0) {
        free(t);
        return TLSMGR_ERR_CONFIG;
    }
    memcpy(t->tag, service_tag, taglen);
    t->taglen = taglen;
    t->pid = port_pid();
    t->cache = NULL;
    t->tickets = NULL;
    *out = t;
    return 0;
}

void tlsmgr_close(struct tlsmgr *t)
{
    if (t == NULL)
        return;
    ticket_client_free(t);
    cache_client_free(t);
    memset(t, 0, sizeof(*t));
    free(t);
}
