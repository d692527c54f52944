/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the files of lib/ksm share: single counters read without the whole
 * directory, and the boot a state file belongs to (ksm.c).
 */
#ifndef KVMOPS_KSM_H
#define KVMOPS_KSM_H

#include "libkvmops-private.h"

/*
 * /sys/kernel/mm/ksm/@name alone, as a number: 0, or a negative errno
 * without an error message (callers decide whether it matters).
 */
int kvmops_ksm_counter(struct kvmops_ctx *ctx, const char *name,
		       uint64_t *value);

/* The page counts KSM's profit is worked out from, when the kernel lacks it. */
struct kvmops_ksm_pages {
	uint64_t shared, sharing, unshared, volatile_pages, zero;
};

/*
 * Documentation/admin-guide/mm/ksm.rst's profit: (pages_sharing +
 * ksm_zero_pages) x @page_size - (pages_shared + pages_sharing +
 * pages_unshared + pages_volatile) x the size of an rmap item. -ERANGE,
 * with a message naming the counts, when it does not fit in 64 bits.
 */
int kvmops_ksm_profit_formula(struct kvmops_ctx *ctx,
			      const struct kvmops_ksm_pages *pages,
			      uint64_t page_size, int64_t *profit);

/*
 * @pages of @page_size in bytes: -ERANGE, with a message naming @where
 * (a file) and the count, when they pass 64 bits.
 */
int kvmops_ksm_page_bytes(struct kvmops_ctx *ctx, const char *where,
			  uint64_t pages, uint64_t page_size, uint64_t *bytes);

/* What the QEMU processes of this host are, for the tuner. */
struct kvmops_qemu_scan {
	unsigned int count;
	uint64_t set; /* an order-free hash of their pids */
	uint64_t rss_kib; /* with want_rss: their resident memory */
};

/*
 * Every QEMU process, found by its executable as kvmops_ksm_vms() finds
 * them, reading nothing else of them but, with @want_rss, their VmRSS.
 * -EACCES as kvmops_ksm_vms() gives it.
 */
int kvmops_ksm_scan_qemu(struct kvmops_ctx *ctx, bool want_rss,
			 struct kvmops_qemu_scan *scan);

/* This boot's id (/proc/sys/kernel/random/boot_id), or "unknown". */
void kvmops_ksm_boot_id(struct kvmops_ctx *ctx, char *buf, size_t len);

#endif
