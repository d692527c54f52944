// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * KSM's entries (lib/ksm/ksm.c, lib/ksm/tune.c's reader) and how kvm-ksm
 * status prints them. The input is the files of /sys/kernel/mm/ksm, each
 * as "== NAME" and its contents (fuzz.h): the harness makes a directory of
 * them (the library lists it), and the I/O seam reads their contents from
 * the input. kvm-ksm.c is compiled in, for its static printing functions;
 * no command runs.
 */
#include "config.h"

#define main kvm_ksm_unused_main
int kvm_ksm_unused_main(int argc, char **argv);
#include "kvm-ksm.c"
#undef main

#include <fcntl.h>

#include "libkvmops-private.h"
#include "ksm/ksm.h"
#include "fuzz/fuzz.h"

static struct kvmops_ctx *ctx;
static char *root, ksm_dir[PATH_MAX];
static struct fuzz_files input;

/* The seam: a file of the KSM directory is the input's file of its name. */
static int seam_read(const char *path, char *buf, size_t len)
{
	size_t n = strlen(ksm_dir);

	if (strncmp(path, ksm_dir, n) || path[n] != '/')
		return -ENOENT;
	return fuzz_file_read(fuzz_file_find(&input, path + n + 1), buf, len);
}

static int seam_write(const char *path, const char *value)
{
	return -EPERM; /* nothing here writes; a write would be a finding */
}

static const struct kvmops_io seam = {
	.read_file = seam_read,
	.write_file = seam_write,
};

static void cleanup(void)
{
	fuzz_remove_tree(root);
	free(root);
}

static void setup(void)
{
	if (ctx)
		return;
	fuzz_quiet();
	root = fuzz_tmpdir();
	atexit(cleanup);
	snprintf(ksm_dir, sizeof(ksm_dir), "%s/sys/kernel/mm/ksm", root);
	if (fuzz_mkdirs(ksm_dir) || kvmops_new(&ctx) ||
	    kvmops_set_sysfs_root(ctx, root) || kvmops_set_proc_root(ctx, root))
		abort();
	kvmops_set_log_fn(ctx, NULL);
	kvmops_set_io(ctx, &seam);
}

/* The directory holds an empty file for each of the input's. */
static void make_entries(void)
{
	char path[PATH_MAX + NAME_MAX + 2];
	size_t i;
	int fd;

	fuzz_empty_dir(ksm_dir);
	for (i = 0; i < input.count; i++) {
		if (!fuzz_plain_name(input.files[i].name, NAME_MAX))
			continue;
		snprintf(path, sizeof(path), "%s/%s", ksm_dir,
			 input.files[i].name);
		fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		if (fd >= 0)
			close(fd);
	}
}

/* Every typed reading of every entry, and each value checked as a knob. */
static void read_entries(const struct kvmops_ksm *ksm)
{
	const char *name, *word;
	uint64_t u;
	int64_t s;
	size_t i;

	for (i = 0; i < kvmops_ksm_count(ksm); i++) {
		name = kvmops_ksm_name(ksm, i);
		if (kvmops_ksm_find(ksm, name) < 0)
			fuzz_fail("entry '%s' is listed but not found", name);
		kvmops_ksm_get_u64(ksm, name, &u);
		kvmops_ksm_get_s64(ksm, name, &s);
		kvmops_ksm_type(ksm, i);
		kvmops_ksm_help(ksm, i);
		kvmops_ksm_check(ctx, ksm, name, kvmops_ksm_text(ksm, i));
		if (!kvmops_ksm_get_choice(ksm, name, &word))
			kvmops_ksm_check(ctx, ksm, name, word);
	}
}

/* kvm-ksm status, in each of its forms. */
static void print_status(const struct kvmops_ksm *ksm)
{
	struct kvmops_ksm_figures f;

	kvmops_ksm_figures(ctx, ksm, &f);
	print_summary(&f, -1);
	print_summary(&f, 42);
	print_entries(ksm);
	print_status_json(ksm, &f, 42);
	print_prometheus(ksm, &f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kvmops_ksm_knobs knobs;
	struct kvmops_ksm *ksm;
	uint64_t run;

	setup();
	fuzz_files_parse(data, size, &input);
	make_entries();
	if (!kvmops_ksm_read(ctx, &ksm)) {
		read_entries(ksm);
		print_status(ksm);
		kvmops_ksm_free(ksm);
	}
	kvmops_ksm_knobs_read(ctx, &knobs);
	kvmops_ksm_counter(ctx, "run", &run);
	fflush(stdout);
	fuzz_files_free(&input);
	return 0;
}
