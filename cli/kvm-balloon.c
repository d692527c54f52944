// SPDX-License-Identifier: GPL-2.0-or-later
/* kvm-balloon: see and steer guest memory through the virtio balloon. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "balloon/auto.h"
#include "shell/shell.h"

#define WAIT_TOLERANCE_KIB 1024
#define STALL_MS 10000

static const char *kib_text(uint64_t kib, char *buf, size_t len)
{
	kvmops_size_format(kib * 1024, buf, len);
	return buf;
}

static const char *problem_text(unsigned int p)
{
	if (p & KVMOPS_BALLOON_NO_DEVICE)
		return "no-balloon";
	if (p & KVMOPS_BALLOON_NO_PERIOD)
		return "no-period";
	if (p & KVMOPS_BALLOON_NO_DRIVER)
		return "no-stats";
	if (p & KVMOPS_BALLOON_STALE)
		return "stale";
	return "";
}

/* ---- list -------------------------------------------------------------- */

static json_object *balloon_json(const struct kvmops_balloon *b)
{
	json_object *o = json_object_new_object();

#define ADD_U64(key, cond, v)          \
	json_object_object_add(o, key, \
			       (cond) ? json_object_new_uint64(v) : NULL)
	json_object_object_add(o, "name", json_object_new_string(b->name));
	json_object_object_add(
		o, "state",
		json_object_new_string(kvmops_state_name(b->state)));
	ADD_U64("current_kib", true, b->current_kib);
	ADD_U64("max_kib", true, b->max_kib);
	ADD_U64("usable_kib", b->have & KVMOPS_BALLOON_HAVE_USABLE,
		b->usable_kib);
	ADD_U64("unused_kib", b->have & KVMOPS_BALLOON_HAVE_UNUSED,
		b->unused_kib);
	ADD_U64("available_kib", b->have & KVMOPS_BALLOON_HAVE_AVAILABLE,
		b->available_kib);
	ADD_U64("disk_caches_kib", b->have & KVMOPS_BALLOON_HAVE_DISK_CACHES,
		b->disk_caches_kib);
	ADD_U64("rss_kib", b->have & KVMOPS_BALLOON_HAVE_RSS, b->rss_kib);
	ADD_U64("swap_in_kib", b->have & KVMOPS_BALLOON_HAVE_SWAP,
		b->swap_in_kib);
	ADD_U64("swap_out_kib", b->have & KVMOPS_BALLOON_HAVE_SWAP,
		b->swap_out_kib);
	ADD_U64("major_faults", b->have & KVMOPS_BALLOON_HAVE_FAULTS,
		b->major_faults);
	json_object_object_add(o, "stats_age_s",
			       (b->have & KVMOPS_BALLOON_HAVE_LAST_UPDATE) ?
				       json_object_new_int64(b->stats_age) :
				       NULL);
	json_object_object_add(
		o, "problem",
		*problem_text(b->problems) ?
			json_object_new_string(problem_text(b->problems)) :
			NULL);
#undef ADD_U64
	return o;
}

static const char *opt_kib(bool have, uint64_t kib, char *buf, size_t len)
{
	return have ? kib_text(kib, buf, len) : "-";
}

static void list_row(struct kvs_table *t, const struct kvmops_balloon *b)
{
	char cur[24], max[24], usable[24], unused[24], caches[24], rss[24];
	char sin[24], sout[24], faults[24], age[24];
	bool swap = b->have & KVMOPS_BALLOON_HAVE_SWAP;

	snprintf(faults, sizeof(faults), "%" PRIu64, b->major_faults);
	if (b->have & KVMOPS_BALLOON_HAVE_LAST_UPDATE)
		snprintf(age, sizeof(age), "%" PRId64 "s", b->stats_age);
	else
		snprintf(age, sizeof(age), "-");
	kvs_table_row(t, b->name, kvmops_state_name(b->state),
		      kib_text(b->current_kib, cur, sizeof(cur)),
		      kib_text(b->max_kib, max, sizeof(max)),
		      opt_kib(b->have & KVMOPS_BALLOON_HAVE_USABLE,
			      b->usable_kib, usable, sizeof(usable)),
		      opt_kib(b->have & KVMOPS_BALLOON_HAVE_UNUSED,
			      b->unused_kib, unused, sizeof(unused)),
		      opt_kib(b->have & KVMOPS_BALLOON_HAVE_DISK_CACHES,
			      b->disk_caches_kib, caches, sizeof(caches)),
		      opt_kib(b->have & KVMOPS_BALLOON_HAVE_RSS, b->rss_kib,
			      rss, sizeof(rss)),
		      opt_kib(swap, b->swap_in_kib, sin, sizeof(sin)),
		      opt_kib(swap, b->swap_out_kib, sout, sizeof(sout)),
		      (b->have & KVMOPS_BALLOON_HAVE_FAULTS) ? faults : "-",
		      age, problem_text(b->problems));
}

static void print_list(const struct kvmops_balloon *list, size_t n)
{
	static const char *const heads[] = {
		"NAME",	  "STATE",  "CURRENT", "MAX",	 "USABLE",
		"UNUSED", "CACHES", "RSS",     "SWAPIN", "SWAPOUT",
		"MAJFLT", "AGE",    "PROBLEM",
	};
	static const bool right[] = { false, false, true, true, true,
				      true,  true,  true, true, true,
				      true,  true,  false };
	struct kvs_table t;
	size_t i;

	kvs_table_init(&t, 13, heads, right);
	for (i = 0; i < n; i++)
		list_row(&t, &list[i]);
	kvs_table_print(&t);
	kvs_table_free(&t);
}

static const char *sort_key;

static int by_key(const void *a, const void *b)
{
	const struct kvmops_balloon *x = a, *y = b;
	uint64_t u = 0, v = 0;

	if (!strcmp(sort_key, "name"))
		return strcmp(x->name, y->name);
	if (!strcmp(sort_key, "current"))
		u = x->current_kib, v = y->current_kib;
	else if (!strcmp(sort_key, "usable"))
		u = x->usable_kib, v = y->usable_kib;
	else
		u = x->rss_kib, v = y->rss_kib;
	return (u < v) - (u > v); /* largest first */
}

static int parse_state_filter(const struct kvs_call *call, unsigned int *flags)
{
	const char *s = kvs_opt(call, "state");

	*flags = 0;
	if (!s || !strcmp(s, "all"))
		return KVS_OK;
	if (!strcmp(s, "running"))
		*flags = KVMOPS_BALLOON_LIST_ACTIVE;
	else if (!strcmp(s, "shutoff"))
		*flags = KVMOPS_BALLOON_LIST_INACTIVE;
	else
		return kvs_error(
			call, KVS_USAGE,
			"invalid value '%s' for --state: use running, shutoff or all",
			s);
	return KVS_OK;
}

static int cmd_list(struct kvs_call *call)
{
	const char *sort = kvs_opt(call, "sort");
	struct kvmops_balloon *list;
	virConnectPtr conn;
	unsigned int flags;
	size_t n, i;
	int rc;

	if (sort && strcmp(sort, "current") && strcmp(sort, "usable") &&
	    strcmp(sort, "rss") && strcmp(sort, "name"))
		return kvs_error(
			call, KVS_USAGE,
			"invalid value '%s' for --sort: use current, usable, rss or name",
			sort);
	rc = parse_state_filter(call, &flags);
	if (rc)
		return rc;
	call->conn_flags = KVMOPS_CONNECT_READONLY;
	conn = kvs_conn(call);
	if (!conn)
		return KVS_FAIL;
	rc = kvmops_balloon_list(call->st->ctx, conn, flags, &list, &n);
	if (rc)
		return kvs_lib_error(call, rc);
	sort_key = sort ? sort : "name";
	qsort(list, n, sizeof(*list), by_key);
	if (call->json) {
		json_object *arr = json_object_new_array();

		for (i = 0; i < n; i++)
			json_object_array_add(arr, balloon_json(&list[i]));
		kvs_print_json(arr);
	} else if (n) {
		print_list(list, n);
	} else if (!call->quiet) {
		printf("no domains\n");
	}
	free(list);
	return KVS_OK;
}

/* ---- stats ------------------------------------------------------------- */

static void stat_line(const char *name, bool have, uint64_t kib,
		      const char *meaning)
{
	char buf[24];

	printf("  %-12s %10s  %s\n", name,
	       have ? kib_text(kib, buf, sizeof(buf)) : "-", meaning);
}

static void print_floor(const struct kvs_call *call,
			const struct kvmops_balloon *b)
{
	struct kvmops_ctx *ctx = call->st->ctx;
	uint64_t floor;
	char hint[256];

	if (!kvmops_balloon_floor(ctx, b, KVMOPS_BALLOON_DEFAULT_MARGIN,
				  &floor)) {
		stat_line(
			"floor", true, floor,
			"the least 'set' allows without --force (in use + margin)");
		return;
	}
	kvs_remedy_hint(call, kvmops_last_remedy(ctx), hint, sizeof(hint));
	printf("  %s%s\n", kvmops_last_error(ctx), hint);
}

static void print_stats(const struct kvs_call *call,
			const struct kvmops_balloon *b)
{
	printf("%s: %s\n", b->name, kvmops_state_name(b->state));
	stat_line("current", true, b->current_kib,
		  "memory the guest has now (the balloon's 'actual')");
	stat_line("maximum", true, b->max_kib,
		  "the most it may have without a restart");
	stat_line(
		"usable", b->have & KVMOPS_BALLOON_HAVE_USABLE, b->usable_kib,
		"what it can give up WITHOUT swapping: this, not 'unused', is the figure to use");
	stat_line("unused", b->have & KVMOPS_BALLOON_HAVE_UNUSED, b->unused_kib,
		  "memory not used even for caches (the guest's MemFree)");
	stat_line("available", b->have & KVMOPS_BALLOON_HAVE_AVAILABLE,
		  b->available_kib,
		  "the memory the guest's kernel sees (MemTotal)");
	stat_line("caches", b->have & KVMOPS_BALLOON_HAVE_DISK_CACHES,
		  b->disk_caches_kib, "disk caches the guest can drop");
	stat_line("rss", b->have & KVMOPS_BALLOON_HAVE_RSS, b->rss_kib,
		  "host memory its QEMU process holds");
	stat_line(
		"swap in", b->have & KVMOPS_BALLOON_HAVE_SWAP, b->swap_in_kib,
		"swapped in by the guest: rising means it is short of memory");
	stat_line("swap out", b->have & KVMOPS_BALLOON_HAVE_SWAP,
		  b->swap_out_kib, "swapped out by the guest");
	if (b->have & KVMOPS_BALLOON_HAVE_LAST_UPDATE)
		printf("  %-12s %9" PRId64
		       "s  age of these figures (period %ds)\n",
		       "age", b->stats_age, b->stats_period);
	if (b->min_guarantee_kib)
		stat_line(
			"guarantee", true, b->min_guarantee_kib,
			"<memtune><min_guarantee>: the floor never goes below it");
	print_floor(call, b);
}

static int cmd_stats(struct kvs_call *call)
{
	struct kvmops_balloon b;
	virConnectPtr conn;
	json_object *o;
	uint64_t floor;
	int rc;

	call->conn_flags = KVMOPS_CONNECT_READONLY;
	conn = kvs_conn(call);
	if (!conn)
		return KVS_FAIL;
	rc = kvmops_balloon_get(call->st->ctx, conn, call->argv[0], &b);
	if (rc)
		return kvs_lib_error(call, rc);
	if (!call->json) {
		print_stats(call, &b);
		return KVS_OK;
	}
	o = balloon_json(&b);
	json_object_object_add(o, "stats_period_s",
			       json_object_new_int(b.stats_period));
	json_object_object_add(o, "min_guarantee_kib",
			       json_object_new_uint64(b.min_guarantee_kib));
	json_object_object_add(
		o, "floor_kib",
		kvmops_balloon_floor(call->st->ctx, &b,
				     KVMOPS_BALLOON_DEFAULT_MARGIN, &floor) ?
			NULL :
			json_object_new_uint64(floor));
	kvs_print_json(o);
	return KVS_OK;
}

/* ---- set --------------------------------------------------------------- */

static unsigned int set_flags(const struct kvs_call *call)
{
	unsigned int f = 0;

	if (kvs_flag(call, "live"))
		f |= KVMOPS_BALLOON_LIVE;
	if (kvs_flag(call, "config"))
		f |= KVMOPS_BALLOON_CONFIG;
	if (kvs_flag(call, "force"))
		f |= KVMOPS_BALLOON_FORCE;
	if (kvs_flag(call, "raise-max"))
		f |= KVMOPS_BALLOON_RAISE_MAX;
	return f; /* neither live nor config: the library does as virsh */
}

static void report_set(const struct kvs_call *call, const char *name,
		       const struct kvmops_balloon_change *c, bool waited,
		       uint64_t reached, double seconds)
{
	char a[24], b[24], r[24];
	json_object *o;

	if (call->json) {
		o = json_object_new_object();
		json_object_object_add(o, "name", json_object_new_string(name));
		json_object_object_add(o, "before_kib",
				       json_object_new_uint64(c->before_kib));
		json_object_object_add(o, "target_kib",
				       json_object_new_uint64(c->target_kib));
		json_object_object_add(
			o, "reached_kib",
			waited ? json_object_new_uint64(reached) : NULL);
		json_object_object_add(
			o, "seconds",
			waited ? json_object_new_double(seconds) : NULL);
		kvs_print_json(o);
	} else if (!call->quiet && waited) {
		printf("%s: %s -> %s, reached %s in %.1f s\n", name,
		       kib_text(c->before_kib, a, sizeof(a)),
		       kib_text(c->target_kib, b, sizeof(b)),
		       kib_text(reached, r, sizeof(r)), seconds);
	} else if (!call->quiet) {
		printf("%s: %s -> %s (asked; --wait to see it done)\n", name,
		       kib_text(c->before_kib, a, sizeof(a)),
		       kib_text(c->target_kib, b, sizeof(b)));
	}
}

static int wait_for(struct kvs_call *call, virConnectPtr conn, const char *name,
		    uint64_t target, uint64_t timeout, uint64_t *reached)
{
	int rc = kvmops_balloon_wait(call->st->ctx, conn, name, target,
				     WAIT_TOLERANCE_KIB,
				     (unsigned int)timeout * 1000, STALL_MS,
				     (const volatile int *)&kvs_interrupted,
				     reached);

	return rc ? kvs_lib_error(call, rc) : KVS_OK;
}

/* --margin: a size, or a percent of the guest's maximum. */
static int parse_margin(struct kvs_call *call, struct kvmops_size *margin,
			bool *given)
{
	const char *text = kvs_opt(call, "margin");
	int rc;

	*given = text != NULL;
	if (!text)
		return KVS_OK;
	rc = kvmops_size_parse(call->st->ctx, text, KVMOPS_SIZE_ALLOW_PERCENT,
			       margin);
	return rc ? kvs_lib_error_on(call, rc, "invalid --margin") : KVS_OK;
}

static int cmd_set(struct kvs_call *call)
{
	const char *name = call->argv[0];
	struct kvmops_balloon_change change;
	uint64_t reached = 0, timeout;
	struct kvmops_size size, margin;
	double t0;
	virConnectPtr conn;
	bool have_margin, waited;
	char what[512];
	int rc;

	rc = kvmops_size_parse(
		call->st->ctx, call->argv[1],
		KVMOPS_SIZE_ALLOW_DELTA | KVMOPS_SIZE_ALLOW_PERCENT, &size);
	if (rc)
		return kvs_lib_error(call, rc);
	rc = kvs_opt_u64(call, "timeout", 1, 86400, 60, &timeout);
	if (!rc)
		rc = parse_margin(call, &margin, &have_margin);
	if (rc)
		return rc;
	conn = kvs_conn(call);
	if (!conn)
		return KVS_FAIL;
	t0 = kvs_now_s();
	rc = kvmops_balloon_resize(call->st->ctx, conn, name, &size,
				   set_flags(call),
				   have_margin ? &margin : NULL, &change);
	snprintf(what, sizeof(what), "set %s %s", name, call->argv[1]);
	if (rc)
		return kvs_lib_error_on(call, rc, what);
	waited = kvs_flag(call, "wait") && (change.flags & KVMOPS_BALLOON_LIVE);
	if (waited) {
		rc = wait_for(call, conn, name, change.target_kib, timeout,
			      &reached);
		if (rc)
			return rc;
	}
	report_set(call, name, &change, waited, reached, kvs_now_s() - t0);
	return KVS_OK;
}

/* ---- period ------------------------------------------------------------ */

static unsigned int period_flags(const struct kvs_call *call)
{
	unsigned int f = 0;

	if (kvs_flag(call, "live"))
		f |= KVMOPS_BALLOON_LIVE;
	if (kvs_flag(call, "config"))
		f |= KVMOPS_BALLOON_CONFIG;
	return f; /* neither: the running guest and its config, as there are */
}

static int set_one_period(struct kvs_call *call, virConnectPtr conn,
			  const char *name, int seconds)
{
	int rc = kvmops_balloon_set_period(call->st->ctx, conn, name, seconds,
					   period_flags(call));

	if (rc)
		return kvs_lib_error(call, rc);
	if (!call->quiet && !call->json && seconds)
		printf("%s: stats every %d s\n", name, seconds);
	else if (!call->quiet && !call->json)
		printf("%s: stats off\n", name);
	return KVS_OK;
}

static int cmd_period(struct kvs_call *call)
{
	bool all = kvs_flag(call, "all");
	const char *text = call->argv[call->argc - 1];
	virConnectPtr conn;
	char **names = NULL, *end;
	size_t n = 0, i;
	long seconds;
	int rc = KVS_OK, r;

	if (call->argc != (all ? 1 : 2))
		return kvs_error(
			call, KVS_USAGE,
			all ? "with --all, give only SECONDS" :
			      "give DOMAIN and SECONDS, or --all and SECONDS");
	errno = 0;
	seconds = strtol(text, &end, 10);
	if (!*text || *end || errno || seconds < 0 || seconds > 86400)
		return kvs_error(
			call, KVS_USAGE,
			"invalid period '%s': a whole number of seconds from 0 (off) to 86400",
			text);
	conn = kvs_conn(call);
	if (!conn)
		return KVS_FAIL;
	if (!all)
		return set_one_period(call, conn, call->argv[0], (int)seconds);
	r = kvmops_domain_names(call->st->ctx, conn, 0, &names, &n);
	if (r)
		return kvs_lib_error(call, r);
	for (i = 0; i < n; i++) {
		r = set_one_period(call, conn, names[i], (int)seconds);
		if (r && !rc)
			rc = r;
	}
	kvmops_free_names(names, n);
	return rc;
}

/* ---- overcommit -------------------------------------------------------- */

static void print_overcommit(const struct kvmops_overcommit *oc)
{
	char a[24], b[24], c[24];

	printf("host      %s memory (%s free), %u CPUs\n",
	       kib_text(oc->host_mem_kib, a, sizeof(a)),
	       kib_text(oc->host_free_kib, b, sizeof(b)), oc->host_cpus);
	printf("guests    %u running: %s maximum, %s current, %u vCPUs\n",
	       oc->guests, kib_text(oc->sum_max_kib, a, sizeof(a)),
	       kib_text(oc->sum_current_kib, b, sizeof(b)), oc->sum_vcpus);
	printf("saved     %s reclaimed by balloons (max - current)",
	       kib_text(oc->reclaimed_kib, c, sizeof(c)));
	if (oc->have_ksm)
		printf(", %s merged by KSM",
		       kib_text(oc->ksm_saved_bytes / 1024, a, sizeof(a)));
	printf("\n%-4s  memory overcommit %.2fx (PASS up to 1.5x, WARN above, FAIL above 2x)\n",
	       kvmops_verdict_name(oc->mem_verdict), oc->mem_ratio);
	printf("%-4s  vCPU overcommit %.2fx",
	       kvmops_verdict_name(oc->vcpu_verdict), oc->vcpu_ratio);
	if (oc->vcpu_verdict == KVMOPS_VERDICT_FAIL)
		printf(": %s has %u vCPUs, more than the host's %u CPUs",
		       oc->widest_name, oc->widest_vcpus, oc->host_cpus);
	else if (oc->vcpu_verdict == KVMOPS_VERDICT_WARN)
		printf(": %u guests have several vCPUs; many single-vCPU guests overcommit better",
		       oc->multi_vcpu_guests);
	putchar('\n');
}

static json_object *overcommit_json(const struct kvmops_overcommit *oc)
{
	json_object *o = json_object_new_object();

#define ADD(key, value) json_object_object_add(o, key, value)
	ADD("host_memory_kib", json_object_new_uint64(oc->host_mem_kib));
	ADD("host_free_kib", json_object_new_uint64(oc->host_free_kib));
	ADD("host_cpus", json_object_new_int((int)oc->host_cpus));
	ADD("guests", json_object_new_int((int)oc->guests));
	ADD("sum_max_kib", json_object_new_uint64(oc->sum_max_kib));
	ADD("sum_current_kib", json_object_new_uint64(oc->sum_current_kib));
	ADD("sum_vcpus", json_object_new_int((int)oc->sum_vcpus));
	ADD("memory_ratio", json_object_new_double(oc->mem_ratio));
	ADD("vcpu_ratio", json_object_new_double(oc->vcpu_ratio));
	ADD("balloon_reclaimed_kib", json_object_new_uint64(oc->reclaimed_kib));
	ADD("ksm_saved_bytes",
	    oc->have_ksm ? json_object_new_uint64(oc->ksm_saved_bytes) : NULL);
	ADD("memory_verdict",
	    json_object_new_string(kvmops_verdict_name(oc->mem_verdict)));
	ADD("vcpu_verdict",
	    json_object_new_string(kvmops_verdict_name(oc->vcpu_verdict)));
#undef ADD
	return o;
}

static int cmd_overcommit(struct kvs_call *call)
{
	struct kvmops_overcommit oc;
	virConnectPtr conn;
	int rc;

	call->conn_flags = KVMOPS_CONNECT_READONLY;
	conn = kvs_conn(call);
	if (!conn)
		return KVS_FAIL;
	rc = kvmops_overcommit(call->st->ctx, conn, &oc);
	if (rc)
		return kvs_lib_error(call, rc);
	if (call->json)
		kvs_print_json(overcommit_json(&oc));
	else
		print_overcommit(&oc);
	return oc.mem_verdict == KVMOPS_VERDICT_FAIL ||
			       oc.vcpu_verdict == KVMOPS_VERDICT_FAIL ?
		       KVS_FAIL :
		       KVS_OK;
}

/* ---- completion -------------------------------------------------------- */

static const char *const sort_keys[] = { "current", "usable", "rss", "name",
					 NULL };
static const char *const state_filters[] = { "running", "shutoff", "all",
					     NULL };

static void complete_domain(struct kvs_state *st, const char *prefix,
			    struct kvs_list *out)
{
	kvs_complete_domains(st, out);
}

static void complete_sort(struct kvs_state *st, const char *prefix,
			  struct kvs_list *out)
{
	kvs_complete_choices(out, sort_keys);
}

static void complete_state(struct kvs_state *st, const char *prefix,
			   struct kvs_list *out)
{
	kvs_complete_choices(out, state_filters);
}

/* ---- the tables -------------------------------------------------------- */

static const struct kvs_opt list_opts[] = {
	{ .name = "sort",
	  .arg = "KEY",
	  .complete = complete_sort,
	  .help = "name (default), current, usable or rss" },
	{ .name = "state",
	  .arg = "STATE",
	  .complete = complete_state,
	  .help = "running, shutoff or all (default)" },
	{ 0 },
};

static const struct kvs_opt set_opts[] = {
	{ .name = "live",
	  .field = "live",
	  .help = "change the running guest (the default when it runs)" },
	{ .name = "config",
	  .field = "config",
	  .help = "change its persistent config (the default when it is off)" },
	{ .name = "wait",
	  .help = "wait until the balloon gets there, and say how long it took" },
	{ .name = "timeout",
	  .arg = "S",
	  .help = "with --wait: give up after S seconds (default 60)" },
	{ .name = "force",
	  .field = "force",
	  .help = "allow a target below the safety floor" },
	{ .name = "margin",
	  .arg = "SIZE",
	  .field = "margin",
	  .help = "room kept above what the guest uses (default: 32M or 10% of max)" },
	{ .name = "raise-max",
	  .field = "raise_max",
	  .help = "above the maximum: raise the maximum in the config" },
	{ 0 },
};

static const struct kvs_opt period_opts[] = {
	{ .name = "all", .help = "every domain" },
	{ .name = "live", .field = "live", .help = "the running guest only" },
	{ .name = "config",
	  .field = "config",
	  .help = "the persistent config only" },
	{ 0 },
};

static const struct kvs_cmd balloon_cmds[] = {
	{ .name = "list",
	  .run = cmd_list,
	  .opts = list_opts,
	  .summary =
		  "Show every domain's balloon and memory figures, in one bulk call",
	  .help = "Flags guests whose balloon cannot be seen: no-balloon (no device),\n"
		  "no-period (no stats period), no-stats (no guest driver), stale." },
	{ .name = "stats",
	  .args = "DOMAIN",
	  .min_args = 1,
	  .max_args = 1,
	  .run = cmd_stats,
	  .complete_arg = complete_domain,
	  .summary = "Show one guest's memory, each figure with its meaning" },
	{ .name = "set",
	  .args = "DOMAIN SIZE",
	  .min_args = 2,
	  .max_args = 2,
	  .run = cmd_set,
	  .opts = set_opts,
	  .complete_arg = complete_domain,
	  .summary = "Set the balloon: 512M, 1G, +256M, -25%, 50% (of max)",
	  .help = "Refuses a target below the safety floor (memory in use + margin,\n"
		  "at least <memtune><min_guarantee>) unless --force, and one above the\n"
		  "maximum unless --raise-max." },
	{ .name = "period",
	  .args = "(DOMAIN | --all) SECONDS",
	  .min_args = 1,
	  .max_args = 2,
	  .run = cmd_period,
	  .opts = period_opts,
	  .complete_arg = complete_domain,
	  .summary = "Set how often guests send memory stats",
	  .help = "0 turns the stats off. By default both the running guest and its\n"
		  "config change." },
	{ .name = "auto",
	  .run = balloon_cmd_auto,
	  .opts = balloon_auto_opts,
	  .summary =
		  "Move memory between guests as the host needs: a balloon policy",
	  .help = "Each cycle reads the host's budget and use (or --cgroup's) and every\n"
		  "guest's balloon in one bulk call. Under pressure (use, plus what it\n"
		  "rose since the last cycle, above --target; or PSI above --psi) the\n"
		  "guests with the most above their floors give, a step at a time, until\n"
		  "use is a --deadband under the target; a guest whose use grows gives\n"
		  "nothing. Guests short of memory are never shrunk and grow first, out\n"
		  "of what the others give. With room, guests grow back a step a cycle.\n"
		  "A line per change; with --json an NDJSON object per cycle. SIGHUP\n"
		  "reloads the config, SIGUSR1 runs a cycle now, SIGTERM ends the loop\n"
		  "and leaves the balloons where they are." },
	{ .name = "overcommit",
	  .run = cmd_overcommit,
	  .summary = "Judge the host's memory and vCPU overcommit",
	  .help = "Exits 1 when a limit is passed: memory above 2x, or a guest with\n"
		  "more vCPUs than the host has CPUs." },
	{ 0 },
};

/* What the library names that no option of a command covers. */
static const struct kvs_remedy balloon_remedies[] = {
	{ .name = "stats_period", .hint = "'kvm-balloon period DOMAIN 2'" },
	{ 0 },
};

static const struct kvs_tool balloon_tool = {
	.name = "kvm-balloon",
	.summary = "See and steer guest memory through the virtio balloon.",
	.cmds = balloon_cmds,
	.remedies = balloon_remedies,
};

int main(int argc, char **argv)
{
	return kvs_main(&balloon_tool, argc, argv);
}
