// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The KSM tuner's policy from tables of figures: the need rule against
 * ksmtuned's own arithmetic, boost and decay and their limits, the sleep,
 * the advisor, the CPU cap, the back-off when scanning does not pay and
 * its end, and the state carried between cycles. Also each guest's fair
 * share of the saving.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "libkvmops.h"

#define GIB (1024ull * 1024) /* in KiB */

struct tuner {
	struct kvmops_ksm_tune_config cfg;
	struct kvmops_ksm_tune_figures fig;
	struct kvmops_ksm_tune_state st;
	struct kvmops_ksm_tune_decision d;
};

/* A 24 GiB host with 20 GiB available and 3 GiB of guests, ksmd stopped. */
static void host(struct tuner *t, bool advisor)
{
	memset(t, 0, sizeof(*t));
	kvmops_ksm_tune_defaults(&t->cfg);
	snprintf(t->fig.boot_id, sizeof(t->fig.boot_id), "boot-1");
	t->fig.now_ms = 1000000;
	t->fig.mem_total_kib = 24 * GIB;
	t->fig.mem_available_kib = 20 * GIB;
	t->fig.guest_kib = 3 * GIB;
	t->fig.guests = t->fig.qemu_processes = 3;
	t->fig.guest_set = 0x1234;
	t->fig.ksm.page_size = 4096;
	t->fig.pages_to_scan = 100;
	t->fig.sleep_ms = 20;
	t->fig.have_advisor = advisor;
	t->fig.advisor_max_cpu = 70;
	t->fig.advisor_target_s = 200;
	t->fig.advisor_max_pages = 30000;
	t->fig.have_ksmd_cpu = true;
	t->fig.ksmd_pid = 37;
}

/* One cycle; then the figures move on as the decision says, 10 s later. */
static void cycle(struct tuner *t)
{
	kvmops_ksm_tune_decide(&t->cfg, &t->fig, &t->st, &t->d);
	t->fig.now_ms += 10000;
	if (t->d.run == KVMOPS_KSM_START || t->d.run == KVMOPS_KSM_STOP)
		t->fig.ksm.run = t->d.run;
	if (t->d.set_advisor_mode)
		t->fig.advisor_on = t->d.advisor;
	if (t->d.pages_to_scan)
		t->fig.pages_to_scan = t->d.pages_to_scan;
	if (t->d.sleep_ms)
		t->fig.sleep_ms = t->d.sleep_ms;
	if (t->d.advisor_max_cpu)
		t->fig.advisor_max_cpu = t->d.advisor_max_cpu;
	if (t->d.advisor_target_s)
		t->fig.advisor_target_s = t->d.advisor_target_s;
	if (t->d.advisor_max_pages)
		t->fig.advisor_max_pages = t->d.advisor_max_pages;
}

static void assert_reason(const struct tuner *t, const char *part)
{
	if (!strstr(t->d.reason, part))
		fail_msg("reason '%s' lacks '%s'", t->d.reason, part);
}

/* ---- the need rule, against ksmtuned's shell arithmetic ------------------ */

/* ksmtuned's adjust(), with MemAvailable where it has its free memory. */
static bool ksmtuned_starts(uint64_t total, uint64_t free, uint64_t committed,
			    uint64_t coef, uint64_t konst)
{
	uint64_t thres = total * coef / 100;

	if (konst > thres)
		thres = konst;
	return !(committed + thres < total && free > thres);
}

static void test_need_rule_is_ksmtuned_arithmetic(void **state)
{
	static const struct {
		uint64_t total, avail, guests, coef, konst;
	} rows[] = {
		{ 24 * GIB, 20 * GIB, 3 * GIB, 20, 2048 }, /* roomy */
		{ 24 * GIB, 4 * GIB, 3 * GIB, 20, 2048 }, /* short of memory */
		{ 24 * GIB, 20 * GIB, 20 * GIB, 20, 2048 }, /* crowded */
		{ 1000, 200, 0, 20, 0 }, /* avail == threshold */
		{ 1000, 201, 800, 20, 0 }, /* guests + threshold == total */
		{ 1000, 201, 799, 20, 0 }, /* just fits */
		{ 1000, 900, 0, 0, 2048 }, /* the floor above the host */
		{ 24 * GIB, 20 * GIB, 0, 100, 2048 }, /* 100%: always */
		{ 24 * GIB, 23 * GIB, 0, 0, 0 }, /* no threshold */
		{ 3 * GIB, 2 * GIB, GIB, 20, 4 * GIB }, /* floor over 20% */
	};
	struct tuner t;
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		host(&t, false);
		t.fig.mem_total_kib = rows[i].total;
		t.fig.mem_available_kib = rows[i].avail;
		t.fig.guest_kib = rows[i].guests;
		t.cfg.threshold_percent = (unsigned int)rows[i].coef;
		t.cfg.threshold_min_kib = rows[i].konst;
		cycle(&t);
		if (t.d.needed != ksmtuned_starts(rows[i].total, rows[i].avail,
						  rows[i].guests, rows[i].coef,
						  rows[i].konst))
			fail_msg("row %zu: needed %d, ksmtuned says %d", i,
				 t.d.needed, !t.d.needed);
		assert_int_equal(t.d.run, t.d.needed ? KVMOPS_KSM_START :
						       KVMOPS_KSM_STOP);
	}
}

static void test_threshold_is_larger_of_percent_and_floor(void **state)
{
	struct tuner t;

	host(&t, false);
	cycle(&t);
	assert_int_equal(t.d.threshold_kib, 24 * GIB / 5);
	host(&t, false);
	t.cfg.threshold_min_kib = 8 * GIB;
	cycle(&t);
	assert_int_equal(t.d.threshold_kib, 8 * GIB);
}

static void test_not_needed_stops_and_keeps_merged(void **state)
{
	struct tuner t;

	host(&t, false);
	t.fig.ksm.run = KVMOPS_KSM_START;
	cycle(&t);
	assert_false(t.d.needed);
	assert_int_equal(t.d.action, KVMOPS_KSM_TUNE_STOP);
	assert_int_equal(t.d.run, KVMOPS_KSM_STOP);
	assert_reason(&t, "stop: KSM is not needed: MemAvailable 20 GiB > "
			  "threshold 4.80 GiB and guests 3 GiB + threshold < "
			  "MemTotal 24 GiB; ksmd stopped, merged pages kept");
	cycle(&t);
	assert_int_equal(t.d.action, KVMOPS_KSM_TUNE_IDLE);
	assert_reason(&t, "idle: KSM is not needed");
}

static void test_start_reason_in_one_line(void **state)
{
	struct tuner t;

	host(&t, true);
	t.fig.mem_available_kib = 3 * GIB;
	cycle(&t);
	assert_int_equal(t.d.action, KVMOPS_KSM_TUNE_START);
	assert_string_equal(t.d.reason,
			    "start: MemAvailable 3 GiB < threshold 4.80 GiB; "
			    "advisor on, max cpu 25%, scan time 200 s");
	assert_null(strchr(t.d.reason, '\n'));
}

static void test_crowded_reason(void **state)
{
	struct tuner t;

	host(&t, true);
	t.fig.guest_kib = 20 * GIB;
	cycle(&t);
	assert_reason(&t, "start: guests 20 GiB + threshold 4.80 GiB > "
			  "MemTotal 24 GiB");
}

/* ---- ksmtuned's speed: boost, decay, limits, sleep ----------------------- */

/* ksmtuned's increase_npages(), from its npages=0 start. */
static unsigned int ksmtuned_npages(unsigned int npages, int delta)
{
	int n = (int)npages + delta;

	return n < 64 ? 64 : n > 1250 ? 1250 : (unsigned int)n;
}

static void test_boost_and_decay_match_ksmtuned(void **state)
{
	/* short of memory for six cycles, then roomy-but-crowded for 30 */
	struct tuner t;
	unsigned int want = 0;
	int i;

	host(&t, false);
	t.fig.guest_kib = 22 * GIB; /* crowded: needed, not short */
	for (i = 0; i < 36; i++) {
		bool short_mem = i < 6;

		t.fig.mem_available_kib = short_mem ? 2 * GIB : 10 * GIB;
		want = ksmtuned_npages(want, short_mem ? 300 : -50);
		cycle(&t);
		assert_true(t.d.needed);
		assert_int_equal(t.fig.pages_to_scan, want);
		assert_int_equal(t.st.npages, want);
	}
	assert_int_equal(want, 64); /* decayed to the floor */
	assert_reason(&t, "(decay)");
}

static void test_boost_stops_at_max(void **state)
{
	struct tuner t;
	int i;

	host(&t, false);
	t.fig.mem_available_kib = GIB;
	for (i = 0; i < 6; i++)
		cycle(&t);
	assert_int_equal(t.fig.pages_to_scan, 1250);
	assert_reason(&t, "pages_to_scan 1250 (boost: MemAvailable below "
			  "threshold)");
	cycle(&t);
	assert_int_equal(t.d.pages_to_scan, 0); /* already so: no write */
	assert_int_equal(t.d.action, KVMOPS_KSM_TUNE_KEEP);
}

/* ksmtuned: KSM_SLEEP_MSEC * 16 GiB / MemTotal, at least 10 ms. */
static void test_sleep_scales_with_host(void **state)
{
	static const struct {
		uint64_t total_kib, sleep_16g, want;
	} rows[] = {
		{ 24 * GIB, 10, 10 }, { 8 * GIB, 10, 20 },  { 4 * GIB, 10, 40 },
		{ 64 * GIB, 10, 10 }, { 4 * GIB, 50, 200 },
	};
	struct tuner t;
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		host(&t, false);
		t.fig.mem_total_kib = rows[i].total_kib;
		t.fig.mem_available_kib = 0;
		t.fig.sleep_ms = 0;
		t.cfg.sleep_ms_16g = (unsigned int)rows[i].sleep_16g;
		cycle(&t);
		assert_int_equal(t.fig.sleep_ms, rows[i].want);
	}
}

static void test_no_advisor_turns_advisor_off(void **state)
{
	struct tuner t;

	host(&t, true);
	t.cfg.no_advisor = true;
	t.fig.advisor_on = true;
	t.fig.mem_available_kib = GIB;
	cycle(&t);
	assert_true(t.d.set_advisor_mode);
	assert_false(t.d.advisor);
	/* the kernel resets pages_to_scan when the advisor goes: write it */
	assert_int_equal(t.d.pages_to_scan, 300);
}

/* ---- the advisor --------------------------------------------------------- */

static void test_advisor_takes_pages_to_scan(void **state)
{
	struct tuner t;

	host(&t, true);
	t.fig.mem_available_kib = GIB;
	cycle(&t);
	assert_true(t.d.advisor);
	assert_true(t.d.set_advisor_mode);
	assert_int_equal(t.d.advisor_max_cpu, 25);
	assert_int_equal(t.d.advisor_target_s, 200);
	assert_int_equal(t.d.pages_to_scan, 0);
	assert_int_equal(t.d.sleep_ms, 0);
	cycle(&t);
	assert_int_equal(t.d.action, KVMOPS_KSM_TUNE_KEEP);
	assert_false(t.d.set_advisor_mode);
	assert_int_equal(t.d.advisor_max_cpu, 0);
}

static void test_advisor_limits_follow_config(void **state)
{
	struct tuner t;

	host(&t, true);
	t.fig.mem_available_kib = GIB;
	cycle(&t);
	t.cfg.max_cpu_percent = 40;
	t.cfg.scan_time_s = 10;
	cycle(&t);
	assert_int_equal(t.d.action, KVMOPS_KSM_TUNE_ADJUST);
	assert_int_equal(t.d.advisor_max_cpu, 40);
	assert_int_equal(t.d.advisor_target_s, 10);
	assert_false(t.d.set_advisor_mode);
}

/* ---- the CPU cap --------------------------------------------------------- */

/* ksmd ran @percent of the last 10 s. */
static void ksmd_used(struct tuner *t, unsigned int percent)
{
	t->fig.ksmd_cpu_ms += 10000ull * percent / 100;
}

static void test_first_cycle_knows_no_cpu_share(void **state)
{
	struct tuner t;

	host(&t, true);
	cycle(&t);
	assert_true(t.d.ksmd_cpu_percent < 0);
	ksmd_used(&t, 12);
	cycle(&t);
	assert_true(t.d.ksmd_cpu_percent > 11.99 &&
		    t.d.ksmd_cpu_percent < 12.01);
}

static void test_cpu_cap_with_advisor(void **state)
{
	struct tuner t;

	host(&t, true);
	t.fig.mem_available_kib = GIB;
	cycle(&t);
	t.fig.pages_to_scan = 1000; /* the advisor's choice */
	ksmd_used(&t, 50);
	cycle(&t);
	assert_int_equal(t.d.action, KVMOPS_KSM_TUNE_ADJUST);
	assert_int_equal(t.d.advisor_max_pages, 500);
	assert_reason(&t, "ksmd used 50.0% CPU > max 25%: "
			  "advisor_max_pages_to_scan 30000 -> 500");
	/* Below half its share, the cap goes in one step. */
	t.fig.pages_to_scan = 500;
	ksmd_used(&t, 5);
	cycle(&t);
	assert_int_equal(t.d.advisor_max_pages, 30000);
	assert_int_equal(t.st.advisor_cap_from, 0);
	ksmd_used(&t, 5);
	cycle(&t);
	assert_int_equal(t.d.action, KVMOPS_KSM_TUNE_KEEP);
}

/*
 * The pace that used the CPU is what ksmd scanned (pages_scanned), not
 * what the advisor has chosen since: 2500 pages a second at 50% were
 * 1250 a second, 25 a wake-up of 20 ms, at 25%.
 */
static void test_cpu_cap_from_pages_scanned(void **state)
{
	struct tuner t;

	host(&t, true);
	t.fig.mem_available_kib = GIB;
	cycle(&t);
	t.fig.pages_to_scan = 1000;
	t.fig.pages_scanned += 25000; /* in 10 s */
	ksmd_used(&t, 50);
	cycle(&t);
	assert_int_equal(t.d.advisor_max_pages, 25);
}

/* A burst the advisor has already slowed down from is left alone. */
static void test_cpu_burst_already_over_is_left_alone(void **state)
{
	struct tuner t;

	host(&t, true);
	t.fig.mem_available_kib = GIB;
	cycle(&t);
	t.fig.pages_to_scan = 370; /* now, after 4150 a wake-up */
	t.fig.pages_scanned += 2000000; /* 200000 a second: the burst */
	ksmd_used(&t, 53);
	cycle(&t);
	assert_int_equal(t.d.advisor_max_pages, 0);
	assert_int_equal(t.d.action, KVMOPS_KSM_TUNE_KEEP);
}

static void test_cpu_share_within_limit_changes_nothing(void **state)
{
	struct tuner t;

	host(&t, true);
	t.fig.mem_available_kib = GIB;
	cycle(&t);
	t.fig.pages_to_scan = 1000;
	ksmd_used(&t, 20);
	cycle(&t);
	assert_int_equal(t.d.action, KVMOPS_KSM_TUNE_KEEP);
	assert_int_equal(t.d.advisor_max_pages, 0);
}

static void test_cpu_cap_without_advisor(void **state)
{
	struct tuner t;
	int i;

	host(&t, false);
	t.fig.mem_available_kib = GIB;
	for (i = 0; i < 5; i++)
		cycle(&t);
	assert_int_equal(t.fig.pages_to_scan, 1250);
	ksmd_used(&t, 50);
	cycle(&t);
	/* boosted to 1250 again, then halved for twice the share */
	assert_int_equal(t.fig.pages_to_scan, 625);
	assert_reason(&t, "ksmd used 50.0% CPU > max 25%: slowed down");
}

/*
 * The kernel's advisor, enabled at the start of a scan, counts ksmd's CPU
 * since boot into its first estimate and crawls: a scan that would take
 * 128 s against a 10 s target while ksmd idles gets it re-armed.
 */
static void test_stuck_advisor_is_rearmed(void **state)
{
	struct tuner t;

	host(&t, true);
	t.fig.mem_available_kib = GIB;
	t.cfg.scan_time_s = 10;
	t.fig.pages_volatile = 160000;
	cycle(&t); /* advisor on */
	t.fig.pages_to_scan = 25;
	t.fig.pages_scanned += 12500;
	ksmd_used(&t, 1);
	cycle(&t); /* armed now: the next cycle may judge */
	assert_false(t.d.rearm_advisor);
	t.fig.pages_scanned += 12500;
	ksmd_used(&t, 1);
	cycle(&t);
	assert_true(t.d.rearm_advisor);
	assert_int_equal(t.d.action, KVMOPS_KSM_TUNE_ADJUST);
	assert_reason(&t, "a full scan at 1250 pages/s takes 128 s against "
			  "a target of 10 s while ksmd uses 1.0% CPU: advisor "
			  "re-armed");
}

/* The same slow pace is what a 200 s target asks for: left alone. */
static void test_slow_advisor_on_target_left_alone(void **state)
{
	struct tuner t;
	int i;

	host(&t, true);
	t.fig.mem_available_kib = GIB;
	t.fig.pages_volatile = 160000;
	cycle(&t);
	for (i = 0; i < 3; i++) {
		t.fig.pages_to_scan = 25;
		t.fig.pages_scanned += 12500;
		ksmd_used(&t, 1);
		cycle(&t);
		assert_false(t.d.rearm_advisor);
	}
}

/* ---- does it pay? -------------------------------------------------------- */

/* ksmd scans @scans full scans and merges @pages more. */
static void scans(struct tuner *t, unsigned int scans, uint64_t pages)
{
	t->fig.ksm.full_scans += scans;
	t->fig.ksm.pages_sharing += pages;
}

static void started(struct tuner *t)
{
	host(t, true);
	t->fig.mem_available_kib = GIB;
	cycle(t);
	assert_int_equal(t->d.action, KVMOPS_KSM_TUNE_START);
}

static void test_no_judgement_before_two_full_scans(void **state)
{
	struct tuner t;

	started(&t);
	scans(&t, 1, 0);
	cycle(&t);
	assert_int_equal(t.d.action, KVMOPS_KSM_TUNE_KEEP);
	assert_false(t.d.window_closed);
}

static void test_scans_that_save_keep_ksmd(void **state)
{
	struct tuner t;

	started(&t);
	scans(&t, 2, 65536); /* 256 MiB, far above 1% of 3 GiB */
	cycle(&t);
	assert_int_equal(t.d.action, KVMOPS_KSM_TUNE_KEEP);
	assert_true(t.d.window_closed);
	assert_int_equal(t.d.gain_bytes, 256ull << 20);
	assert_reason(&t, "the last 2 full scans saved 256 MiB");
}

static void test_scans_that_do_not_pay_back_off(void **state)
{
	struct tuner t;
	int i;

	started(&t);
	scans(&t, 2, 65536);
	cycle(&t);
	scans(&t, 3, 100); /* 400 KiB: less than 1% of 3 GiB */
	t.fig.ksm.profit_bytes = -(1 << 20);
	cycle(&t);
	assert_int_equal(t.d.action, KVMOPS_KSM_TUNE_BACKOFF);
	assert_int_equal(t.d.run, KVMOPS_KSM_STOP);
	assert_reason(&t, "back-off: the last 3 full scans saved 400 KiB, "
			  "less than the minimum gain of 30.7 MiB (of 3 GiB "
			  "guest memory); general_profit -1 MiB; ksmd "
			  "stopped, merged pages kept; looking again in 10 "
			  "cycles");
	for (i = 0; i < 10; i++) {
		cycle(&t);
		assert_int_equal(t.d.action, KVMOPS_KSM_TUNE_IDLE);
		assert_int_equal(t.d.run, KVMOPS_KSM_STOP);
	}
	assert_reason(&t, "looking again next cycle");
	cycle(&t);
	assert_int_equal(t.d.action, KVMOPS_KSM_TUNE_START);
	assert_reason(&t, "start: after 10 cycles of back-off, looking again");
	/* The advisor stayed on while ksmd was stopped: afresh, not stale. */
	assert_true(t.d.set_advisor_mode);
	assert_true(t.d.rearm_advisor);
	assert_reason(&t, "advisor re-armed: its last estimate spans the time "
			  "ksmd was stopped");
}

/* The first start of all, with the advisor off, has nothing to re-arm. */
static void test_first_start_does_not_rearm(void **state)
{
	struct tuner t;

	started(&t);
	assert_true(t.d.set_advisor_mode);
	assert_false(t.d.rearm_advisor);
}

static void test_min_gain_as_size(void **state)
{
	struct tuner t;

	started(&t);
	t.cfg.min_gain_kib = 1024;
	scans(&t, 2, 300); /* 1.17 MiB */
	cycle(&t);
	assert_int_equal(t.d.action, KVMOPS_KSM_TUNE_KEEP);
	scans(&t, 2, 200); /* 800 KiB < 1 MiB */
	cycle(&t);
	assert_int_equal(t.d.action, KVMOPS_KSM_TUNE_BACKOFF);
}

static void test_new_guest_ends_back_off_at_once(void **state)
{
	struct tuner t;

	started(&t);
	scans(&t, 2, 0);
	cycle(&t);
	assert_int_equal(t.d.action, KVMOPS_KSM_TUNE_BACKOFF);
	cycle(&t);
	assert_int_equal(t.d.action, KVMOPS_KSM_TUNE_IDLE);
	t.fig.guest_set ^= 0xbeef;
	t.fig.qemu_processes = 4;
	cycle(&t);
	assert_int_equal(t.d.action, KVMOPS_KSM_TUNE_START);
	assert_reason(&t, "start: guests came or went (4 QEMU processes, were "
			  "3): looking again");
	assert_int_equal(t.st.backoff_left, 0);
}

/* A guest that comes mid-window restarts the count: its memory is new. */
static void test_new_guest_restarts_window(void **state)
{
	struct tuner t;

	started(&t);
	scans(&t, 1, 0);
	cycle(&t);
	t.fig.guest_set ^= 0xbeef;
	scans(&t, 1, 0);
	cycle(&t);
	assert_int_equal(t.d.action, KVMOPS_KSM_TUNE_KEEP);
	assert_false(t.d.window_closed);
	scans(&t, 2, 0);
	cycle(&t);
	assert_int_equal(t.d.action, KVMOPS_KSM_TUNE_BACKOFF);
}

/* ---- state between cycles ------------------------------------------------ */

static void test_state_carries_npages_and_counts(void **state)
{
	struct tuner t;

	host(&t, false);
	t.fig.mem_available_kib = GIB;
	cycle(&t);
	cycle(&t);
	assert_int_equal(t.st.npages, 600);
	assert_int_equal(t.st.cycles, 2);
	assert_int_equal(t.st.last, KVMOPS_KSM_TUNE_ADJUST);
	assert_int_equal(t.st.ksmd_pid, 37);
	assert_true(t.st.valid);
}

static void test_reboot_starts_state_afresh(void **state)
{
	struct tuner t;

	host(&t, false);
	t.fig.mem_available_kib = GIB;
	cycle(&t);
	cycle(&t);
	snprintf(t.fig.boot_id, sizeof(t.fig.boot_id), "boot-2");
	ksmd_used(&t, 90);
	cycle(&t);
	assert_int_equal(t.st.npages, 300);
	assert_int_equal(t.st.cycles, 1);
	assert_true(t.d.ksmd_cpu_percent < 0); /* no share across a boot */
}

/* ---- configuration ------------------------------------------------------- */

static void test_config_check(void **state)
{
	struct kvmops_ksm_tune_config c;
	struct kvmops_ctx *ctx;

	assert_int_equal(kvmops_new(&ctx), 0);
	kvmops_ksm_tune_defaults(&c);
	assert_int_equal(kvmops_ksm_tune_config_check(ctx, &c), 0);
	c.npages_min = 2000;
	assert_int_equal(kvmops_ksm_tune_config_check(ctx, &c), -EINVAL);
	assert_string_equal(kvmops_last_remedy(ctx), "npages_min,npages_max");
	kvmops_ksm_tune_defaults(&c);
	c.max_cpu_percent = 0;
	assert_int_equal(kvmops_ksm_tune_config_check(ctx, &c), -EINVAL);
	assert_string_equal(kvmops_last_remedy(ctx), "max_cpu_percent");
	kvmops_ksm_tune_defaults(&c);
	c.backoff_cycles = 0;
	assert_int_equal(kvmops_ksm_tune_config_check(ctx, &c), -EINVAL);
	kvmops_ksm_tune_defaults(&c);
	c.threshold_percent = 101;
	assert_int_equal(kvmops_ksm_tune_config_check(ctx, &c), -EINVAL);
	kvmops_unref(ctx);
}

static void test_action_names(void **state)
{
	assert_string_equal(kvmops_ksm_tune_action_name(KVMOPS_KSM_TUNE_START),
			    "start");
	assert_string_equal(
		kvmops_ksm_tune_action_name(KVMOPS_KSM_TUNE_BACKOFF),
		"back-off");
	assert_string_equal(
		kvmops_ksm_tune_action_name((enum kvmops_ksm_tune_action)99),
		"unknown");
}

/* ---- fair shares --------------------------------------------------------- */

static void shares(struct kvmops_ksm_vm *vms, const uint64_t *merging, size_t n,
		   uint64_t shared, uint64_t sharing)
{
	size_t i;

	memset(vms, 0, n * sizeof(*vms));
	for (i = 0; i < n; i++)
		vms[i].merging_pages = merging[i];
	kvmops_ksm_fair_shares(vms, n, shared, sharing, 4096);
}

/* One page merged by four guests saves three pages, not four. */
static void test_four_guests_one_page(void **state)
{
	static const uint64_t merging[] = { 1, 1, 1, 1 };
	struct kvmops_ksm_vm vms[4];
	uint64_t sum = 0;
	size_t i;

	shares(vms, merging, 4, 1, 3);
	for (i = 0; i < 4; i++) {
		assert_int_equal(vms[i].merged_bytes, 4096);
		sum += vms[i].saved_bytes;
	}
	assert_int_equal(sum, 3 * 4096);
	assert_int_equal(vms[3].saved_bytes, 0); /* ties go by order */
}

static void test_shares_of_uneven_guests(void **state)
{
	static const uint64_t merging[] = { 1000, 3000, 5 };
	struct kvmops_ksm_vm vms[3];

	shares(vms, merging, 3, 1005, 3000);
	/* 749.06, 2247.19 and 3.75: the remainders take the last page */
	assert_int_equal(vms[0].saved_bytes, 749 * 4096);
	assert_int_equal(vms[1].saved_bytes, 2247 * 4096);
	assert_int_equal(vms[2].saved_bytes, 4 * 4096);
}

/* Another process holds half the merged pages: the guests get their half. */
static void test_shares_of_some_of_the_merging(void **state)
{
	static const uint64_t merging[] = { 500 };
	struct kvmops_ksm_vm vms[1];

	shares(vms, merging, 1, 200, 800);
	assert_int_equal(vms[0].saved_bytes, 400 * 4096);
	vms[0].rmap_items = 1000;
	vms[0].zero_pages = 10;
	kvmops_ksm_fair_shares(vms, 1, 200, 800, 4096);
	assert_int_equal(vms[0].profit_bytes, 410 * 4096 - 1000 * 64);
}

static void test_no_merging_no_shares(void **state)
{
	static const uint64_t merging[] = { 0, 0 };
	struct kvmops_ksm_vm vms[2];

	shares(vms, merging, 2, 0, 0);
	assert_int_equal(vms[0].saved_bytes, 0);
	assert_int_equal(vms[1].saved_bytes, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_need_rule_is_ksmtuned_arithmetic),
		cmocka_unit_test(test_threshold_is_larger_of_percent_and_floor),
		cmocka_unit_test(test_not_needed_stops_and_keeps_merged),
		cmocka_unit_test(test_start_reason_in_one_line),
		cmocka_unit_test(test_crowded_reason),
		cmocka_unit_test(test_boost_and_decay_match_ksmtuned),
		cmocka_unit_test(test_boost_stops_at_max),
		cmocka_unit_test(test_sleep_scales_with_host),
		cmocka_unit_test(test_no_advisor_turns_advisor_off),
		cmocka_unit_test(test_advisor_takes_pages_to_scan),
		cmocka_unit_test(test_advisor_limits_follow_config),
		cmocka_unit_test(test_first_cycle_knows_no_cpu_share),
		cmocka_unit_test(test_cpu_cap_with_advisor),
		cmocka_unit_test(test_cpu_cap_from_pages_scanned),
		cmocka_unit_test(test_cpu_burst_already_over_is_left_alone),
		cmocka_unit_test(test_cpu_share_within_limit_changes_nothing),
		cmocka_unit_test(test_cpu_cap_without_advisor),
		cmocka_unit_test(test_stuck_advisor_is_rearmed),
		cmocka_unit_test(test_slow_advisor_on_target_left_alone),
		cmocka_unit_test(test_no_judgement_before_two_full_scans),
		cmocka_unit_test(test_scans_that_save_keep_ksmd),
		cmocka_unit_test(test_scans_that_do_not_pay_back_off),
		cmocka_unit_test(test_first_start_does_not_rearm),
		cmocka_unit_test(test_min_gain_as_size),
		cmocka_unit_test(test_new_guest_ends_back_off_at_once),
		cmocka_unit_test(test_new_guest_restarts_window),
		cmocka_unit_test(test_state_carries_npages_and_counts),
		cmocka_unit_test(test_reboot_starts_state_afresh),
		cmocka_unit_test(test_config_check),
		cmocka_unit_test(test_action_names),
		cmocka_unit_test(test_four_guests_one_page),
		cmocka_unit_test(test_shares_of_uneven_guests),
		cmocka_unit_test(test_shares_of_some_of_the_merging),
		cmocka_unit_test(test_no_merging_no_shares),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
