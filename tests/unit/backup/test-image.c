// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Stored images and qemu-img (lib/backup/image.c), on real images made
 * with qemu-img and qemu-io: an incremental compressed against its
 * parent keeps the zeros the guest wrote over older data (compressed on
 * its own, they would become holes showing that older data), names no
 * backing file, and reads through the chain as the uncompressed one
 * does. Skips (77) without qemu-img, unless KVMOPS_REQUIRE_LAB=1.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backup/image.h"
#include "unit/fixture.h"

struct env {
	struct kvmops_ctx *ctx;
	char *dir;
	struct kvmops_manifest m;
	struct kvmops_manifest_disk disks[2];
	char path[PATH_MAX];
};

/* @dir/@backup/@file into e->path. */
static const char *at(struct env *e, const char *backup, const char *file)
{
	snprintf(e->path, sizeof(e->path), "%s/%s/%s", e->dir, backup, file);
	return e->path;
}

static void mkfolder(struct env *e, const char *backup)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", e->dir, backup);
	assert_int_equal(mkdir(p, 0755), 0);
}

static void make_image(const char *path, const char *format, const char *io)
{
	const char *create[] = { "qemu-img", "create", "-q",  "-f",
				 format,     path,     "16M", NULL };
	const char *write[] = { "qemu-io", "-f", format, "-c", io, path, NULL };

	assert_int_equal(fixture_exec(create), 0);
	if (io)
		assert_int_equal(fixture_exec(write), 0);
}

/*
 * Backup "full" holds 0xaa over the first 4 MiB. The next one's stream,
 * as the backup job leaves it: zeros written over the first MiB (data
 * clusters of zeros), 0xbb at 8 MiB, nothing else.
 */
static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));

	if (!e || kvmops_new(&e->ctx) < 0)
		return -1;
	e->dir = fixture_mkdtemp();
	if (!e->dir)
		return -1;
	mkfolder(e, "full");
	mkfolder(e, "inc");
	make_image(at(e, "full", "vda.qcow2"), "qcow2", "write -P 0xaa 0 4M");
	make_image(at(e, "inc", "vda.stream.qcow2"), "qcow2", NULL);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;

	fixture_remove(e->dir);
	free(e->m.backups);
	kvmops_unref(e->ctx);
	free(e);
	return 0;
}

static void write_stream(struct env *e)
{
	const char *io[] = { "qemu-io",
			     "-f",
			     "qcow2",
			     "-c",
			     "write -P 0 0 1M",
			     "-c",
			     "write -P 0xbb 8M 1M",
			     at(e, "inc", "vda.stream.qcow2"),
			     NULL };

	assert_int_equal(fixture_exec(io), 0);
}

/* A manifest of "full", and "inc" on it once it is stored. */
static void manifest(struct env *e, bool with_inc)
{
	static struct kvmops_manifest_backup b[2];

	b[0] = (struct kvmops_manifest_backup){ .name = "full",
						.disks = &e->disks[0],
						.disk_count = 1 };
	b[1] = (struct kvmops_manifest_backup){ .name = "inc",
						.parent = "full",
						.incremental = true,
						.disks = &e->disks[1],
						.disk_count = 1 };
	e->disks[0] = (struct kvmops_manifest_disk){ .target = "vda",
						     .format = "qcow2",
						     .file = "vda.qcow2" };
	e->disks[1] = e->disks[0];
	e->disks[1].compressed = true;
	e->m = (struct kvmops_manifest){ .backups = NULL,
					 .count = with_inc ? 2 : 1 };
	e->m.backups = calloc(2, sizeof(b[0]));
	memcpy(e->m.backups, b, sizeof(b));
}

static int compress_inc(struct env *e, bool against_parent)
{
	char source[PATH_MAX], output[PATH_MAX];

	snprintf(source, sizeof(source), "%s",
		 at(e, "inc", "vda.stream.qcow2"));
	snprintf(output, sizeof(output), "%s", at(e, "inc", "vda.qcow2"));
	struct kvmops_compress c = {
		.source = source,
		.source_format = "qcow2",
		.output = output,
		.m = &e->m,
		.parent = against_parent ? &e->m.backups[0] : NULL,
		.dir = e->dir,
		.target = "vda",
		.verify = true,
	};
	return kvmops_backup_compress(e->ctx, &c);
}

/* Whether two images read the same (qemu-img compare): 0 when they do. */
static int compare_chains(const char *a, const char *b)
{
	const char *argv[] = { "qemu-img", "compare", "-q", a, b, NULL };

	return fixture_exec(argv);
}

static void test_incremental_keeps_zeros(void **state)
{
	struct env *e = *state;
	char *stored, *streamed;
	char probe[PATH_MAX * 2];

	write_stream(e);
	manifest(e, false);
	assert_int_equal(compress_inc(e, true), 0);
	/* it names no backing file: the manifest holds the chain */
	snprintf(probe, sizeof(probe),
		 "qemu-img info '%s' | grep -q 'backing file'",
		 at(e, "inc", "vda.qcow2"));
	assert_int_not_equal(system(probe), 0);
	/* and reads through the chain as the stream does */
	manifest(e, true);
	stored = kvmops_backup_image_spec(e->ctx, e->dir, &e->m,
					  &e->m.backups[1], "vda");
	assert_non_null(stored);
	assert_non_null(strstr(stored, "full/vda.qcow2"));
	snprintf(e->disks[1].file, sizeof(e->disks[1].file),
		 "vda.stream.qcow2");
	streamed = kvmops_backup_image_spec(e->ctx, e->dir, &e->m,
					    &e->m.backups[1], "vda");
	assert_int_equal(compare_chains(stored, streamed), 0);
	free(stored);
	free(streamed);
}

/* Compressed on its own, the zeros become holes: the check catches it. */
static void test_alone_would_be_wrong(void **state)
{
	struct env *e = *state;
	char *stored, *streamed;

	write_stream(e);
	manifest(e, false);
	assert_int_equal(compress_inc(e, false), 0);
	manifest(e, true);
	stored = kvmops_backup_image_spec(e->ctx, e->dir, &e->m,
					  &e->m.backups[1], "vda");
	snprintf(e->disks[1].file, sizeof(e->disks[1].file),
		 "vda.stream.qcow2");
	streamed = kvmops_backup_image_spec(e->ctx, e->dir, &e->m,
					    &e->m.backups[1], "vda");
	assert_int_not_equal(compare_chains(stored, streamed), 0);
	free(stored);
	free(streamed);
}

/* A raw stream of a full backup's disk vdb, and its output's place. */
static struct kvmops_compress raw_full(struct env *e, char *source,
				       char *output)
{
	make_image(at(e, "full", "vdb.stream.img"), "raw",
		   "write -P 0x5a 1M 2M");
	snprintf(source, PATH_MAX, "%s", e->path);
	snprintf(output, PATH_MAX, "%s", at(e, "full", "vdb.qcow2"));
	return (struct kvmops_compress){ .source = source,
					 .source_format = "raw",
					 .output = output,
					 .dir = e->dir,
					 .target = "vdb" };
}

/* A raw full image compresses into a qcow2 that reads the same. */
static void test_full_raw(void **state)
{
	struct env *e = *state;
	char source[PATH_MAX], output[PATH_MAX];
	struct kvmops_compress c = raw_full(e, source, output);

	c.verify = true;

	assert_int_equal(kvmops_backup_compress(e->ctx, &c), 0);
	const char *cmp[] = { "qemu-img", "compare", "-q",   "-f",   "raw",
			      "-F",	  "qcow2",   source, output, NULL };
	assert_int_equal(fixture_exec(cmp), 0);
}

/* A failure names qemu-img's complaint and leaves no output. */
static void test_failure(void **state)
{
	struct env *e = *state;
	char output[PATH_MAX];
	struct kvmops_compress c = { .source = "/nonexistent/vda.img",
				     .source_format = "raw",
				     .dir = e->dir,
				     .target = "vda" };

	snprintf(output, sizeof(output), "%s", at(e, "inc", "vda.qcow2"));
	c.output = output;
	assert_int_equal(kvmops_backup_compress(e->ctx, &c), -EIO);
	assert_in_error(e->ctx, "qemu-img could not compress the image: ");
	assert_in_error(e->ctx, "No such file or directory");
	assert_int_not_equal(access(output, F_OK), 0);
	/* a parent without an image of the disk is refused before qemu-img */
	manifest(e, false);
	c.m = &e->m;
	c.parent = &e->m.backups[0];
	c.target = "vdz";
	assert_int_equal(kvmops_backup_compress(e->ctx, &c), -EIO);
	assert_in_error(e->ctx, "backup full has no image of disk vdz");
}

/* Cancelled, qemu-img is ended: -ECANCELED, and no output left. */
static void test_cancelled(void **state)
{
	struct env *e = *state;
	char source[PATH_MAX], output[PATH_MAX];
	volatile int cancel = 1;
	struct kvmops_compress c = raw_full(e, source, output);

	c.cancel = &cancel;

	assert_int_equal(kvmops_backup_compress(e->ctx, &c), -ECANCELED);
	assert_in_error(e->ctx, "interrupted trying to compress the image");
	assert_int_not_equal(access(output, F_OK), 0);
}

static bool have_qemu_img(void)
{
	return !system("qemu-img --version >/dev/null 2>&1 && "
		       "command -v qemu-io >/dev/null 2>&1");
}

#define TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_incremental_keeps_zeros),
		TEST(test_alone_would_be_wrong),
		TEST(test_full_raw),
		TEST(test_failure),
		TEST(test_cancelled),
	};
	const char *require = getenv("KVMOPS_REQUIRE_LAB");

	if (!have_qemu_img()) {
		fprintf(stderr, "test-image: no qemu-img or qemu-io here\n");
		return require && !strcmp(require, "1") ? 1 : 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
