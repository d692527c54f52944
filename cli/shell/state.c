// SPDX-License-Identifier: GPL-2.0-or-later
/* Files the commands keep between runs: history, destinations, scans. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "shell/shell-private.h"

static int mkdir_p(char *path)
{
	char *p;

	for (p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) && errno != EEXIST) {
			*p = '/';
			return -errno;
		}
		*p = '/';
	}
	if (mkdir(path, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

char *kvs_state_file(const char *name)
{
	const char *base = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	char dir[4096], *path;

	if (base && *base == '/')
		snprintf(dir, sizeof(dir), "%s/kvmops", base);
	else if (home && *home)
		snprintf(dir, sizeof(dir), "%s/.local/state/kvmops", home);
	else
		return NULL;
	if (mkdir_p(dir))
		return NULL;
	if (asprintf(&path, "%s/%s", dir, name) < 0)
		return NULL;
	return path;
}
