// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The stream pump's file ends (lib/virt/stream.c), as export and import
 * use them: a sparse file read with its holes kept, written with them
 * left unwritten, and hashed as sha256sum reads it.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libkvmops-private.h"
#include "unit/fixture.h"
#include "virt/stream.h"
#include "virt/virt.h"

#define MIB (1024 * 1024)

struct env {
	struct kvmops_ctx *ctx;
	char *dir;
	char src[4096], dst[4096];
};

/* 1 MiB of data, an 8 MiB hole, 4 KiB of data, a hole to 16 MiB. */
static void make_sparse(const char *path)
{
	char *data = malloc(MIB);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_non_null(data);
	assert_true(fd >= 0);
	for (size_t i = 0; i < MIB; i++)
		data[i] = (char)(i * 7 + 3);
	assert_int_equal(pwrite(fd, data, MIB, 0), MIB);
	assert_int_equal(pwrite(fd, data, 4096, 9 * MIB), 4096);
	assert_int_equal(ftruncate(fd, 16 * MIB), 0);
	close(fd);
	free(data);
}

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));

	if (!e || kvmops_new(&e->ctx) || kvmops_virt_load(e->ctx))
		return -1;
	e->dir = fixture_mkdtemp();
	snprintf(e->src, sizeof(e->src), "%s/src.img", e->dir);
	snprintf(e->dst, sizeof(e->dst), "%s/dst.img", e->dir);
	make_sparse(e->src);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;

	fixture_remove(e->dir);
	kvmops_unref(e->ctx);
	free(e);
	return 0;
}

static void sha256sum(const char *path, char *out)
{
	char cmd[4200];
	FILE *f;

	snprintf(cmd, sizeof(cmd), "sha256sum '%s'", path);
	f = popen(cmd, "r");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%64s", out), 1);
	pclose(f);
}

static uint64_t allocated(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return (uint64_t)st.st_blocks * 512;
}

static void test_file_to_file_keeps_holes(void **state)
{
	struct env *e = *state;
	struct kvmops_pump p = { .from_file = true, .to_file = true };
	char want[65];
	struct stat st;

	if (allocated(e->src) >= 8 * MIB)
		skip(); /* a file system without holes */
	p.from_fd = open(e->src, O_RDONLY);
	p.to_fd = open(e->dst, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_int_equal(kvmops_pump_run(&p), 0);
	close(p.from_fd);
	close(p.to_fd);
	sha256sum(e->src, want);
	assert_string_equal(p.sha256, want);
	assert_true(p.bytes == 16 * MIB);
	assert_true(p.hole_bytes >= 14 * MIB);
	assert_int_equal(stat(e->dst, &st), 0);
	assert_true(st.st_size == 16 * MIB);
	assert_true(allocated(e->dst) < 2 * MIB);
	sha256sum(e->dst, want);
	assert_string_equal(p.sha256, want);
}

static void test_file_read_only_hashes(void **state)
{
	struct env *e = *state;
	struct kvmops_pump p = { .from_file = true };
	char want[65];

	p.from_fd = open(e->src, O_RDONLY);
	assert_int_equal(kvmops_pump_run(&p), 0);
	close(p.from_fd);
	sha256sum(e->src, want);
	assert_string_equal(p.sha256, want);
	assert_true(p.bytes == 16 * MIB);
}

static void test_cancel_stops(void **state)
{
	struct env *e = *state;
	static const volatile int stop = 1;
	struct kvmops_pump p = { .from_file = true, .cancel = &stop };

	p.from_fd = open(e->src, O_RDONLY);
	assert_int_equal(kvmops_pump_run(&p), -ECANCELED);
	close(p.from_fd);
	assert_string_equal(p.sha256, "");
}

#define TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_file_to_file_keeps_holes),
		TEST(test_file_read_only_hashes),
		TEST(test_cancel_stops),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
