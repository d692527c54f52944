// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * kvmops_place_gather against libvirt's test driver: two hosts (the
 * default node, and a node of two guests from a file), one given a budget
 * of its own, one unreachable; each guest's figures; the checks of the
 * source's guests only; and a plan made from what was gathered. Then
 * kvmops_place_run on such a plan: the test driver cannot migrate, so
 * every move fails, is placed once more elsewhere, fails again and is
 * reported; and a run cancelled before it starts starts nothing.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libkvmops.h"

#define MIB 1024ull /* in KiB */

static const char node_xml[] =
	"<node>"
	"<domain type='test'><name>a1</name><memory>524288</memory>"
	"<currentMemory>262144</currentMemory><vcpu>2</vcpu>"
	"<os><type>hvm</type></os></domain>"
	"<domain type='test'><name>a2</name><memory>262144</memory>"
	"<currentMemory>262144</currentMemory><vcpu>1</vcpu>"
	"<os><type>hvm</type></os></domain>"
	"</node>";

struct env {
	struct kvmops_ctx *ctx;
	char dir[64], node[96], uri[128];
	virConnectPtr conns[3];
};

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	FILE *f;

	if (!e || kvmops_new(&e->ctx))
		return -1;
	snprintf(e->dir, sizeof(e->dir), "/tmp/kvmops-gather.XXXXXX");
	if (!mkdtemp(e->dir))
		return -1;
	snprintf(e->node, sizeof(e->node), "%s/node.xml", e->dir);
	snprintf(e->uri, sizeof(e->uri), "test://%s", e->node);
	f = fopen(e->node, "w");
	if (!f || fputs(node_xml, f) < 0 || fclose(f))
		return -1;
	if (kvmops_connect(e->ctx, "test:///default",
			   KVMOPS_CONNECT_NO_EVENT_LOOP, &e->conns[0]) ||
	    kvmops_connect(e->ctx, e->uri, KVMOPS_CONNECT_NO_EVENT_LOOP,
			   &e->conns[1]))
		fail_msg("cannot connect: %s", kvmops_last_error(e->ctx));
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;

	kvmops_disconnect(e->conns[0]);
	kvmops_disconnect(e->conns[1]);
	unlink(e->node);
	rmdir(e->dir);
	kvmops_unref(e->ctx);
	free(e);
	return 0;
}

static size_t find(const struct kvmops_place_figures *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->nguests; i++)
		if (!strcmp(f->guests[i].name, name))
			return i;
	fail_msg("no guest %s gathered", name);
	return 0;
}

static void test_gather_hosts_guests_and_checks(void **state)
{
	struct env *e = *state;
	const char *uris[] = { "test:///default", e->uri, "qemu+tcp://gone" };
	const bool sources[] = { true, false, false };
	const uint64_t mem[] = { 0, 4096 * MIB, 0 };
	struct kvmops_migrate_opts opts = { .size = sizeof(opts) };
	struct kvmops_place_figures f;
	struct kvmops_place_config cfg;
	struct kvmops_place_plan plan;
	size_t test, a1, a2;

	assert_int_equal(
		kvmops_place_gather(e->ctx, e->conns, uris, 3, sources, mem,
				    KVMOPS_PLACE_CHECK | KVMOPS_PLACE_AUTO_MODE,
				    &opts, &f),
		0);
	assert_int_equal(f.nhosts, 3);
	assert_true(f.hosts[0].reachable && f.hosts[0].source);
	assert_true(f.hosts[1].reachable && !f.hosts[1].source);
	assert_false(f.hosts[2].reachable);
	assert_string_equal(f.hosts[2].uri, "qemu+tcp://gone");
	/* Host 1's budget: 4 GiB, less the 512 MiB its guests are given. */
	assert_int_equal(f.hosts[1].oc.host_mem_kib, 4096 * MIB);
	assert_int_equal(f.hosts[1].oc.host_free_kib, (4096 - 512) * MIB);
	assert_int_equal(f.hosts[1].oc.sum_max_kib, 768 * MIB);

	assert_int_equal(f.nguests, 3);
	test = find(&f, "test");
	a1 = find(&f, "a1");
	a2 = find(&f, "a2");
	assert_int_equal(f.guests[test].host, 0);
	assert_true(f.guests[test].running);
	assert_int_equal(f.guests[a1].host, 1);
	assert_int_equal(f.guests[a1].max_kib, 512 * MIB);
	assert_int_equal(f.guests[a1].current_kib, 256 * MIB);
	assert_int_equal(f.guests[a1].vcpus, 2);
	assert_int_equal(f.guests[a2].vcpus, 1);

	/* Only the source's guest was checked, against host 1 only. */
	assert_non_null(f.guests[test].checks);
	if (f.guests[test].checks[1].verdict == KVMOPS_VERDICT_FAIL)
		assert_non_null(f.guests[test].checks[1].why);
	assert_null(f.guests[a1].checks[0].why);
	assert_null(f.guests[test].checks[2].why);

	/* A plan from these figures: test goes to host 1, or says why not. */
	kvmops_place_defaults(&cfg);
	assert_int_equal(kvmops_place(e->ctx, &cfg, f.hosts, f.nhosts, f.guests,
				      f.nguests, &plan),
			 0);
	assert_int_equal(plan.nmoves + plan.nunplaced, 1);
	if (plan.nmoves)
		assert_int_equal(plan.moves[0].to, 1);
	else
		assert_non_null(strstr(plan.unplaced[0].reason, uris[1]));
	kvmops_place_free(&plan);
	kvmops_place_figures_free(&f);
}

struct seen {
	char kinds[16];
	size_t n;
	unsigned int last_failed;
};

static void on_event(const struct kvmops_place_event *ev, void *data)
{
	struct seen *s = data;
	static const char letters[] = "SPDFR";

	if (ev->kind == KVMOPS_PLACE_EVENT_PROGRESS ||
	    s->n + 1 >= sizeof(s->kinds))
		return;
	s->kinds[s->n++] = letters[ev->kind];
	s->last_failed = ev->failed;
	if (ev->kind == KVMOPS_PLACE_EVENT_FAILED)
		assert_non_null(ev->error);
	assert_string_equal(ev->guest, "test");
}

static void test_run_fails_retries_once_and_reports(void **state)
{
	struct env *e = *state;
	const char *uris[] = { "test:///default", e->uri, e->uri };
	const bool sources[] = { true, false, false };
	const uint64_t mem[] = { 0, 8192 * MIB, 6144 * MIB };
	struct kvmops_migrate_opts opts = { .size = sizeof(opts) };
	struct kvmops_place_run_opts run = {
		.limits = { .jobs = 2, .per_host = 2 },
		.migrate = &opts,
	};
	virConnectPtr conns[] = { e->conns[0], e->conns[1], e->conns[1] };
	enum kvmops_place_state *states;
	struct kvmops_place_figures f;
	struct kvmops_place_config cfg;
	struct kvmops_place_plan plan;
	struct seen seen = { 0 };
	int cancel = 0;

	assert_int_equal(kvmops_place_gather(e->ctx, conns, uris, 3, sources,
					     mem, 0, &opts, &f),
			 0);
	kvmops_place_defaults(&cfg);
	assert_int_equal(kvmops_place(e->ctx, &cfg, f.hosts, f.nhosts, f.guests,
				      f.nguests, &plan),
			 0);
	assert_int_equal(plan.nmoves, 1);
	assert_int_equal(plan.moves[0].to, 1); /* the roomier */
	assert_int_equal(kvmops_place_run(e->ctx, &f, &plan, &run, on_event,
					  &seen, &cancel, &states),
			 -EIO);
	assert_string_equal(seen.kinds, "SFRSF");
	assert_int_equal(seen.last_failed, 2);
	assert_int_equal(plan.nmoves, 2);
	assert_int_equal(plan.moves[1].to, 2);
	assert_int_equal(states[0], KVMOPS_PLACE_FAILED);
	assert_int_equal(states[1], KVMOPS_PLACE_FAILED);
	free(states);
	kvmops_place_free(&plan);

	/* Cancelled first: nothing starts. */
	assert_int_equal(kvmops_place(e->ctx, &cfg, f.hosts, f.nhosts, f.guests,
				      f.nguests, &plan),
			 0);
	cancel = 1;
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(kvmops_place_run(e->ctx, &f, &plan, &run, on_event,
					  &seen, &cancel, &states),
			 -ECANCELED);
	assert_string_equal(seen.kinds, "");
	assert_int_equal(states[0], KVMOPS_PLACE_CANCELLED);
	free(states);
	kvmops_place_free(&plan);
	kvmops_place_figures_free(&f);
}

/* States from the test driver's runstate: 3 paused, 5 shut off. */
static const char states_xml[] =
	"<node>"
	"<domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>"
	"<name>paused1</name><memory>131072</memory><vcpu>1</vcpu>"
	"<os><type>hvm</type></os><test:runstate>3</test:runstate></domain>"
	"<domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>"
	"<name>off1</name><memory>131072</memory><vcpu>1</vcpu>"
	"<os><type>hvm</type></os><test:runstate>5</test:runstate></domain>"
	"</node>";

/* Guests by state: paused ones are active; KVMOPS_PLACE_SHUTOFF adds the
 * shut-off ones (and still lists the active ones). */
static void test_gather_paused_and_shutoff(void **state)
{
	struct env *e = *state;
	char node[128], uri[160];
	const char *uris[] = { uri };
	struct kvmops_migrate_opts opts = { .size = sizeof(opts) };
	struct kvmops_place_figures f;
	virConnectPtr conn;
	FILE *out;

	snprintf(node, sizeof(node), "%s/states.xml", e->dir);
	snprintf(uri, sizeof(uri), "test://%s", node);
	out = fopen(node, "w");
	assert_non_null(out);
	assert_true(fputs(states_xml, out) >= 0 && !fclose(out));
	assert_int_equal(kvmops_connect(e->ctx, uri,
					KVMOPS_CONNECT_NO_EVENT_LOOP, &conn),
			 0);

	assert_int_equal(kvmops_place_gather(e->ctx, &conn, uris, 1, NULL, NULL,
					     0, &opts, &f),
			 0);
	assert_int_equal(f.nguests, 1);
	assert_string_equal(f.guests[0].name, "paused1");
	assert_true(f.guests[0].running);
	kvmops_place_figures_free(&f);

	assert_int_equal(kvmops_place_gather(e->ctx, &conn, uris, 1, NULL, NULL,
					     KVMOPS_PLACE_SHUTOFF, &opts, &f),
			 0);
	assert_int_equal(f.nguests, 2);
	assert_true(f.guests[find(&f, "paused1")].running);
	assert_false(f.guests[find(&f, "off1")].running);
	kvmops_place_figures_free(&f);
	kvmops_disconnect(conn);
	unlink(node);
}

int main(void)
{
#define TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		TEST(test_gather_hosts_guests_and_checks),
		TEST(test_run_fails_retries_once_and_reports),
		TEST(test_gather_paused_and_shutoff),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
