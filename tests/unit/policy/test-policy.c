// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * lib/policy, from tables: figures in, verdicts out. The overcommit rules
 * of thumb (HACKING, "Overcommit"), the check's worst verdict, and the
 * words every verdict is given in.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "libkvmops.h"

/* ---- the overcommit verdicts ------------------------------------------- */

#define HOST_KIB 2000000ull

/* A host of 2,000,000 KiB and 8 CPUs; verdicts poisoned to see them set. */
static struct kvmops_overcommit host(uint64_t sum_max_kib)
{
	struct kvmops_overcommit oc;

	memset(&oc, 0, sizeof(oc));
	oc.host_mem_kib = HOST_KIB;
	oc.host_cpus = 8;
	oc.guests = 1;
	oc.sum_max_kib = sum_max_kib;
	oc.sum_vcpus = 1;
	oc.widest_vcpus = 1;
	oc.mem_verdict = oc.vcpu_verdict = (enum kvmops_verdict)99;
	oc.mem_ratio = oc.vcpu_ratio = -1;
	return oc;
}

static void assert_near(double got, double want)
{
	if (fabs(got - want) > 1e-9)
		fail_msg("got %.12g, wanted %.12g", got, want);
}

static enum kvmops_verdict mem_verdict(uint64_t sum_max_kib, double ratio)
{
	struct kvmops_overcommit oc = host(sum_max_kib);

	kvmops_overcommit_judge(&oc);
	assert_near(oc.mem_ratio, ratio);
	assert_int_equal(oc.vcpu_verdict, KVMOPS_VERDICT_PASS);
	return oc.mem_verdict;
}

static void test_mem_up_to_1_5_ok(void **state)
{
	assert_int_equal(mem_verdict(0, 0), KVMOPS_VERDICT_PASS);
	assert_int_equal(mem_verdict(HOST_KIB, 1.0), KVMOPS_VERDICT_PASS);
	assert_int_equal(mem_verdict(3000000, 1.5), KVMOPS_VERDICT_PASS);
}

static void test_mem_above_1_5_warns(void **state)
{
	assert_int_equal(mem_verdict(3020000, 1.51), KVMOPS_VERDICT_WARN);
	assert_int_equal(mem_verdict(3000001, 1.5000005), KVMOPS_VERDICT_WARN);
}

static void test_mem_exactly_2_warns(void **state)
{
	assert_int_equal(mem_verdict(4000000, 2.0), KVMOPS_VERDICT_WARN);
}

static void test_mem_above_2_fails(void **state)
{
	assert_int_equal(mem_verdict(4020000, 2.01), KVMOPS_VERDICT_FAIL);
	assert_int_equal(mem_verdict(4000001, 2.0000005), KVMOPS_VERDICT_FAIL);
}

static enum kvmops_verdict vcpu_verdict(unsigned int host_cpus,
					unsigned int sum, unsigned int widest,
					unsigned int multi)
{
	struct kvmops_overcommit oc = host(HOST_KIB);

	oc.host_cpus = host_cpus;
	oc.sum_vcpus = sum;
	oc.widest_vcpus = widest;
	oc.multi_vcpu_guests = multi;
	kvmops_overcommit_judge(&oc);
	assert_near(oc.vcpu_ratio, (double)sum / host_cpus);
	assert_int_equal(oc.mem_verdict, KVMOPS_VERDICT_PASS);
	return oc.vcpu_verdict;
}

static void test_vcpu_guest_wider_than_host_fails(void **state)
{
	assert_int_equal(vcpu_verdict(8, 9, 9, 1), KVMOPS_VERDICT_FAIL);
	/* However few vCPUs the host runs in all. */
	assert_int_equal(vcpu_verdict(4, 5, 5, 1), KVMOPS_VERDICT_FAIL);
	/* As wide as the host is fine. */
	assert_int_equal(vcpu_verdict(8, 8, 8, 1), KVMOPS_VERDICT_PASS);
}

static void test_vcpu_overcommit_with_wide_guests_warns(void **state)
{
	assert_int_equal(vcpu_verdict(8, 12, 4, 3), KVMOPS_VERDICT_WARN);
	assert_int_equal(vcpu_verdict(8, 9, 2, 1), KVMOPS_VERDICT_WARN);
}

/* The rule of thumb (HACKING): many single-vCPU guests overcommit well. */
static void test_vcpu_overcommit_single_vcpu_guests_ok(void **state)
{
	assert_int_equal(vcpu_verdict(8, 12, 1, 0), KVMOPS_VERDICT_PASS);
	assert_int_equal(vcpu_verdict(2, 100, 1, 0), KVMOPS_VERDICT_PASS);
}

static void test_vcpu_not_above_host_ok(void **state)
{
	assert_int_equal(vcpu_verdict(8, 8, 4, 2), KVMOPS_VERDICT_PASS);
	assert_int_equal(vcpu_verdict(8, 0, 0, 0), KVMOPS_VERDICT_PASS);
}

/* A host reporting nothing: the ratios are 0, not a crash or a NaN. */
static void test_zero_host_does_not_divide_by_zero(void **state)
{
	struct kvmops_overcommit oc = host(HOST_KIB);

	oc.host_mem_kib = 0;
	oc.host_cpus = 0;
	oc.sum_vcpus = 0;
	oc.widest_vcpus = 0;
	kvmops_overcommit_judge(&oc);
	assert_true(isfinite(oc.mem_ratio) && isfinite(oc.vcpu_ratio));
	assert_near(oc.mem_ratio, 0);
	assert_near(oc.vcpu_ratio, 0);
	assert_int_equal(oc.mem_verdict, KVMOPS_VERDICT_PASS);
	assert_int_equal(oc.vcpu_verdict, KVMOPS_VERDICT_PASS);

	oc = host(HOST_KIB);
	oc.host_cpus = 0;
	oc.sum_vcpus = 3;
	kvmops_overcommit_judge(&oc);
	assert_true(isfinite(oc.vcpu_ratio));
	assert_near(oc.vcpu_ratio, 0);
}

/* ---- the check ---------------------------------------------------------- */

static void test_check_worst(void **state)
{
	struct kvmops_check_item items[3];

	memset(items, 0, sizeof(items));
	assert_true(kvmops_check_worst(NULL, 0) == KVMOPS_VERDICT_PASS);
	assert_true(kvmops_check_worst(items, 3) == KVMOPS_VERDICT_PASS);
	items[2].verdict = KVMOPS_VERDICT_WARN;
	assert_true(kvmops_check_worst(items, 3) == KVMOPS_VERDICT_WARN);
	items[0].verdict = KVMOPS_VERDICT_FAIL;
	assert_true(kvmops_check_worst(items, 3) == KVMOPS_VERDICT_FAIL);
	/* Only @count items are looked at. */
	assert_true(kvmops_check_worst(items + 1, 2) == KVMOPS_VERDICT_WARN);
	assert_true(kvmops_check_worst(items + 1, 1) == KVMOPS_VERDICT_PASS);
}
static void test_verdict_names(void **state)
{
	assert_string_equal(kvmops_verdict_name(KVMOPS_VERDICT_PASS), "PASS");
	assert_string_equal(kvmops_verdict_name(KVMOPS_VERDICT_WARN), "WARN");
	assert_string_equal(kvmops_verdict_name(KVMOPS_VERDICT_FAIL), "FAIL");
	/* Nothing unknown passes for a PASS. */
	assert_string_equal(kvmops_verdict_name((enum kvmops_verdict)7),
			    "FAIL");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mem_up_to_1_5_ok),
		cmocka_unit_test(test_mem_above_1_5_warns),
		cmocka_unit_test(test_mem_exactly_2_warns),
		cmocka_unit_test(test_mem_above_2_fails),
		cmocka_unit_test(test_vcpu_guest_wider_than_host_fails),
		cmocka_unit_test(test_vcpu_overcommit_with_wide_guests_warns),
		cmocka_unit_test(test_vcpu_overcommit_single_vcpu_guests_ok),
		cmocka_unit_test(test_vcpu_not_above_host_ok),
		cmocka_unit_test(test_zero_host_does_not_divide_by_zero),
		cmocka_unit_test(test_check_worst),
		cmocka_unit_test(test_verdict_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
