/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What every part of libkvmops shares and no program sees: the context's
 * seams, errors and logging, and small helpers (lib/core). The layers and
 * their rules are in HACKING.
 */
#ifndef LIBKVMOPS_PRIVATE_H
#define LIBKVMOPS_PRIVATE_H

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "libkvmops.h"

#define KVMOPS_EXPORT __attribute__((visibility("default")))
#define KVMOPS_PRINTF(a, b) __attribute__((format(printf, a, b)))

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- the I/O seam (core/io.c) -------------------------------------------- */

/*
 * The seam through which every /sys and /proc file is read and written, so
 * unit tests can make a write fail with EBUSY or EPERM, as only the real
 * kernel otherwise would. read_file returns the length read (at most
 * len - 1 bytes, NUL-terminated) or a negative errno; write_file returns 0
 * or a negative errno.
 */
struct kvmops_io {
	int (*read_file)(const char *path, char *buf, size_t len);
	int (*write_file)(const char *path, const char *value);
};

/* NULL puts back the default, which reads and writes the files. */
void kvmops_set_io(struct kvmops_ctx *ctx, const struct kvmops_io *io);
/* Where the context keeps its seam; only core/io.c uses it. */
const struct kvmops_io **kvmops_ctx_io_slot(struct kvmops_ctx *ctx);
int kvmops_read_file(struct kvmops_ctx *ctx, const char *path, char *buf,
		     size_t len);
int kvmops_write_file(struct kvmops_ctx *ctx, const char *path,
		      const char *value);
/*
 * kvmops_read_file() for a file read again and again, such as KSM's
 * counters every cycle of a tuner: with the default seam it stays open
 * and is read from its start each time (sysfs and /proc files then show
 * their contents afresh). Not for /proc/PID files, as a pid is reused,
 * but for a process that never exits, such as the kernel thread ksmd.
 */
int kvmops_read_file_again(struct kvmops_ctx *ctx, const char *path, char *buf,
			   size_t len);

/* The trees the tests can replace with fixtures. */
enum kvmops_root {
	KVMOPS_ROOT_SYS,
	KVMOPS_ROOT_PROC,
	KVMOPS_ROOT_COUNT,
};

const char *kvmops_ctx_root(struct kvmops_ctx *ctx, enum kvmops_root root);

/* Joins a root and an absolute path: root "/tmp/fx", "/sys/x" */
int kvmops_root_path(struct kvmops_ctx *ctx, enum kvmops_root root, char *buf,
		     size_t len, const char *fmt, ...) KVMOPS_PRINTF(5, 6);
#define kvmops_sys_path(ctx, buf, len, ...) \
	kvmops_root_path(ctx, KVMOPS_ROOT_SYS, buf, len, __VA_ARGS__)
#define kvmops_proc_path(ctx, buf, len, ...) \
	kvmops_root_path(ctx, KVMOPS_ROOT_PROC, buf, len, __VA_ARGS__)

/* ---- errors and logging (core/ctx.c) ------------------------------------- */

/*
 * Records the message for the user and returns @err (negative errno), so
 * callers can write: return kvmops_fail(ctx, -EINVAL, "...").
 */
int kvmops_fail(struct kvmops_ctx *ctx, int err, const char *fmt, ...)
	KVMOPS_PRINTF(3, 4);
/*
 * The same, naming what the caller can change to succeed (a string
 * constant that kvmops_last_remedy() returns): see libkvmops.h.
 */
int kvmops_fail_remedy(struct kvmops_ctx *ctx, int err, const char *remedy,
		       const char *fmt, ...) KVMOPS_PRINTF(4, 5);
/*
 * -ERANGE for a figure the system gave (a file of /sys or /proc, libvirt's
 * XML) that is out of range: the message names where and the value, and
 * kvmops_last_error_from_system() is true until the next failure.
 */
int kvmops_fail_figure(struct kvmops_ctx *ctx, const char *fmt, ...)
	KVMOPS_PRINTF(2, 3);
void kvmops_clear_error(struct kvmops_ctx *ctx);

void kvmops_log(struct kvmops_ctx *ctx, int priority, const char *file,
		int line, const char *fn, const char *fmt, ...)
	KVMOPS_PRINTF(6, 7);

#define kvmops_log_cond(ctx, prio, ...)                                     \
	do {                                                                \
		if (kvmops_get_log_priority(ctx) >= (prio))                 \
			kvmops_log(ctx, prio, __FILE__, __LINE__, __func__, \
				   __VA_ARGS__);                            \
	} while (0)

#define dbg(ctx, ...) kvmops_log_cond(ctx, LOG_DEBUG, __VA_ARGS__)
#define info(ctx, ...) kvmops_log_cond(ctx, LOG_INFO, __VA_ARGS__)
#define notice(ctx, ...) kvmops_log_cond(ctx, LOG_NOTICE, __VA_ARGS__)
#define err(ctx, ...) kvmops_log_cond(ctx, LOG_ERR, __VA_ARGS__)

/* ---- small helpers (core/util.c, core/size.c) ---------------------------- */

/* Parses a whole unsigned decimal; -EINVAL for junk, -ERANGE for overflow. */
int kvmops_parse_u64(const char *text, uint64_t *value);
int kvmops_parse_s64(const char *text, int64_t *value);

/*
 * Bytes in one @suffix as virsh reads units: K/KiB/k powers of two, KB
 * powers of ten, B bytes, "" KiB. -EINVAL for an unknown unit.
 */
int kvmops_unit_bytes(const char *suffix, uint64_t *bytes);

uint64_t kvmops_page_size(void);

/* ---- the host's memory (core/host.c) ------------------------------------ */

/*
 * The number after @key at the start of a line of @buf: "MemTotal:" in
 * /proc/meminfo, "inactive_file " in memory.stat. False when none.
 */
bool kvmops_line_u64(const char *buf, const char *key, uint64_t *value);
/* /proc/meminfo's MemTotal and MemAvailable, or an error said. */
int kvmops_read_meminfo(struct kvmops_ctx *ctx, uint64_t *total_kib,
			uint64_t *available_kib);
/* "some avg10=" of a PSI file (@path, rooted already); no message. */
int kvmops_read_psi_some_avg10(struct kvmops_ctx *ctx, const char *path,
			       double *avg10);

/*
 * A caller's options struct of the sized kind (its first member, size_t
 * size, says how much of it the caller knows) into @out, @len bytes,
 * zeroed beyond what the caller gave: old callers keep working.
 */
static inline void kvmops_copy_sized(void *out, size_t len, const void *opts)
{
	size_t have = opts ? *(const size_t *)opts : 0;

	memset(out, 0, len);
	if (opts)
		memcpy(out, opts, have < len ? have : len);
}

/* ---- convergence (policy/converge.c) ------------------------------------ */

/* The downtime limit a move starts with: the start, or the maximum if lower. */
uint64_t kvmops_converge_start_limit_ms(const struct kvmops_converge_config *c);

/* ---- backup chains (policy/backup-chain.c) ------------------------------ */

/* A backup of an export directory, as its manifest lists it. */
struct kvmops_backup {
	const char *name; /* unique in the directory */
	const char *parent; /* the backup it builds on; NULL: a full one */
	const char *checkpoint; /* the host's checkpoint taken with it */
	const char *const *disk_targets; /* "vda", ... */
	size_t disk_count;
};

/* A disk of the domain now, for the next backup. */
struct kvmops_chain_disk {
	const char *target;
	const char *format; /* "qcow2", "raw" */
	bool has_bitmap; /* the last checkpoint's bitmap is in its image */
};

struct kvmops_chain_figures {
	bool asked_incremental, asked_full;
	bool running; /* a backup job can run; shut off, disks are streamed */
	const struct kvmops_backup *last; /* the newest in the directory */
	bool checkpoint_on_host; /* the host still has last->checkpoint */
	const struct kvmops_chain_disk *disks;
	size_t disk_count;
};

enum kvmops_chain_reason {
	KVMOPS_CHAIN_CONTINUES, /* incremental on the last backup */
	KVMOPS_CHAIN_ASKED_FULL,
	KVMOPS_CHAIN_NOT_ASKED, /* no incremental was asked for */
	KVMOPS_CHAIN_NO_EARLIER,
	KVMOPS_CHAIN_NO_CHECKPOINT, /* the last backup took none */
	KVMOPS_CHAIN_CHECKPOINT_GONE,
	KVMOPS_CHAIN_BITMAP_GONE,
	KVMOPS_CHAIN_DISK_ADDED,
	KVMOPS_CHAIN_DISK_REMOVED,
	KVMOPS_CHAIN_NOT_QCOW2, /* bitmaps live in qcow2 images only */
	KVMOPS_CHAIN_SHUT_OFF, /* no running QEMU to take the changes */
};

struct kvmops_chain_decision {
	bool incremental;
	enum kvmops_chain_reason reason;
	const char *disk; /* the disk the reason names, or NULL */
};

struct kvmops_chain_decision
kvmops_chain_decide(const struct kvmops_chain_figures *figures);
const char *kvmops_chain_reason_name(enum kvmops_chain_reason reason);
/* In words, for a full backup taken instead (@checkpoint: the last one's). */
void kvmops_chain_reason_text(const struct kvmops_chain_decision *d,
			      const char *checkpoint, char *buf, size_t len);
int kvmops_chain_point(struct kvmops_ctx *ctx,
		       const struct kvmops_backup *backups, size_t count,
		       const char *at, size_t *chain, size_t *length);

/* ---- balloons (balloon/balloon.c) --------------------------------------- */

/* The bulk stats hold no balloon figures for it (no driver, test:///). */
bool kvmops_balloon_no_figures(const struct kvmops_balloon *b);

/*
 * Whether a domain the bulk stats hold no balloon figures for may take
 * figures its caller already knows (sizes, period, problems) into *@b,
 * which has its name, state and what the record held: true spares the
 * calls that would look it up and say why.
 */
typedef bool (*kvmops_balloon_known_fn)(struct kvmops_balloon *b, void *data);

/*
 * What a domain's XML says of its balloon: the device's model (none:
 * *@has_device false), the stats period and the memtune min_guarantee;
 * and, from the persistent XML, the sizes (<memory>, <currentMemory>,
 * left as they are when the XML lacks them). 0, -EINVAL for text that is
 * not XML, or -ERANGE naming the element whose figure is out of range
 * (a period above INT_MAX, a size whose bytes pass 64 bits).
 */
int kvmops_balloon_xml_details(struct kvmops_ctx *ctx, const char *xml,
			       struct kvmops_balloon *b, bool *has_device);
int kvmops_balloon_xml_sizes(struct kvmops_ctx *ctx, const char *xml,
			     struct kvmops_balloon *b);

/* kvmops_balloon_list(), asking @known (when not NULL) first. */
int kvmops_balloon_list_known(struct kvmops_ctx *ctx, virConnectPtr conn,
			      unsigned int flags, kvmops_balloon_known_fn known,
			      void *data, struct kvmops_balloon **out,
			      size_t *count);

/* CLOCK_MONOTONIC in milliseconds. */
uint64_t kvmops_now_ms(void);

/* The full scans kvm-ksm tune judges a gain over (HACKING, "KSM tuning"). */
#define KSM_TUNE_WINDOW_SCANS 2

/* sizeof(struct ksm_rmap_item) on 64-bit kernels, for the profit formula */
#define KSM_RMAP_ITEM_BYTES 64

#endif
