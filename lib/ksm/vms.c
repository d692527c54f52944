// SPDX-License-Identifier: LGPL-2.1-or-later
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <pthread.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libkvmops-private.h"
#include "ksm/ksm.h"
#include "virt/virt.h"

/*
 * A QEMU process is known by its executable, never by its flags: libvirt
 * starts guests with -accel, so ksmtuned's match on -enable-kvm misses them.
 */
static bool is_qemu_exe(const char *exe, char *base, size_t len)
{
	const char *b = strrchr(exe, '/');
	size_t n;

	b = b ? b + 1 : exe;
	n = strcspn(b, " "); /* drop " (deleted)" after a package upgrade */
	if (n >= len)
		return false;
	memcpy(base, b, n);
	base[n] = '\0';
	return !strncmp(base, "qemu-system-", 12) || !strcmp(base, "qemu-kvm");
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* QEMU option values escape a comma as ",,". */
static void copy_opt_value(char *dst, size_t len, const char *src)
{
	size_t n = 0;

	for (; *src && n + 1 < len; src++) {
		if (*src == ',') {
			if (src[1] != ',')
				break;
			src++;
		}
		dst[n++] = *src;
	}
	dst[n] = '\0';
}

/* -name guest=NAME,debug-threads=on (libvirt) or -name NAME (by hand) */
static void name_from_arg(const char *arg, char *name, size_t len)
{
	const char *p = arg;

	while (p && *p) {
		if (!strncmp(p, "guest=", 6)) {
			copy_opt_value(name, len, p + 6);
			return;
		}
		p = strchr(p, ',');
		while (p && p[1] == ',')
			p = strchr(p + 2, ',');
		if (p)
			p++;
	}
	copy_opt_value(name, len, arg);
}

static void parse_cmdline(const char *buf, size_t len, struct kvmops_ksm_vm *vm)
{
	const char *arg = buf, *end = buf + len, *next;

	for (; arg < end; arg = next) {
		next = arg + strlen(arg) + 1;
		if (next >= end)
			break;
		if (!strcmp(arg, "-name"))
			name_from_arg(next, vm->name, sizeof(vm->name));
		else if (!strcmp(arg, "-uuid"))
			snprintf(vm->uuid, sizeof(vm->uuid), "%s", next);
	}
}

static int read_cmdline(struct kvmops_ctx *ctx, const char *pid,
			struct kvmops_ksm_vm *vm)
{
	char path[PATH_MAX], buf[16384];
	int n;

	kvmops_proc_path(ctx, path, sizeof(path), "/proc/%s/cmdline", pid);
	n = kvmops_read_file(ctx, path, buf, sizeof(buf));
	if (n < 0)
		return n;
	parse_cmdline(buf, (size_t)n, vm);
	return 0;
}

static bool stat_line(const char *buf, const char *key, int64_t *value)
{
	const char *p = buf;
	size_t klen = strlen(key);

	while ((p = strstr(p, key))) {
		if ((p == buf || p[-1] == '\n') && p[klen] == ' ')
			return sscanf(p + klen, " %" SCNd64, value) == 1;
		p += klen;
	}
	return false;
}

/*
 * A page count of @file in range: its bytes (or, for rmap items, their
 * metadata) fit in a signed 64-bit figure, so profits can be worked out.
 */
static int count_in_range(struct kvmops_ctx *ctx, const char *file,
			  const char *key, int64_t value, uint64_t unit,
			  uint64_t *count)
{
	if (value < 0 || (uint64_t)value > INT64_MAX / unit)
		return kvmops_fail_figure(ctx,
					  "%s: %s %" PRId64 " is out of range",
					  file, key, value);
	*count = (uint64_t)value;
	return 0;
}

/* /proc/PID/ksm_stat (Linux 6.1+), else ksm_merging_pages (5.19+). */
static int read_ksm_figures(struct kvmops_ctx *ctx, const char *pid,
			    struct kvmops_ksm_vm *vm)
{
	uint64_t page = kvmops_page_size();
	char path[PATH_MAX], buf[1024];
	int64_t merging = 0, rmap = 0, zero = 0;
	int rc;

	kvmops_proc_path(ctx, path, sizeof(path), "/proc/%s/ksm_stat", pid);
	if (kvmops_read_file(ctx, path, buf, sizeof(buf)) >= 0 &&
	    stat_line(buf, "ksm_merging_pages", &merging)) {
		vm->have_stat = true;
		stat_line(buf, "ksm_rmap_items", &rmap);
		stat_line(buf, "ksm_zero_pages", &zero);
	} else {
		kvmops_proc_path(ctx, path, sizeof(path),
				 "/proc/%s/ksm_merging_pages", pid);
		if (kvmops_read_file(ctx, path, buf, sizeof(buf)) >= 0 &&
		    sscanf(buf, "%" SCNd64, &merging) == 1)
			vm->have_stat = true;
	}
	rc = count_in_range(ctx, path, "ksm_merging_pages", merging, page,
			    &vm->merging_pages);
	if (!rc)
		rc = count_in_range(ctx, path, "ksm_rmap_items", rmap,
				    KSM_RMAP_ITEM_BYTES, &vm->rmap_items);
	if (!rc)
		rc = count_in_range(ctx, path, "ksm_zero_pages", zero, page,
				    &vm->zero_pages);
	return rc;
}

static int read_rss(struct kvmops_ctx *ctx, const char *pid,
		    struct kvmops_ksm_vm *vm)
{
	char path[PATH_MAX], buf[4096];
	const char *p;
	uint64_t kib;

	kvmops_proc_path(ctx, path, sizeof(path), "/proc/%s/status", pid);
	if (kvmops_read_file(ctx, path, buf, sizeof(buf)) < 0)
		return 0;
	p = strstr(buf, "\nVmRSS:");
	if (!p || sscanf(p + 7, " %" SCNu64, &kib) != 1)
		return 0;
	if (kib > UINT64_MAX / 1024)
		return kvmops_fail_figure(ctx,
					  "%s: VmRSS %" PRIu64
					  " kB is out of range",
					  path, kib);
	vm->rss_bytes = kib * 1024;
	return 0;
}

/*
 * Returns 1 for a QEMU process, 0 for another, negative for an error:
 * -ERANGE with a message for a figure out of range.
 */
static int probe_pid(struct kvmops_ctx *ctx, const char *pid,
		     struct kvmops_ksm_vm *vm)
{
	char path[PATH_MAX], exe[PATH_MAX];
	ssize_t n;
	int rc;

	kvmops_proc_path(ctx, path, sizeof(path), "/proc/%s/exe", pid);
	n = readlink(path, exe, sizeof(exe) - 1);
	if (n < 0)
		return errno == ENOENT ? 0 : -errno;
	exe[n] = '\0';
	memset(vm, 0, sizeof(*vm));
	if (!is_qemu_exe(exe, vm->emulator, sizeof(vm->emulator)))
		return 0;
	vm->pid = (pid_t)atoi(pid);
	if (read_cmdline(ctx, pid, vm) < 0)
		return 0; /* it exited while we looked */
	rc = read_ksm_figures(ctx, pid, vm);
	if (!rc)
		rc = read_rss(ctx, pid, vm);
	return rc ? rc : 1;
}

static void name_from_libvirt(virConnectPtr conn, struct kvmops_ksm_vm *vm)
{
	virDomainPtr dom;
	const char *name;

	if (!conn || !vm->uuid[0])
		return;
	dom = VIRT(virDomainLookupByUUIDString)(conn, vm->uuid);
	if (!dom)
		return;
	name = VIRT(virDomainGetName)(dom);
	if (name)
		snprintf(vm->name, sizeof(vm->name), "%s", name);
	VIRT(virDomainFree)(dom);
}

static int cmp_saved(const void *a, const void *b)
{
	const struct kvmops_ksm_vm *x = a, *y = b;

	if (x->saved_bytes != y->saved_bytes)
		return x->saved_bytes < y->saved_bytes ? 1 : -1;
	return strcmp(x->name, y->name);
}

static int append_vm(struct kvmops_ksm_vm **vms, size_t *count, size_t *cap,
		     const struct kvmops_ksm_vm *vm)
{
	struct kvmops_ksm_vm *grown;

	if (*count == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		grown = realloc(*vms, *cap * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		*vms = grown;
	}
	(*vms)[(*count)++] = *vm;
	return 0;
}

static int scan_proc(struct kvmops_ctx *ctx, DIR *dir, virConnectPtr conn,
		     struct kvmops_ksm_vm **vms, size_t *count, int *denied)
{
	struct kvmops_ksm_vm vm;
	struct dirent *de;
	size_t cap = 0;
	int rc;

	while ((de = readdir(dir))) {
		if (!all_digits(de->d_name))
			continue;
		rc = probe_pid(ctx, de->d_name, &vm);
		if (rc == -ERANGE)
			return rc;
		if (rc == -EACCES || rc == -EPERM)
			(*denied)++;
		if (rc <= 0)
			continue;
		name_from_libvirt(conn, &vm);
		if (append_vm(vms, count, &cap, &vm))
			return kvmops_fail(ctx, -ENOMEM, "out of memory");
	}
	return 0;
}

/* Without KSM's counters (no KSM), nothing is shared: every share is 0. */
static int share_saving(struct kvmops_ctx *ctx, struct kvmops_ksm_vm *vms,
			size_t count)
{
	uint64_t shared = 0, sharing = 0, page = kvmops_page_size(), bytes;
	int rc;

	kvmops_ksm_counter(ctx, "pages_shared", &shared);
	kvmops_ksm_counter(ctx, "pages_sharing", &sharing);
	/* Both in bytes, and so their sum in pages, fit in 64 bits. */
	rc = kvmops_ksm_page_bytes(ctx, "/sys/kernel/mm/ksm/pages_shared",
				   shared, page, &bytes);
	if (!rc)
		rc = kvmops_ksm_page_bytes(ctx,
					   "/sys/kernel/mm/ksm/pages_sharing",
					   sharing, page, &bytes);
	if (!rc)
		kvmops_ksm_fair_shares(vms, count, shared, sharing, page);
	return rc;
}

/* An order-free hash of pids: a process that comes or goes changes it. */
static uint64_t mix_pid(const char *pid)
{
	uint64_t z = strtoull(pid, NULL, 10) + 0x9e3779b97f4a7c15ull;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/*
 * What each process was found to be, so that a tuner looking every minute
 * reads the executable of new processes only. A process is known by its
 * pid and its /proc directory's inode, which a reused pid changes. It is
 * looked at on its first three scans (a process forked to start QEMU is
 * not QEMU until it has exec'd), and every process again every sixteenth
 * scan. Shared by the process, behind a lock.
 */
struct seen_pid {
	pid_t pid;
	ino_t ino;
	unsigned int looks;
	unsigned long scan; /* the last scan that saw it */
	int verdict; /* 1 QEMU, 0 not, negative an errno */
};

static struct {
	char root[PATH_MAX];
	struct seen_pid *slots; /* open addressing by pid */
	size_t cap;
	size_t used; /* slots stamped by this scan */
	unsigned long scans;
} seen;
static pthread_mutex_t seen_lock = PTHREAD_MUTEX_INITIALIZER;

#define TRUSTED_LOOKS 3
#define FULL_SCAN_EVERY 16

static struct seen_pid *seen_slot(pid_t pid)
{
	size_t i = ((size_t)pid * 2654435761u) & (seen.cap - 1);

	/* Slots never used, or not seen by the last scan, are free. */
	while (seen.slots[i].scan && seen.slots[i].scan + 1 >= seen.scans &&
	       seen.slots[i].pid != pid)
		i = (i + 1) & (seen.cap - 1);
	return &seen.slots[i];
}

/*
 * A table four times the processes the last scan saw, at least, emptied
 * when it grows or another root is scanned (everything is looked at
 * again then).
 */
static void seen_prepare(const char *root)
{
	size_t cap = seen.cap ? seen.cap : 1024;

	while (cap < seen.used * 4)
		cap *= 2;
	if (strcmp(seen.root, root) || cap != seen.cap) {
		free(seen.slots);
		seen.slots = calloc(cap, sizeof(*seen.slots));
		seen.cap = seen.slots ? cap : 0;
		snprintf(seen.root, sizeof(seen.root), "%s", root);
	}
	seen.used = 0;
	seen.scans++;
}

/* Relative to /proc's descriptor: the path walk is most of a readlink. */
static int look_at(int dirfd, const char *pid)
{
	char rel[NAME_MAX + 8], exe[PATH_MAX], base[64];
	ssize_t n;

	snprintf(rel, sizeof(rel), "%s/exe", pid);
	n = readlinkat(dirfd, rel, exe, sizeof(exe) - 1);
	if (n < 0)
		return errno == ENOENT ? 0 : -errno;
	exe[n] = '\0';
	return is_qemu_exe(exe, base, sizeof(base));
}

static int verdict(int dirfd, const struct dirent *de)
{
	pid_t pid = (pid_t)atoi(de->d_name);
	struct seen_pid *s;

	/* Half full (a burst of new processes): look, and keep nothing. */
	if (seen.used * 2 >= seen.cap)
		return look_at(dirfd, de->d_name);
	seen.used++;
	s = seen_slot(pid);
	if (!s->scan || s->scan + 1 < seen.scans || s->pid != pid ||
	    s->ino != de->d_ino)
		*s = (struct seen_pid){ .pid = pid, .ino = de->d_ino };
	if (s->looks < TRUSTED_LOOKS || seen.scans % FULL_SCAN_EVERY == 0) {
		s->verdict = look_at(dirfd, de->d_name);
		s->looks++;
	}
	s->scan = seen.scans;
	return s->verdict;
}

static void count_qemu(struct kvmops_ctx *ctx, const char *pid, bool want_rss,
		       struct kvmops_qemu_scan *scan)
{
	struct kvmops_ksm_vm vm = { 0 };

	scan->count++;
	scan->set += mix_pid(pid);
	/* A figure out of range counts as none: the sum is a rough one. */
	if (want_rss && !read_rss(ctx, pid, &vm) &&
	    __builtin_add_overflow(scan->rss_kib, vm.rss_bytes / 1024,
				   &scan->rss_kib))
		scan->rss_kib = UINT64_MAX;
	kvmops_clear_error(ctx);
}

static int scan_dir(struct kvmops_ctx *ctx, DIR *dir, bool want_rss,
		    struct kvmops_qemu_scan *scan)
{
	struct dirent *de;
	int denied = 0, v;

	while ((de = readdir(dir))) {
		if (!all_digits(de->d_name))
			continue;
		v = verdict(dirfd(dir), de);
		if (v > 0)
			count_qemu(ctx, de->d_name, want_rss, scan);
		denied += v == -EACCES || v == -EPERM;
	}
	return denied;
}

int kvmops_ksm_scan_qemu(struct kvmops_ctx *ctx, bool want_rss,
			 struct kvmops_qemu_scan *scan)
{
	char path[PATH_MAX];
	int denied;
	DIR *dir;

	memset(scan, 0, sizeof(*scan));
	kvmops_proc_path(ctx, path, sizeof(path), "/proc");
	dir = opendir(path);
	if (!dir)
		return kvmops_fail(ctx, -errno, "cannot open %s: %s", path,
				   strerror(errno));
	pthread_mutex_lock(&seen_lock);
	seen_prepare(path);
	denied = scan_dir(ctx, dir, want_rss, scan);
	pthread_mutex_unlock(&seen_lock);
	closedir(dir);
	if (denied && !scan->count && geteuid() != 0)
		return kvmops_fail(
			ctx, -EACCES,
			"cannot inspect %d processes in %s: permission denied; run as root to see every guest",
			denied, path);
	return 0;
}

KVMOPS_EXPORT int kvmops_ksm_vms(struct kvmops_ctx *ctx, virConnectPtr conn,
				 struct kvmops_ksm_vm **out, size_t *out_count)
{
	struct kvmops_ksm_vm *vms = NULL;
	char path[PATH_MAX];
	size_t count = 0;
	int denied = 0, rc;
	DIR *dir;

	kvmops_clear_error(ctx);
	kvmops_proc_path(ctx, path, sizeof(path), "/proc");
	dir = opendir(path);
	if (!dir)
		return kvmops_fail(ctx, -errno, "cannot open %s: %s", path,
				   strerror(errno));
	rc = scan_proc(ctx, dir, conn, &vms, &count, &denied);
	closedir(dir);
	if (rc) {
		free(vms);
		return rc;
	}
	/* Root may still be refused a few foreign-namespace processes. */
	if (denied)
		info(ctx, "%d processes in %s could not be inspected", denied,
		     path);
	if (denied && !count && geteuid() != 0) {
		free(vms);
		return kvmops_fail(
			ctx, -EACCES,
			"cannot inspect %d processes in %s: permission denied; run as root to see every guest",
			denied, path);
	}
	rc = share_saving(ctx, vms, count);
	if (rc) {
		free(vms);
		return rc;
	}
	if (count)
		qsort(vms, count, sizeof(*vms), cmp_saved);
	*out = vms;
	*out_count = count;
	return 0;
}
