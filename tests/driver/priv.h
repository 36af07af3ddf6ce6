/*
 * Running the tests as an ordinary user. docs/driver-abi.md: opening
 * /dev/duvisor needs nothing but access to the node (mode 0660, group set
 * by the host's init: platform/initramfs/rcS); every VM is confined by PMC.
 * So a hypervisor, and every attack in this suite, must be tried by a
 * process whose only privilege is the device's group: uid and gid
 * DV_TEST_UID/GID, the device's group as its one supplementary group, no
 * capabilities.
 *
 * driver_selftest starts as root (the host's init runs it) and drops to
 * that user in every test group's child, except the groups marked as
 * needing root in driver_selftest.c, which drop it themselves around the
 * parts that need none.
 */
#ifndef DRIVER_PRIV_H
#define DRIVER_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#define DV_TEST_UID 1000
#define DV_TEST_GID 1000

/* Become DV_TEST_UID/GID with the device's group as the only supplementary
 * group, for good (all of real, effective and saved ids). A process that
 * is not root already is left as it is. Returns 0, or -1 with a reason in
 * err. */
int become_user(char *err, unsigned long errlen);
/* Effective and permitted capability sets (from /proc/self/status);
 * ~0 if unknown. */
uint64_t cap_effective(void);
uint64_t cap_permitted(void);
/* "uid 1000 gid 1000 groups 78 caps 0" for messages. */
const char *cred_str(void);

#endif
