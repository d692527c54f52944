// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The convergence policy from sample series: one recorded in the lab (a
 * dirty:32 guest at 20 MiB/s under auto-converge), the others generated
 * pass by pass the way QEMU's figures move (remaining data falls at the
 * bandwidth through a pass and jumps at each bitmap sync): converging,
 * rescued by the downtime limit, throttled, post-copy, suspend, hopeless
 * and aborted early, and a noisy series that is still making progress.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "libkvmops.h"

#define KIB 1024ull
#define MIB (1024 * KIB)
#define SAMPLE_MS 250
#define MAX_ACTIONS 64

struct run {
	struct kvmops_converge_config cfg;
	struct kvmops_converge_state st;
	struct kvmops_converge_decision got[MAX_ACTIONS];
	uint64_t at_ms[MAX_ACTIONS];
	size_t n;
	bool network_down, started;
};

static void begin(struct run *r, unsigned int allow)
{
	memset(r, 0, sizeof(*r));
	kvmops_converge_defaults(&r->cfg);
	r->cfg.allow = allow;
	r->cfg.timeout_ms = 60000;
}

/* Feeds one sample; keeps what is not NONE, as the caller would act on. */
static void feed(struct run *r, uint64_t t, uint64_t it, uint64_t remaining,
		 uint64_t bps, uint64_t dirty_bps, unsigned int throttle)
{
	const struct kvmops_converge_sample s = {
		.time_ms = t,
		.iteration = it,
		.remaining = remaining,
		.bps = bps,
		.dirty_bps = dirty_bps,
		.throttle_percent = throttle,
		.network_alive = !r->network_down,
	};
	struct kvmops_converge_decision d;

	if (!r->started)
		kvmops_converge_start(&r->cfg, &r->st);
	r->started = true;
	kvmops_converge_decide(&r->cfg, &r->st, &s, &d);
	if (d.action == KVMOPS_CONVERGE_NONE || r->n == MAX_ACTIONS)
		return;
	print_message("# %6.2f s %-11s %s\n", (double)t / 1000,
		      kvmops_converge_action_name(d.action), d.reason);
	r->at_ms[r->n] = t;
	r->got[r->n++] = d;
}

/*
 * A move of a 256 MiB guest (128 MiB of it not zero) at @bw_mib MiB/s:
 * the first pass, then a pass per entry of @peaks (what each sync left, in
 * KiB), each sampled every 250 ms while remaining falls at the bandwidth.
 * @throttle(pass) gives auto-converge's throttle; NULL: none. Returns the
 * time the series ends.
 */
static uint64_t simulate(struct run *r, double bw_mib, double dirty_mib,
			 const uint64_t *peaks, size_t n,
			 unsigned int (*throttle)(size_t pass))
{
	uint64_t bps = (uint64_t)(bw_mib * MIB), t = 0, left = 128 * MIB;
	size_t p;

	for (; left > bps / 4; left -= bps / 4, t += SAMPLE_MS)
		feed(r, t, 1, left, t ? bps : 0, 0, 0);
	for (p = 0; p < n; p++) {
		uint64_t start = t, peak = peaks[p] * KIB;
		unsigned int th = throttle ? throttle(p) : 0;

		do {
			uint64_t sent = bps * (t - start) / 1000;

			feed(r, t, p + 2, peak > sent ? peak - sent : 0, bps,
			     (uint64_t)(dirty_mib * MIB), th);
			t += SAMPLE_MS;
		} while (bps * (t - start) / 1000 < peak);
	}
	return t;
}

static size_t count(const struct run *r, enum kvmops_converge_action a)
{
	size_t i, c = 0;

	for (i = 0; i < r->n; i++)
		c += r->got[i].action == a;
	return c;
}

/* ---- the series ------------------------------------------------------- */

/* Each sync leaves less than the last, down to what fits 300 ms: 6 MiB. */
static void test_converging(void **state)
{
	static const uint64_t peaks[] = { 40960, 16384, 6144, 2048 };
	struct run *r = *state;

	begin(r, KVMOPS_CONVERGE_ALLOW_AUTO_CONVERGE);
	simulate(r, 20, 10, peaks, 4, NULL);
	assert_int_equal(r->n, 0);
	assert_int_equal(r->st.limit_ms, 300);
}

/* 9.4 MiB a pass at 20 MiB/s: 470 ms, above 300 but within 500. */
static void test_rescued_by_the_limit(void **state)
{
	static const uint64_t peaks[] = { 30720, 9626, 9626, 9626 };
	struct run *r = *state;

	begin(r, KVMOPS_CONVERGE_ALLOW_AUTO_CONVERGE);
	simulate(r, 20, 20, peaks, 4, NULL);
	assert_int_equal(count(r, KVMOPS_CONVERGE_RAISE_LIMIT), 1);
	assert_int_equal(r->n, 1);
	assert_int_equal(r->got[0].old_limit_ms, 300);
	assert_int_equal(r->got[0].limit_ms, 500);
	assert_int_equal(r->got[0].pass, 3);
	assert_non_null(
		strstr(r->got[0].reason, "downtime limit 300 -> 500 ms"));
}

/*
 * Recorded in the lab: a 256 MiB pti=on guest dirtying 32 MiB/s, moved
 * at 20 MiB/s with auto-converge (initial 20, increment 20): the throttle
 * rises every second sync and bites at 99%. Milliseconds, iteration,
 * remaining KiB, KiB/s sent, KiB/s dirtied, throttle.
 */
static const struct {
	uint64_t t, it, rem_kib, bw_kib, dirty_kib;
	unsigned int throttle;
} recorded[] = {
	{ 500, 1, 259512, 0, 0, 0 },
	{ 1100, 1, 245428, 20520, 0, 0 },
	{ 1600, 1, 232688, 20486, 0, 0 },
	{ 2100, 1, 214164, 20313, 0, 0 },
	{ 2700, 1, 201876, 20520, 0, 0 },
	{ 3200, 1, 191636, 20520, 0, 0 },
	{ 3700, 1, 181396, 20520, 0, 0 },
	{ 4300, 1, 169108, 20317, 0, 0 },
	{ 4800, 1, 146352, 20520, 0, 0 },
	{ 5300, 1, 136112, 20118, 0, 0 },
	{ 5900, 1, 125868, 20520, 0, 0 },
	{ 6400, 1, 109912, 20520, 0, 0 },
	{ 6900, 2, 67080, 20520, 10084, 0 },
	{ 7500, 2, 56480, 20520, 10084, 0 },
	{ 8000, 2, 44192, 20520, 10084, 0 },
	{ 8500, 2, 33952, 20520, 10084, 0 },
	{ 9000, 2, 23712, 20520, 10084, 0 },
	{ 9600, 2, 13472, 20317, 10084, 0 },
	{ 10100, 3, 62252, 20520, 19636, 0 },
	{ 10600, 3, 52012, 20520, 19636, 0 },
	{ 11200, 3, 39724, 20520, 19636, 0 },
	{ 11700, 3, 29484, 20520, 19636, 0 },
	{ 12300, 3, 19244, 20520, 19636, 0 },
	{ 12800, 3, 6956, 20520, 19636, 0 },
	{ 13300, 4, 58148, 20520, 20392, 20 },
	{ 13900, 4, 47908, 20317, 20392, 20 },
	{ 14400, 4, 35620, 20520, 20392, 20 },
	{ 14900, 4, 25380, 20317, 20392, 20 },
	{ 15500, 4, 15140, 20520, 20392, 20 },
	{ 16000, 5, 64296, 20520, 20412, 20 },
	{ 16500, 5, 54056, 20317, 20412, 20 },
	{ 17100, 5, 43816, 20520, 20412, 20 },
	{ 17600, 5, 31528, 20520, 20412, 20 },
	{ 18100, 5, 21288, 20520, 20412, 20 },
	{ 18700, 5, 11048, 20520, 20412, 20 },
	{ 19200, 6, 60208, 20520, 20404, 40 },
	{ 19800, 6, 49968, 20520, 20404, 40 },
	{ 20300, 6, 39088, 20520, 20404, 40 },
	{ 20800, 6, 27440, 20520, 20404, 40 },
	{ 21400, 6, 17200, 20520, 20404, 40 },
	{ 21900, 6, 6960, 20520, 20404, 40 },
	{ 22400, 7, 56104, 20520, 20440, 40 },
	{ 23000, 7, 45864, 20520, 20440, 40 },
	{ 23500, 7, 35624, 20520, 20440, 40 },
	{ 24000, 7, 23336, 20520, 20440, 40 },
	{ 24600, 7, 13096, 20520, 20440, 40 },
	{ 25100, 8, 64284, 20520, 20460, 60 },
	{ 25600, 8, 53404, 20520, 20460, 60 },
	{ 26200, 8, 41756, 20317, 20460, 60 },
	{ 26700, 8, 31516, 20520, 20460, 60 },
	{ 27200, 8, 21276, 20520, 20460, 60 },
	{ 27800, 8, 8988, 20520, 20460, 60 },
	{ 28300, 9, 60208, 20520, 20376, 60 },
	{ 28800, 9, 49968, 20520, 20376, 60 },
	{ 29300, 9, 37680, 20520, 20376, 60 },
	{ 29900, 9, 27440, 20520, 20376, 60 },
	{ 30400, 9, 17200, 20317, 20376, 60 },
	{ 31000, 9, 4912, 20520, 20376, 60 },
	{ 31500, 10, 56104, 20520, 20440, 80 },
	{ 32000, 10, 45864, 20520, 20440, 80 },
	{ 32600, 10, 33576, 20520, 20440, 80 },
	{ 33100, 10, 23336, 20520, 20440, 80 },
	{ 33600, 10, 13096, 20520, 20440, 80 },
	{ 34100, 11, 64304, 20317, 20452, 80 },
	{ 34700, 11, 52016, 20520, 20452, 80 },
	{ 35200, 11, 41776, 20317, 20452, 80 },
	{ 35700, 11, 31536, 20520, 20452, 80 },
	{ 36300, 11, 19248, 20317, 20452, 80 },
	{ 36800, 11, 9008, 20317, 20452, 80 },
	{ 37300, 12, 60184, 20520, 20400, 99 },
	{ 37900, 12, 49944, 20520, 20400, 99 },
	{ 38400, 12, 37656, 20520, 20400, 99 },
	{ 38900, 12, 27416, 20520, 20400, 99 },
	{ 39400, 12, 17176, 20520, 20400, 99 },
	{ 40000, 12, 6936, 20520, 20400, 99 },
	{ 40500, 13, 16632, 20520, 20400, 99 },
	{ 41000, 13, 16632, 20520, 20400, 99 },
	{ 41500, 13, 4344, 20520, 2940, 99 },
	{ 42100, 14, 4176, 4137, 2940, 99 },
	{ 42600, 15, 9320, 20520, 2940, 99 },
	{ 43100, 15, 5224, 2277, 4536, 99 },
	{ 43600, 16, 10256, 20520, 4536, 99 },
	{ 44200, 16, 4112, 20317, 5024, 99 },
	{ 44700, 17, 10704, 20520, 5024, 99 },
	{ 45200, 17, 4560, 20520, 5024, 99 },
	{ 45800, 18, 11132, 20520, 5024, 99 },
	{ 46300, 19, 6096, 20520, 6576, 99 },
	{ 46800, 19, 6096, 20520, 6576, 99 },
};

static void test_throttled(void **state)
{
	struct run *r = *state;
	size_t i;

	begin(r, KVMOPS_CONVERGE_ALLOW_AUTO_CONVERGE);
	for (i = 0; i < sizeof(recorded) / sizeof(recorded[0]); i++)
		feed(r, recorded[i].t, recorded[i].it,
		     recorded[i].rem_kib * KIB, recorded[i].bw_kib * KIB,
		     recorded[i].dirty_kib * KIB, recorded[i].throttle);
	assert_int_equal(count(r, KVMOPS_CONVERGE_ABORT), 0);
	assert_int_equal(count(r, KVMOPS_CONVERGE_POSTCOPY), 0);
	assert_true(count(r, KVMOPS_CONVERGE_WAIT) >= 1);
	assert_int_equal(r->got[r->n - 1].action, KVMOPS_CONVERGE_RAISE_LIMIT);
	assert_true(r->st.limit_ms <= 500);
	assert_int_equal(r->st.throttle_top, 99);
}

/* 64 MiB dirtied a pass and the throttle at its top: post-copy. */
static unsigned int at_top(size_t pass)
{
	(void)pass;
	return 99;
}

static void test_postcopy(void **state)
{
	static const uint64_t peaks[] = { 65536, 65536, 65536, 65536, 65536 };
	struct run *r = *state;

	begin(r, KVMOPS_CONVERGE_ALLOW_AUTO_CONVERGE |
			 KVMOPS_CONVERGE_ALLOW_POSTCOPY);
	simulate(r, 20, 32, peaks, 5, at_top);
	assert_int_equal(r->n, 1);
	assert_int_equal(r->got[0].action, KVMOPS_CONVERGE_POSTCOPY);
	assert_true(r->got[0].stalled);
	assert_int_equal(r->got[0].best, 65536 * KIB);
	/* the window: three passes after the best */
	assert_int_equal(r->got[0].pass, 5);
	assert_non_null(strstr(r->got[0].reason, "stalled (left 64 MiB"));
	assert_non_null(strstr(r->got[0].reason, "switching to post-copy"));
}

/*
 * 8.8 MiB a pass at 20 MiB/s fits a raised limit, but QEMU, whose own
 * estimate is lower, does not switch over (seen in the lab under TCG):
 * post-copy when allowed, else the maximum limit.
 */
static void test_fits_but_unswitched(void **state)
{
	static const uint64_t peaks[] = { 30720, 9000, 9000, 9000, 9000,
					  9000,	 9000, 9000, 9000 };
	struct run *r = *state;

	begin(r, KVMOPS_CONVERGE_ALLOW_POSTCOPY);
	simulate(r, 20, 20, peaks, 9, NULL);
	assert_int_equal(r->n, 2);
	assert_int_equal(r->got[0].action, KVMOPS_CONVERGE_RAISE_LIMIT);
	assert_int_equal(r->got[0].pass, 3);
	assert_int_equal(r->got[0].limit_ms, 490);
	/* passes 3 to 6 fitted 490 ms */
	assert_int_equal(r->got[1].action, KVMOPS_CONVERGE_POSTCOPY);
	assert_int_equal(r->got[1].pass, 6);
	assert_non_null(strstr(
		r->got[1].reason,
		"fitted the limit, yet QEMU has not switched over: switching to post-copy"));
	/* with no way out allowed, the maximum limit; then QEMU or the timeout */
	begin(r, KVMOPS_CONVERGE_ALLOW_AUTO_CONVERGE);
	simulate(r, 20, 20, peaks, 9, at_top);
	assert_int_equal(r->n, 2);
	assert_int_equal(r->got[1].action, KVMOPS_CONVERGE_RAISE_LIMIT);
	assert_int_equal(r->got[1].pass, 6);
	assert_int_equal(r->got[1].limit_ms, 500);
	assert_non_null(strstr(r->got[1].reason,
			       "4 passes fitted the limit, yet QEMU has not"));
}

/* A maximum below the usual start: the move starts at the maximum. */
static void test_start_within_the_maximum(void **state)
{
	struct run *r = *state;

	begin(r, KVMOPS_CONVERGE_ALLOW_AUTO_CONVERGE);
	r->cfg.max_downtime_ms = 100;
	kvmops_converge_start(&r->cfg, &r->st);
	assert_int_equal(r->st.limit_ms, 100);
}

/* Post-copy needs the destination alive; the next way out is taken. */
static void test_no_postcopy_without_network(void **state)
{
	static const uint64_t peaks[] = { 65536, 65536, 65536, 65536, 65536 };
	struct run *r = *state;

	begin(r, KVMOPS_CONVERGE_ALLOW_POSTCOPY);
	r->network_down = true;
	simulate(r, 20, 32, peaks, 5, NULL);
	assert_int_equal(r->n, 1);
	assert_int_equal(r->got[0].action, KVMOPS_CONVERGE_ABORT);
}

static void test_suspend(void **state)
{
	static const uint64_t peaks[] = { 20480, 20480, 20480, 20480, 20480 };
	struct run *r = *state;

	begin(r, KVMOPS_CONVERGE_ALLOW_SUSPEND);
	simulate(r, 20, 20, peaks, 5, NULL);
	assert_int_equal(r->n, 1);
	assert_int_equal(r->got[0].action, KVMOPS_CONVERGE_SUSPEND);
	assert_int_equal(r->got[0].implied_ms, 1000);
	assert_non_null(strstr(r->got[0].reason, "auto-converge not allowed"));
	assert_non_null(strstr(r->got[0].reason, "downtime about 1000 ms"));
}

/*
 * dirty:64 at 8 MiB/s: every 8 s pass leaves the whole 64 MiB set. The
 * throttle would need 8 more syncs (64 s) to reach its top, past the
 * 60 s timeout: aborted once the window shows the stall.
 */
static unsigned int rising(size_t pass)
{
	return pass < 2 ? 0 : (unsigned int)(20 + 20 * ((pass - 2) / 2));
}

static void test_hopeless(void **state)
{
	static const uint64_t peaks[] = { 65536, 65536, 65536, 65536,
					  65536, 65536, 65536 };
	struct run *r = *state;

	begin(r, KVMOPS_CONVERGE_ALLOW_AUTO_CONVERGE);
	simulate(r, 8, 64, peaks, 7, rising);
	assert_int_equal(r->n, 1);
	assert_int_equal(r->got[0].action, KVMOPS_CONVERGE_ABORT);
	assert_true(r->at_ms[0] < 40000);
	assert_int_equal(r->got[0].implied_ms, 8000);
	assert_non_null(
		strstr(r->got[0].reason,
		       "the throttle cannot reach its top before the timeout"));
	assert_non_null(strstr(r->got[0].reason, "above 750 ms"));
}

/* The same move with time to spare waits on the throttle instead. */
static void test_waits_on_a_rising_throttle(void **state)
{
	static const uint64_t peaks[] = { 65536, 65536, 65536, 65536,
					  65536, 65536, 65536 };
	struct run *r = *state;

	begin(r, KVMOPS_CONVERGE_ALLOW_AUTO_CONVERGE);
	r->cfg.timeout_ms = 600000;
	simulate(r, 8, 64, peaks, 7, rising);
	assert_int_equal(count(r, KVMOPS_CONVERGE_ABORT), 0);
	assert_int_equal(count(r, KVMOPS_CONVERGE_WAIT), 3); /* 20, 40, 60% */
	assert_non_null(strstr(r->got[0].reason, "rising"));
}

/*
 * Noisy but making progress: each sync leaves about 5% less than the
 * last, give or take 8%, far above what fits. Not stalled, never aborted.
 */
static void test_noisy_is_not_stalled(void **state)
{
	static const uint64_t peaks[] = {
		60000, 63000, 55000, 58500, 51000, 54000, 47000, 49500,
		43500, 46000, 40000, 42500, 37000, 39000, 34500, 36000,
	};
	struct run *r = *state;

	begin(r, 0);
	r->cfg.timeout_ms = 0;
	simulate(r, 20, 20, peaks, sizeof(peaks) / sizeof(peaks[0]), NULL);
	assert_int_equal(r->n, 0);
	/* and at that pace it ends long before a 10-minute timeout */
	begin(r, 0);
	r->cfg.timeout_ms = 600000;
	simulate(r, 20, 20, peaks, sizeof(peaks) / sizeof(peaks[0]), NULL);
	assert_int_equal(r->n, 0);
}

/*
 * Progress of 2% a pass from 60 MiB, when 10 MiB would fit: about 200 s
 * more at 20 MiB/s, past the 60 s timeout. Too slow: aborted early.
 */
static void test_too_slow_for_the_timeout(void **state)
{
	uint64_t peaks[12];
	struct run *r = *state;
	size_t i;

	for (i = 0; i < 12; i++)
		peaks[i] = (uint64_t)(61440 * pow(0.98, (double)i));
	begin(r, 0);
	simulate(r, 20, 20, peaks, 12, NULL);
	assert_int_equal(r->n, 1);
	assert_int_equal(r->got[0].action, KVMOPS_CONVERGE_ABORT);
	assert_true(r->got[0].slow);
	assert_true(r->got[0].finish_ms > 60000);
	assert_non_null(strstr(r->got[0].reason, "too slow"));
}

/*
 * Seen in the demo, on a busier machine: the throttle at its top has cut
 * the dirty rate to 3 MiB/s, but the passes still begin with 14 MiB, 933 ms
 * at 15 MiB/s, and an early lucky pass of 8 MiB is the best before the
 * window. The guest dirties a fifth of what is sent: each next pass
 * shrinks by itself, so this is not stalled, and never aborted.
 */
static void test_converging_by_rates_is_not_stalled(void **state)
{
	static const uint64_t peaks[] = { 8192,	 41984, 20480,
					  14336, 14336, 14336 };
	struct run *r = *state;

	begin(r, KVMOPS_CONVERGE_ALLOW_AUTO_CONVERGE);
	simulate(r, 15, 3, peaks, 6, at_top);
	assert_int_equal(count(r, KVMOPS_CONVERGE_ABORT), 0);
	assert_int_equal(r->n, 0);
}

/* A flat series of the same size is stalled, and aborted. */
static void test_flat_is_stalled(void **state)
{
	static const uint64_t peaks[] = { 60000, 61000, 59500, 60500, 60000 };
	struct run *r = *state;

	begin(r, 0);
	simulate(r, 20, 20, peaks, 5, NULL);
	assert_int_equal(r->n, 1);
	assert_int_equal(r->got[0].action, KVMOPS_CONVERGE_ABORT);
	assert_non_null(strstr(r->got[0].reason, "100% of the best 59 MiB"));
}

/* ---- the rest ------------------------------------------------------------- */

static void test_timeout(void **state)
{
	(void)state;
	assert_int_equal(kvmops_converge_timeout_s(256 * MIB), 60);
	assert_int_equal(kvmops_converge_timeout_s(1024 * MIB), 150);
	assert_int_equal(kvmops_converge_timeout_s(8192 * MIB), 1200);
}

static void test_config_check(void **state)
{
	struct kvmops_converge_config c;
	struct kvmops_ctx *ctx;

	(void)state;
	assert_int_equal(kvmops_new(&ctx), 0);
	kvmops_converge_defaults(&c);
	assert_int_equal(kvmops_converge_config_check(ctx, &c), 0);
	c.max_downtime_ms = 0;
	assert_int_equal(kvmops_converge_config_check(ctx, &c), -EINVAL);
	assert_string_equal(kvmops_last_remedy(ctx), "max_downtime_ms");
	kvmops_converge_defaults(&c);
	c.allow = 1 << 7;
	assert_int_equal(kvmops_converge_config_check(ctx, &c), -EINVAL);
	assert_string_equal(kvmops_last_remedy(ctx), "allow");
	kvmops_converge_defaults(&c);
	c.abort_percent = 90;
	assert_int_equal(kvmops_converge_config_check(ctx, &c), -EINVAL);
	assert_string_equal(kvmops_last_remedy(ctx), "abort_percent");
	kvmops_converge_defaults(&c);
	c.window_passes = 0;
	assert_int_equal(kvmops_converge_config_check(ctx, &c), -EINVAL);
	assert_string_equal(kvmops_last_remedy(ctx), "window_passes");
	assert_string_equal(kvmops_converge_action_name(KVMOPS_CONVERGE_WAIT),
			    "wait");
	assert_string_equal(kvmops_converge_action_name(99), "unknown");
	kvmops_unref(ctx);
}

static int setup(void **state)
{
	static struct run r;

	*state = &r;
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_converging),
		cmocka_unit_test(test_rescued_by_the_limit),
		cmocka_unit_test(test_fits_but_unswitched),
		cmocka_unit_test(test_start_within_the_maximum),
		cmocka_unit_test(test_throttled),
		cmocka_unit_test(test_postcopy),
		cmocka_unit_test(test_no_postcopy_without_network),
		cmocka_unit_test(test_suspend),
		cmocka_unit_test(test_hopeless),
		cmocka_unit_test(test_waits_on_a_rising_throttle),
		cmocka_unit_test(test_noisy_is_not_stalled),
		cmocka_unit_test(test_too_slow_for_the_timeout),
		cmocka_unit_test(test_flat_is_stalled),
		cmocka_unit_test(test_converging_by_rates_is_not_stalled),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_config_check),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
