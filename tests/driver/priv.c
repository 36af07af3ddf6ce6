/* Running the tests as an ordinary user; see priv.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dv.h"
#include "priv.h"

int become_user(char *err, unsigned long errlen)
{
	struct stat st;
	if (geteuid() != 0)
		return 0;
	if (stat(DV_DEV, &st) < 0) {
		snprintf(err, errlen, "stat %s: %s", DV_DEV, strerror(errno));
		return -1;
	}
	gid_t dev_group = st.st_gid;
	if (setgroups(1, &dev_group) < 0 || setresgid(DV_TEST_GID, DV_TEST_GID, DV_TEST_GID) < 0 ||
	    setresuid(DV_TEST_UID, DV_TEST_UID, DV_TEST_UID) < 0) {
		snprintf(err, errlen, "dropping to uid %d gid %d group %u: %s", DV_TEST_UID,
			 DV_TEST_GID, (unsigned)dev_group, strerror(errno));
		return -1;
	}
	/* Changing credentials made the process non-dumpable, which makes
	 * its /proc files root's; the tests read some of them. */
	prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	return 0;
}

static uint64_t status_hex(const char *key)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[160];
	unsigned long long v = ~0ULL;
	size_t n = strlen(key);
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':' &&
		    sscanf(line + n + 1, "%llx", &v) == 1)
			break;
	if (f)
		fclose(f);
	return v;
}

uint64_t cap_effective(void)
{
	return status_hex("CapEff");
}

uint64_t cap_permitted(void)
{
	return status_hex("CapPrm");
}

const char *cred_str(void)
{
	static char buf[160];
	gid_t g[8];
	int n = getgroups(8, g), len;
	len = snprintf(buf, sizeof(buf), "uid %u euid %u gid %u egid %u groups", (unsigned)getuid(),
		       (unsigned)geteuid(), (unsigned)getgid(), (unsigned)getegid());
	for (int i = 0; i < n && len < (int)sizeof(buf) - 16; i++)
		len += snprintf(buf + len, sizeof(buf) - (size_t)len, "%s%u", i ? "," : " ",
				(unsigned)g[i]);
	snprintf(buf + len, sizeof(buf) - (size_t)len, "%s caps 0x%llx", n > 0 ? "" : " none",
		 (unsigned long long)cap_effective());
	return buf;
}
