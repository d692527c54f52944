// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The chain of an export directory (lib/policy/backup-chain.c): when the
 * next backup builds on the last one and when a full one starts a new
 * chain, and which backups make a point in time. From tables.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "libkvmops-private.h"
#include "unit/fixture.h"

static const char *const two_disks[] = { "vda", "vdb" };

static const struct kvmops_backup last_full = {
	.name = "b1",
	.checkpoint = "kvmops-b1",
	.disk_targets = two_disks,
	.disk_count = 2,
};

static const struct kvmops_chain_disk qcow2_both[] = {
	{ .target = "vda", .format = "qcow2", .has_bitmap = true },
	{ .target = "vdb", .format = "qcow2", .has_bitmap = true },
};

static const struct kvmops_chain_disk vdb_lost_bitmap[] = {
	{ .target = "vda", .format = "qcow2", .has_bitmap = true },
	{ .target = "vdb", .format = "qcow2", .has_bitmap = false },
};

static const struct kvmops_chain_disk vdc_added[] = {
	{ .target = "vda", .format = "qcow2", .has_bitmap = true },
	{ .target = "vdb", .format = "qcow2", .has_bitmap = true },
	{ .target = "vdc", .format = "qcow2", .has_bitmap = false },
};

static const struct kvmops_chain_disk vdb_removed[] = {
	{ .target = "vda", .format = "qcow2", .has_bitmap = true },
};

static const struct kvmops_chain_disk vda_raw[] = {
	{ .target = "vda", .format = "raw", .has_bitmap = false },
	{ .target = "vdb", .format = "qcow2", .has_bitmap = true },
};

static const struct kvmops_backup no_checkpoint = {
	.name = "b1",
	.disk_targets = two_disks,
	.disk_count = 2,
};

struct row {
	const char *what;
	struct kvmops_chain_figures f;
	bool incremental;
	enum kvmops_chain_reason reason;
	const char *disk;
};

#define INCREMENTAL_ON(l, d)                                             \
	{                                                                \
		.asked_incremental = true, .running = true, .last = (l), \
		.checkpoint_on_host = true, .disks = (d),                \
		.disk_count = ARRAY_SIZE(d),                             \
	}

static void test_decide(void **state)
{
	struct row rows[] = {
		{ "the chain goes on", INCREMENTAL_ON(&last_full, qcow2_both),
		  true, KVMOPS_CHAIN_CONTINUES, NULL },
		{ "a full backup asked for",
		  { .asked_full = true, .running = true, .last = &last_full },
		  false,
		  KVMOPS_CHAIN_ASKED_FULL,
		  NULL },
		{ "no incremental asked for",
		  { .running = true, .last = &last_full },
		  false,
		  KVMOPS_CHAIN_NOT_ASKED,
		  NULL },
		{ "the first backup", INCREMENTAL_ON(NULL, qcow2_both), false,
		  KVMOPS_CHAIN_NO_EARLIER, NULL },
		{ "the last backup took no checkpoint",
		  INCREMENTAL_ON(&no_checkpoint, qcow2_both), false,
		  KVMOPS_CHAIN_NO_CHECKPOINT, NULL },
		{ "a bitmap gone (a crash, a disk replaced)",
		  INCREMENTAL_ON(&last_full, vdb_lost_bitmap), false,
		  KVMOPS_CHAIN_BITMAP_GONE, "vdb" },
		{ "a disk added", INCREMENTAL_ON(&last_full, vdc_added), false,
		  KVMOPS_CHAIN_DISK_ADDED, "vdc" },
		{ "a disk removed", INCREMENTAL_ON(&last_full, vdb_removed),
		  false, KVMOPS_CHAIN_DISK_REMOVED, "vdb" },
		{ "a raw disk holds no bitmap",
		  INCREMENTAL_ON(&last_full, vda_raw), false,
		  KVMOPS_CHAIN_NOT_QCOW2, "vda" },
	};
	struct kvmops_chain_figures gone =
		INCREMENTAL_ON(&last_full, qcow2_both);
	struct kvmops_chain_figures off =
		INCREMENTAL_ON(&last_full, qcow2_both);
	struct kvmops_chain_decision d;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		d = kvmops_chain_decide(&rows[i].f);
		if (d.incremental != rows[i].incremental ||
		    d.reason != rows[i].reason ||
		    (rows[i].disk ? !d.disk || strcmp(d.disk, rows[i].disk) :
				    d.disk != NULL))
			fail_msg("%s: got %s (%s, disk %s)", rows[i].what,
				 d.incremental ? "incremental" : "full",
				 kvmops_chain_reason_name(d.reason),
				 d.disk ? d.disk : "none");
	}
	gone.checkpoint_on_host = false;
	d = kvmops_chain_decide(&gone);
	assert_false(d.incremental);
	assert_int_equal(d.reason, KVMOPS_CHAIN_CHECKPOINT_GONE);
	off.running = false;
	d = kvmops_chain_decide(&off);
	assert_false(d.incremental);
	assert_int_equal(d.reason, KVMOPS_CHAIN_SHUT_OFF);
}

static void test_reason_names(void **state)
{
	(void)state;
	assert_string_equal(kvmops_chain_reason_name(KVMOPS_CHAIN_DISK_ADDED),
			    "disk-added");
	assert_string_equal(
		kvmops_chain_reason_name((enum kvmops_chain_reason)99),
		"unknown");
	for (int r = KVMOPS_CHAIN_CONTINUES; r <= KVMOPS_CHAIN_SHUT_OFF; r++)
		assert_string_not_equal(
			kvmops_chain_reason_name((enum kvmops_chain_reason)r),
			"unknown");
}

/* b1 full <- b2 <- b3; b4 full <- b5 */
static const struct kvmops_backup directory[] = {
	{ .name = "b1" },
	{ .name = "b2", .parent = "b1" },
	{ .name = "b3", .parent = "b2" },
	{ .name = "b4" },
	{ .name = "b5", .parent = "b4" },
};

static void point_is(struct kvmops_ctx *ctx, const char *at, const char *want)
{
	size_t chain[8], n = 0;
	char got[64] = "";

	assert_int_equal(kvmops_chain_point(ctx, directory,
					    ARRAY_SIZE(directory), at, chain,
					    &n),
			 0);
	for (size_t i = 0; i < n; i++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s",
			 i ? " " : "", directory[chain[i]].name);
	assert_string_equal(got, want);
}

static void test_point_in_time(void **state)
{
	point_is(*state, NULL, "b4 b5");
	point_is(*state, "b3", "b1 b2 b3");
	point_is(*state, "b2", "b1 b2");
	point_is(*state, "b1", "b1");
	point_is(*state, "b4", "b4");
}

static void test_point_refusals(void **state)
{
	struct kvmops_ctx *ctx = *state;
	const struct kvmops_backup broken[] = {
		{ .name = "b2", .parent = "b1" },
	};
	const struct kvmops_backup loop[] = {
		{ .name = "b1", .parent = "b2" },
		{ .name = "b2", .parent = "b1" },
	};
	size_t chain[4], n;

	assert_int_equal(kvmops_chain_point(ctx, directory,
					    ARRAY_SIZE(directory), "b9", chain,
					    &n),
			 -ENOENT);
	assert_in_error(ctx, "'b9'");
	assert_int_equal(kvmops_chain_point(ctx, directory, 0, NULL, chain, &n),
			 -ENOENT);
	assert_int_equal(kvmops_chain_point(ctx, broken, 1, NULL, chain, &n),
			 -EINVAL);
	assert_in_error(ctx, "builds on 'b1'");
	assert_int_equal(kvmops_chain_point(ctx, loop, 2, "b1", chain, &n),
			 -EINVAL);
	assert_in_error(ctx, "loops");
}

#define TEST(f) cmocka_unit_test_setup_teardown(f, ctx_setup, ctx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decide),
		cmocka_unit_test(test_reason_names),
		TEST(test_point_in_time),
		TEST(test_point_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
