// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The host's memory as the kernel tells it: /proc/meminfo, PSI files, and
 * the "key value" lines of files such as a cgroup's memory.stat.
 */
#include "config.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libkvmops-private.h"

bool kvmops_line_u64(const char *buf, const char *key, uint64_t *value)
{
	size_t len = strlen(key);
	const char *p;

	for (p = buf; (p = strstr(p, key)); p += len)
		if ((p == buf || p[-1] == '\n') &&
		    sscanf(p + len, " %" SCNu64, value) == 1)
			return true;
	return false;
}

int kvmops_read_meminfo(struct kvmops_ctx *ctx, uint64_t *total_kib,
			uint64_t *available_kib)
{
	char path[PATH_MAX], buf[8192];
	int rc;

	kvmops_proc_path(ctx, path, sizeof(path), "/proc/meminfo");
	rc = kvmops_read_file_again(ctx, path, buf, sizeof(buf));
	if (rc < 0)
		return kvmops_fail(ctx, rc, "cannot read %s: %s", path,
				   strerror(-rc));
	if (!kvmops_line_u64(buf, "MemTotal:", total_kib) ||
	    !kvmops_line_u64(buf, "MemAvailable:", available_kib))
		return kvmops_fail(
			ctx, -EIO,
			"%s has no MemTotal or no MemAvailable (Linux 3.14 and later have both)",
			path);
	return 0;
}

int kvmops_read_psi_some_avg10(struct kvmops_ctx *ctx, const char *path,
			       double *avg10)
{
	char buf[512];
	const char *p;
	int rc = kvmops_read_file_again(ctx, path, buf, sizeof(buf));

	if (rc < 0)
		return rc;
	p = strstr(buf, "some avg10=");
	if (!p || (p != buf && p[-1] != '\n') ||
	    sscanf(p + strlen("some avg10="), "%lf", avg10) != 1)
		return -EIO;
	return 0;
}
