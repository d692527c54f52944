// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The virtio balloon and the host's overcommit: the safety floor, targets
 * as kvm-balloon resolves them, the overcommit verdicts, and the listing
 * calls against libvirt's in-process test driver (test:///default, no
 * daemon).
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "libkvmops-private.h"
#include "unit/fixture.h"
#include "virt/virt.h"

#define KIB_PER_MIB 1024ull
#define KIB_PER_GIB (1024ull * 1024)
#define KIB_PER_TIB (1024ull * 1024 * 1024)
#define TEST_URI "test:///default"
/* As kvm-balloon parses SIZE for 'set'. */
#define SET_FLAGS (KVMOPS_SIZE_ALLOW_DELTA | KVMOPS_SIZE_ALLOW_PERCENT)

static void assert_not_in_remedy(struct kvmops_ctx *ctx, const char *name)
{
	if (strstr(kvmops_last_remedy(ctx), name))
		fail_msg("'%s' in the remedy '%s'", name,
			 kvmops_last_remedy(ctx));
}

/* ---- the safety floor -------------------------------------------------- */

/* A guest with 1 GiB of which 600 MiB is usable: 424 MiB in use. */
static struct kvmops_balloon guest(void)
{
	struct kvmops_balloon b;

	memset(&b, 0, sizeof(b));
	snprintf(b.name, sizeof(b.name), "%s", "web1");
	b.state = VIR_DOMAIN_RUNNING;
	b.current_kib = KIB_PER_GIB;
	b.max_kib = 2 * KIB_PER_GIB;
	b.have = KVMOPS_BALLOON_HAVE_USABLE | KVMOPS_BALLOON_HAVE_UNUSED |
		 KVMOPS_BALLOON_HAVE_LAST_UPDATE;
	b.usable_kib = 600 * KIB_PER_MIB;
	b.unused_kib = 100 * KIB_PER_MIB;
	b.stats_age = 1;
	b.stats_period = 2;
	return b;
}

static uint64_t floor_of(struct kvmops_ctx *ctx, const struct kvmops_balloon *b,
			 uint64_t margin_kib)
{
	uint64_t floor = 0xdeadbeef;

	assert_int_equal(kvmops_balloon_floor(ctx, b, margin_kib, &floor), 0);
	return floor;
}

static void test_floor_is_used_plus_margin(void **state)
{
	struct kvmops_balloon b = guest();

	assert_true(floor_of(*state, &b, 32 * KIB_PER_MIB) ==
		    (424 + 32) * KIB_PER_MIB);
	assert_true(floor_of(*state, &b, 0) == 424 * KIB_PER_MIB);
}

/* Unused (MemFree) is not what the floor is made of: usable is. */
static void test_floor_ignores_unused(void **state)
{
	struct kvmops_balloon b = guest();
	uint64_t before = floor_of(*state, &b, 0);

	b.unused_kib = 1;
	assert_true(floor_of(*state, &b, 0) == before);
	b.have &= ~KVMOPS_BALLOON_HAVE_UNUSED;
	assert_true(floor_of(*state, &b, 0) == before);
}

/* Usable above current (a guest that just grew): nothing in use, no wrap. */
static void test_floor_clamps_usable_above_current(void **state)
{
	struct kvmops_balloon b = guest();

	b.usable_kib = 2 * KIB_PER_GIB;
	assert_true(floor_of(*state, &b, 32 * KIB_PER_MIB) == 32 * KIB_PER_MIB);
	assert_true(floor_of(*state, &b, 0) == 0);
	b.usable_kib = b.current_kib;
	assert_true(floor_of(*state, &b, 8) == 8);
}

static void test_floor_raised_to_min_guarantee(void **state)
{
	struct kvmops_balloon b = guest();

	b.min_guarantee_kib = 512 * KIB_PER_MIB;
	assert_true(floor_of(*state, &b, 32 * KIB_PER_MIB) ==
		    512 * KIB_PER_MIB);
	/* A guarantee below used + margin changes nothing. */
	b.min_guarantee_kib = 256 * KIB_PER_MIB;
	assert_true(floor_of(*state, &b, 32 * KIB_PER_MIB) ==
		    456 * KIB_PER_MIB);
	/* Even with no stats-derived use at all. */
	b.usable_kib = 4 * KIB_PER_GIB;
	assert_true(floor_of(*state, &b, 0) == 256 * KIB_PER_MIB);
}

/*
 * Fails with -ENODATA, leaves *floor alone, names the guest and @fix, and
 * says that force would go below the floor all the same.
 */
static void floor_refused(struct kvmops_ctx *ctx,
			  const struct kvmops_balloon *b, const char *fix)
{
	uint64_t floor = 77;

	assert_int_equal(kvmops_balloon_floor(ctx, b, 32 * KIB_PER_MIB, &floor),
			 -ENODATA);
	assert_true(floor == 77);
	assert_in_error(ctx, "web1");
	assert_in_error(ctx, "by force");
	assert_in_remedy(ctx, "force");
	assert_in_error(ctx, fix);
}

static void test_floor_needs_usable(void **state)
{
	struct kvmops_balloon b = guest();

	b.have &= ~KVMOPS_BALLOON_HAVE_USABLE;
	floor_refused(*state, &b, "virtio_balloon driver");
}

static void test_floor_refused_without_period(void **state)
{
	struct kvmops_balloon b = guest();

	b.have = 0;
	b.stats_period = 0;
	b.problems = KVMOPS_BALLOON_NO_PERIOD;
	floor_refused(*state, &b, "no stats period");
	assert_in_remedy(*state, "stats_period");
}

static void test_floor_refused_without_driver(void **state)
{
	struct kvmops_balloon b = guest();

	b.have = 0;
	b.problems = KVMOPS_BALLOON_NO_DRIVER;
	floor_refused(*state, &b, "virtio_balloon driver");
	assert_not_in_remedy(*state, "stats_period");
	assert_null(strstr(kvmops_last_error(*state), "stopped coming"));
}

/* Old figures are not trusted, though they are all there. */
static void test_floor_refused_when_stale(void **state)
{
	struct kvmops_balloon b = guest();

	b.stats_age = 600;
	b.problems = KVMOPS_BALLOON_STALE;
	floor_refused(*state, &b, "stopped coming");
	assert_not_in_remedy(*state, "stats_period");
}

/* The three messages differ, each with its own fix. */
static void test_floor_messages_differ(void **state)
{
	static const unsigned int problems[] = { KVMOPS_BALLOON_NO_PERIOD,
						 KVMOPS_BALLOON_NO_DRIVER,
						 KVMOPS_BALLOON_STALE };
	char msgs[3][512];
	struct kvmops_balloon b;
	uint64_t floor;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(problems); i++) {
		b = guest();
		b.problems = problems[i];
		assert_int_equal(kvmops_balloon_floor(*state, &b, 0, &floor),
				 -ENODATA);
		snprintf(msgs[i], sizeof(msgs[i]), "%s",
			 kvmops_last_error(*state));
	}
	assert_string_not_equal(msgs[0], msgs[1]);
	assert_string_not_equal(msgs[0], msgs[2]);
	assert_string_not_equal(msgs[1], msgs[2]);
}

/* ---- targets, as 'set' resolves them ----------------------------------- */

#define CUR_256M (256 * KIB_PER_MIB)
#define MAX_512M (512 * KIB_PER_MIB)

static uint64_t target(struct kvmops_ctx *ctx, const char *text,
		       uint64_t current_kib, uint64_t max_kib)
{
	struct kvmops_size size;
	uint64_t kib = 0xdeadbeef;

	assert_int_equal(kvmops_size_parse(ctx, text, SET_FLAGS, &size), 0);
	assert_int_equal(
		kvmops_size_resolve(ctx, &size, current_kib, max_kib, &kib), 0);
	return kib;
}

static void test_target_absolute(void **state)
{
	assert_true(target(*state, "512M", CUR_256M, MAX_512M) ==
		    512 * KIB_PER_MIB);
	assert_true(target(*state, "1G", CUR_256M, MAX_512M) == KIB_PER_GIB);
	/* Absolute sizes depend on neither current nor maximum. */
	assert_true(target(*state, "1G", 0, 0) == KIB_PER_GIB);
}

static void test_target_delta_from_current(void **state)
{
	assert_true(target(*state, "+256M", CUR_256M, MAX_512M) ==
		    512 * KIB_PER_MIB);
	assert_true(target(*state, "-64M", CUR_256M, MAX_512M) ==
		    192 * KIB_PER_MIB);
}

static void test_target_delta_percent_of_current(void **state)
{
	assert_true(target(*state, "-25%", CUR_256M, MAX_512M) ==
		    192 * KIB_PER_MIB);
	assert_true(target(*state, "+50%", CUR_256M, MAX_512M) ==
		    384 * KIB_PER_MIB);
}

static void test_target_percent_of_maximum(void **state)
{
	assert_true(target(*state, "50%", CUR_256M, MAX_512M) ==
		    256 * KIB_PER_MIB);
	/* Of the maximum, not of the current size. */
	assert_true(target(*state, "50%", 100 * KIB_PER_MIB, MAX_512M) ==
		    256 * KIB_PER_MIB);
	assert_true(target(*state, "100%", CUR_256M, MAX_512M) == MAX_512M);
}

/* Above the maximum is for 'set' to refuse, not for resolving. */
static void test_target_may_exceed_maximum(void **state)
{
	assert_true(target(*state, "150%", CUR_256M, MAX_512M) ==
		    768 * KIB_PER_MIB);
	assert_true(target(*state, "99T", CUR_256M, MAX_512M) ==
		    99 * KIB_PER_TIB);
}

static void test_target_below_zero_fails(void **state)
{
	struct kvmops_ctx *ctx = *state;
	struct kvmops_size size;
	uint64_t kib = 42;

	assert_int_equal(kvmops_size_parse(ctx, "-300M", SET_FLAGS, &size), 0);
	assert_int_equal(kvmops_size_resolve(ctx, &size, CUR_256M, MAX_512M,
					     &kib),
			 -ERANGE);
	assert_true(kib == 42);
	assert_in_error(ctx, "below zero");
}

/* Zero is a result here; 'set' refuses it (see the test driver tests). */
static void test_target_zero_results(void **state)
{
	assert_true(target(*state, "0", CUR_256M, MAX_512M) == 0);
	assert_true(target(*state, "-256M", CUR_256M, MAX_512M) == 0);
	assert_true(target(*state, "-100%", CUR_256M, MAX_512M) == 0);
	assert_true(target(*state, "0%", CUR_256M, MAX_512M) == 0);
	assert_true(target(*state, "50%", CUR_256M, 0) == 0);
}

static void assert_near(double got, double want)
{
	if (fabs(got - want) > 1e-9)
		fail_msg("got %.12g, wanted %.12g", got, want);
}

/* ---- against libvirt's test driver ------------------------------------- */

struct env {
	struct kvmops_ctx *ctx;
	virConnectPtr conn;
};

static int conn_setup(void **state)
{
	struct env *env = calloc(1, sizeof(*env));

	if (!env || kvmops_new(&env->ctx)) {
		free(env);
		return -1;
	}
	/* No event loop: its thread would outlive the test (see test-ctx.c). */
	if (kvmops_connect(env->ctx, TEST_URI, KVMOPS_CONNECT_NO_EVENT_LOOP,
			   &env->conn)) {
		fprintf(stderr, "cannot connect: %s\n",
			kvmops_last_error(env->ctx));
		kvmops_unref(env->ctx);
		free(env);
		return -1;
	}
	*state = env;
	return 0;
}

static int conn_teardown(void **state)
{
	struct env *env = *state;

	kvmops_disconnect(env->conn);
	kvmops_unref(env->ctx);
	free(env);
	return 0;
}

static const struct kvmops_balloon *find(const struct kvmops_balloon *list,
					 size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(list[i].name, name))
			return &list[i];
	return NULL;
}

static void test_list_has_running_test_domain(void **state)
{
	struct env *env = *state;
	const struct kvmops_balloon *b;
	struct kvmops_balloon *list = NULL;
	size_t n = 0;

	assert_int_equal(kvmops_balloon_list(env->ctx, env->conn, 0, &list, &n),
			 0);
	assert_true(n >= 1);
	b = find(list, n, "test");
	assert_non_null(b);
	assert_int_equal(b ? b->state : -1, VIR_DOMAIN_RUNNING);
	assert_string_equal(kvmops_last_error(env->ctx), "");
	free(list);
}

static void test_list_state_filters(void **state)
{
	struct env *env = *state;
	struct kvmops_balloon *list = NULL;
	size_t n = 0, i;

	assert_int_equal(kvmops_balloon_list(env->ctx, env->conn,
					     KVMOPS_BALLOON_LIST_ACTIVE, &list,
					     &n),
			 0);
	assert_non_null(find(list, n, "test"));
	for (i = 0; i < n; i++)
		assert_int_not_equal(list[i].state, VIR_DOMAIN_SHUTOFF);
	free(list);

	list = NULL;
	assert_int_equal(kvmops_balloon_list(env->ctx, env->conn,
					     KVMOPS_BALLOON_LIST_INACTIVE,
					     &list, &n),
			 0);
	assert_null(find(list, n, "test"));
	free(list);
}

static void test_get_test_domain(void **state)
{
	struct env *env = *state;
	struct kvmops_balloon b;

	memset(&b, 0xa5, sizeof(b));
	assert_int_equal(kvmops_balloon_get(env->ctx, env->conn, "test", &b),
			 0);
	assert_string_equal(b.name, "test");
	assert_int_equal(b.state, VIR_DOMAIN_RUNNING);
	/* get always reads the XML: the period is looked up, never -1. */
	assert_true(b.stats_period >= 0);
	assert_false(b.problems & KVMOPS_BALLOON_NO_DEVICE);
}

/*
 * The test domain has a virtio balloon but no stats period: get says
 * so, and the floor then refuses, naming the stats period as the fix.
 */
static void test_get_test_domain_has_no_period(void **state)
{
	struct env *env = *state;
	struct kvmops_balloon b;
	uint64_t floor = 5;

	assert_int_equal(kvmops_balloon_get(env->ctx, env->conn, "test", &b),
			 0);
	assert_int_equal(b.stats_period, 0);
	assert_true(b.problems & KVMOPS_BALLOON_NO_PERIOD);
	assert_int_equal(kvmops_balloon_floor(env->ctx, &b, 0, &floor),
			 -ENODATA);
	assert_true(floor == 5);
	assert_in_error(env->ctx, "test");
	assert_in_error(env->ctx, "no stats period");
	assert_in_remedy(env->ctx, "stats_period");
}

static void test_get_unknown_domain(void **state)
{
	struct env *env = *state;
	struct kvmops_balloon b;

	assert_int_equal(kvmops_balloon_get(env->ctx, env->conn, "nope", &b),
			 -ENOENT);
	assert_in_error(env->ctx, "'nope'");
	assert_in_error(env->ctx, TEST_URI);
}

/* Both the live and the persistent definition of the test domain. */
static char *domain_xml(struct env *env)
{
	virDomainPtr dom = VIRT(virDomainLookupByName)(env->conn, "test");
	char *live, *config, *both;

	assert_non_null(dom);
	live = VIRT(virDomainGetXMLDesc)(dom, 0);
	config = VIRT(virDomainGetXMLDesc)(dom, VIR_DOMAIN_XML_INACTIVE);
	VIRT(virDomainFree)(dom);
	assert_non_null(live);
	assert_non_null(config);
	assert_true(asprintf(&both, "%s\n----\n%s", live, config) > 0);
	free(live);
	free(config);
	return both;
}

/* Every refusal of 'set' leaves the domain as it was. */
static void set_refused(struct env *env, const char *name, const char *text,
			unsigned int flags, int err, const char *named)
{
	struct kvmops_size size;
	char *before = domain_xml(env), *after;
	uint64_t target = 0;

	assert_int_equal(kvmops_size_parse(env->ctx, text, SET_FLAGS, &size),
			 0);
	assert_int_equal(kvmops_balloon_set(env->ctx, env->conn, name, &size,
					    flags, 32 * KIB_PER_MIB, &target),
			 err);
	assert_in_error(env->ctx, named);
	after = domain_xml(env);
	assert_string_equal(after, before);
	free(before);
	free(after);
}

static void test_set_refusals_change_nothing(void **state)
{
	struct env *env = *state;

	set_refused(env, "nope", "1G", KVMOPS_BALLOON_LIVE, -ENOENT, "'nope'");
	set_refused(env, "test", "0", KVMOPS_BALLOON_LIVE, -EINVAL, "0");
	set_refused(env, "test", "0%", KVMOPS_BALLOON_LIVE, -EINVAL, "0");
	set_refused(env, "test", "-300000G", KVMOPS_BALLOON_LIVE, -EINVAL,
		    "test");
	set_refused(env, "test", "99T", KVMOPS_BALLOON_LIVE, -E2BIG, "maximum");
	set_refused(env, "test", "99T", KVMOPS_BALLOON_CONFIG, -E2BIG,
		    "raising the maximum");
	assert_in_remedy(env->ctx, "raise_max");
	set_refused(env, "test", "99T",
		    KVMOPS_BALLOON_LIVE | KVMOPS_BALLOON_RAISE_MAX, -E2BIG,
		    "restarts");
	assert_in_remedy(env->ctx, "config");
}

/*
 * Neither live nor config: as virsh's --current, the running guest; and
 * the default margin. What it did comes back, so a caller need not look
 * the guest up first.
 */
static void test_resize_defaults(void **state)
{
	struct env *env = *state;
	struct kvmops_balloon_change change;
	struct kvmops_balloon b;
	struct kvmops_size size;

	assert_int_equal(kvmops_balloon_get(env->ctx, env->conn, "test", &b),
			 0);
	assert_int_equal(kvmops_size_parse(env->ctx, "-1M", SET_FLAGS, &size),
			 0);
	/* The test driver has no stats: shrinking needs force. */
	assert_int_equal(kvmops_balloon_resize(env->ctx, env->conn, "test",
					       &size, KVMOPS_BALLOON_FORCE,
					       NULL, &change),
			 0);
	assert_int_equal(change.flags,
			 KVMOPS_BALLOON_LIVE | KVMOPS_BALLOON_FORCE);
	assert_true(change.before_kib == b.current_kib);
	assert_true(change.target_kib == b.current_kib - 1024);
	/* Without force the floor refuses, for want of stats, by default margin. */
	assert_int_equal(kvmops_balloon_resize(env->ctx, env->conn, "test",
					       &size, 0, NULL, &change),
			 -ENODATA);
	assert_in_remedy(env->ctx, "force");
	/* A margin is a size, not a change of one. */
	assert_int_equal(kvmops_balloon_resize(env->ctx, env->conn, "test",
					       &size, KVMOPS_BALLOON_FORCE,
					       &size, &change),
			 -EINVAL);
	assert_in_remedy(env->ctx, "margin");
}

static void test_set_period_refusals(void **state)
{
	struct env *env = *state;

	assert_int_equal(kvmops_balloon_set_period(env->ctx, env->conn, "test",
						   -1, KVMOPS_BALLOON_LIVE),
			 -EINVAL);
	assert_in_error(env->ctx, "negative");
	assert_int_equal(kvmops_balloon_set_period(env->ctx, env->conn, "nope",
						   2, KVMOPS_BALLOON_LIVE),
			 -ENOENT);
	assert_in_error(env->ctx, "'nope'");
}

static void test_overcommit_reads_the_node(void **state)
{
	struct env *env = *state;
	struct kvmops_overcommit oc, rejudged;
	virNodeInfo node;

	assert_int_equal(VIRT(virNodeGetInfo)(env->conn, &node), 0);
	memset(&oc, 0xa5, sizeof(oc));
	assert_int_equal(kvmops_overcommit(env->ctx, env->conn, &oc), 0);
	assert_int_equal(oc.host_cpus, node.cpus);
	assert_true(oc.host_mem_kib == node.memory);
	assert_true(oc.host_cpus > 0);
	assert_true(oc.host_mem_kib > 0);
	assert_true(oc.host_free_kib <= oc.host_mem_kib);
	/* The test domain is the one running guest. */
	assert_int_equal(oc.guests, 1);
	assert_true(oc.sum_current_kib <= oc.sum_max_kib);
	assert_true(oc.reclaimed_kib == oc.sum_max_kib - oc.sum_current_kib);
	/* The verdicts are the judge's on the same figures. */
	rejudged = oc;
	kvmops_overcommit_judge(&rejudged);
	assert_int_equal(oc.mem_verdict, rejudged.mem_verdict);
	assert_int_equal(oc.vcpu_verdict, rejudged.vcpu_verdict);
	assert_near(oc.mem_ratio, rejudged.mem_ratio);
}

static bool has_name(char **names, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (names[i] && !strcmp(names[i], name))
			return true;
	return false;
}

static void test_domain_names(void **state)
{
	struct env *env = *state;
	char **names = NULL;
	size_t n = 0;

	assert_int_equal(
		kvmops_domain_names(env->ctx, env->conn, 0, &names, &n), 0);
	assert_true(has_name(names, n, "test"));
	/* NULL-terminated, as well as counted. */
	assert_null(names[n]);
	kvmops_free_names(names, n);

	assert_int_equal(kvmops_domain_names(env->ctx, env->conn,
					     KVMOPS_BALLOON_LIST_ACTIVE, &names,
					     &n),
			 0);
	assert_true(has_name(names, n, "test"));
	kvmops_free_names(names, n);

	assert_int_equal(kvmops_domain_names(env->ctx, env->conn,
					     KVMOPS_BALLOON_LIST_INACTIVE,
					     &names, &n),
			 0);
	assert_false(has_name(names, n, "test"));
	kvmops_free_names(names, n);
}

/* ---- the domain XML's figures --------------------------------------------- */

#define DOMAIN(inside) "<domain type='kvm'><name>g1</name>" inside "</domain>"

static int xml_details(struct kvmops_ctx *ctx, const char *xml,
		       struct kvmops_balloon *b, bool *device)
{
	memset(b, 0, sizeof(*b));
	assert_int_equal(kvmops_virt_load(ctx), 0);
	return kvmops_balloon_xml_details(ctx, xml, b, device);
}

static void test_xml_details(void **state)
{
	struct kvmops_ctx *ctx = *state;
	struct kvmops_balloon b;
	bool device;

	assert_int_equal(
		xml_details(
			ctx,
			DOMAIN("<memtune><min_guarantee unit='M'>512</min_guarantee></memtune>"
			       "<devices><memballoon model='virtio'><stats period='5'/>"
			       "</memballoon></devices>"),
			&b, &device),
		0);
	assert_true(device);
	assert_int_equal(b.stats_period, 5);
	assert_int_equal(b.min_guarantee_kib, 512 * 1024);
	assert_int_equal(
		xml_details(
			ctx,
			DOMAIN("<devices><memballoon model='none'/></devices>"),
			&b, &device),
		0);
	assert_false(device);
	assert_int_equal(b.stats_period, 0);
}

static void test_xml_period_out_of_range(void **state)
{
	struct kvmops_ctx *ctx = *state;
	struct kvmops_balloon b;
	bool device;

	assert_int_equal(
		xml_details(
			ctx,
			DOMAIN("<devices><memballoon model='virtio'><stats period='99999999999'/>"
			       "</memballoon></devices>"),
			&b, &device),
		-ERANGE);
	assert_in_error(ctx, "period");
	assert_in_error(ctx, "99999999999");
}

static void test_xml_min_guarantee_out_of_range(void **state)
{
	struct kvmops_ctx *ctx = *state;
	struct kvmops_balloon b;
	bool device;

	assert_int_equal(
		xml_details(
			ctx,
			DOMAIN("<memtune><min_guarantee unit='T'>99999999999999999</min_guarantee>"
			       "</memtune>"),
			&b, &device),
		-ERANGE);
	assert_in_error(ctx, "min_guarantee");
	assert_in_error(ctx, "99999999999999999");
	/* The largest that fits is taken. */
	assert_int_equal(
		xml_details(
			ctx,
			DOMAIN("<memtune><min_guarantee unit='T'>16777215</min_guarantee>"
			       "</memtune>"),
			&b, &device),
		0);
	assert_true(b.min_guarantee_kib == 16777215ull << 30);
}

static void test_xml_sizes_out_of_range(void **state)
{
	struct kvmops_ctx *ctx = *state;
	struct kvmops_balloon b = { 0 };

	assert_int_equal(kvmops_virt_load(ctx), 0);
	assert_int_equal(
		kvmops_balloon_xml_sizes(
			ctx,
			DOMAIN("<memory>1048576</memory><currentMemory>99999999999999999999999</currentMemory>"),
			&b),
		-ERANGE);
	assert_in_error(ctx, "<currentMemory> '99999999999999999999999'");
	assert_int_equal(
		kvmops_balloon_xml_sizes(
			ctx, DOMAIN("<memory>99999999999999999999999</memory>"),
			&b),
		-ERANGE);
	assert_in_error(ctx, "<memory>");
	assert_int_equal(
		kvmops_balloon_xml_sizes(
			ctx,
			DOMAIN("<memory>2097152</memory><currentMemory> 1048576 </currentMemory>"),
			&b),
		0);
	assert_int_equal(b.max_kib, 2097152);
	assert_int_equal(b.current_kib, 1048576);
}

#define PURE(f) cmocka_unit_test_setup_teardown(f, ctx_setup, ctx_teardown)
#define VIRTUAL(f) cmocka_unit_test_setup_teardown(f, conn_setup, conn_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		PURE(test_xml_details),
		PURE(test_xml_period_out_of_range),
		PURE(test_xml_min_guarantee_out_of_range),
		PURE(test_xml_sizes_out_of_range),
		PURE(test_floor_is_used_plus_margin),
		PURE(test_floor_ignores_unused),
		PURE(test_floor_clamps_usable_above_current),
		PURE(test_floor_raised_to_min_guarantee),
		PURE(test_floor_needs_usable),
		PURE(test_floor_refused_without_period),
		PURE(test_floor_refused_without_driver),
		PURE(test_floor_refused_when_stale),
		PURE(test_floor_messages_differ),
		PURE(test_target_absolute),
		PURE(test_target_delta_from_current),
		PURE(test_target_delta_percent_of_current),
		PURE(test_target_percent_of_maximum),
		PURE(test_target_may_exceed_maximum),
		PURE(test_target_below_zero_fails),
		PURE(test_target_zero_results),
		VIRTUAL(test_list_has_running_test_domain),
		VIRTUAL(test_list_state_filters),
		VIRTUAL(test_get_test_domain),
		VIRTUAL(test_get_test_domain_has_no_period),
		VIRTUAL(test_get_unknown_domain),
		VIRTUAL(test_set_refusals_change_nothing),
		VIRTUAL(test_resize_defaults),
		VIRTUAL(test_set_period_refusals),
		VIRTUAL(test_overcommit_reads_the_node),
		VIRTUAL(test_domain_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
