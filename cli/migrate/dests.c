// SPDX-License-Identifier: GPL-2.0-or-later
/* Remembered destinations, for completion (dests.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migrate/dests.h"

static char *dests_path(void)
{
	return kvs_state_file("kvm-migrate_destinations");
}

static size_t dests_read(char **uris, size_t max)
{
	char *path = dests_path(), line[1024];
	FILE *f = path ? fopen(path, "r") : NULL;
	size_t n = 0;

	while (f && n < max && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (*line)
			uris[n++] = strdup(line);
	}
	if (f)
		fclose(f);
	free(path);
	return n;
}

/* Written whole to a temporary file, then renamed. */
void dests_remember(const char *uri)
{
	char *uris[DESTS_MAX], *path = dests_path(), tmp[4096];
	size_t n = dests_read(uris, DESTS_MAX), i, kept = 1;
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.new", path ? path : "");
	f = path ? fopen(tmp, "w") : NULL;
	if (f) {
		fprintf(f, "%s\n", uri);
		for (i = 0; i < n && kept < DESTS_MAX; i++)
			if (uris[i] && strcmp(uris[i], uri) &&
			    fprintf(f, "%s\n", uris[i]) > 0)
				kept++;
		if (!fclose(f))
			rename(tmp, path);
	}
	for (i = 0; i < n; i++)
		free(uris[i]);
	free(path);
}

void dests_complete(struct kvs_list *out)
{
	char *uris[DESTS_MAX];
	size_t n = dests_read(uris, DESTS_MAX), i;

	for (i = 0; i < n; i++) {
		kvs_list_add(out, uris[i]);
		free(uris[i]);
	}
}
