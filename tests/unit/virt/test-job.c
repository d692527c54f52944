// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A job's figures from virDomainGetJobStats' typed parameters, and the
 * names of the phases (lib/virt/job.c).
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "virt/domain.h"

static void test_job_from_params(void **state)
{
	virTypedParameter p[8];
	struct kvmops_job job;

	memset(p, 0, sizeof(p));
#define SET(i, name, t, member, v)                                    \
	do {                                                          \
		snprintf(p[i].field, sizeof(p[i].field), "%s", name); \
		p[i].type = t;                                        \
		p[i].value.member = v;                                \
	} while (0)
	SET(0, VIR_DOMAIN_JOB_TIME_ELAPSED, VIR_TYPED_PARAM_ULLONG, ul, 12345);
	SET(1, VIR_DOMAIN_JOB_MEMORY_PROCESSED, VIR_TYPED_PARAM_ULLONG, ul,
	    5ull << 32);
	SET(2, VIR_DOMAIN_JOB_MEMORY_DIRTY_RATE, VIR_TYPED_PARAM_ULLONG, ul,
	    2560);
	SET(3, VIR_DOMAIN_JOB_MEMORY_PAGE_SIZE, VIR_TYPED_PARAM_ULLONG, ul,
	    4096);
	SET(4, VIR_DOMAIN_JOB_MEMORY_ITERATION, VIR_TYPED_PARAM_ULLONG, ul, 3);
	SET(5, VIR_DOMAIN_JOB_AUTO_CONVERGE_THROTTLE, VIR_TYPED_PARAM_INT, i,
	    20);
	SET(6, "no.such.field", VIR_TYPED_PARAM_ULLONG, ul, 777);
	SET(7, VIR_DOMAIN_JOB_DISK_BPS, VIR_TYPED_PARAM_STRING, s,
	    (char *)"junk");

	memset(&job, 0, sizeof(job));
	kvmops_job_from_params(&job, p, 8);
	assert_true(job.elapsed_ms == 12345);
	assert_true(job.mem_processed == 5ull << 32);
	assert_true(job.dirty_rate == 2560);
	assert_true(job.page_size == 4096);
	assert_true(job.iteration == 3);
	assert_true(job.throttle_percent == 20);
	assert_true(job.disk_bps == 0);
	assert_false(job.have_downtime);
	assert_true(job.downtime_ms == 0);

	memset(p, 0, sizeof(p));
	SET(0, VIR_DOMAIN_JOB_DATA_TOTAL, VIR_TYPED_PARAM_ULLONG, ul, 1000);
	SET(1, VIR_DOMAIN_JOB_DATA_PROCESSED, VIR_TYPED_PARAM_ULLONG, ul, 600);
	SET(2, VIR_DOMAIN_JOB_DATA_REMAINING, VIR_TYPED_PARAM_ULLONG, ul, 400);
	SET(3, VIR_DOMAIN_JOB_DISK_TOTAL, VIR_TYPED_PARAM_ULLONG, ul, 300);
	SET(4, VIR_DOMAIN_JOB_DISK_PROCESSED, VIR_TYPED_PARAM_ULLONG, ul, 200);
	SET(5, VIR_DOMAIN_JOB_DISK_REMAINING, VIR_TYPED_PARAM_ULLONG, ul, 100);
	SET(6, VIR_DOMAIN_JOB_SETUP_TIME, VIR_TYPED_PARAM_ULLONG, ul, 15);
	SET(7, VIR_DOMAIN_JOB_MEMORY_BPS, VIR_TYPED_PARAM_ULLONG, ul, 1 << 20);
	memset(&job, 0, sizeof(job));
	kvmops_job_from_params(&job, p, 8);
	assert_true(job.data_total == 1000);
	assert_true(job.data_processed == 600);
	assert_true(job.data_remaining == 400);
	assert_true(job.disk_total == 300);
	assert_true(job.disk_processed == 200);
	assert_true(job.disk_remaining == 100);
	assert_true(job.setup_ms == 15);
	assert_true(job.mem_bps == 1 << 20);
	assert_false(job.have_downtime);

	/* A downtime, even of 0 ms, is a downtime; UINT fields count too. */
	memset(p, 0, sizeof(p));
	SET(0, VIR_DOMAIN_JOB_DOWNTIME, VIR_TYPED_PARAM_ULLONG, ul, 0);
	SET(1, VIR_DOMAIN_JOB_MEMORY_TOTAL, VIR_TYPED_PARAM_UINT, ui, 4096);
	SET(2, VIR_DOMAIN_JOB_MEMORY_REMAINING, VIR_TYPED_PARAM_INT, i, -5);
	memset(&job, 0, sizeof(job));
	kvmops_job_from_params(&job, p, 3);
	assert_true(job.have_downtime);
	assert_true(job.downtime_ms == 0);
	assert_true(job.mem_total == 4096);
	assert_true(job.mem_remaining == 0);
	SET(0, VIR_DOMAIN_JOB_DOWNTIME, VIR_TYPED_PARAM_ULLONG, ul, 42);
	kvmops_job_from_params(&job, p, 1);
	assert_true(job.downtime_ms == 42);
#undef SET
	/* Nothing at all: nothing changes. */
	memset(&job, 0, sizeof(job));
	kvmops_job_from_params(&job, NULL, 0);
	assert_false(job.have_downtime);
}

static void test_phase_name(void **state)
{
	static const struct {
		enum kvmops_migrate_phase phase;
		const char *name;
	} want[] = {
		{ KVMOPS_PHASE_SETUP, "setup" },
		{ KVMOPS_PHASE_DISKS, "disks" },
		{ KVMOPS_PHASE_MEMORY, "memory" },
		{ KVMOPS_PHASE_POSTCOPY, "postcopy" },
		{ KVMOPS_PHASE_FINISHING, "finishing" },
		{ KVMOPS_PHASE_SHUTDOWN, "shutdown" },
		{ KVMOPS_PHASE_SAVE, "save" },
		{ KVMOPS_PHASE_COPY, "copy" },
		{ KVMOPS_PHASE_VERIFY, "verify" },
		{ KVMOPS_PHASE_RESTORE, "restore" },
		{ KVMOPS_PHASE_DONE, "done" },
		{ KVMOPS_PHASE_BACKUP, "backup" },
		{ KVMOPS_PHASE_UPLOAD, "upload" },
		{ KVMOPS_PHASE_COMPRESS, "compress" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(want); i++)
		assert_string_equal(kvmops_phase_name(want[i].phase),
				    want[i].name);
	assert_string_equal(kvmops_phase_name((enum kvmops_migrate_phase)(
				    KVMOPS_PHASE_COMPRESS + 1)),
			    "unknown");
	assert_string_equal(kvmops_phase_name((enum kvmops_migrate_phase) - 1),
			    "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_job_from_params),
		cmocka_unit_test(test_phase_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
