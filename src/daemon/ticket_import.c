/* SPDX-License-Identifier: BSD-2-Clause */
/* ticket_import.c - ticket keys taken from tls_ticket_key_source. */
#include <errno.h>
#include <string.h>

#include "log.h"
#include "readfile.h"
#include "ticket_files.h"
#include "ticket_import.h"
#include "wipe.h"

/* TLSMGR_TICKET_EXPORT 0 leaves the import out of the build. */
#if TLSMGR_TICKET_EXPORT

#define SOURCE_MAX (TICKET_FILE_HEADER + TICKET_SLOTS * TICKET_RECORD_LEN)

/* Reads and checks the file into *got, through buf. Returns NULL, or why it is refused (then
 * *got holds nothing to use). The caller wipes buf and got either way. */
static const char *load(const char *path, uint8_t buf[SOURCE_MAX], struct ticket_slots *got,
                        int64_t now)
{
    struct readfile rf;
    int r = readfile(path, buf, SOURCE_MAX, &rf);

    if (r < 0)
        return strerror(errno); /* ELOOP: a symbolic link (port_open never follows one) */
    if (r > 0)
        return "not a regular file";
    if (rf.mode & 002)
        return "writable by others";
    if (rf.more)
        return "too long";
    return ticket_file_decode(buf, rf.len, now, got);
}

int ticket_import_apply(struct ticket_import *im, const char *path, struct ticket_slots *s,
                        int64_t now)
{
    uint8_t buf[SOURCE_MAX];
    struct ticket_slots got;
    const char *why = load(path, buf, &got, now);
    int changed;

    if (why == NULL) {
        changed = memcmp(&got, s, sizeof(got)) != 0;
        *s = got; /* overwrites every key byte of the slots in use */
        if (changed || im->refused != NULL)
            log_info("ticket keys: took %u keys from %s", ticket_slots_count(s), path);
    } else {
        if (why != im->refused)
            log_warn("ticket source %s: %s; keys kept", path, why);
        changed = ticket_slots_expire(s, now) != 0;
    }
    wipe(buf, sizeof(buf));
    ticket_slots_wipe(&got);
    im->refused = why;
    return changed;
}

#endif /* TLSMGR_TICKET_EXPORT */
