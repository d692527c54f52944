// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What kvm-balloon auto reads of the host on fixture trees: the whole
 * host from /proc/meminfo and its PSI, a cgroup v2 budget against it, a
 * cgroup without a limit, cgroup v1, and a cgroup that is not there.
 * Then the guests through libvirt's in-process test driver: gathered in
 * one call with what the last cycle carried, and a change applied live.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libkvmops.h"
#include "unit/fixture.h"

#define MIB 1024ull /* in KiB */
#define MEMINFO                                                      \
	"MemTotal:       24682632 kB\nMemFree:         1000000 kB\n" \
	"MemAvailable:   20000000 kB\n"
#define PSI                                                   \
	"some avg10=12.50 avg60=3.00 avg300=1.00 total=123\n" \
	"full avg10=1.00 avg60=0.00 avg300=0.00 total=12\n"
#define V2 "/sys/fs/cgroup/"
#define V1 "/sys/fs/cgroup/memory/"

struct env {
	struct kvmops_ctx *ctx;
	char *sys, *proc;
};

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));

	if (!e || kvmops_new(&e->ctx))
		return -1;
	e->sys = fixture_mkdtemp();
	e->proc = fixture_mkdtemp();
	if (!e->sys || !e->proc ||
	    fixture_write(e->proc, "/proc/meminfo", MEMINFO) ||
	    fixture_write(e->proc, "/proc/pressure/memory", PSI))
		return -1;
	kvmops_set_sysfs_root(e->ctx, e->sys);
	kvmops_set_proc_root(e->ctx, e->proc);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;

	kvmops_unref(e->ctx);
	fixture_remove(e->sys);
	fixture_remove(e->proc);
	free(e);
	return 0;
}

/* A cgroup v2 machine.slice holding @limit and @current bytes. */
static void v2_slice(struct env *e, const char *limit, const char *current)
{
	assert_int_equal(fixture_write(e->sys, V2 "cgroup.controllers",
				       "cpu memory\n"),
			 0);
	assert_int_equal(
		fixture_write(e->sys, V2 "machine.slice/memory.max", limit), 0);
	assert_int_equal(fixture_write(e->sys,
				       V2 "machine.slice/memory.current",
				       current),
			 0);
	assert_int_equal(fixture_write(e->sys, V2 "machine.slice/memory.stat",
				       "anon 500000000\nfile 171088640\n"
				       "active_file 104857600\n"
				       "inactive_file 67108864\n"),
			 0);
	assert_int_equal(
		fixture_write(
			e->sys, V2 "machine.slice/memory.pressure",
			"some avg10=40.00 avg60=2.00 avg300=0.50 total=9\n"),
		0);
}

static void test_whole_host_from_meminfo(void **state)
{
	struct kvmops_balloon_auto_host h = { .elapsed_ms = 2000 };
	struct env *e = *state;

	assert_int_equal(kvmops_balloon_auto_host_read(e->ctx, NULL, &h), 0);
	assert_int_equal(h.budget_kib, 24682632);
	assert_int_equal(h.used_kib, 24682632 - 20000000);
	assert_true(h.have_psi);
	assert_true(h.psi_some_avg10 > 12.49 && h.psi_some_avg10 < 12.51);
	assert_int_equal(h.cgroup_version, 0);
	assert_int_equal(h.elapsed_ms, 2000); /* the caller's */
}

/* 640 MiB limit, 600 MiB charged of which 64 MiB inactive cache. */
static void test_cgroup_v2_budget_against_meminfo(void **state)
{
	struct kvmops_balloon_auto_host h = { 0 };
	struct env *e = *state;

	v2_slice(e, "671088640\n", "629145600\n");
	assert_int_equal(
		kvmops_balloon_auto_host_read(e->ctx, "machine.slice", &h), 0);
	assert_int_equal(h.cgroup_version, 2);
	assert_false(h.unlimited);
	assert_int_equal(h.budget_kib, 640 * MIB);
	assert_int_equal(h.used_kib, (600 - 64) * MIB);
	assert_true(h.psi_some_avg10 > 39.9); /* the cgroup's own */
	/* In full, and with a leading slash, the same cgroup. */
	assert_int_equal(kvmops_balloon_auto_host_read(
				 e->ctx, "/sys/fs/cgroup/machine.slice", &h),
			 0);
	assert_int_equal(h.budget_kib, 640 * MIB);
	assert_int_equal(
		kvmops_balloon_auto_host_read(e->ctx, "/machine.slice", &h), 0);
	assert_int_equal(h.used_kib, (600 - 64) * MIB);
}

static void test_cgroup_without_limit_has_memtotal(void **state)
{
	struct kvmops_balloon_auto_host h = { 0 };
	struct env *e = *state;

	v2_slice(e, "max\n", "629145600\n");
	assert_int_equal(
		kvmops_balloon_auto_host_read(e->ctx, "machine.slice", &h), 0);
	assert_true(h.unlimited);
	assert_int_equal(h.budget_kib, 24682632);
}

static void test_cgroup_v1(void **state)
{
	struct kvmops_balloon_auto_host h = { 0 };
	struct env *e = *state;

	assert_int_equal(fixture_write(e->sys,
				       V1 "machine.slice/memory.limit_in_bytes",
				       "671088640\n"),
			 0);
	assert_int_equal(fixture_write(e->sys,
				       V1 "machine.slice/memory.usage_in_bytes",
				       "314572800\n"),
			 0);
	assert_int_equal(fixture_write(e->sys, V1 "machine.slice/memory.stat",
				       "cache 1\ninactive_file 5\n"
				       "total_inactive_file 104857600\n"),
			 0);
	assert_int_equal(
		kvmops_balloon_auto_host_read(e->ctx, "machine.slice", &h), 0);
	assert_int_equal(h.cgroup_version, 1);
	assert_int_equal(h.budget_kib, 640 * MIB);
	assert_int_equal(h.used_kib, 200 * MIB);
	assert_true(h.psi_some_avg10 > 12.49); /* v1: the host's PSI */
	/* v1's "no limit" is a number near 2^63. */
	assert_int_equal(fixture_write(e->sys,
				       V1 "machine.slice/memory.limit_in_bytes",
				       "9223372036854771712\n"),
			 0);
	assert_int_equal(kvmops_balloon_auto_host_read(
				 e->ctx, "memory/machine.slice", &h),
			 0);
	assert_true(h.unlimited);
}

static void test_no_such_cgroup(void **state)
{
	struct kvmops_balloon_auto_host h = { 0 };
	struct env *e = *state;

	v2_slice(e, "max\n", "1\n");
	assert_int_equal(kvmops_balloon_auto_host_read(e->ctx, "nope.slice",
						       &h),
			 -ENOENT);
	assert_in_error(e->ctx, "no memory cgroup nope.slice");
	assert_in_error(e->ctx, "such as machine.slice");
}

/* ---- the guests, on test:///default ---------------------------------------- */

static virConnectPtr test_conn(struct env *e)
{
	virConnectPtr conn = NULL;

	if (kvmops_connect(e->ctx, "test:///default",
			   KVMOPS_CONNECT_NO_EVENT_LOOP, &conn))
		fail_msg("cannot connect: %s", kvmops_last_error(e->ctx));
	return conn;
}

static void test_gather_carries_the_last_cycle(void **state)
{
	struct kvmops_balloon_auto_guest *guests = NULL;
	struct env *e = *state;
	virConnectPtr conn = test_conn(e);
	size_t count = 0;

	assert_int_equal(
		kvmops_balloon_auto_gather(e->ctx, conn, &guests, &count), 0);
	assert_int_equal(count, 1);
	assert_string_equal(guests[0].balloon.name, "test");
	assert_true(guests[0].balloon.current_kib > 0);
	assert_true(guests[0].floor_kib > 0);
	guests[0].share = 3000;
	guests[0].seen = true;
	guests[0].last_major_faults = 77;
	guests[0].last_in_use_kib = 99;
	assert_int_equal(
		kvmops_balloon_auto_gather(e->ctx, conn, &guests, &count), 0);
	assert_int_equal(guests[0].share, 3000);
	assert_true(guests[0].seen);
	assert_int_equal(guests[0].last_major_faults, 77);
	assert_int_equal(guests[0].last_in_use_kib, 99);
	free(guests);
	kvmops_disconnect(conn);
}

/*
 * The test driver's guest has no balloon stats (a lasting reason): it is
 * looked up once, then keeps those figures for 6 cycles (a balloon set
 * behind auto's back is not seen meanwhile), then is looked up again.
 */
static void test_guest_without_stats_looked_up_every_6_cycles(void **state)
{
	struct kvmops_balloon_auto_guest *guests = NULL, other;
	struct kvmops_balloon_auto_decision d = { 0 };
	struct env *e = *state;
	virConnectPtr conn = test_conn(e);
	unsigned int changed;
	uint64_t was;
	size_t count = 0;
	int cycle;

	assert_int_equal(
		kvmops_balloon_auto_gather(e->ctx, conn, &guests, &count), 0);
	assert_true(guests[0].balloon.problems != 0);
	assert_int_equal(guests[0].recheck_in, 6);
	was = guests[0].balloon.current_kib;
	other = guests[0]; /* set through another array: behind auto's back */
	d.action = KVMOPS_BALLOON_AUTO_SHRINK;
	d.to_kib = was - 1024;
	assert_int_equal(kvmops_balloon_auto_apply(e->ctx, conn, &other, &d, 1,
						   &changed),
			 0);
	for (cycle = 5; cycle >= 0; cycle--) {
		assert_int_equal(kvmops_balloon_auto_gather(e->ctx, conn,
							    &guests, &count),
				 0);
		assert_int_equal(guests[0].recheck_in, cycle);
		assert_int_equal(guests[0].balloon.current_kib, was);
	}
	assert_int_equal(
		kvmops_balloon_auto_gather(e->ctx, conn, &guests, &count), 0);
	assert_int_equal(guests[0].recheck_in, 6);
	assert_int_equal(guests[0].balloon.current_kib, was - 1024);
	d.to_kib = was;
	kvmops_balloon_auto_apply(e->ctx, conn, guests, &d, 1, &changed);
	assert_int_equal(guests[0].recheck_in, 0); /* changed: looked up next */
	free(guests);
	kvmops_disconnect(conn);
}

static void test_apply_sets_the_live_balloon(void **state)
{
	struct kvmops_balloon_auto_guest *guests = NULL;
	struct kvmops_balloon_auto_decision d[1] = { 0 };
	struct env *e = *state;
	virConnectPtr conn = test_conn(e);
	unsigned int changed = 9;
	uint64_t was;
	size_t count = 0;

	assert_int_equal(
		kvmops_balloon_auto_gather(e->ctx, conn, &guests, &count), 0);
	was = guests[0].balloon.current_kib;
	d[0].action = KVMOPS_BALLOON_AUTO_KEEP;
	assert_int_equal(kvmops_balloon_auto_apply(e->ctx, conn, guests, d, 1,
						   &changed),
			 0);
	assert_int_equal(changed, 0);
	d[0] = (struct kvmops_balloon_auto_decision){
		.action = KVMOPS_BALLOON_AUTO_SHRINK,
		.from_kib = was,
		.to_kib = was - 64 * MIB,
	};
	assert_int_equal(kvmops_balloon_auto_apply(e->ctx, conn, guests, d, 1,
						   &changed),
			 0);
	assert_int_equal(changed, 1);
	assert_int_equal(
		kvmops_balloon_auto_gather(e->ctx, conn, &guests, &count), 0);
	assert_int_equal(guests[0].balloon.current_kib, was - 64 * MIB);
	free(guests);
	kvmops_disconnect(conn);
}

int main(void)
{
#define TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		TEST(test_whole_host_from_meminfo),
		TEST(test_cgroup_v2_budget_against_meminfo),
		TEST(test_cgroup_without_limit_has_memtotal),
		TEST(test_cgroup_v1),
		TEST(test_no_such_cgroup),
		TEST(test_gather_carries_the_last_cycle),
		TEST(test_guest_without_stats_looked_up_every_6_cycles),
		TEST(test_apply_sets_the_live_balloon),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
