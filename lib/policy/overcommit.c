// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Overcommit verdicts, from the figures alone: the rules of thumb in
 * HACKING ("Overcommit").
 */
#include "config.h"

#include "libkvmops-private.h"

#define MEM_WARN_RATIO 1.5
#define MEM_FAIL_RATIO 2.0

KVMOPS_EXPORT void kvmops_overcommit_judge(struct kvmops_overcommit *oc)
{
	oc->mem_ratio = oc->host_mem_kib ? (double)oc->sum_max_kib /
						   (double)oc->host_mem_kib :
					   0;
	oc->vcpu_ratio = oc->host_cpus ?
				 (double)oc->sum_vcpus / (double)oc->host_cpus :
				 0;
	if (oc->mem_ratio > MEM_FAIL_RATIO)
		oc->mem_verdict = KVMOPS_VERDICT_FAIL;
	else if (oc->mem_ratio > MEM_WARN_RATIO)
		oc->mem_verdict = KVMOPS_VERDICT_WARN;
	else
		oc->mem_verdict = KVMOPS_VERDICT_PASS;
	if (oc->widest_vcpus > oc->host_cpus)
		oc->vcpu_verdict = KVMOPS_VERDICT_FAIL;
	else if (oc->sum_vcpus > oc->host_cpus && oc->multi_vcpu_guests)
		oc->vcpu_verdict = KVMOPS_VERDICT_WARN;
	else
		oc->vcpu_verdict = KVMOPS_VERDICT_PASS;
}
