// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What an export does with each disk (lib/backup/plan.c), for a running
 * and a shut-off guest, and the backup job's and checkpoint's XML, checked
 * against libvirt's own schemas when virt-xml-validate is there.
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

#include "backup/plan.h"
#include "unit/fixture.h"

#define FILE_DISK(dev, fmt, file)                                              \
	"<disk type='file' device='disk'><driver name='qemu' type='" fmt "'/>" \
	"<source file='" file "'/><target dev='" dev "' bus='virtio'/></disk>"
#define CDROM                                                               \
	"<disk type='file' device='cdrom'><driver name='qemu' type='raw'/>" \
	"<source file='/iso/install.iso'/><target dev='sda' bus='sata'/>"   \
	"<readonly/></disk>"
#define DOMAIN(disks)                                                \
	"<domain type='kvm'><name>g1</name><memory>1048576</memory>" \
	"<devices>" disks "</devices></domain>"

struct env {
	struct kvmops_ctx *ctx;
	struct kvmops_disk *disks;
	size_t count;
	struct kvmops_export_disk *plan;
};

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));

	if (!e || kvmops_new(&e->ctx) || kvmops_virt_load(e->ctx))
		return -1;
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;

	free(e->disks);
	free(e->plan);
	kvmops_unref(e->ctx);
	free(e);
	return 0;
}

static int plan_compressed(struct env *e, const char *xml, bool running,
			   bool compress)
{
	free(e->disks);
	free(e->plan);
	e->plan = NULL;
	assert_int_equal(kvmops_domain_disks(xml, &e->disks, &e->count), 0);
	return kvmops_export_plan(e->ctx, e->disks, e->count, running, compress,
				  "20261202T190000Z", &e->plan);
}

static int plan(struct env *e, const char *xml, bool running)
{
	return plan_compressed(e, xml, running, false);
}

static const char *const two_and_cdrom = DOMAIN(
	FILE_DISK("vda", "qcow2", "/var/lib/libvirt/images/g1.qcow2")
		FILE_DISK("vdb", "raw", "/var/lib/libvirt/images/g1-data.img")
			CDROM);

static void test_running(void **state)
{
	struct env *e = *state;

	assert_int_equal(plan(e, two_and_cdrom, true), 0);
	assert_int_equal(e->count, 3);
	assert_false(e->plan[0].skip);
	assert_string_equal(e->plan[0].stored_file, "vda.qcow2");
	assert_string_equal(e->plan[1].stored_format, "qcow2");
	assert_string_equal(e->plan[1].stored_file, "vdb.qcow2");
	assert_string_equal(e->plan[1].scratch_name,
			    "kvmops-backup-20261202T190000Z-vdb.qcow2");
	assert_true(e->plan[2].skip);
	assert_string_equal(e->plan[2].why, "a removable medium");
}

static void test_shut_off(void **state)
{
	struct env *e = *state;

	assert_int_equal(plan(e, two_and_cdrom, false), 0);
	assert_string_equal(e->plan[0].stored_format, "qcow2");
	assert_string_equal(e->plan[0].stored_file, "vda.qcow2");
	assert_string_equal(e->plan[1].stored_format, "raw");
	assert_string_equal(e->plan[1].stored_file, "vdb.img");
	assert_string_equal(e->plan[1].scratch_name, "");
	assert_true(e->plan[2].skip);
}

/* Compressed, every image is a qcow2, streamed first into a file beside it. */
static void test_compressed(void **state)
{
	struct env *e = *state;

	assert_int_equal(plan_compressed(e, two_and_cdrom, false, true), 0);
	assert_true(e->plan[1].compress);
	assert_string_equal(e->plan[1].stream_format, "raw");
	assert_string_equal(e->plan[1].stream_file, "vdb.stream.img");
	assert_string_equal(e->plan[1].stored_format, "qcow2");
	assert_string_equal(e->plan[1].stored_file, "vdb.qcow2");
	assert_string_equal(e->plan[0].stream_file, "vda.stream.qcow2");
	assert_int_equal(plan_compressed(e, two_and_cdrom, true, true), 0);
	assert_string_equal(e->plan[1].stream_format, "qcow2");
	assert_string_equal(e->plan[1].stream_file, "vdb.stream.qcow2");
	assert_int_equal(plan(e, two_and_cdrom, true), 0);
	assert_false(e->plan[0].compress);
	assert_string_equal(e->plan[0].stream_file, "");
}

static void test_refusals(void **state)
{
	struct env *e = *state;

	assert_int_equal(
		plan(e,
		     DOMAIN(FILE_DISK(
			     "vda", "qcow2",
			     "/i/g1.qcow2") "<disk type='network' device='disk'><driver name='qemu' type='raw'/>"
					    "<source protocol='rbd' name='pool/g1-data'/><target dev='vdb' bus='virtio'/></disk>"),
		     true),
		-ENOTSUP);
	assert_in_error(e->ctx, "disk vdb is on network storage (rbd)");
	assert_int_equal(
		plan(e,
		     DOMAIN("<disk type='file' device='disk'><driver name='qemu' type='raw'/>"
			    "<source file='/i/shared.img'/><target dev='vdc' bus='virtio'/><shareable/></disk>"),
		     false),
		-ENOTSUP);
	assert_in_error(e->ctx, "vdc is shareable");
	assert_int_equal(plan(e, DOMAIN(CDROM), true), -ENOENT);
	assert_in_error(e->ctx, "no disk with data");
}

/* virt-xml-validate FILE SCHEMA, when it is installed: 0 valid, 77 none. */
static int validate(const char *xml, const char *schema)
{
	char path[] = "/tmp/kvmops-plan-XXXXXX", cmd[256];
	FILE *f;
	int fd = mkstemp(path), rc;

	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs(xml, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd),
		 "command -v virt-xml-validate >/dev/null || exit 77; "
		 "virt-xml-validate '%s' %s >/dev/null 2>&1",
		 path, schema);
	rc = system(cmd);
	unlink(path);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static void test_job_and_checkpoint_xml(void **state)
{
	struct env *e = *state;
	const char *scratch[] = { "/var/lib/libvirt/images/a&b.qcow2",
				  "/var/lib/libvirt/images/b.qcow2", NULL };
	char *job, *inc, *cp;
	int rc;

	assert_int_equal(plan(e, two_and_cdrom, true), 0);
	/* vda's image cannot hold a bitmap (qcow2 version 2, say); vdb's can */
	for (size_t i = 0; i < e->count; i++)
		e->plan[i].bitmaps = !strcmp(e->plan[i].disk.target, "vdb");
	job = kvmops_backup_job_xml(e->plan, e->count, scratch, NULL);
	inc = kvmops_backup_job_xml(e->plan, e->count, scratch, "kvmops-b1");
	cp = kvmops_checkpoint_xml(e->plan, e->count, "kvmops-b2");
	assert_non_null(job);
	assert_non_null(inc);
	assert_non_null(cp);
	assert_non_null(strstr(
		job, "<target file='/var/lib/libvirt/images/a&amp;b.qcow2'/>"));
	assert_null(strstr(job, "<incremental>"));
	assert_non_null(strstr(inc, "<incremental>kvmops-b1</incremental>"));
	assert_non_null(strstr(job, "<disk name='sda' backup='no'/>"));
	assert_non_null(strstr(cp, "<disk name='vdb' checkpoint='bitmap'/>"));
	assert_non_null(strstr(cp, "<disk name='sda' checkpoint='no'/>"));
	assert_non_null(strstr(cp, "<disk name='vda' checkpoint='no'/>"));
	rc = validate(job, "domainbackup");
	if (rc != 77) {
		assert_int_equal(rc, 0);
		assert_int_equal(validate(inc, "domainbackup"), 0);
		assert_int_equal(validate(cp, "domaincheckpoint"), 0);
	}
	free(job);
	free(inc);
	free(cp);
}

#define TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_running),
		TEST(test_shut_off),
		TEST(test_compressed),
		TEST(test_refusals),
		TEST(test_job_and_checkpoint_xml),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
