// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kvm-balloon auto: gather, decide, apply, report; once, or every
 * interval. The decision is the library's (kvmops_balloon_auto_decide);
 * this file reads the settings, sets stats periods where none are, runs
 * the loop (shell/loop.c), and says what was decided: a line per change,
 * NDJSON per cycle, a Prometheus file.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <syslog.h>
#include <time.h>

#include "balloon/auto.h"

struct autopilot {
	struct kvs_call *call;
	struct auto_settings set;
	bool once, dry_run;
	struct kvs_voice voice;
	struct kvmops_balloon_auto_host host;
	struct kvmops_balloon_auto_guest *guests; /* kept between cycles */
	struct kvmops_balloon_auto_decision *decisions;
	struct kvmops_balloon_auto_verdict verdict;
	size_t count;
	unsigned long cycles;
	uint64_t last_ms; /* when the last cycle gathered */
	double cpu_ms; /* what this cycle took to gather, decide and apply */
};

/* ---- reporting ------------------------------------------------------------ */

static json_object *u64(uint64_t v)
{
	return json_object_new_uint64(v);
}

static json_object *host_json(const struct autopilot *a)
{
	const struct kvmops_balloon_auto_host *h = &a->host;
	json_object *o = json_object_new_object();

	json_object_object_add(o, "budget_bytes", u64(h->budget_kib * 1024));
	json_object_object_add(o, "used_bytes", u64(h->used_kib * 1024));
	json_object_object_add(o, "target_bytes",
			       u64(a->verdict.target_kib * 1024));
	json_object_object_add(o, "rise_bytes",
			       u64(a->verdict.rise_kib * 1024));
	json_object_object_add(
		o, "psi_some_avg10",
		h->have_psi ? json_object_new_double(h->psi_some_avg10) : NULL);
	json_object_object_add(o, "cgroup",
			       a->set.cgroup[0] ?
				       json_object_new_string(a->set.cgroup) :
				       NULL);
	json_object_object_add(o, "cgroup_version", u64(h->cgroup_version));
	json_object_object_add(o, "pressure",
			       json_object_new_boolean(a->verdict.pressure));
	json_object_object_add(o, "reason",
			       json_object_new_string(a->verdict.reason));
	return o;
}

static json_object *guest_json(const struct kvmops_balloon_auto_guest *g,
			       const struct kvmops_balloon_auto_decision *d)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "name",
			       json_object_new_string(g->balloon.name));
	json_object_object_add(
		o, "action",
		json_object_new_string(
			kvmops_balloon_auto_action_name(d->action)));
	json_object_object_add(o, "from_bytes", u64(d->from_kib * 1024));
	json_object_object_add(o, "to_bytes", u64(d->to_kib * 1024));
	json_object_object_add(o, "max_bytes", u64(g->balloon.max_kib * 1024));
	json_object_object_add(o, "floor_bytes", u64(g->floor_kib * 1024));
	json_object_object_add(o, "usable_bytes",
			       u64(g->balloon.usable_kib * 1024));
	json_object_object_add(o, "share", u64(g->share));
	json_object_object_add(o, "pressured",
			       json_object_new_boolean(d->pressured));
	json_object_object_add(o, "use_rise_bytes",
			       u64(d->use_rise_kib * 1024));
	json_object_object_add(o, "reason", json_object_new_string(d->reason));
	return o;
}

static void print_cycle_json(const struct autopilot *a)
{
	json_object *o = json_object_new_object(), *list;
	char stamp[40], cpu[32];
	time_t now = time(NULL);
	size_t i;

	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S%z", localtime(&now));
	json_object_object_add(o, "time", json_object_new_string(stamp));
	json_object_object_add(o, "cycle", u64(a->cycles));
	json_object_object_add(o, "dry_run",
			       json_object_new_boolean(a->dry_run));
	snprintf(cpu, sizeof(cpu), "%.3f", a->cpu_ms);
	json_object_object_add(o, "cpu_ms",
			       json_object_new_double_s(a->cpu_ms, cpu));
	json_object_object_add(o, "host", host_json(a));
	list = json_object_new_array();
	for (i = 0; i < a->count; i++)
		json_object_array_add(list, guest_json(&a->guests[i],
						       &a->decisions[i]));
	json_object_object_add(o, "guests", list);
	kvs_print_event(o);
}

/* A line per change and per guest skipped for the first time. */
static void report(const struct autopilot *a)
{
	char from[24], to[24];
	size_t i;

	if (a->call->json) {
		print_cycle_json(a);
		return;
	}
	for (i = 0; i < a->count; i++) {
		const struct kvmops_balloon_auto_decision *d = &a->decisions[i];

		if (!d->say &&
		    !(a->dry_run && d->action != KVMOPS_BALLOON_AUTO_KEEP))
			continue;
		if (d->from_kib != d->to_kib)
			kvs_say(&a->voice, LOG_INFO, "%s %s -> %s: %s",
				a->guests[i].balloon.name,
				kvs_bytes(d->from_kib * 1024, from,
					  sizeof(from)),
				kvs_bytes(d->to_kib * 1024, to, sizeof(to)),
				d->reason);
		else
			kvs_say(&a->voice, LOG_INFO, "%s: %s",
				a->guests[i].balloon.name, d->reason);
	}
}

static void prom(FILE *f, const char *name, const char *help)
{
	fprintf(f,
		"# HELP kvmops_balloon_auto_%s %s\n# TYPE kvmops_balloon_auto_%s gauge\n",
		name, help, name);
}

/* Written to a temporary file and renamed: the collector never sees half. */
static void write_prometheus(const struct autopilot *a)
{
	char tmp[PATH_MAX + 8];
	size_t i;
	FILE *f;

	if (!a->set.prom_path[0])
		return;
	snprintf(tmp, sizeof(tmp), "%s.tmp", a->set.prom_path);
	f = fopen(tmp, "we");
	if (!f) {
		kvs_say(&a->voice, LOG_WARNING, "cannot write %s: %s", tmp,
			strerror(errno));
		return;
	}
	prom(f, "budget_bytes", "The memory the guests live in");
	fprintf(f, "kvmops_balloon_auto_budget_bytes %" PRIu64 "\n",
		a->host.budget_kib * 1024);
	prom(f, "used_bytes", "What of it is used");
	fprintf(f, "kvmops_balloon_auto_used_bytes %" PRIu64 "\n",
		a->host.used_kib * 1024);
	prom(f, "pressure", "1 when the host is under memory pressure");
	fprintf(f, "kvmops_balloon_auto_pressure %d\n", a->verdict.pressure);
	prom(f, "balloon_bytes", "Each guest's balloon after the cycle");
	for (i = 0; i < a->count; i++)
		fprintf(f,
			"kvmops_balloon_auto_balloon_bytes{domain=\"%s\"} %" PRIu64
			"\n",
			a->guests[i].balloon.name,
			a->decisions[i].to_kib * 1024);
	if (fclose(f) || rename(tmp, a->set.prom_path)) {
		kvs_say(&a->voice, LOG_WARNING, "cannot write %s: %s",
			a->set.prom_path, strerror(errno));
		remove(tmp);
	}
}

/* ---- a cycle ------------------------------------------------------------- */

/* A guest without a stats period cannot be judged: give it one. */
static void set_periods(struct autopilot *a, virConnectPtr conn)
{
	struct kvmops_ctx *ctx = a->call->st->ctx;
	size_t i;

	if (a->set.no_set_period || a->dry_run)
		return;
	for (i = 0; i < a->count; i++) {
		struct kvmops_balloon *b = &a->guests[i].balloon;

		if (!(b->problems & KVMOPS_BALLOON_NO_PERIOD) ||
		    b->problems & KVMOPS_BALLOON_NO_DEVICE)
			continue;
		if (kvmops_balloon_set_period(ctx, conn, b->name,
					      AUTO_STATS_PERIOD_S,
					      KVMOPS_BALLOON_LIVE))
			kvs_say(&a->voice, LOG_WARNING, "%s",
				kvmops_last_error(ctx));
		else {
			kvs_say(&a->voice, LOG_NOTICE,
				"%s had no stats period: set to %d s, so that it can be judged from the next cycles",
				b->name, AUTO_STATS_PERIOD_S);
			a->guests[i].recheck_in = 0; /* look again next cycle */
		}
	}
}

static int gather(struct autopilot *a, virConnectPtr conn)
{
	struct kvmops_ctx *ctx = a->call->st->ctx;
	uint64_t now = (uint64_t)(kvs_now_s() * 1000);
	size_t i;
	int rc;

	a->host.elapsed_ms = a->last_ms ? now - a->last_ms : 0;
	a->host.last_used_kib = a->last_ms ? a->host.used_kib : 0;
	a->last_ms = now;
	rc = kvmops_balloon_auto_host_read(
		ctx, a->set.cgroup[0] ? a->set.cgroup : NULL, &a->host);
	if (!rc)
		rc = kvmops_balloon_auto_gather(ctx, conn, &a->guests,
						&a->count);
	if (rc)
		return rc;
	for (i = 0; i < a->count; i++)
		a->guests[i].share =
			auto_share_of(&a->set, a->guests[i].balloon.name);
	free(a->decisions);
	a->decisions = calloc(a->count ? a->count : 1, sizeof(*a->decisions));
	return a->decisions ? 0 : -ENOMEM;
}

/* CPU milliseconds this process used so far, every thread's. */
static double cpu_ms(void)
{
	struct rusage r;

	if (getrusage(RUSAGE_SELF, &r))
		return 0;
	return (double)(r.ru_utime.tv_sec + r.ru_stime.tv_sec) * 1e3 +
	       (double)(r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e3;
}

/* 0, or the library's error code (already said). */
static int run_cycle(struct autopilot *a)
{
	struct kvmops_ctx *ctx = a->call->st->ctx;
	virConnectPtr conn = kvs_conn(a->call);
	unsigned int changed = 0;
	double start = cpu_ms();
	int rc;

	if (!conn)
		return -EIO;
	rc = gather(a, conn);
	if (rc) {
		kvs_say(&a->voice, LOG_ERR, "%s", kvmops_last_error(ctx));
		return rc;
	}
	a->cycles++;
	kvmops_balloon_auto_decide(&a->set.cfg, &a->host, a->guests, a->count,
				   a->decisions, &a->verdict);
	if (!a->dry_run &&
	    kvmops_balloon_auto_apply(ctx, conn, a->guests, a->decisions,
				      a->count, &changed))
		kvs_say(&a->voice, LOG_ERR, "%s", kvmops_last_error(ctx));
	a->cpu_ms = cpu_ms() - start;
	report(a);
	write_prometheus(a);
	set_periods(a, conn);
	return 0;
}

/* ---- the loop and the command ------------------------------------------- */

static int cycle(void *data)
{
	return run_cycle(data);
}

/* SIGHUP: the config file again; a bad one keeps the settings in force. */
static void reload(void *data)
{
	struct autopilot *a = data;
	struct auto_settings fresh;

	if (auto_settings_load(a->call, &fresh)) {
		kvs_say(&a->voice, LOG_WARNING,
			"the configuration was not reloaded: the settings in force stay");
		return;
	}
	if (strcmp(fresh.cgroup, a->set.cgroup))
		a->host.used_kib = 0; /* another budget: no rise to compare */
	a->set = fresh;
	kvs_say(&a->voice, LOG_NOTICE, "configuration reloaded from %s",
		a->set.config_path[0] ? a->set.config_path : "the defaults");
}

static void announce(const struct autopilot *a)
{
	const struct kvmops_balloon_auto_config *c = &a->set.cfg;
	char step[24], dead[24];

	kvs_say(&a->voice, LOG_NOTICE,
		"every %u s; budget %s; target %u%%; PSI %g; max step %s; deadband %s; %zu shares set",
		a->set.interval_s,
		a->set.cgroup[0] ? a->set.cgroup : "the whole host",
		c->target_percent, c->psi_some_avg10,
		c->max_step_kib ?
			kvs_bytes(c->max_step_kib * 1024, step, sizeof(step)) :
			"max(5% of the guest, 64 MiB)",
		kvs_bytes(c->deadband_kib * 1024, dead, sizeof(dead)),
		a->set.nshares);
}

static int loop(struct autopilot *a)
{
	const struct kvs_loop loop = {
		.interval_s = &a->set.interval_s,
		.cycle = cycle,
		.reload = reload,
		.data = a,
	};

	announce(a);
	return kvs_loop_run(&loop);
}

int balloon_cmd_auto(struct kvs_call *call)
{
	struct autopilot a = { .call = call };
	int rc;

	a.once = kvs_flag(call, "once");
	a.dry_run = kvs_flag(call, "dry-run");
	rc = auto_settings_load(call, &a.set);
	if (rc)
		return rc;
	kvs_voice_open(&a.voice, call, a.set.syslog, a.dry_run);
	rc = a.once ? run_cycle(&a) : loop(&a);
	kvs_voice_close(&a.voice);
	free(a.guests);
	free(a.decisions);
	/* A cgroup that is not there is bad input (2); the rest fails (1). */
	return rc ? kvs_status_of(rc) : KVS_OK;
}
