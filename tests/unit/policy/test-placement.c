// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Placement from tables of figures: evacuation onto hosts of different
 * free memory, a destination whose check FAILs, the headroom and
 * overcommit rules, spread lowering the coefficient of variation,
 * consolidate freeing the emptiest host, the KSM saving a move loses
 * changing a choice, and a guest that fits nowhere.
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
#define MAX 16

struct table {
	struct kvmops_ctx *ctx;
	struct kvmops_place_config cfg;
	struct kvmops_place_host h[MAX];
	struct kvmops_place_guest g[MAX];
	struct kvmops_place_check checks[MAX][MAX];
	char names[MAX][16];
	size_t nh, ng;
	struct kvmops_place_plan plan;
};

static int setup(void **state)
{
	static struct table t;

	memset(&t, 0, sizeof(t));
	if (kvmops_new(&t.ctx))
		return -1;
	kvmops_place_defaults(&t.cfg);
	*state = &t;
	return 0;
}

static int teardown(void **state)
{
	struct table *t = *state;

	kvmops_place_free(&t->plan);
	kvmops_unref(t->ctx);
	return 0;
}

/* A host of @mem_mib with @used_mib in use and 8 CPUs. */
static size_t host(struct table *t, const char *uri, uint64_t mem_mib,
		   uint64_t used_mib)
{
	struct kvmops_place_host *h = &t->h[t->nh];

	h->uri = uri;
	h->reachable = true;
	h->oc.host_mem_kib = mem_mib * MIB;
	h->oc.host_free_kib = (mem_mib - used_mib) * MIB;
	h->oc.host_cpus = 8;
	return t->nh++;
}

/* A running guest of @mib (current and maximum) and one vCPU on @h. */
static struct kvmops_place_guest *guest(struct table *t, size_t h, uint64_t mib)
{
	struct kvmops_place_guest *g = &t->g[t->ng];

	snprintf(t->names[t->ng], sizeof(t->names[0]), "g%zu", t->ng);
	g->name = t->names[t->ng];
	g->host = h;
	g->running = true;
	g->current_kib = g->max_kib = mib * MIB;
	g->vcpus = 1;
	g->checks = t->checks[t->ng];
	t->h[h].oc.sum_max_kib += g->max_kib;
	t->h[h].oc.sum_current_kib += g->current_kib;
	t->h[h].oc.sum_vcpus++;
	t->h[h].oc.guests++;
	t->h[h].oc.widest_vcpus = 1;
	t->ng++;
	return g;
}

static void plan(struct table *t, enum kvmops_place_goal goal)
{
	kvmops_place_free(&t->plan);
	t->cfg.goal = goal;
	if (kvmops_place(t->ctx, &t->cfg, t->h, t->nh, t->g, t->ng, &t->plan))
		fail_msg("kvmops_place: %s", kvmops_last_error(t->ctx));
}

/* The host the plan sends guest @gi to, or where it stays. */
static size_t dest_of(const struct table *t, size_t gi)
{
	size_t i;

	for (i = 0; i < t->plan.nmoves; i++)
		if (t->plan.moves[i].guest == gi)
			return t->plan.moves[i].to;
	return t->g[gi].host;
}

static void assert_reason(const char *reason, const char *part)
{
	if (!strstr(reason, part))
		fail_msg("reason '%s' lacks '%s'", reason, part);
}

/* ---- evacuate ------------------------------------------------------------ */

/*
 * Four guests off src onto a (3 GiB free) and b (1 GiB free): the largest
 * first, each where it leaves the most free, so a takes three, b one.
 */
static void test_evacuate_onto_two_hosts(void **state)
{
	struct table *t = *state;
	size_t src = host(t, "src", 4096, 2048), a = host(t, "a", 4096, 1024),
	       b = host(t, "b", 4096, 3072), i;

	t->h[src].source = true;
	guest(t, src, 512);
	guest(t, src, 1024);
	guest(t, src, 256);
	guest(t, src, 256);
	plan(t, KVMOPS_PLACE_EVACUATE);
	assert_int_equal(t->plan.nmoves, 4);
	assert_int_equal(t->plan.nunplaced, 0);
	assert_int_equal(t->plan.moves[0].guest, 1); /* the largest first */
	assert_int_equal(t->plan.moves[0].to, a);
	assert_int_equal(t->plan.moves[0].mode, KVMOPS_PLACE_LIVE);
	assert_int_equal(t->plan.moves[0].to_used_kib, 2048 * MIB);
	assert_reason(t->plan.moves[0].reason,
		      "evacuate: a leaves the most memory free there (2 GiB)");
	for (i = 0; i < 4; i++)
		assert_true(dest_of(t, i) == a || dest_of(t, i) == b);
	assert_int_equal(t->plan.used_after_kib[a] + t->plan.used_after_kib[b],
			 (1024 + 3072 + 2048) * MIB);
	assert_int_equal(t->plan.used_after_kib[src], 0);
}

/* A name clash on a: its guest goes to b, never to a. */
static void test_a_failing_check_is_never_chosen(void **state)
{
	struct table *t = *state;
	size_t src = host(t, "src", 4096, 512), a = host(t, "a", 8192, 0),
	       b = host(t, "b", 4096, 1024);

	t->h[src].source = true;
	guest(t, src, 256);
	guest(t, src, 256);
	t->checks[1][a] = (struct kvmops_place_check){
		.verdict = KVMOPS_VERDICT_FAIL,
		.why = "a domain named g1 exists",
	};
	t->checks[0][b].mode = KVMOPS_PLACE_COPY_STORAGE;
	plan(t, KVMOPS_PLACE_EVACUATE);
	assert_int_equal(dest_of(t, 0), a);
	assert_int_equal(dest_of(t, 1), b);

	/* Nowhere else: unplaced, with each host's reason. */
	t->checks[1][b].verdict = KVMOPS_VERDICT_FAIL;
	t->checks[1][b].why = "no bridge br0";
	plan(t, KVMOPS_PLACE_EVACUATE);
	assert_int_equal(t->plan.nunplaced, 1);
	assert_int_equal(t->plan.unplaced[0].guest, 1);
	assert_string_equal(
		t->plan.unplaced[0].reason,
		"no host can take it: a: the check FAILs (a domain named g1 "
		"exists); b: the check FAILs (no bridge br0)");
}

/* The headroom (90%) and the memory overcommit (above 2x fails). */
static void test_headroom_and_overcommit(void **state)
{
	struct table *t = *state;
	size_t src = host(t, "src", 4096, 1024), a = host(t, "a", 1024, 600),
	       b = host(t, "b", 1024, 0);

	t->h[src].source = true;
	guest(t, src, 512); /* a: 600 + 512 > 921.6 */
	t->h[b].oc.sum_max_kib = 1800 * MIB; /* b: (1800+512)/1024 > 2x */
	plan(t, KVMOPS_PLACE_EVACUATE);
	assert_int_equal(t->plan.nmoves, 0);
	assert_int_equal(t->plan.nunplaced, 1);
	assert_reason(t->plan.unplaced[0].reason,
		      "a: use would be 1.09 GiB of 1 GiB (108%), over the 90% "
		      "headroom");
	assert_reason(t->plan.unplaced[0].reason,
		      "b: its memory overcommit would be 2.26x, a FAIL");

	t->cfg.headroom_percent = 0;
	t->cfg.goal = KVMOPS_PLACE_EVACUATE;
	assert_int_equal(kvmops_place(t->ctx, &t->cfg, t->h, t->nh, t->g, t->ng,
				      &t->plan),
			 -EINVAL);
	assert_reason(kvmops_last_error(t->ctx), "headroom must be 1% to 100%");
}

/* A shut-off guest moves offline; an unreachable host takes nothing. */
static void test_offline_and_unreachable(void **state)
{
	struct table *t = *state;
	size_t src = host(t, "src", 4096, 256), a = host(t, "a", 8192, 0),
	       b = host(t, "b", 4096, 0);

	t->h[src].source = true;
	t->h[a].reachable = false;
	guest(t, src, 256)->running = false;
	plan(t, KVMOPS_PLACE_EVACUATE);
	assert_int_equal(t->plan.nmoves, 1);
	assert_int_equal(t->plan.moves[0].to, b);
	assert_int_equal(t->plan.moves[0].mode, KVMOPS_PLACE_OFFLINE);
}

/* ---- spread -------------------------------------------------------------- */

/* Everything on h0: the plan moves guests until the CV is low. */
static void test_spread_lowers_the_cv(void **state)
{
	struct table *t = *state;
	size_t h0 = host(t, "h0", 4096, 2048), i;

	host(t, "h1", 4096, 0);
	host(t, "h2", 4096, 0);
	for (i = 0; i < 8; i++)
		guest(t, h0, 256);
	plan(t, KVMOPS_PLACE_SPREAD);
	assert_true(t->plan.nmoves >= 4);
	assert_true(t->plan.cv_before > 1.0);
	assert_true(t->plan.cv_after < 0.2);
	assert_reason(t->plan.moves[0].reason,
		      "spread: evens out 256 MiB of memory use (CV 1.414 ->");
	assert_int_equal(t->plan.used_before_kib[h0], 2048 * MIB);
	assert_true(t->plan.used_after_kib[h0] <= 1024 * MIB);

	/* --max-moves, and --min-gain above any one move's gain. */
	t->cfg.max_moves = 2;
	plan(t, KVMOPS_PLACE_SPREAD);
	assert_int_equal(t->plan.nmoves, 2);
	t->cfg.min_gain_kib = 512 * MIB;
	plan(t, KVMOPS_PLACE_SPREAD);
	assert_int_equal(t->plan.nmoves, 0);
	assert_true(t->plan.cv_after == t->plan.cv_before);
}

/*
 * Two guests alike but for KSM: g1 saves 200 MiB where it is, and moving
 * it would lose that. Spread moves g0, and with a gain of only 256 MiB
 * less 200 for g1, a 64 MiB min_gain still lets one move happen: g0's.
 */
static void test_ksm_saving_changes_the_choice(void **state)
{
	struct table *t = *state;
	size_t h0 = host(t, "h0", 4096, 512), h1 = host(t, "h1", 4096, 0);

	guest(t, h0, 256);
	guest(t, h0, 256)->ksm_saved_kib = 200 * MIB;
	t->cfg.max_moves = 1;
	plan(t, KVMOPS_PLACE_SPREAD);
	assert_int_equal(t->plan.nmoves, 1);
	assert_int_equal(t->plan.moves[0].guest, 0);
	assert_int_equal(t->plan.moves[0].to, h1);

	/* Alone, g1's move gains too little once its saving counts. */
	t->g[0].host = h1;
	t->h[h0].oc.host_free_kib += 256 * MIB;
	t->h[h1].oc.host_free_kib -= 256 * MIB;
	t->cfg.min_gain_kib = 64 * MIB;
	plan(t, KVMOPS_PLACE_SPREAD);
	assert_int_equal(t->plan.nmoves, 0);
}

/* ---- consolidate --------------------------------------------------------- */

static void test_consolidate_frees_the_emptiest(void **state)
{
	struct table *t = *state;
	size_t a = host(t, "a", 4096, 1024), b = host(t, "b", 4096, 512),
	       c = host(t, "c", 4096, 256);

	guest(t, a, 1024);
	guest(t, b, 256);
	guest(t, b, 256);
	guest(t, c, 256);
	plan(t, KVMOPS_PLACE_CONSOLIDATE);
	assert_true(t->plan.nfreed >= 1);
	assert_int_equal(t->plan.freed[0], c);
	assert_int_equal(t->plan.used_after_kib[c], 0);
	assert_reason(t->plan.moves[0].reason, "consolidate: empties c;");
	/* Packing: c's guest goes to the fullest host that takes it. */
	assert_int_equal(dest_of(t, 3), a);
	if (t->plan.nfreed == 2)
		assert_int_equal(t->plan.freed[1], b);
	assert_int_equal(t->plan.used_after_kib[a] + t->plan.used_after_kib[b],
			 1792 * MIB);
}

/* A host too big to move anywhere stays; nothing half-emptied. */
static void test_consolidate_all_or_nothing(void **state)
{
	struct table *t = *state;
	size_t a = host(t, "a", 2048, 1536), b = host(t, "b", 2048, 1024);

	guest(t, a, 1536);
	guest(t, b, 512);
	guest(t, b, 512);
	plan(t, KVMOPS_PLACE_CONSOLIDATE);
	assert_int_equal(t->plan.nfreed, 0);
	assert_int_equal(t->plan.nmoves, 0);
	assert_int_equal(t->plan.used_after_kib[b], 1024 * MIB);
}

/* Three equal hosts: two freed onto the third, each guest moved once. */
static void test_consolidate_moves_a_guest_once(void **state)
{
	struct table *t = *state;
	size_t a = host(t, "a", 1024, 128), b = host(t, "b", 1024, 128),
	       c = host(t, "c", 1024, 128), i, j;

	guest(t, a, 128);
	guest(t, b, 128);
	guest(t, c, 128);
	plan(t, KVMOPS_PLACE_CONSOLIDATE);
	assert_int_equal(t->plan.nfreed, 2);
	assert_int_equal(t->plan.nmoves, 2);
	for (i = 0; i < t->plan.nmoves; i++)
		for (j = 0; j < t->plan.nmoves; j++) {
			assert_true(i == j || t->plan.moves[i].guest !=
						      t->plan.moves[j].guest);
			/* No guest leaves a host another arrives on. */
			assert_true(t->plan.moves[i].from !=
				    t->plan.moves[j].to);
		}
	for (i = 0; i < t->plan.nfreed; i++)
		assert_int_equal(t->plan.used_after_kib[t->plan.freed[i]], 0);
}

/* ---- running a plan ------------------------------------------------------- */

static void test_next_within_jobs_and_per_host(void **state)
{
	struct kvmops_place_move m[4] = {
		{ .from = 0, .to = 1 },
		{ .from = 0, .to = 1 },
		{ .from = 0, .to = 2 },
		{ .from = 0, .to = 2 },
	};
	enum kvmops_place_state st[4] = { 0 };
	struct kvmops_place_limits two = { .jobs = 2, .per_host = 2 },
				   one_in = { .jobs = 2, .per_host = 1 };

	(void)state;
	assert_int_equal(kvmops_place_next(m, 4, st, 3, &two), 0);
	st[0] = KVMOPS_PLACE_RUNNING;
	assert_int_equal(kvmops_place_next(m, 4, st, 3, &two), 1);
	st[1] = KVMOPS_PLACE_RUNNING;
	assert_int_equal(kvmops_place_next(m, 4, st, 3, &two), SIZE_MAX);
	st[0] = KVMOPS_PLACE_DONE;
	assert_int_equal(kvmops_place_next(m, 4, st, 3, &two), 2);
	st[1] = KVMOPS_PLACE_FAILED;
	/* One at a time into host 2: nothing while move 2 runs. */
	st[2] = KVMOPS_PLACE_RUNNING;
	assert_int_equal(kvmops_place_next(m, 4, st, 3, &one_in), SIZE_MAX);
	st[2] = KVMOPS_PLACE_DONE;
	assert_int_equal(kvmops_place_next(m, 4, st, 3, &one_in), 3);
	st[3] = KVMOPS_PLACE_DONE;
	assert_int_equal(kvmops_place_next(m, 4, st, 3, &two), SIZE_MAX);
}

/* Into one host at most per_host; the least busy source goes first. */
static void test_next_is_fair_between_sources(void **state)
{
	struct kvmops_place_move m[4] = {
		{ .from = 0, .to = 2 },
		{ .from = 0, .to = 3 },
		{ .from = 0, .to = 2 },
		{ .from = 1, .to = 3 },
	};
	enum kvmops_place_state st[4] = { 0 };
	struct kvmops_place_limits lim = { .jobs = 3, .per_host = 2 },
				   in1 = { .jobs = 4, .per_host = 1 };

	(void)state;
	assert_int_equal(kvmops_place_next(m, 4, st, 4, &lim), 0);
	st[0] = KVMOPS_PLACE_RUNNING;
	assert_int_equal(kvmops_place_next(m, 4, st, 4, &lim), 3);
	st[3] = KVMOPS_PLACE_RUNNING;
	assert_int_equal(kvmops_place_next(m, 4, st, 4, &lim), 1);
	st[1] = KVMOPS_PLACE_RUNNING;
	assert_int_equal(kvmops_place_next(m, 4, st, 4, &lim), SIZE_MAX);
	/* per_host 1: host 2 takes one at a time; host 1 goes first. */
	st[1] = KVMOPS_PLACE_QUEUED;
	st[3] = KVMOPS_PLACE_QUEUED;
	assert_int_equal(kvmops_place_next(m, 4, st, 4, &in1), 3);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(kvmops_place_mode_name(KVMOPS_PLACE_LIVE), "live");
	assert_string_equal(kvmops_place_mode_name(KVMOPS_PLACE_COPY_STORAGE),
			    "copy-storage");
	assert_string_equal(kvmops_place_mode_name(KVMOPS_PLACE_OFFLINE),
			    "offline");
	assert_string_equal(kvmops_place_mode_name(99), "unknown");
}

int main(void)
{
#define TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		TEST(test_evacuate_onto_two_hosts),
		TEST(test_a_failing_check_is_never_chosen),
		TEST(test_headroom_and_overcommit),
		TEST(test_offline_and_unreachable),
		TEST(test_spread_lowers_the_cv),
		TEST(test_ksm_saving_changes_the_choice),
		TEST(test_consolidate_frees_the_emptiest),
		TEST(test_consolidate_all_or_nothing),
		TEST(test_consolidate_moves_a_guest_once),
		TEST(test_next_within_jobs_and_per_host),
		TEST(test_next_is_fair_between_sources),
		TEST(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
