// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * An export directory's manifest (lib/backup/manifest.c): written and read
 * back the same, and every bad manifest refused naming what is wrong, a
 * name that could leave the directory first among them.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "backup/manifest.h"
#include "unit/fixture.h"

#define SHA_A "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
#define SHA_B "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752"

static const struct kvmops_manifest_disk vda = {
	.target = "vda",
	.format = "raw",
	.file = "vda.img",
	.virtual_bytes = 10737418240ull,
	.stored_bytes = 52428800,
	.sha256 = SHA_A,
};

static const struct kvmops_manifest_disk vda_inc = {
	.target = "vda",
	.format = "qcow2",
	.file = "vda.qcow2",
	.virtual_bytes = 10737418240ull,
	.stored_bytes = 33751040,
	.sha256 = SHA_B,
	.compressed = true,
};

static void add(struct kvmops_ctx *ctx, struct kvmops_manifest *m,
		const char *name, const char *parent,
		const struct kvmops_manifest_disk *disk)
{
	struct kvmops_manifest_backup b = {
		.time = "2026-12-02T19:00:00Z",
		.incremental = parent != NULL,
		.disks = (struct kvmops_manifest_disk *)disk,
		.disk_count = 1,
	};

	snprintf(b.name, sizeof(b.name), "%s", name);
	snprintf(b.parent, sizeof(b.parent), "%s", parent ? parent : "");
	snprintf(b.checkpoint, sizeof(b.checkpoint), "kvmops-%s", name);
	assert_int_equal(kvmops_manifest_add(ctx, m, &b), 0);
}

static void test_round_trip(void **state)
{
	struct kvmops_ctx *ctx = *state;
	struct kvmops_manifest m = { .version = 1 }, back;
	char *text, *again;

	snprintf(m.domain, sizeof(m.domain), "g1");
	snprintf(m.uuid, sizeof(m.uuid),
		 "6a1d3f2e-8f55-4d0b-9a8e-2c7b1f0e4d21");
	add(ctx, &m, "20261202T190000Z", NULL, &vda);
	add(ctx, &m, "20261202T191500Z", "20261202T190000Z", &vda_inc);
	text = kvmops_manifest_format(&m);
	assert_non_null(text);
	assert_int_equal(
		kvmops_manifest_parse(ctx, text, "manifest.json", &back), 0);
	assert_int_equal(back.count, 2);
	assert_string_equal(back.domain, "g1");
	assert_false(back.backups[0].incremental);
	assert_string_equal(back.backups[0].parent, "");
	assert_true(back.backups[1].incremental);
	assert_false(back.backups[0].disks[0].compressed);
	assert_true(back.backups[1].disks[0].compressed);
	assert_string_equal(back.backups[1].parent, "20261202T190000Z");
	assert_string_equal(back.backups[1].checkpoint,
			    "kvmops-20261202T191500Z");
	assert_true(back.backups[0].disks[0].virtual_bytes == 10737418240ull);
	assert_string_equal(back.backups[1].disks[0].sha256, SHA_B);
	again = kvmops_manifest_format(&back);
	assert_string_equal(text, again);
	free(again);
	free(text);
	kvmops_manifest_free(&back);
	kvmops_manifest_free(&m);
}

static void test_add_needs_the_parent(void **state)
{
	struct kvmops_ctx *ctx = *state;
	struct kvmops_manifest m = { .version = 1 };
	struct kvmops_manifest_backup b = { .name = "b2", .parent = "b1" };

	assert_int_equal(kvmops_manifest_add(ctx, &m, &b), -EINVAL);
	assert_in_error(ctx, "'b1'");
	kvmops_manifest_free(&m);
}

#define DISK(file, sha)                                                 \
	"{\"target\":\"vda\",\"format\":\"raw\",\"file\":\"" file "\"," \
	"\"virtual_bytes\":1024,\"stored_bytes\":0,\"sha256\":\"" sha "\"}"
#define BACKUP(name, kind, parent, disks)                              \
	"{\"name\":\"" name "\",\"time\":\"t\",\"kind\":\"" kind "\"," \
	"\"parent\":" parent ",\"disks\":[" disks "]}"
#define MANIFEST(version, backups)                                   \
	"{\"version\":" version ",\"domain\":\"g1\",\"uuid\":\"u\"," \
	"\"backups\":[" backups "]}"
#define GOOD_DISK DISK("vda.img", SHA_A)
#define FULL BACKUP("b1", "full", "null", GOOD_DISK)

static void test_refusals(void **state)
{
	static const struct {
		const char *text, *named;
	} rows[] = {
		{ "[1, 2", "not a kvmops manifest" },
		{ "[1]", "not a JSON object" },
		{ "{\"domain\":\"g1\"}", "version is missing" },
		{ MANIFEST("2", FULL),
		  "version 2; this kvmops reads version 1" },
		{ "{\"version\":1,\"uuid\":\"u\",\"backups\":[]}", "domain" },
		{ "{\"version\":1,\"domain\":\"g\",\"uuid\":\"u\"}",
		  "backups" },
		{ MANIFEST("1", BACKUP("../etc", "full", "null", GOOD_DISK)),
		  "name is not a plain name" },
		{ MANIFEST("1", BACKUP("b1", "full", "null",
				       DISK("../../etc/passwd", SHA_A))),
		  "backup 'b1': file is not a plain name" },
		{ MANIFEST("1", BACKUP("b1", "full", "null",
				       DISK(".hidden", SHA_A))),
		  "file is not a plain name" },
		{ MANIFEST("1", BACKUP("b1", "full", "null",
				       DISK("vda.img", "abc"))),
		  "sha256" },
		{ MANIFEST("1", BACKUP("b1", "weekly", "null", GOOD_DISK)),
		  "kind is neither" },
		{ MANIFEST("1", BACKUP("b2", "incremental", "null", GOOD_DISK)),
		  "parent is missing for an incremental" },
		{ MANIFEST("1", BACKUP("b1", "full", "\"b0\"", GOOD_DISK)),
		  "parent is given for a full backup" },
		{ MANIFEST("1", FULL "," BACKUP("b2", "incremental", "\"b3\"",
						GOOD_DISK)),
		  "backup 'b2': parent names no earlier backup" },
		{ MANIFEST("1", FULL "," FULL), "earlier backup" },
		{ MANIFEST("1", BACKUP("b1", "full", "null", "")),
		  "disks is missing or empty" },
		{ MANIFEST("1",
			   BACKUP("b1", "full", "null",
				  "{\"target\":\"vda\",\"format\":\"raw\","
				  "\"file\":\"vda.img\",\"virtual_bytes\":-1,"
				  "\"stored_bytes\":0,\"sha256\":\"" SHA_A
				  "\"}")),
		  "virtual_bytes" },
		{ MANIFEST("1",
			   BACKUP("b1", "full", "null",
				  "{\"target\":\"vda\",\"format\":\"vmdk\","
				  "\"file\":\"vda.img\",\"virtual_bytes\":1,"
				  "\"stored_bytes\":0,\"sha256\":\"" SHA_A
				  "\"}")),
		  "format" },
		{ MANIFEST("1",
			   BACKUP("b1", "full", "null",
				  "{\"target\":\"vda\",\"format\":\"raw\","
				  "\"file\":\"vda.img\",\"virtual_bytes\":1,"
				  "\"stored_bytes\":0,\"sha256\":\"" SHA_A
				  "\",\"compressed\":true}")),
		  "compressed is true for an image that is not qcow2" },
		{ MANIFEST("1",
			   BACKUP("b1", "full", "null",
				  "{\"target\":\"vda\",\"format\":\"qcow2\","
				  "\"file\":\"vda.img\",\"virtual_bytes\":1,"
				  "\"stored_bytes\":0,\"sha256\":\"" SHA_A
				  "\",\"compressed\":\"yes\"}")),
		  "compressed is not true or false" },
	};
	struct kvmops_ctx *ctx = *state;
	struct kvmops_manifest m;

	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		if (kvmops_manifest_parse(ctx, rows[i].text,
					  "DIR/manifest.json", &m) != -EINVAL)
			fail_msg("accepted: %s", rows[i].text);
		assert_null(m.backups);
		assert_in_error(ctx, "DIR/manifest.json: ");
		assert_in_error(ctx, rows[i].named);
	}
	assert_int_equal(
		kvmops_manifest_parse(ctx, MANIFEST("1", FULL), "M", &m), 0);
	assert_int_equal(m.count, 1);
	kvmops_manifest_free(&m);
}

static void test_plain_names(void **state)
{
	(void)state;
	assert_true(kvmops_backup_name_ok("20261202T190000Z-full"));
	assert_true(kvmops_backup_name_ok("vda.qcow2"));
	assert_false(kvmops_backup_name_ok(""));
	assert_false(kvmops_backup_name_ok("."));
	assert_false(kvmops_backup_name_ok(".."));
	assert_false(kvmops_backup_name_ok("a/b"));
	assert_false(kvmops_backup_name_ok("a b"));
	assert_false(kvmops_backup_name_ok(NULL));
}

#define TEST(f) cmocka_unit_test_setup_teardown(f, ctx_setup, ctx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_round_trip),
		TEST(test_add_needs_the_parent),
		TEST(test_refusals),
		cmocka_unit_test(test_plain_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
