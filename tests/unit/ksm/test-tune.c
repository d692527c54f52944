// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The KSM tuner's I/O on fixture trees: what a cycle gathers from
 * /proc/meminfo, KSM, the QEMU processes, ksmd and libvirt; the order a
 * decision is written in; the state file; the knobs put back.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "libkvmops-private.h"
#include "unit/fixture.h"

#define KSM "/sys/kernel/mm/ksm/"

struct env {
	struct kvmops_ctx *ctx;
	char *sys, *proc; /* writable copies */
	struct kvmops_ksm_tune_figures fig;
	struct kvmops_ksm_tune_state st;
};

/* Every write, "knob=value;" in order, as the kernel saw them. */
static char writes[1024];

static int seam_read(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	buf[n < 0 ? 0 : n] = '\0';
	return n < 0 ? -errno : (int)n;
}

/* Writes as the kernel shows them again: advisor_mode with its brackets. */
static int seam_write(const char *path, const char *value)
{
	const char *knob = strrchr(path, '/') + 1, *shown = value;
	size_t used = strlen(writes);
	int fd;

	if (!strcmp(knob, "advisor_mode"))
		shown = !strcmp(value, "scan-time") ? "none [scan-time]\n" :
						      "[none] scan-time\n";
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, shown, strlen(shown)) < 0) {
		close(fd);
		return -errno;
	}
	close(fd);
	snprintf(writes + used, sizeof(writes) - used, "%s=%s;", knob, value);
	return 0;
}

static const struct kvmops_io seam = {
	.read_file = seam_read,
	.write_file = seam_write,
};

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));

	if (!e || kvmops_new(&e->ctx))
		return -1;
	e->sys = fixture_copy("ksm-6.18");
	e->proc = fixture_copy("proc");
	if (!e->sys || !e->proc)
		return -1;
	kvmops_set_sysfs_root(e->ctx, e->sys);
	kvmops_set_proc_root(e->ctx, e->proc);
	kvmops_set_io(e->ctx, &seam);
	writes[0] = '\0';
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

static void gather(struct env *e)
{
	assert_int_equal(kvmops_ksm_tune_gather(e->ctx, NULL, &e->st, &e->fig),
			 0);
}

static void knob_is(struct env *e, const char *knob, const char *want)
{
	char rel[128], got[128];

	snprintf(rel, sizeof(rel), KSM "%s", knob);
	assert_int_equal(fixture_read(e->sys, rel, got, sizeof(got)), 0);
	assert_string_equal(got, want);
}

/* ---- gathering ----------------------------------------------------------- */

static void test_gathers_memory(void **state)
{
	struct env *e = *state;

	gather(e);
	assert_int_equal(e->fig.mem_total_kib, 24683584);
	assert_int_equal(e->fig.mem_available_kib, 23511948);
	assert_string_equal(e->fig.boot_id,
			    "3f1c2a9e-0d1b-4c55-9a51-7d0f2f3e8b10");
	assert_true(e->fig.now_ms > 0);
}

static void test_gathers_ksm(void **state)
{
	struct env *e = *state;

	gather(e);
	assert_int_equal(e->fig.ksm.run, KVMOPS_KSM_START);
	assert_int_equal(e->fig.ksm.pages_sharing, 31162);
	assert_int_equal(e->fig.ksm.full_scans, 7);
	assert_int_equal(e->fig.pages_unshared, 12000);
	assert_int_equal(e->fig.pages_volatile, 500);
	assert_int_equal(e->fig.pages_scanned, 1234567);
	assert_int_equal(e->fig.pages_to_scan, 1000);
	assert_int_equal(e->fig.sleep_ms, 20);
	assert_true(e->fig.have_advisor);
	assert_false(e->fig.advisor_on);
	assert_int_equal(e->fig.advisor_max_cpu, 70);
	assert_int_equal(e->fig.advisor_target_s, 200);
	assert_int_equal(e->fig.advisor_max_pages, 30000);
}

/* Without libvirt, the guests are the QEMU processes and their RSS. */
static void test_gathers_guests_from_qemu_rss(void **state)
{
	struct env *e = *state;
	char path[PATH_MAX];
	uint64_t first;

	gather(e);
	assert_int_equal(e->fig.qemu_processes, 2);
	assert_int_equal(e->fig.guests, 2);
	assert_int_equal(e->fig.guest_kib, 262144 + 524288);
	assert_false(e->fig.guests_from_libvirt);
	first = e->fig.guest_set;
	assert_true(first != 0);
	/* pid 200 goes: the set is another */
	snprintf(path, sizeof(path), "%s/proc/200/exe", e->proc);
	assert_int_equal(unlink(path), 0);
	gather(e);
	assert_int_equal(e->fig.qemu_processes, 1);
	assert_true(e->fig.guest_set != first);
}

/* repoint @pid's exe at @target, as an exec would (same /proc entry). */
static void exec_as(struct env *e, const char *pid, const char *target)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/proc/%s/exe", e->proc, pid);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(symlink(target, path), 0);
}

/*
 * A process is looked at on its first three scans, then trusted until
 * every sixteenth: a long-lived process that execs QEMU late is found
 * within sixteen cycles, a new one at once.
 */
static void test_processes_looked_at_again_in_time(void **state)
{
	struct env *e = *state;
	int scans = 0;

	do {
		gather(e);
		scans++;
	} while (scans < 3);
	assert_int_equal(e->fig.qemu_processes, 2);
	exec_as(e, "300", "/usr/bin/qemu-system-x86_64");
	while (e->fig.qemu_processes == 2 && scans < 40) {
		gather(e);
		scans++;
	}
	assert_int_equal(e->fig.qemu_processes, 3);
	assert_true(scans <= 3 + 16);
	/* A new process: at once. */
	assert_int_equal(fixture_write(e->proc, "/proc/500/status",
				       "Name:\tqemu\nVmRSS:\t  1024 kB\n"),
			 0);
	{
		char path[PATH_MAX];

		snprintf(path, sizeof(path), "%s/proc/500/exe", e->proc);
		assert_int_equal(symlink("/usr/bin/qemu-kvm", path), 0);
	}
	gather(e);
	assert_int_equal(e->fig.qemu_processes, 4);
}

static void test_gathers_ksmd_cpu(void **state)
{
	struct env *e = *state;

	gather(e);
	assert_true(e->fig.have_ksmd_cpu);
	assert_int_equal(e->fig.ksmd_pid, 37);
	assert_int_equal(e->fig.ksmd_cpu_ms,
			 1234 * 1000 / sysconf(_SC_CLK_TCK));
}

/* A stale pid from the state (another boot's ksmd) is looked past. */
static void test_ksmd_found_past_a_wrong_hint(void **state)
{
	struct env *e = *state;

	e->st.valid = true;
	e->st.ksmd_pid = 100; /* a QEMU process */
	gather(e);
	assert_int_equal(e->fig.ksmd_pid, 37);
}

/* libvirt's test driver runs one guest, ballooned to 2 GiB of its 8. */
static void test_gathers_guests_from_libvirt(void **state)
{
	struct env *e = *state;
	virConnectPtr conn = NULL;

	assert_int_equal(kvmops_connect(e->ctx, "test:///default",
					KVMOPS_CONNECT_READONLY |
						KVMOPS_CONNECT_NO_EVENT_LOOP,
					&conn),
			 0);
	assert_int_equal(kvmops_ksm_tune_gather(e->ctx, conn, NULL, &e->fig),
			 0);
	assert_true(e->fig.guests_from_libvirt);
	assert_int_equal(e->fig.guests, 1);
	assert_int_equal(e->fig.guest_kib, 2097152);
	assert_int_equal(e->fig.qemu_processes, 2); /* still from /proc */
	kvmops_disconnect(conn);
}

static void test_no_meminfo_names_the_file(void **state)
{
	struct env *e = *state;
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/proc/meminfo", e->proc);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(kvmops_ksm_tune_gather(e->ctx, NULL, NULL, &e->fig),
			 -ENOENT);
	assert_in_error(e->ctx, "/proc/meminfo");
}

static void test_no_ksm_is_not_supported(void **state)
{
	struct env *e = *state;
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/nothing", e->sys);
	kvmops_set_sysfs_root(e->ctx, path);
	assert_int_equal(kvmops_ksm_tune_gather(e->ctx, NULL, NULL, &e->fig),
			 -EOPNOTSUPP);
}

/* A window of two full scans opened at 3 is due at 5, not before. */
static void test_window_due_after_its_scans(void **state)
{
	struct kvmops_ksm_tune_state st = { .window_scans = 3 };
	struct env *e = *state;

	assert_int_equal(fixture_write(e->sys, KSM "full_scans", "4\n"), 0);
	assert_int_equal(kvmops_ksm_tune_window_due(e->ctx, &st), 0);
	st.window_open = true;
	assert_int_equal(kvmops_ksm_tune_window_due(e->ctx, &st), 0);
	assert_int_equal(fixture_write(e->sys, KSM "full_scans", "5\n"), 0);
	assert_int_equal(kvmops_ksm_tune_window_due(e->ctx, &st), 1);
}

/* ---- applying ------------------------------------------------------------ */

/* Started first: ksmd is in mid-scan when the advisor comes on. */
static void test_apply_start_runs_ksmd_before_the_advisor(void **state)
{
	struct kvmops_ksm_tune_decision d = {
		.action = KVMOPS_KSM_TUNE_START,
		.run = KVMOPS_KSM_START,
		.advisor = true,
		.set_advisor_mode = true,
		.advisor_max_cpu = 25,
		.advisor_target_s = 10,
	};
	struct env *e = *state;

	assert_int_equal(fixture_write(e->sys, KSM "run", "0\n"), 0);
	assert_int_equal(kvmops_ksm_tune_apply(e->ctx, &d), 0);
	assert_string_equal(writes, "advisor_max_cpu=25;"
				    "advisor_target_scan_time=10;"
				    "run=1;advisor_mode=scan-time;");
	knob_is(e, "advisor_mode", "none [scan-time]");
}

/* Left on while ksmd was stopped, the advisor goes off before ksmd runs. */
static void test_apply_start_rearms_a_stale_advisor(void **state)
{
	struct kvmops_ksm_tune_decision d = {
		.action = KVMOPS_KSM_TUNE_START,
		.run = KVMOPS_KSM_START,
		.advisor = true,
		.set_advisor_mode = true,
		.rearm_advisor = true,
	};
	struct env *e = *state;

	assert_int_equal(fixture_write(e->sys, KSM "run", "0\n"), 0);
	assert_int_equal(kvmops_ksm_tune_apply(e->ctx, &d), 0);
	assert_string_equal(writes,
			    "advisor_mode=none;run=1;advisor_mode=scan-time;");
}

/* Running already, the advisor's limits go before its mode. */
static void test_apply_advisor_limits_before_mode(void **state)
{
	struct kvmops_ksm_tune_decision d = {
		.action = KVMOPS_KSM_TUNE_ADJUST,
		.run = KVMOPS_KSM_START,
		.advisor = true,
		.set_advisor_mode = true,
		.advisor_max_cpu = 25,
		.advisor_target_s = 10,
	};
	struct env *e = *state;

	assert_int_equal(kvmops_ksm_tune_apply(e->ctx, &d), 0);
	assert_string_equal(writes, "advisor_max_cpu=25;"
				    "advisor_target_scan_time=10;"
				    "advisor_mode=scan-time;");
}

static void test_apply_without_advisor_mode_before_pages(void **state)
{
	struct kvmops_ksm_tune_decision d = {
		.action = KVMOPS_KSM_TUNE_ADJUST,
		.run = KVMOPS_KSM_START,
		.set_advisor_mode = true,
		.pages_to_scan = 300,
		.sleep_ms = 10,
	};
	struct env *e = *state;

	assert_int_equal(kvmops_ksm_tune_apply(e->ctx, &d), 0);
	/* ksmd already runs: adjusting writes no run */
	assert_string_equal(writes, "advisor_mode=none;pages_to_scan=300;"
				    "sleep_millisecs=10;");
}

static void test_apply_rearm_is_off_then_on(void **state)
{
	struct kvmops_ksm_tune_decision d = {
		.action = KVMOPS_KSM_TUNE_ADJUST,
		.run = KVMOPS_KSM_START,
		.advisor = true,
		.rearm_advisor = true,
	};
	struct env *e = *state;

	assert_int_equal(kvmops_ksm_tune_apply(e->ctx, &d), 0);
	assert_string_equal(writes,
			    "advisor_mode=none;advisor_mode=scan-time;");
}

static void test_apply_stop_writes_run_only(void **state)
{
	struct kvmops_ksm_tune_decision d = {
		.action = KVMOPS_KSM_TUNE_BACKOFF,
		.run = KVMOPS_KSM_STOP,
	};
	struct env *e = *state;

	assert_int_equal(kvmops_ksm_tune_apply(e->ctx, &d), 0);
	assert_string_equal(writes, "run=0;");
	knob_is(e, "run", "0");
}

static void test_apply_keep_writes_nothing(void **state)
{
	struct kvmops_ksm_tune_decision d = {
		.action = KVMOPS_KSM_TUNE_KEEP,
		.run = KVMOPS_KSM_START,
		.advisor = true,
	};
	struct env *e = *state;

	assert_int_equal(kvmops_ksm_tune_apply(e->ctx, &d), 0);
	assert_string_equal(writes, "");
}

/* ---- a whole cycle, twice, on the fixture -------------------------------- */

static void test_two_cycles_carry_state(void **state)
{
	struct kvmops_ksm_tune_config cfg;
	struct kvmops_ksm_tune_decision d;
	struct env *e = *state;

	kvmops_ksm_tune_defaults(&cfg);
	cfg.threshold_percent = 100;
	gather(e);
	kvmops_ksm_tune_decide(&cfg, &e->fig, &e->st, &d);
	assert_int_equal(d.action, KVMOPS_KSM_TUNE_ADJUST); /* advisor on */
	assert_int_equal(kvmops_ksm_tune_apply(e->ctx, &d), 0);
	gather(e);
	assert_true(e->fig.advisor_on);
	kvmops_ksm_tune_decide(&cfg, &e->fig, &e->st, &d);
	assert_int_equal(d.action, KVMOPS_KSM_TUNE_KEEP);
	assert_int_equal(e->st.cycles, 2);
}

/* ---- the state file ------------------------------------------------------ */

static void test_state_round_trip(void **state)
{
	struct kvmops_ksm_tune_state st = {
		.valid = true,
		.boot_id = "boot-x",
		.at_ms = 123456789,
		.ksmd_pid = 37,
		.have_ksmd_cpu = true,
		.ksmd_cpu_ms = 4242,
		.guest_set = UINT64_MAX - 5,
		.npages = 900,
		.window_open = true,
		.window_scans = 12,
		.window_sharing = 31162,
		.backoff_left = 3,
		.backed_off = true,
		.advisor_cap = 500,
		.advisor_cap_from = 30000,
		.cycles = 77,
		.last = KVMOPS_KSM_TUNE_BACKOFF,
	}, back;
	struct env *e = *state;
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/tune.state", e->sys);
	assert_int_equal(kvmops_ksm_tune_state_save(e->ctx, path, &st), 0);
	assert_int_equal(kvmops_ksm_tune_state_load(e->ctx, path, &back), 0);
#define SAME(f) assert_true(st.f == back.f)
	SAME(valid);
	assert_string_equal(st.boot_id, back.boot_id);
	SAME(at_ms);
	SAME(ksmd_pid);
	SAME(have_ksmd_cpu);
	SAME(ksmd_cpu_ms);
	SAME(pages_scanned);
	SAME(guest_set);
	SAME(qemu_processes);
	SAME(npages);
	SAME(window_open);
	SAME(window_scans);
	SAME(window_sharing);
	SAME(backoff_left);
	SAME(backed_off);
	SAME(advisor_cap);
	SAME(advisor_cap_from);
	SAME(advisor_armed);
	SAME(cycles);
	SAME(last);
#undef SAME
}

static void test_missing_state_is_first_cycle(void **state)
{
	struct env *e = *state;
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/none.state", e->sys);
	e->st.valid = true;
	assert_int_equal(kvmops_ksm_tune_state_load(e->ctx, path, &e->st), 0);
	assert_false(e->st.valid);
}

static void test_foreign_state_file_refused(void **state)
{
	struct env *e = *state;
	char path[PATH_MAX];

	assert_int_equal(fixture_write(e->sys, "/junk.state", "hello\n"), 0);
	snprintf(path, sizeof(path), "%s/junk.state", e->sys);
	assert_int_equal(kvmops_ksm_tune_state_load(e->ctx, path, &e->st),
			 -EINVAL);
	assert_in_error(e->ctx, "is not a KSM tuner's state file");
	assert_in_remedy(e->ctx, "state");
	assert_false(e->st.valid);
}

/* ---- the knobs put back -------------------------------------------------- */

static void test_knobs_restored_in_order(void **state)
{
	struct kvmops_ksm_knobs k;
	struct env *e = *state;

	assert_int_equal(kvmops_ksm_knobs_read(e->ctx, &k), 0);
	assert_int_equal(k.pages_to_scan, 1000);
	assert_int_equal(k.run, KVMOPS_KSM_START);
	assert_int_equal(fixture_write(e->sys, KSM "advisor_mode",
				       "none [scan-time]\n"),
			 0);
	assert_int_equal(fixture_write(e->sys, KSM "run", "0\n"), 0);
	assert_int_equal(kvmops_ksm_knobs_restore(e->ctx, &k), 0);
	assert_string_equal(writes, "advisor_max_cpu=70;"
				    "advisor_target_scan_time=200;"
				    "advisor_max_pages_to_scan=30000;"
				    "advisor_mode=none;pages_to_scan=1000;"
				    "sleep_millisecs=20;run=1;");
}

#define TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_gathers_memory),
		TEST(test_gathers_ksm),
		TEST(test_gathers_guests_from_qemu_rss),
		TEST(test_processes_looked_at_again_in_time),
		TEST(test_gathers_ksmd_cpu),
		TEST(test_ksmd_found_past_a_wrong_hint),
		TEST(test_gathers_guests_from_libvirt),
		TEST(test_no_meminfo_names_the_file),
		TEST(test_no_ksm_is_not_supported),
		TEST(test_window_due_after_its_scans),
		TEST(test_apply_start_runs_ksmd_before_the_advisor),
		TEST(test_apply_start_rearms_a_stale_advisor),
		TEST(test_apply_advisor_limits_before_mode),
		TEST(test_apply_without_advisor_mode_before_pages),
		TEST(test_apply_rearm_is_off_then_on),
		TEST(test_apply_stop_writes_run_only),
		TEST(test_apply_keep_writes_nothing),
		TEST(test_two_cycles_carry_state),
		TEST(test_state_round_trip),
		TEST(test_missing_state_is_first_cycle),
		TEST(test_foreign_state_file_refused),
		TEST(test_knobs_restored_in_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
