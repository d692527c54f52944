// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * How kvm-migrate shows a job (cli/progress.c): the progress line of each
 * phase, the NDJSON event, and the closing summary.
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

#include "migrate/progress.h"

#define MIB (1024ull * 1024)
#define GIB (1024ull * 1024 * 1024)

static char line[512];

static const char *line_of(const struct kvmops_job *j)
{
	memset(line, 'X', sizeof(line));
	job_line(j, line, sizeof(line));
	if (!memchr(line, '\0', sizeof(line)))
		fail_msg("the line is not terminated");
	return line;
}

static void has(const char *text, const char *part)
{
	if (!strstr(text, part))
		fail_msg("'%s' not in '%s'", part, text);
}

static void lacks(const char *text, const char *part)
{
	if (strstr(text, part))
		fail_msg("'%s' in '%s'", part, text);
}

/* A live job in its third memory pass, with every figure set. */
static struct kvmops_job memory_job(void)
{
	struct kvmops_job j;

	memset(&j, 0, sizeof(j));
	j.phase = KVMOPS_PHASE_MEMORY;
	j.elapsed_ms = 12345;
	j.data_total = 4 * GIB;
	j.data_processed = GIB;
	j.data_remaining = 3 * GIB;
	j.mem_total = 4 * GIB;
	j.mem_processed = 512 * MIB;
	j.mem_remaining = GIB;
	j.mem_bps = 100 * MIB;
	j.dirty_rate = 2560;
	j.page_size = 4096;
	j.iteration = 3;
	return j;
}

static void test_line_memory(void **state)
{
	struct kvmops_job j = memory_job();
	const char *l = line_of(&j);

	has(l, "memory");
	has(l, "12.3s");
	has(l, "pass 3");
	has(l, "sent 512 MiB");
	has(l, "1 GiB left");
	has(l, "100 MiB/s");
	/* 1024 MiB at 100 MiB/s: 10.24 s, rounded up. */
	has(l, "ETA 0:11");
	/* 2560 pages of 4 KiB a second. */
	has(l, "dirtied 10 MiB/s");
	/* What is left can grow: no share done that could run backwards. */
	lacks(l, "%");
	lacks(l, "throttled");
}

static void test_line_memory_first_pass(void **state)
{
	struct kvmops_job j = memory_job();
	const char *l;

	/* libvirt leaves out the iteration early on: that is the first. */
	j.iteration = 0;
	l = line_of(&j);
	has(l, "pass 1");
	lacks(l, "%");
	/* No dirty rate, or no page size: nothing to say about it. */
	j.dirty_rate = 0;
	lacks(line_of(&j), "dirtied");
	j.dirty_rate = 2560;
	j.page_size = 0;
	lacks(line_of(&j), "dirtied");
}

static void test_line_memory_zero_rate(void **state)
{
	struct kvmops_job j = memory_job();
	const char *l;

	j.mem_bps = 0;
	l = line_of(&j);
	has(l, "1 GiB left");
	lacks(l, "ETA");
	lacks(l, "0 B/s");
	lacks(l, "%");
}

/* The one '%' a memory line has: auto-converge's throttle, not progress. */
static void test_line_memory_throttled(void **state)
{
	struct kvmops_job j = memory_job();
	const char *l;
	char *copy, *at;

	j.throttle_percent = 20;
	l = line_of(&j);
	has(l, "throttled 20%");
	copy = strdup(l);
	at = strstr(copy, "throttled 20%");
	memmove(at, at + strlen("throttled 20%"),
		strlen(at + strlen("throttled 20%")) + 1);
	lacks(copy, "%");
	free(copy);
}

static void test_line_eta_hours(void **state)
{
	struct kvmops_job j = memory_job();

	j.mem_remaining = 10 * GIB;
	j.mem_bps = MIB;
	/* 10240 s */
	has(line_of(&j), "ETA 2:50:40");
	j.mem_remaining = 3600 * MIB;
	has(line_of(&j), "ETA 1:00:00");
	j.mem_remaining = 3599 * MIB;
	has(line_of(&j), "ETA 59:59");
}

static void test_line_disks(void **state)
{
	struct kvmops_job j;
	const char *l;

	memset(&j, 0, sizeof(j));
	j.phase = KVMOPS_PHASE_DISKS;
	j.elapsed_ms = 60000;
	j.disk_total = 10 * GIB;
	j.disk_processed = 2 * GIB + 512 * MIB;
	j.disk_remaining = 7 * GIB + 512 * MIB;
	j.disk_bps = 50 * MIB;
	l = line_of(&j);
	has(l, "disks");
	has(l, "60.0s");
	has(l, "2.50 GiB of 10 GiB (25%)");
	has(l, "7.50 GiB left");
	has(l, "50 MiB/s");
	/* 7680 MiB at 50 MiB/s */
	has(l, "ETA 2:34");
	/* No rate yet: no ETA. */
	j.disk_bps = 0;
	l = line_of(&j);
	has(l, "(25%)");
	lacks(l, "ETA");
	/* Nothing known of the size: 0%, not a division by zero. */
	j.disk_total = 0;
	has(line_of(&j), "(0%)");
}

static struct kvmops_job copy_job(enum kvmops_migrate_phase phase)
{
	struct kvmops_job j;

	memset(&j, 0, sizeof(j));
	j.phase = phase;
	j.elapsed_ms = 10000;
	j.disk_total = 4 * GIB;
	j.disk_processed = GIB;
	j.disk_remaining = 3 * GIB;
	snprintf(j.disk, sizeof(j.disk), "vda");
	snprintf(j.dest_path, sizeof(j.dest_path), "/data/g1.qcow2");
	return j;
}

static void test_line_copy(void **state)
{
	struct kvmops_job j = copy_job(KVMOPS_PHASE_COPY);
	const char *l = line_of(&j);

	has(l, "copy");
	has(l, "vda");
	has(l, "1 GiB of 4 GiB (25%)");
	has(l, "3 GiB left");
	/* The rate over the whole copy: 1 GiB in 10 s. */
	has(l, "102 MiB/s");
	has(l, "ETA 0:31");
	/* The library's rate for the stream wins: time spent shutting down
	 * before the copy is not transfer time. */
	j.disk_bps = 512 * MIB;
	l = line_of(&j);
	has(l, "512 MiB/s");
	has(l, "ETA 0:06");
	/* At the very start there is no rate: no ETA. */
	j.disk_bps = 0;
	j.elapsed_ms = 0;
	l = line_of(&j);
	has(l, "(25%)");
	lacks(l, "ETA");
}

static void test_line_verify(void **state)
{
	struct kvmops_job j = copy_job(KVMOPS_PHASE_VERIFY);
	const char *l;

	j.disk_processed = j.disk_total;
	j.disk_remaining = 0;
	l = line_of(&j);
	has(l, "verify");
	has(l, "vda");
	has(l, "(100%)");
	has(l, "0 B left");
	has(l, "ETA 0:00");
}

static void test_line_postcopy_finishing(void **state)
{
	struct kvmops_job j = memory_job();
	const char *l;

	j.phase = KVMOPS_PHASE_POSTCOPY;
	j.mem_remaining = 300 * MIB;
	l = line_of(&j);
	has(l, "postcopy");
	has(l, "300 MiB left; the guest runs on the destination");
	lacks(l, "%");
	j.phase = KVMOPS_PHASE_FINISHING;
	j.mem_remaining = 12 * MIB;
	l = line_of(&j);
	has(l, "finishing");
	has(l, "guest paused for the last 12 MiB");
	lacks(l, "%");
}

/* The phases without figures show their name and the time. */
static void test_line_bare_phases(void **state)
{
	static const struct {
		enum kvmops_migrate_phase phase;
		const char *want;
	} cases[] = {
		{ KVMOPS_PHASE_SETUP, "setup        1.5s" },
		{ KVMOPS_PHASE_SHUTDOWN, "shutdown     1.5s" },
		{ KVMOPS_PHASE_SAVE, "save         1.5s" },
		{ KVMOPS_PHASE_RESTORE, "restore      1.5s" },
		{ KVMOPS_PHASE_DONE, "done         1.5s" },
	};
	struct kvmops_job j = memory_job();
	size_t i;

	j.elapsed_ms = 1500;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		j.phase = cases[i].phase;
		assert_string_equal(line_of(&j), cases[i].want);
	}
	j.elapsed_ms = 4000000;
	j.phase = KVMOPS_PHASE_SETUP;
	assert_string_equal(line_of(&j), "setup     4000.0s");
}

/* However short the buffer, the line ends inside it. */
static void test_line_truncated(void **state)
{
	struct kvmops_job jobs[] = {
		memory_job(),
		memory_job(),
		memory_job(),
		memory_job(),
		copy_job(KVMOPS_PHASE_COPY),
		copy_job(KVMOPS_PHASE_VERIFY),
		copy_job(KVMOPS_PHASE_DISKS),
	};
	char buf[160];
	size_t i, len;

	jobs[0].throttle_percent = 20;
	jobs[1].phase = KVMOPS_PHASE_POSTCOPY;
	jobs[2].phase = KVMOPS_PHASE_FINISHING;
	jobs[3].phase = KVMOPS_PHASE_SETUP;
	jobs[6].disk_bps = MIB;
	for (i = 0; i < sizeof(jobs) / sizeof(jobs[0]); i++) {
		for (len = 1; len < 100; len++) {
			memset(buf, 'X', sizeof(buf));
			job_line(&jobs[i], buf, len);
			if (strnlen(buf, len) >= len)
				fail_msg("job %zu, %zu bytes: not terminated",
					 i, len);
			if (buf[len] != 'X')
				fail_msg("job %zu, %zu bytes: written beyond",
					 i, len);
		}
	}
}

/* ---- NDJSON ------------------------------------------------------------- */

static json_object *key(json_object *o, const char *name)
{
	json_object *v = NULL;

	if (!json_object_object_get_ex(o, name, &v))
		fail_msg("no key '%s' in %s", name,
			 json_object_to_json_string(o));
	return v;
}

static uint64_t u64(json_object *o, const char *name)
{
	json_object *v = key(o, name);

	if (!json_object_is_type(v, json_type_int))
		fail_msg("'%s' is not a number", name);
	return json_object_get_uint64(v);
}

static void test_json_keys(void **state)
{
	static const char *const keys[] = {
		"event",
		"phase",
		"elapsed_ms",
		"data_total",
		"data_processed",
		"data_remaining",
		"memory_total",
		"memory_processed",
		"memory_remaining",
		"memory_bps",
		"disk_total",
		"disk_processed",
		"disk_remaining",
		"disk_bps",
		"iteration",
		"dirty_rate_pages",
		"page_size",
		"downtime_ms",
		"setup_ms",
		"throughput_bps",
	};
	struct kvmops_job j = memory_job();
	json_object *o;
	size_t i;

	j.data_processed = 5ull << 40; /* beyond 32 bits */
	o = job_json(&j, "progress");
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		key(o, keys[i]);
	assert_string_equal(json_object_get_string(key(o, "event")),
			    "progress");
	assert_string_equal(json_object_get_string(key(o, "phase")), "memory");
	assert_true(u64(o, "elapsed_ms") == 12345);
	assert_true(u64(o, "data_processed") == 5ull << 40);
	assert_true(u64(o, "memory_total") == 4 * GIB);
	assert_true(u64(o, "memory_processed") == 512 * MIB);
	assert_true(u64(o, "memory_remaining") == GIB);
	assert_true(u64(o, "memory_bps") == 100 * MIB);
	assert_true(u64(o, "iteration") == 3);
	assert_true(u64(o, "dirty_rate_pages") == 2560);
	assert_true(u64(o, "page_size") == 4096);
	assert_true(u64(o, "throughput_bps") == (5ull << 40) * 1000 / 12345);
	/* Not completed: no downtime yet, which is not a downtime of 0. */
	assert_null(key(o, "downtime_ms"));
	has(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
	    "\"downtime_ms\":null");
	/* Offline only. */
	assert_false(json_object_object_get_ex(o, "disk", NULL));
	assert_false(json_object_object_get_ex(o, "dest_path", NULL));
	assert_false(json_object_object_get_ex(o, "sha256", NULL));
	json_object_put(o);

	/* No time yet: no throughput, and no division by zero. */
	j.elapsed_ms = 0;
	o = job_json(&j, "progress");
	assert_true(u64(o, "throughput_bps") == 0);
	json_object_put(o);
}

static void test_json_downtime(void **state)
{
	struct kvmops_job j = memory_job();
	json_object *o;

	j.phase = KVMOPS_PHASE_DONE;
	j.have_downtime = true;
	j.downtime_ms = 0;
	j.setup_ms = 15;
	o = job_json(&j, "done");
	assert_string_equal(json_object_get_string(key(o, "event")), "done");
	assert_string_equal(json_object_get_string(key(o, "phase")), "done");
	assert_non_null(key(o, "downtime_ms"));
	assert_true(u64(o, "downtime_ms") == 0);
	assert_true(u64(o, "setup_ms") == 15);
	json_object_put(o);
	j.downtime_ms = 42;
	o = job_json(&j, "done");
	assert_true(u64(o, "downtime_ms") == 42);
	json_object_put(o);
}

static void test_json_offline(void **state)
{
	struct kvmops_job j = copy_job(KVMOPS_PHASE_VERIFY);
	json_object *o, *back;

	/* The SHA-256 of the copy read back, as sha256sum prints it. */
	snprintf(
		j.sha256, sizeof(j.sha256), "%s",
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	o = job_json(&j, "progress");
	assert_string_equal(json_object_get_string(key(o, "phase")), "verify");
	assert_string_equal(json_object_get_string(key(o, "disk")), "vda");
	assert_string_equal(json_object_get_string(key(o, "dest_path")),
			    "/data/g1.qcow2");
	assert_string_equal(
		json_object_get_string(key(o, "sha256")),
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	/* One line of valid JSON. */
	back = json_tokener_parse(
		json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	assert_non_null(back);
	lacks(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN), "\n");
	json_object_put(back);
	json_object_put(o);
}

/* ---- the summary -------------------------------------------------------- */

static char *summary_of(const struct kvmops_job *j)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	job_summary(f, j);
	assert_int_equal(fclose(f), 0);
	return text;
}

static void test_summary_live(void **state)
{
	struct kvmops_job j;
	char *text;

	memset(&j, 0, sizeof(j));
	j.phase = KVMOPS_PHASE_DONE;
	j.elapsed_ms = 12340;
	j.have_downtime = true;
	j.downtime_ms = 42;
	j.setup_ms = 15;
	j.data_processed = GIB + 512 * MIB;
	j.mem_processed = GIB;
	j.disk_processed = 512 * MIB;
	j.iteration = 4;
	text = summary_of(&j);
	/* 1.5 GiB in 12.34 s: 130519670 B/s */
	assert_string_equal(
		text,
		"  total time     12.34 s\n"
		"  downtime       42 ms\n"
		"  setup time     15 ms\n"
		"  data sent      1.50 GiB (memory 1 GiB, disks 512 MiB)\n"
		"  throughput     124 MiB/s\n"
		"  memory passes  4\n");
	free(text);
}

static void test_summary_sparse(void **state)
{
	struct kvmops_job j;
	char *text;

	/* A downtime of 0 ms is shown; what is unknown is not. */
	memset(&j, 0, sizeof(j));
	j.elapsed_ms = 2000;
	j.have_downtime = true;
	j.data_processed = GIB;
	j.mem_processed = GIB;
	text = summary_of(&j);
	assert_string_equal(text, "  total time     2.00 s\n"
				  "  downtime       0 ms\n"
				  "  data sent      1 GiB\n"
				  "  throughput     512 MiB/s\n");
	free(text);

	memset(&j, 0, sizeof(j));
	text = summary_of(&j);
	assert_string_equal(text, "  total time     0.00 s\n"
				  "  data sent      0 B\n"
				  "  throughput     0 B/s\n");
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_line_memory),
		cmocka_unit_test(test_line_memory_first_pass),
		cmocka_unit_test(test_line_memory_zero_rate),
		cmocka_unit_test(test_line_memory_throttled),
		cmocka_unit_test(test_line_eta_hours),
		cmocka_unit_test(test_line_disks),
		cmocka_unit_test(test_line_copy),
		cmocka_unit_test(test_line_verify),
		cmocka_unit_test(test_line_postcopy_finishing),
		cmocka_unit_test(test_line_bare_phases),
		cmocka_unit_test(test_line_truncated),
		cmocka_unit_test(test_json_keys),
		cmocka_unit_test(test_json_downtime),
		cmocka_unit_test(test_json_offline),
		cmocka_unit_test(test_summary_live),
		cmocka_unit_test(test_summary_sparse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
