// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A domain's XML, as libvirt hands it over (the input, as text), into
 * what reads it: the disks (lib/migrate/disks.c), the pre-flight check
 * against two fake hosts (lib/migrate/check.c, the unit tests' fake-hosts.h)
 * for a live move, one copying its disks and an offline one, the rewrite
 * an offline move defines on the destination (lib/migrate/offline.c), and
 * the balloon's readers (lib/balloon/balloon.c). libvirt and libxml2 are
 * loaded once, through a connection to libvirt's in-process test driver.
 */
#include "config.h"

#include "unit/migrate/fake-hosts.h"
#include "fuzz/fuzz.h"

#define MAX_MOVES 8

static struct kvmops_ctx *ctx;

static void setup(void)
{
	virConnectPtr conn;

	if (ctx)
		return;
	fuzz_quiet();
	if (kvmops_new(&ctx) ||
	    kvmops_connect(ctx, "test:///default", KVMOPS_CONNECT_NO_EVENT_LOOP,
			   &conn))
		abort();
	kvmops_disconnect(conn);
	kvmops_set_log_fn(ctx, NULL);
}

/* Each disk moved, and the guest renamed, as an offline move would. */
static void rewrite(const char *xml, const struct kvmops_disk *disks, size_t n)
{
	const char *from[MAX_MOVES];
	char to[MAX_MOVES][32];
	const char *to_ptr[MAX_MOVES];
	struct kvmops_disk *again;
	size_t i, k = 0, m;
	char *out;

	for (i = 0; i < n && k < MAX_MOVES; i++) {
		if (!disks[i].path[0])
			continue;
		from[k] = disks[i].path;
		snprintf(to[k], sizeof(to[k]), "/moved/disk%zu.img", k);
		to_ptr[k] = to[k];
		k++;
	}
	if (!kvmops_rewrite_domain(ctx, xml, "g2", from, to_ptr, k, &out)) {
		if (!kvmops_domain_disks(out, &again, &m))
			free(again);
		free(out);
	}
}

/* The check as kvm-migrate check runs it, against the fake hosts. */
static void check(const char *xml, struct kvmops_migrate_opts *o, int state)
{
	struct check_env env = { .ctx = ctx };

	fake_default(&env.src, true);
	fake_default(&env.dst, false);
	env.sp = (struct kvmops_probe){ .ops = &fake_ops, .data = &env.src };
	env.dp = (struct kvmops_probe){ .ops = &fake_ops, .data = &env.dst };
	memset(fake_markers, 0, sizeof(fake_markers));
	if (!kvmops_check_run(ctx, xml, state, o, &env.sp, &env.dp, &env.items,
			      &env.count)) {
		kvmops_check_worst(env.items, env.count);
		free(env.items);
	}
	if (fake_markers_left())
		fuzz_fail("the check left a probe volume behind");
}

static void balloon(const char *xml)
{
	struct kvmops_balloon b = { .current_kib = 1048576,
				    .max_kib = 2097152 };
	uint64_t floor;
	bool device;

	kvmops_balloon_xml_details(ctx, xml, &b, &device);
	kvmops_balloon_xml_sizes(ctx, xml, &b);
	kvmops_balloon_default_margin(&b);
	kvmops_balloon_floor(ctx, &b, KVMOPS_BALLOON_DEFAULT_MARGIN, &floor);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kvmops_migrate_opts live = live_opts(),
				   copy = copy_opts(KVMOPS_COPY_ALL),
				   offline = offline_opts();
	struct kvmops_disk *disks;
	char *xml;
	size_t n;

	setup();
	xml = fuzz_text(data, size);
	if (!kvmops_domain_disks(xml, &disks, &n)) {
		rewrite(xml, disks, n);
		free(disks);
	}
	check(xml, &live, VIR_DOMAIN_RUNNING);
	check(xml, &copy, VIR_DOMAIN_RUNNING);
	offline.keep_state = true;
	check(xml, &offline, VIR_DOMAIN_SHUTOFF);
	balloon(xml);
	free(xml);
	return 0;
}
