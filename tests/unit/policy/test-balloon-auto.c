// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The automatic balloon policy from tables of figures: the order guests
 * give in (what they have above their floors, for their shares), the step,
 * the floor and the deadband, guests short of memory never shrunk and
 * grown first, growing back with room, PSI, and guests that cannot be
 * judged (stale or missing stats, no balloon, a migration).
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

#define MIB 1024ull /* in KiB */
#define MAX_GUESTS 80

struct policy {
	struct kvmops_balloon_auto_config cfg;
	struct kvmops_balloon_auto_host host;
	struct kvmops_balloon_auto_guest g[MAX_GUESTS];
	struct kvmops_balloon_auto_decision d[MAX_GUESTS];
	struct kvmops_balloon_auto_verdict v;
	size_t count;
};

/* A 1 GiB budget, used as @used_mib says. */
static void host(struct policy *p, uint64_t used_mib)
{
	memset(p, 0, sizeof(*p));
	kvmops_balloon_auto_defaults(&p->cfg);
	p->host.budget_kib = 1024 * MIB;
	p->host.used_kib = used_mib * MIB;
	p->host.elapsed_ms = 10000;
}

/* A running guest with fresh stats: @current and @floor of @max MiB. */
static struct kvmops_balloon_auto_guest *guest(struct policy *p,
					       const char *name,
					       uint64_t current, uint64_t max,
					       uint64_t floor)
{
	struct kvmops_balloon_auto_guest *g = &p->g[p->count++];

	snprintf(g->balloon.name, sizeof(g->balloon.name), "%s", name);
	g->balloon.state = VIR_DOMAIN_RUNNING;
	g->balloon.current_kib = current * MIB;
	g->balloon.max_kib = max * MIB;
	g->balloon.usable_kib = (current - floor / 2) * MIB;
	g->balloon.have = KVMOPS_BALLOON_HAVE_USABLE |
			  KVMOPS_BALLOON_HAVE_SWAP | KVMOPS_BALLOON_HAVE_FAULTS;
	g->balloon.stats_period = 5;
	g->floor_kib = floor * MIB;
	return g;
}

static void decide(struct policy *p)
{
	kvmops_balloon_auto_decide(&p->cfg, &p->host, p->g, p->count, p->d,
				   &p->v);
}

static void assert_reason(const struct kvmops_balloon_auto_decision *d,
			  const char *part)
{
	if (!strstr(d->reason, part))
		fail_msg("reason '%s' lacks '%s'", d->reason, part);
}

static void assert_to(const struct kvmops_balloon_auto_decision *d,
		      enum kvmops_balloon_auto_action action, uint64_t to_mib)
{
	if (d->action != action || d->to_kib != to_mib * MIB)
		fail_msg("wanted %s to %llu MiB, got '%s' to %llu KiB",
			 kvmops_balloon_auto_action_name(action),
			 (unsigned long long)to_mib, d->reason,
			 (unsigned long long)d->to_kib);
}

/* ---- shrinking ----------------------------------------------------------- */

/*
 * 900 of 1024 MiB used, target 80% (819.2 MiB): 80.8 MiB to reclaim, and
 * the 16 MiB deadband under the target.
 * a gives 156 above its floor, c as much but with twice the share (78 a
 * share), b 56: a goes first, a whole step (64 MiB), then c the rest.
 */
static void test_shrink_order_by_usable_and_share(void **state)
{
	struct policy p;

	host(&p, 900);
	guest(&p, "a", 256, 256, 100);
	guest(&p, "b", 256, 256, 200);
	guest(&p, "c", 256, 256, 100)->share = 2000;
	decide(&p);
	assert_true(p.v.pressure);
	assert_reason(&p.d[0], "shrink: host use 900 MiB of 1 GiB (87%) > "
			       "target 80% (819 MiB); gives 64 MiB of the "
			       "156 MiB above its floor of 100 MiB (share "
			       "1000)");
	assert_to(&p.d[0], KVMOPS_BALLOON_AUTO_SHRINK, 192);
	assert_int_equal(p.d[2].action, KVMOPS_BALLOON_AUTO_SHRINK);
	assert_int_equal(p.d[2].to_kib,
			 256 * MIB - (p.v.gap_kib + 16 * MIB - 64 * MIB));
	assert_to(&p.d[1], KVMOPS_BALLOON_AUTO_KEEP, 256);
	assert_reason(&p.d[1], "the guests before it give enough");
	assert_int_equal(p.v.shrinking, 2);
	assert_true(p.d[0].say && p.d[2].say && !p.d[1].say);
}

/* The step: max(5% of current, 64 MiB), or --max-step; never the floor. */
static void test_step_floor_and_deadband(void **state)
{
	struct policy p;

	host(&p, 1000);
	guest(&p, "big", 4096, 4096, 1024); /* 5%: 204.8 MiB */
	guest(&p, "near", 256, 256, 226); /* 30 MiB above its floor */
	guest(&p, "at", 256, 256, 250); /* 6 MiB: under the deadband */
	p.host.budget_kib = 8192 * MIB; /* no pressure: */
	decide(&p);
	assert_false(p.v.pressure);
	p.host.used_kib = 7000 * MIB; /* 446 MiB over the target */
	decide(&p);
	assert_int_equal(p.d[0].from_kib - p.d[0].to_kib, 4096 * MIB / 20);
	assert_to(&p.d[1], KVMOPS_BALLOON_AUTO_SHRINK, 226);
	assert_to(&p.d[2], KVMOPS_BALLOON_AUTO_KEEP, 256);
	assert_reason(&p.d[2], "keep: at its floor of 250 MiB");
	p.cfg.max_step_kib = 10 * MIB;
	decide(&p);
	assert_to(&p.d[0], KVMOPS_BALLOON_AUTO_KEEP, 4096);
	assert_reason(&p.d[0], "less than the deadband of 16 MiB");
}

/*
 * Past the target by 4.8 MiB, the host reclaims that and the 16 MiB
 * deadband under the target; under it by 9.2 MiB, guests grow back.
 */
static void test_reclaim_overshoots_by_the_deadband(void **state)
{
	struct policy p;

	host(&p, 824);
	guest(&p, "a", 256, 256, 100);
	decide(&p);
	assert_true(p.v.pressure);
	assert_int_equal(p.d[0].action, KVMOPS_BALLOON_AUTO_SHRINK);
	assert_int_equal(p.d[0].to_kib,
			 256 * MIB - (uint64_t)p.v.gap_kib - 16 * MIB);

	host(&p, 810);
	guest(&p, "a", 200, 256, 100);
	decide(&p);
	assert_false(p.v.pressure);
	assert_to(&p.d[0], KVMOPS_BALLOON_AUTO_GROW, 256);
}

/* ---- a guest short of memory ---------------------------------------------- */

static void test_guest_swapping_is_never_shrunk(void **state)
{
	struct policy p;

	host(&p, 950);
	guest(&p, "swapping", 256, 256, 100);
	guest(&p, "idle", 256, 256, 200);
	decide(&p); /* the first cycle sees the counters */
	p.g[0].balloon.swap_in_kib += 4 * MIB;
	decide(&p);
	assert_true(p.d[0].pressured);
	assert_to(&p.d[0], KVMOPS_BALLOON_AUTO_KEEP, 256);
	assert_reason(&p.d[0], "keep: short of memory itself (swapping in "
			       "(4 MiB since the last cycle)): never shrunk");
	assert_to(&p.d[1], KVMOPS_BALLOON_AUTO_SHRINK, 200);
}

static void test_guest_faulting_or_low_usable_is_pressured(void **state)
{
	struct policy p;

	host(&p, 950);
	guest(&p, "faults", 256, 256, 100);
	guest(&p, "low", 256, 256, 100)->balloon.usable_kib = 20 * MIB;
	decide(&p);
	assert_false(p.d[0].pressured);
	assert_true(p.d[1].pressured);
	assert_string_equal(p.d[1].pressure,
			    "usable 20 MiB < 10% of its 256 MiB");
	p.g[0].balloon.major_faults += 100; /* 10 a second: not more than 10 */
	decide(&p);
	assert_false(p.d[0].pressured);
	p.g[0].balloon.major_faults += 2000;
	decide(&p);
	assert_true(p.d[0].pressured);
	assert_string_equal(p.d[0].pressure, "200 major faults/s > 10");
	assert_int_equal(p.v.shrinking, 0);
}

/* A guest whose use grows (4 MiB or more a cycle) gives nothing. */
static void test_growing_guest_is_not_shrunk(void **state)
{
	struct policy p;

	host(&p, 950);
	guest(&p, "grows", 256, 256, 100);
	guest(&p, "idle", 256, 256, 200);
	decide(&p);
	p.g[0].balloon.usable_kib -= 16 * MIB;
	decide(&p);
	assert_false(p.d[0].pressured);
	assert_int_equal(p.d[0].use_rise_kib, 16 * MIB);
	assert_to(&p.d[0], KVMOPS_BALLOON_AUTO_KEEP, 256);
	assert_reason(&p.d[0], "keep: its use grew 16 MiB since the last "
			       "cycle: not shrunk while it grows");
	assert_to(&p.d[1], KVMOPS_BALLOON_AUTO_SHRINK, 200);
	p.g[0].balloon.usable_kib -= 2 * MIB; /* noise, not growth */
	decide(&p);
	assert_int_equal(p.d[0].use_rise_kib, 0);
	assert_int_equal(p.d[0].action, KVMOPS_BALLOON_AUTO_SHRINK);
}

/*
 * Under pressure a guest short of memory still grows, by what the others
 * give in the same cycle: 80.8 MiB for the host plus 64 for "short"; the
 * two idle guests give a step each (128 MiB), "short" gets its 64 first.
 */
static void test_short_guest_fed_under_pressure(void **state)
{
	struct policy p;

	host(&p, 900);
	guest(&p, "short", 192, 256, 150)->balloon.usable_kib = 10 * MIB;
	guest(&p, "idle1", 256, 256, 100);
	guest(&p, "idle2", 256, 256, 100);
	decide(&p);
	assert_true(p.v.pressure);
	assert_true(p.d[0].pressured);
	assert_to(&p.d[0], KVMOPS_BALLOON_AUTO_GROW, 256);
	assert_reason(&p.d[0], "gets 64 MiB of what the others give, first: "
			       "short of memory itself (usable 10 MiB");
	assert_to(&p.d[1], KVMOPS_BALLOON_AUTO_SHRINK, 192);
	assert_to(&p.d[2], KVMOPS_BALLOON_AUTO_SHRINK, 192);

	/* Nobody to give: the short guest waits, nothing grows. */
	host(&p, 900);
	guest(&p, "short", 192, 256, 150)->balloon.usable_kib = 10 * MIB;
	guest(&p, "floored", 120, 256, 110);
	decide(&p);
	assert_to(&p.d[0], KVMOPS_BALLOON_AUTO_KEEP, 192);
	assert_int_equal(p.v.growing, 0);
}

/* ---- growing back -------------------------------------------------------- */

/* 600 of 1024 used: 219.2 MiB of room; the short one first, then by share. */
static void test_grow_back_pressured_first(void **state)
{
	struct policy p;

	host(&p, 600);
	guest(&p, "low", 128, 256, 100);
	guest(&p, "short", 160, 256, 100);
	guest(&p, "full", 256, 256, 100);
	decide(&p);
	p.g[1].balloon.swap_in_kib += MIB;
	decide(&p);
	assert_false(p.v.pressure);
	assert_to(&p.d[1], KVMOPS_BALLOON_AUTO_GROW, 160 + 64);
	assert_reason(&p.d[1], "gets 64 MiB first: short of memory itself");
	assert_to(&p.d[0], KVMOPS_BALLOON_AUTO_GROW, 128 + 64);
	assert_reason(&p.d[0], "back toward its maximum of 256 MiB");
	assert_to(&p.d[2], KVMOPS_BALLOON_AUTO_KEEP, 256);
	assert_reason(&p.d[2], "at its maximum of 256 MiB");
	assert_int_equal(p.v.growing, 2);
}

/*
 * Room for 19.2 MiB: the short guest takes it all, and nothing is left
 * for the others; without it, each grows a whole step (they take up
 * what they are given only as they need it). At the target, none.
 */
static void test_grow_room_goes_to_the_short_first(void **state)
{
	struct policy p;

	host(&p, 800);
	guest(&p, "a", 128, 256, 100);
	guest(&p, "short", 200, 256, 100)->balloon.usable_kib = 8 * MIB;
	decide(&p);
	assert_int_equal(p.d[1].action, KVMOPS_BALLOON_AUTO_GROW);
	assert_int_equal(p.d[1].to_kib - p.d[1].from_kib,
			 (uint64_t)-p.v.gap_kib);
	assert_to(&p.d[0], KVMOPS_BALLOON_AUTO_KEEP, 128);
	assert_reason(&p.d[0], "0 B of room left, less than the deadband");

	host(&p, 800);
	guest(&p, "a", 128, 256, 100);
	guest(&p, "b", 200, 256, 100);
	decide(&p);
	assert_to(&p.d[0], KVMOPS_BALLOON_AUTO_GROW, 128 + 64);
	assert_to(&p.d[1], KVMOPS_BALLOON_AUTO_GROW, 256);

	/* A step that would stop short of the maximum by less than the
	 * deadband goes the whole way: 183 + 64 would leave 9 MiB. */
	host(&p, 600);
	guest(&p, "a", 183, 256, 100);
	decide(&p);
	assert_to(&p.d[0], KVMOPS_BALLOON_AUTO_GROW, 256);

	host(&p, 0);
	p.host.used_kib = 838860; /* 80% of 1 GiB, to the KiB */
	guest(&p, "a", 128, 256, 100);
	decide(&p);
	assert_to(&p.d[0], KVMOPS_BALLOON_AUTO_KEEP, 128);
	assert_int_equal(p.v.growing, 0);
}

/*
 * Use that rose by R since the last cycle is judged R higher: 780 MiB,
 * under the 819 MiB target, but up 60 MiB, is pressure (21 MiB to take
 * now, and the deadband); once use falls, no rise counts. Rising use
 * leaves less room.
 */
static void test_rising_use_reclaims_ahead(void **state)
{
	struct policy p;

	host(&p, 780);
	p.host.last_used_kib = 720 * MIB;
	guest(&p, "a", 256, 256, 100);
	decide(&p);
	assert_true(p.v.pressure);
	assert_int_equal(p.v.rise_kib, 60 * MIB);
	assert_reason(&p.d[0], "shrink: host use 780 MiB of 1 GiB (76%) "
			       "rising by 60 MiB a cycle: past target 80%");
	assert_int_equal(p.d[0].to_kib,
			 256 * MIB - (uint64_t)p.v.gap_kib - 16 * MIB);

	host(&p, 780);
	p.host.last_used_kib = 800 * MIB;
	guest(&p, "a", 192, 256, 100);
	decide(&p);
	assert_false(p.v.pressure);
	assert_int_equal(p.v.rise_kib, 0);
	assert_to(&p.d[0], KVMOPS_BALLOON_AUTO_GROW, 256);

	host(&p, 700);
	p.host.last_used_kib = 600 * MIB;
	guest(&p, "a", 192, 256, 100);
	decide(&p);
	assert_false(p.v.pressure);
	assert_int_equal(p.v.gap_kib, (int64_t)(800 * MIB) - 838860);
	assert_to(&p.d[0], KVMOPS_BALLOON_AUTO_GROW, 256);
	assert_reason(&p.d[0], "within target 80% (819 MiB), rising by "
			       "100 MiB a cycle");
}

/* ---- PSI ------------------------------------------------------------------ */

static void test_psi_alone_reclaims_a_little(void **state)
{
	struct policy p;

	host(&p, 500);
	guest(&p, "a", 256, 256, 100);
	p.host.have_psi = true;
	p.host.psi_some_avg10 = 25.5;
	decide(&p);
	assert_true(p.v.pressure);
	assert_string_equal(p.v.reason, "memory PSI some avg10 25.50 > 10, "
					"host use 500 MiB of 1 GiB (48%)");
	/* 5% of the budget: 51.2 MiB. */
	assert_int_equal(p.d[0].from_kib - p.d[0].to_kib, 1024 * MIB / 20);
}

/* ---- guests that cannot be judged ----------------------------------------- */

static void test_unjudged_guests_are_left_alone_and_said_once(void **state)
{
	struct policy p;
	size_t i;

	host(&p, 950);
	guest(&p, "stale", 256, 256, 100)->balloon.problems =
		KVMOPS_BALLOON_STALE;
	guest(&p, "noperiod", 256, 256, 100)->balloon.problems =
		KVMOPS_BALLOON_NO_PERIOD;
	guest(&p, "noballoon", 256, 256, 100)->balloon.problems =
		KVMOPS_BALLOON_NO_DEVICE;
	guest(&p, "moving", 256, 256, 100)->migrating = true;
	guest(&p, "off", 256, 256, 100)->balloon.state = VIR_DOMAIN_SHUTOFF;
	p.g[1].balloon.have = 0;
	decide(&p);
	for (i = 0; i < p.count; i++) {
		assert_to(&p.d[i], KVMOPS_BALLOON_AUTO_SKIP, 256);
		assert_true(p.d[i].say);
	}
	assert_int_equal(p.d[0].skip, KVMOPS_BALLOON_AUTO_STALE);
	assert_reason(&p.d[1], "skip: no stats period");
	assert_reason(&p.d[2], "skip: no balloon device");
	assert_reason(&p.d[3], "skip: in a libvirt job");
	assert_int_equal(p.d[4].skip, KVMOPS_BALLOON_AUTO_NOT_RUNNING);
	assert_int_equal(p.v.skipped, 5);
	assert_int_equal(p.v.shrinking, 0);
	decide(&p);
	for (i = 0; i < p.count; i++)
		assert_false(p.d[i].say);
	p.g[0].balloon.problems = 0; /* fresh again, then stale again */
	decide(&p);
	p.g[0].balloon.problems = KVMOPS_BALLOON_STALE;
	decide(&p);
	assert_true(p.d[0].say);
}

/* More guests than the policy's stack holds: the same rules. */
static void test_many_guests(void **state)
{
	struct policy p;
	char name[16];
	size_t i;

	host(&p, 1000);
	for (i = 0; i < MAX_GUESTS; i++) {
		snprintf(name, sizeof(name), "g%zu", i);
		guest(&p, name, 256, 256, 100 + i);
	}
	decide(&p);
	/* The most above its floor (g0) gives first. */
	assert_to(&p.d[0], KVMOPS_BALLOON_AUTO_SHRINK, 256 - 64);
	assert_int_equal(p.v.shrinking, 3);
}

static void test_config_check_and_names(void **state)
{
	struct kvmops_balloon_auto_config c;
	struct kvmops_ctx *ctx;

	assert_int_equal(kvmops_new(&ctx), 0);
	kvmops_balloon_auto_defaults(&c);
	assert_int_equal(kvmops_balloon_auto_config_check(ctx, &c), 0);
	c.target_percent = 0;
	assert_int_equal(kvmops_balloon_auto_config_check(ctx, &c), -EINVAL);
	assert_string_equal(kvmops_last_remedy(ctx), "target_percent");
	kvmops_balloon_auto_defaults(&c);
	c.psi_some_avg10 = 101;
	assert_int_equal(kvmops_balloon_auto_config_check(ctx, &c), -EINVAL);
	kvmops_balloon_auto_defaults(&c);
	c.default_share = 0;
	assert_int_equal(kvmops_balloon_auto_config_check(ctx, &c), -EINVAL);
	kvmops_unref(ctx);
	assert_string_equal(
		kvmops_balloon_auto_action_name(KVMOPS_BALLOON_AUTO_SHRINK),
		"shrink");
	assert_string_equal(kvmops_balloon_auto_action_name(99), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shrink_order_by_usable_and_share),
		cmocka_unit_test(test_step_floor_and_deadband),
		cmocka_unit_test(test_reclaim_overshoots_by_the_deadband),
		cmocka_unit_test(test_guest_swapping_is_never_shrunk),
		cmocka_unit_test(
			test_guest_faulting_or_low_usable_is_pressured),
		cmocka_unit_test(test_growing_guest_is_not_shrunk),
		cmocka_unit_test(test_short_guest_fed_under_pressure),
		cmocka_unit_test(test_grow_back_pressured_first),
		cmocka_unit_test(test_grow_room_goes_to_the_short_first),
		cmocka_unit_test(test_rising_use_reclaims_ahead),
		cmocka_unit_test(test_psi_alone_reclaims_a_little),
		cmocka_unit_test(
			test_unjudged_guests_are_left_alone_and_said_once),
		cmocka_unit_test(test_many_guests),
		cmocka_unit_test(test_config_check_and_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
