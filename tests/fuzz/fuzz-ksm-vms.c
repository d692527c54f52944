// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * KSM per guest (lib/ksm/vms.c, lib/policy/ksm-share.c) and how kvm-ksm
 * vms prints it. The input is files of /proc (fuzz.h): "== PID/exe" holds
 * the executable a symbolic link PID/exe points to, "== PID/cmdline",
 * "PID/ksm_stat", "PID/ksm_merging_pages" and "PID/status" their contents;
 * "== ksm/pages_shared" and "ksm/pages_sharing" are KSM's counters. The
 * harness makes the directories and links (the library lists /proc and
 * reads the links), and the I/O seam reads the rest from the input.
 */
#include "config.h"

#define main kvm_ksm_unused_main
int kvm_ksm_unused_main(int argc, char **argv);
#include "kvm-ksm.c"
#undef main

#include "libkvmops-private.h"
#include "ksm/ksm.h"
#include "fuzz/fuzz.h"

#define PID_NAME_MAX 16

static struct kvmops_ctx *ctx;
static char *root, proc_dir[PATH_MAX], ksm_dir[PATH_MAX];
static struct fuzz_files input;

/* @path under @dir: the rest of it, after the slash; else NULL. */
static const char *under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return strncmp(path, dir, n) || path[n] != '/' ? NULL : path + n + 1;
}

/* The seam: /proc/PID/FILE is "PID/FILE", KSM's NAME is "ksm/NAME". */
static int seam_read(const char *path, char *buf, size_t len)
{
	const char *rel = under(path, proc_dir);
	char name[PATH_MAX];

	if (!rel && (rel = under(path, ksm_dir))) {
		snprintf(name, sizeof(name), "ksm/%s", rel);
		rel = name;
	}
	if (!rel)
		return -ENOENT;
	return fuzz_file_read(fuzz_file_find(&input, rel), buf, len);
}

static int seam_write(const char *path, const char *value)
{
	return -EPERM;
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
	snprintf(proc_dir, sizeof(proc_dir), "%s/proc", root);
	snprintf(ksm_dir, sizeof(ksm_dir), "%s/sys/kernel/mm/ksm", root);
	if (fuzz_mkdirs(proc_dir) || kvmops_new(&ctx) ||
	    kvmops_set_sysfs_root(ctx, root) || kvmops_set_proc_root(ctx, root))
		abort();
	kvmops_set_log_fn(ctx, NULL);
	kvmops_set_io(ctx, &seam);
}

/* PID/exe becomes a symbolic link to the file's first line. */
static void make_link(const char *dir, const struct fuzz_file *f)
{
	char path[PATH_MAX], target[PATH_MAX];
	size_t n = strcspn(f->data, "\n");

	if (n > f->len)
		n = f->len;
	if (!n || n >= sizeof(target))
		return;
	memcpy(target, f->data, n);
	target[n] = '\0';
	if (snprintf(path, sizeof(path), "%s/exe", dir) < (int)sizeof(path))
		symlink(target, path); /* a second link of a PID: the first */
}

/* A directory for each PID the input names, with its exe link. */
static void make_tree(void)
{
	char pid[PID_NAME_MAX + 1], dir[PATH_MAX];
	const struct fuzz_file *f;
	const char *slash;
	size_t i, n;

	fuzz_empty_dir(proc_dir);
	for (i = 0; i < input.count; i++) {
		f = &input.files[i];
		slash = strchr(f->name, '/');
		n = slash ? (size_t)(slash - f->name) : 0;
		if (!n || n > PID_NAME_MAX || !strncmp(f->name, "ksm/", 4))
			continue;
		memcpy(pid, f->name, n);
		pid[n] = '\0';
		if (!fuzz_plain_name(pid, PID_NAME_MAX) ||
		    !fuzz_plain_name(slash + 1, NAME_MAX))
			continue;
		if (snprintf(dir, sizeof(dir), "%s/%s", proc_dir, pid) >=
			    (int)sizeof(dir) ||
		    (mkdir(dir, 0755) && errno != EEXIST))
			continue;
		if (!strcmp(slash + 1, "exe"))
			make_link(dir, f);
	}
}

/*
 * A guest's profit is its share, plus its zero pages, less its metadata:
 * exactly that, or saturated when that does not fit (never wrapped).
 */
static void check_profit(const struct kvmops_ksm_vm *vm)
{
	__int128 exact = (__int128)vm->saved_bytes +
			 (__int128)vm->zero_pages * kvmops_page_size() -
			 (__int128)vm->rmap_items * KSM_RMAP_ITEM_BYTES;
	int64_t want = exact > INT64_MAX ? INT64_MAX :
		       exact < INT64_MIN ? INT64_MIN :
					   (int64_t)exact;

	if (vm->profit_bytes != want)
		fuzz_fail("pid %d: profit %" PRId64 " bytes from saved %" PRIu64
			  ", zero pages %" PRIu64 ", rmap items %" PRIu64,
			  (int)vm->pid, vm->profit_bytes, vm->saved_bytes,
			  vm->zero_pages, vm->rmap_items);
}

/* kvm-ksm vms, in each order and form. */
static void print_vms(struct kvmops_ksm_vm *vms, size_t n)
{
	static const char *const keys[] = { "saved", "name", "pid", "rss" };
	struct vm_total tot = sum_vms(vms, n);
	size_t i;

	for (i = 0; i < n; i++)
		check_profit(&vms[i]);
	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		sort_vms(vms, n, keys[i]);
		print_vms_table(vms, n, &tot);
	}
	print_vms_json(vms, n, &tot);
	print_vms_prometheus(vms, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kvmops_qemu_scan scan;
	struct kvmops_ksm_vm *vms;
	size_t n;

	setup();
	fuzz_files_parse(data, size, &input);
	make_tree();
	if (!kvmops_ksm_vms(ctx, NULL, &vms, &n)) {
		print_vms(vms, n);
		free(vms);
	}
	kvmops_ksm_scan_qemu(ctx, true, &scan);
	fflush(stdout);
	fuzz_files_free(&input);
	return 0;
}
