// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * replay FILE|DIR...: runs a fuzz harness (linked in) once on each file
 * named, and on each file of each directory named, in name order. What
 * make check runs where libFuzzer is not: a finding aborts the replay
 * (the sanitizers it is built with, or the harness's own checks).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Said on a copy of stderr: the harness silences the FILE stderr. */
static FILE *out;

/* The file's bytes in a buffer of exactly its size, so overreads show. */
static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rbe");
	uint8_t *data = NULL;
	struct stat st;
	size_t size;

	if (!f || fstat(fileno(f), &st)) {
		fprintf(out, "replay: cannot read %s: %s\n", path,
			strerror(errno));
		if (f)
			fclose(f);
		return 1;
	}
	size = (size_t)st.st_size;
	data = malloc(size ? size : 1);
	if (!data || fread(data, 1, size, f) != size) {
		fprintf(out, "replay: cannot read %s\n", path);
		free(data);
		fclose(f);
		return 1;
	}
	fclose(f);
	fprintf(out, "replay: %s\n", path);
	fflush(out);
	LLVMFuzzerTestOneInput(data, size);
	free(data);
	return 0;
}

static int replay_dir(const char *dir)
{
	struct dirent **names;
	char path[4096];
	int n, i, faults = 0;

	n = scandir(dir, &names, NULL, alphasort);
	if (n < 0) {
		fprintf(out, "replay: cannot list %s: %s\n", dir,
			strerror(errno));
		return 1;
	}
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		if (names[i]->d_name[0] != '.')
			faults += replay_file(path);
		free(names[i]);
	}
	free(names);
	return faults;
}

int main(int argc, char **argv)
{
	struct stat st;
	int i, faults = 0;

	out = fdopen(dup(STDERR_FILENO), "w");
	if (!out)
		return 1;
	for (i = 1; i < argc; i++) {
		if (!stat(argv[i], &st) && S_ISDIR(st.st_mode))
			faults += replay_dir(argv[i]);
		else
			faults += replay_file(argv[i]);
	}
	fclose(out);
	return faults ? 1 : 0;
}
