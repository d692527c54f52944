/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Domain, volume and job helpers over the libvirt table: what more than
 * one subsystem asks of libvirt. Needs kvmops_virt_load() first.
 */
#ifndef KVMOPS_VIRT_DOMAIN_H
#define KVMOPS_VIRT_DOMAIN_H

#include <limits.h>
#include <stdbool.h>

#include "libkvmops-private.h"
#include "virt/virt.h"

/* A typed parameter as a whole number: negative and non-numbers are 0. */
uint64_t kvmops_param_u64(const virTypedParameter *param);
/* The field @name of a bulk stats record, by kvmops_param_u64; 0 if absent. */
uint64_t kvmops_stats_u64(const virDomainStatsRecord *rec, const char *name);

/*
 * A guest's balloon maximum and current size (KiB) and vCPUs from a bulk
 * stats record of VIR_DOMAIN_STATS_BALLOON | VIR_DOMAIN_STATS_VCPU, with
 * virDomainGetInfo for what the record lacks (test:///, shut-off guests).
 */
void kvmops_stats_sizes(const virDomainStatsRecord *rec, uint64_t *max_kib,
			uint64_t *current_kib, unsigned int *vcpus);

/* Whether @conn's host is this machine (by host name): KSM counts there. */
bool kvmops_conn_is_this_machine(virConnectPtr conn);

/* "shut off": a virDomainState as a sentence says it. */
const char *kvmops_state_prose(int state);

/* The domain's virDomainState, or VIR_DOMAIN_NOSTATE when unknown. */
int kvmops_domain_state(virDomainPtr dom);

/* "on the source g1 is running; the destination has no trace of it" */
void kvmops_describe_sides(virDomainPtr dom, virConnectPtr dst,
			   const char *dname, char *buf, size_t len);

/* What a storage volume is, as the checks and copies need it. */
struct kvmops_vol_info {
	uint64_t capacity, allocation; /* bytes */
	char format[16];
	char backing[PATH_MAX]; /* "" without a backing image */
	char backing_format[16];
	char key[256]; /* libvirt's volume key: the same storage, the same key */
};

/* Creates a volume like @vi in @pool_name; NULL with @err set. */
virStorageVolPtr kvmops_create_volume(virConnectPtr conn, const char *pool_name,
				      const char *vol_name,
				      const struct kvmops_vol_info *vi,
				      bool with_backing, char *err, size_t len);
/* Deletes (and frees) each of @vols that is not NULL. */
void kvmops_delete_volumes(virStorageVolPtr *vols, size_t count);
/* Frees @vols and the array. */
void kvmops_free_volumes(virStorageVolPtr *vols, size_t count);
/* The bytes a volume takes on its storage (its file's size), 0 unknown. */
uint64_t kvmops_volume_bytes(virStorageVolPtr vol);

/* The job's figures from virDomainGetJobStats' typed parameters. */
void kvmops_job_from_params(struct kvmops_job *job,
			    const virTypedParameter *params, int nparams);
/*
 * The figures of @dom's job (@flags as virDomainGetJobStats takes them):
 * 0, -ENODATA without a job, -EIO when libvirt cannot say.
 */
int kvmops_read_job(virDomainPtr dom, unsigned int flags,
		    struct kvmops_job *job);

#endif
