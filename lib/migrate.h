/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Between the parts of kvm-migrate's library side: what a domain's disks
 * and interfaces are, what a host can answer about itself (a probe, so
 * unit tests can answer from tables), the check, and the plans.
 */
#ifndef KVMOPS_MIGRATE_H
#define KVMOPS_MIGRATE_H

#include <limits.h>

#include "libkvmops-private.h"
#include "virt.h"

struct kvmops_disk {
	char target[32];	/* vda */
	char device[16];	/* disk, cdrom, floppy, lun */
	char type[16];		/* file, block, network, volume */
	char path[PATH_MAX];	/* "" when it has none (an empty cdrom) */
	char format[16];	/* qcow2, raw */
	char vol_pool[128], vol_name[256]; /* type volume */
	bool readonly, shareable;
};

/* The disks of a domain XML that carry data; free *@disks with free(). */
int kvmops_domain_disks(const char *domain_xml, struct kvmops_disk **disks,
			size_t *count);

struct kvmops_vol_info {
	uint64_t capacity, allocation; /* bytes */
	char format[16];
	char backing[PATH_MAX];	/* "" without a backing image */
	char backing_format[16];
};

struct kvmops_probe;

/* What the check asks a host. Each answers 0, -ENOENT, or another -errno. */
struct kvmops_probe_ops {
	int (*domain_exists)(struct kvmops_probe *p, const char *name); /* 1 or 0 */
	int (*volume)(struct kvmops_probe *p, const char *path, struct kvmops_vol_info *vi);
	/* The active pool named @pool, or else the one over directory @dir. */
	int (*pool)(struct kvmops_probe *p, const char *pool, const char *dir, char *name,
		    size_t name_len, char *target, size_t target_len,
		    uint64_t *available);
	int (*network)(struct kvmops_probe *p, const char *name);	 /* 1 active, 0 not */
	int (*bridge)(struct kvmops_probe *p, const char *name);	 /* 1 there, 0 not */
	char *(*capabilities)(struct kvmops_probe *p);			 /* NULL: unknown */
	char *(*domcaps)(struct kvmops_probe *p, const char *emulator, const char *arch,
			 const char *machine, const char *virttype);
	int (*free_kib)(struct kvmops_probe *p, uint64_t *kib);
	/* virCPUCompareResult, or -errno */
	int (*compare_cpu)(struct kvmops_probe *p, const char *emulator, const char *arch,
			   const char *machine, const char *virttype,
			   const char *cpu_xml);
};

struct kvmops_probe {
	const struct kvmops_probe_ops *ops;
	virConnectPtr conn; /* the libvirt probe's */
	void *data;	    /* a test's */
	char error[256]; /* why the last answer was an error */
};

/* A probe that asks @conn. */
void kvmops_probe_libvirt(struct kvmops_probe *probe, virConnectPtr conn);

/*
 * The check, from a domain's XML and its state (virDomainState), asking
 * @src and @dst what it needs.
 */
int kvmops_check_run(struct kvmops_ctx *ctx, const char *domain_xml,
		     int state, const struct kvmops_migrate_opts *opts,
		     struct kvmops_probe *src, struct kvmops_probe *dst,
		     struct kvmops_check_item **items, size_t *count);

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

/* FNV-1a, 64 bits: a checksum for copies, not a defence against forgery. */
#define KVMOPS_FNV_OFFSET 0xcbf29ce484222325ULL
uint64_t kvmops_fnv1a(uint64_t hash, const void *data, size_t len);

/* The job's figures from virDomainGetJobStats' typed parameters. */
void kvmops_job_from_params(struct kvmops_job *job,
			    const virTypedParameter *params, int nparams);

/* "on the source g1 is running; the destination has no trace of it" */
void kvmops_describe_sides(virDomainPtr dom, virConnectPtr dst,
			   const char *dname, char *buf, size_t len);

/* Creates a volume like @vi in @pool_name; NULL with @err set. */
virStorageVolPtr kvmops_create_volume(virConnectPtr conn, const char *pool_name,
				      const char *vol_name,
				      const struct kvmops_vol_info *vi,
				      bool with_backing, char *err, size_t len);
/* Deletes (and frees) each of @vols that is not NULL. */
void kvmops_delete_volumes(virStorageVolPtr *vols, size_t count);
/* Frees @vols and the array. */
void kvmops_free_volumes(virStorageVolPtr *vols, size_t count);

#endif
