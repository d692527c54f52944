/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Between the parts of libkvmops' migration: the options (opts.c), what
 * a host can answer about itself (the probe: probe.c for libvirt, tables
 * in the unit tests), the guest's disks and where each goes (disks.c),
 * the check (check.c), the live plan (plan.c), live and offline moves.
 *
 * Dependencies run one way: live.c and offline.c use disks.c, plan.c and
 * opts.c; check.c uses disks.c and opts.c; disks.c uses the probe alone.
 */
#ifndef KVMOPS_MIGRATE_H
#define KVMOPS_MIGRATE_H

#include <limits.h>

#include "libkvmops-private.h"
#include "virt/domain.h"
#include "virt/virt.h"

/* ---- options (opts.c) ---------------------------------------------------- */

/* A copy of @opts as this library knows them, whatever the caller's size. */
void kvmops_migrate_opts_copy(const struct kvmops_migrate_opts *opts,
			      struct kvmops_migrate_opts *out);

/* ---- what a host answers (probe.c) --------------------------------------- */

struct kvmops_pool_info {
	char name[128];
	char type[16]; /* dir, fs, netfs, logical, rbd, ... */
	char target[PATH_MAX]; /* its directory; "" for rbd, iscsi and the like */
	uint64_t available; /* bytes */
};

struct kvmops_probe;

/* What the check asks a host. Each answers 0, -ENOENT, or another -errno. */
struct kvmops_probe_ops {
	int (*domain_exists)(struct kvmops_probe *p,
			     const char *name); /* 1 or 0 */
	int (*volume)(struct kvmops_probe *p, const char *path,
		      struct kvmops_vol_info *vi);
	/* The active pool named @name, or else the one over directory @dir. */
	int (*pool)(struct kvmops_probe *p, const char *name, const char *dir,
		    struct kvmops_pool_info *pi);
	/* The path of volume @vol in pool @pool. */
	int (*pool_volume)(struct kvmops_probe *p, const char *pool,
			   const char *vol, char *path, size_t len);
	/*
	 * The shared-storage proof: a small marker volume made in a pool of
	 * one host, looked for in a pool of the other after a refresh (1
	 * there, 0 not), deleted, and forgotten by a second refresh.
	 */
	int (*marker_create)(struct kvmops_probe *p, const char *pool,
			     const char *name);
	int (*marker_seen)(struct kvmops_probe *p, const char *pool,
			   const char *name);
	int (*marker_delete)(struct kvmops_probe *p, const char *pool,
			     const char *name);
	int (*pool_refresh)(struct kvmops_probe *p, const char *pool);
	int (*network)(struct kvmops_probe *p,
		       const char *name); /* 1 active, 0 not */
	int (*bridge)(struct kvmops_probe *p,
		      const char *name); /* 1 there, 0 not */
	char *(*capabilities)(struct kvmops_probe *p); /* NULL: unknown */
	/* The hypervisor's version, major * 1000000 + minor * 1000 + micro. */
	int (*hv_version)(struct kvmops_probe *p, unsigned long *version);
	char *(*domcaps)(struct kvmops_probe *p, const char *emulator,
			 const char *arch, const char *machine,
			 const char *virttype);
	int (*free_kib)(struct kvmops_probe *p, uint64_t *kib);
	/* virCPUCompareResult, or -errno */
	int (*compare_cpu)(struct kvmops_probe *p, const char *emulator,
			   const char *arch, const char *machine,
			   const char *virttype, const char *cpu_xml);
};

struct kvmops_probe {
	const struct kvmops_probe_ops *ops;
	virConnectPtr conn; /* the libvirt probe's */
	void *data; /* a test's */
	char error[256]; /* why the last answer was an error */
};

/* A probe that asks @conn. */
void kvmops_probe_libvirt(struct kvmops_probe *probe, virConnectPtr conn);

/* ---- disks (disks.c) ----------------------------------------------------- */

struct kvmops_disk {
	char target[32]; /* vda */
	char device[16]; /* disk, cdrom, floppy, lun */
	char type[16]; /* file, block, network, volume */
	char path[PATH_MAX]; /* "" when it has none (an empty cdrom) */
	char format[16]; /* qcow2, raw */
	char protocol[16]; /* network: rbd, nbd, gluster, iscsi */
	char vol_pool[128], vol_name[256]; /* type volume */
	bool readonly, shareable;
};

/* The disks of a domain XML that carry data; free *@disks with free(). */
int kvmops_domain_disks(const char *domain_xml, struct kvmops_disk **disks,
			size_t *count);

/* What the destination has where a disk of the guest is. */
enum kvmops_sharing {
	KVMOPS_SHARED, /* the same storage: proven */
	KVMOPS_NOT_SHARED, /* other storage at the same path: proven */
	KVMOPS_ABSENT, /* nothing there */
	KVMOPS_UNPROVEN, /* something there; whether it is the same, unknown */
};

#define KVMOPS_SHARING_MEMO 8

/* Pools already compared, so a guest's disks in one pool cost one probe. */
struct kvmops_sharing_memo {
	struct {
		char here[128], there[128];
		enum kvmops_sharing sharing;
		char why[256];
	} pools[KVMOPS_SHARING_MEMO];
	size_t count;
};

/*
 * Whether directory @dir is the same storage on both hosts, proven with a
 * marker volume between the active pools over it; *@why says how it was
 * found, in a clause.
 */
enum kvmops_sharing
kvmops_dir_sharing(struct kvmops_ctx *ctx, struct kvmops_probe *src,
		   struct kvmops_probe *dst, const char *dir,
		   struct kvmops_sharing_memo *memo, char *why, size_t len);

/* What becomes of one disk. */
enum kvmops_disk_fate {
	KVMOPS_DISK_STAYS, /* the destination has it: shared storage */
	KVMOPS_DISK_COPIED, /* copied to dest_path in pool */
	KVMOPS_DISK_REFUSED, /* it stops the move: item says why */
};

struct kvmops_disk_plan {
	struct kvmops_disk disk;
	enum kvmops_disk_fate fate;
	int err; /* REFUSED: the error a move returns */
	struct kvmops_check_item item; /* "disk vda": the check's verdict */
	struct kvmops_check_item backing; /* "backing vda", when id[0] */
	bool have_info;
	struct kvmops_vol_info info; /* the source volume, when have_info */
	char pool[128]; /* COPIED: the destination pool */
	char dest_path[PATH_MAX]; /* COPIED: the copy's path */
};

/*
 * Where each disk of @domain_xml goes when moved as @opts say. Free
 * *@plans with free(). Fails only without memory or on unreadable XML.
 */
int kvmops_plan_disks(struct kvmops_ctx *ctx, struct kvmops_probe *src,
		      struct kvmops_probe *dst, const char *domain_xml,
		      const struct kvmops_migrate_opts *opts,
		      struct kvmops_disk_plan **plans, size_t *count);

/*
 * Where a move that keeps the guest's memory saves it: opts->state_file,
 * or else NAME.kvmops-state beside the first disk on proven shared
 * storage. *@item ("state file") says whether the destination can read it
 * there: FAIL when no such place is known.
 */
void kvmops_plan_state_file(struct kvmops_ctx *ctx, struct kvmops_probe *src,
			    struct kvmops_probe *dst,
			    const struct kvmops_migrate_opts *opts,
			    const struct kvmops_disk_plan *plans, size_t count,
			    const char *name, char *path, size_t len,
			    struct kvmops_check_item *item);

/* The first plan that stops the move, or NULL. */
const struct kvmops_disk_plan *
kvmops_refused_disk(const struct kvmops_disk_plan *plans, size_t count);

/* ---- the check (check.c) ------------------------------------------------- */

/*
 * The check, from a domain's XML and its state (virDomainState), asking
 * @src and @dst what it needs.
 */
int kvmops_check_run(struct kvmops_ctx *ctx, const char *domain_xml, int state,
		     const struct kvmops_migrate_opts *opts,
		     struct kvmops_probe *src, struct kvmops_probe *dst,
		     struct kvmops_check_item **items, size_t *count);

/* ---- live (plan.c) and offline (offline.c) ------------------------------- */

/*
 * The flags and typed parameters of virDomainMigrate3 for @opts. Free
 * *@params with virTypedParamsFree.
 */
int kvmops_live_plan(struct kvmops_ctx *ctx,
		     const struct kvmops_migrate_opts *opts,
		     unsigned long *flags, virTypedParameterPtr *params,
		     int *nparams);

/*
 * @domain_xml with the name set to @name (unless NULL) and each disk whose
 * source is @from[i] moved to @to[i]. Free *@out.
 */
int kvmops_rewrite_domain(struct kvmops_ctx *ctx, const char *domain_xml,
			  const char *name, const char *const *from,
			  const char *const *to, size_t count, char **out);

#endif
