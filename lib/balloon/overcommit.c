// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * How overcommitted a host is: its figures from libvirt, one bulk call for
 * the running guests, and KSM's saving; the verdicts are lib/policy's.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "libkvmops-private.h"
#include "virt/domain.h"

static void add_guest(struct kvmops_overcommit *oc,
		      const virDomainStatsRecord *rec)
{
	uint64_t max, cur;
	unsigned int vcpus;

	kvmops_stats_sizes(rec, &max, &cur, &vcpus);
	oc->guests++;
	oc->sum_max_kib += max;
	oc->sum_current_kib += cur;
	oc->reclaimed_kib += max > cur ? max - cur : 0;
	oc->sum_vcpus += vcpus;
	if (vcpus > 1)
		oc->multi_vcpu_guests++;
	if (vcpus > oc->widest_vcpus) {
		oc->widest_vcpus = vcpus;
		snprintf(oc->widest_name, sizeof(oc->widest_name), "%s",
			 VIRT(virDomainGetName)(rec->dom));
	}
}

static void add_ksm(struct kvmops_ctx *ctx, virConnectPtr conn,
		    struct kvmops_overcommit *oc)
{
	struct kvmops_ksm_figures f;
	struct kvmops_ksm *ksm;

	if (!kvmops_conn_is_this_machine(conn) || kvmops_ksm_read(ctx, &ksm))
		return;
	/* A saving out of range is as unknown as none. */
	oc->have_ksm = !kvmops_ksm_figures(ctx, ksm, &f);
	oc->ksm_saved_bytes = oc->have_ksm ? f.saved_bytes : 0;
	kvmops_ksm_free(ksm);
	kvmops_clear_error(ctx);
}

KVMOPS_EXPORT int kvmops_overcommit(struct kvmops_ctx *ctx, virConnectPtr conn,
				    struct kvmops_overcommit *oc)
{
	virDomainStatsRecordPtr *recs = NULL;
	unsigned long long free_bytes;
	virNodeInfo node;
	int n, i;

	kvmops_clear_error(ctx);
	memset(oc, 0, sizeof(*oc));
	if (VIRT(virNodeGetInfo)(conn, &node) < 0)
		return kvmops_fail(ctx, -EIO, "cannot read the host's size: %s",
				   kvmops_virt_message());
	oc->host_mem_kib = node.memory;
	oc->host_cpus = node.cpus;
	free_bytes = VIRT(virNodeGetFreeMemory)(conn);
	oc->host_free_kib = free_bytes / 1024;
	n = VIRT(virConnectGetAllDomainStats)(
		conn, VIR_DOMAIN_STATS_BALLOON | VIR_DOMAIN_STATS_VCPU, &recs,
		VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE);
	if (n < 0)
		return kvmops_fail(ctx, -EIO,
				   "cannot read the running guests: %s",
				   kvmops_virt_message());
	for (i = 0; i < n; i++)
		add_guest(oc, recs[i]);
	VIRT(virDomainStatsRecordListFree)(recs);
	add_ksm(ctx, conn, oc);
	kvmops_overcommit_judge(oc);
	return 0;
}
