// SPDX-License-Identifier: LGPL-2.1-or-later
/* A domain job's figures, as virDomainGetJobStats gives them. */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "virt/domain.h"

KVMOPS_EXPORT const char *kvmops_phase_name(enum kvmops_migrate_phase phase)
{
	static const char *const names[] = {
		[KVMOPS_PHASE_SETUP] = "setup",
		[KVMOPS_PHASE_DISKS] = "disks",
		[KVMOPS_PHASE_MEMORY] = "memory",
		[KVMOPS_PHASE_POSTCOPY] = "postcopy",
		[KVMOPS_PHASE_FINISHING] = "finishing",
		[KVMOPS_PHASE_SHUTDOWN] = "shutdown",
		[KVMOPS_PHASE_SAVE] = "save",
		[KVMOPS_PHASE_COPY] = "copy",
		[KVMOPS_PHASE_VERIFY] = "verify",
		[KVMOPS_PHASE_RESTORE] = "restore",
		[KVMOPS_PHASE_DONE] = "done",
		[KVMOPS_PHASE_BACKUP] = "backup",
		[KVMOPS_PHASE_UPLOAD] = "upload",
		[KVMOPS_PHASE_COMPRESS] = "compress",
	};

	return (size_t)phase < ARRAY_SIZE(names) && names[phase] ?
		       names[phase] :
		       "unknown";
}

static void take_job_param(struct kvmops_job *job, const virTypedParameter *p)
{
	static const struct {
		const char *field;
		size_t offset;
	} map[] = {
#define F(name, member) { name, offsetof(struct kvmops_job, member) }
		F(VIR_DOMAIN_JOB_TIME_ELAPSED, elapsed_ms),
		F(VIR_DOMAIN_JOB_DATA_TOTAL, data_total),
		F(VIR_DOMAIN_JOB_DATA_PROCESSED, data_processed),
		F(VIR_DOMAIN_JOB_DATA_REMAINING, data_remaining),
		F(VIR_DOMAIN_JOB_MEMORY_TOTAL, mem_total),
		F(VIR_DOMAIN_JOB_MEMORY_PROCESSED, mem_processed),
		F(VIR_DOMAIN_JOB_MEMORY_REMAINING, mem_remaining),
		F(VIR_DOMAIN_JOB_DISK_TOTAL, disk_total),
		F(VIR_DOMAIN_JOB_DISK_PROCESSED, disk_processed),
		F(VIR_DOMAIN_JOB_DISK_REMAINING, disk_remaining),
		F(VIR_DOMAIN_JOB_MEMORY_BPS, mem_bps),
		F(VIR_DOMAIN_JOB_DISK_BPS, disk_bps),
		F(VIR_DOMAIN_JOB_MEMORY_DIRTY_RATE, dirty_rate),
		F(VIR_DOMAIN_JOB_MEMORY_PAGE_SIZE, page_size),
		F(VIR_DOMAIN_JOB_MEMORY_ITERATION, iteration),
		F(VIR_DOMAIN_JOB_DOWNTIME, downtime_ms),
		F(VIR_DOMAIN_JOB_SETUP_TIME, setup_ms),
		F(VIR_DOMAIN_JOB_AUTO_CONVERGE_THROTTLE, throttle_percent),
#undef F
	};
	uint64_t v = kvmops_param_u64(p);
	size_t i;

	for (i = 0; i < ARRAY_SIZE(map); i++) {
		if (!strcmp(p->field, map[i].field)) {
			*(uint64_t *)((char *)job + map[i].offset) = v;
			if (!strcmp(p->field, VIR_DOMAIN_JOB_DOWNTIME))
				job->have_downtime = true;
			return;
		}
	}
}

void kvmops_job_from_params(struct kvmops_job *job,
			    const virTypedParameter *params, int nparams)
{
	int i;

	for (i = 0; i < nparams; i++)
		take_job_param(job, &params[i]);
}

int kvmops_read_job(virDomainPtr dom, unsigned int flags,
		    struct kvmops_job *job)
{
	virTypedParameterPtr params = NULL;
	int nparams = 0, type = VIR_DOMAIN_JOB_NONE;

	memset(job, 0, sizeof(*job));
	if (VIRT(virDomainGetJobStats)(dom, &type, &params, &nparams, flags) <
	    0)
		return -EIO;
	kvmops_job_from_params(job, params, nparams);
	VIRT(virTypedParamsFree)(params, nparams);
	return type == VIR_DOMAIN_JOB_NONE ? -ENODATA : 0;
}
