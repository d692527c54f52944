// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The plan and the outcome of evacuate and balance (fleet.h): tables for
 * people, NDJSON events ("plan", "summary") with --json.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migrate/fleet.h"

static const char *size_of(uint64_t kib, char *buf, size_t len)
{
	return kvs_bytes(kib * 1024, buf, len);
}

/* Running guests on host @h: before the plan, or after it (@after). */
static unsigned int guests_on(const struct fleet *fl, size_t h, bool after)
{
	const struct kvmops_place_figures *f = &fl->figures;
	unsigned int n = 0;
	size_t gi, i;

	for (gi = 0; gi < f->nguests; gi++) {
		size_t at = f->guests[gi].host;

		if (!f->guests[gi].running)
			continue;
		for (i = 0; after && i < fl->plan.nmoves; i++)
			if (fl->plan.moves[i].guest == gi)
				at = fl->plan.moves[i].to;
		n += at == h;
	}
	return n;
}

/* ---- the plan -------------------------------------------------------------- */

static json_object *hosts_json(const struct fleet *fl)
{
	const struct kvmops_place_plan *p = &fl->plan;
	json_object *arr = json_object_new_array();
	size_t h;

	for (h = 0; h < fl->nhosts; h++) {
		const struct kvmops_place_host *host = &fl->figures.hosts[h];
		json_object *o = json_object_new_object();

		json_object_object_add(o, "uri",
				       json_object_new_string(fl->uris[h]));
		json_object_object_add(
			o, "reachable",
			json_object_new_boolean(host->reachable));
		json_object_object_add(
			o, "memory_bytes",
			json_object_new_uint64(host->oc.host_mem_kib * 1024));
		json_object_object_add(
			o, "used_before_bytes",
			json_object_new_uint64(p->used_before_kib[h] * 1024));
		json_object_object_add(
			o, "used_after_bytes",
			json_object_new_uint64(p->used_after_kib[h] * 1024));
		json_object_object_add(
			o, "guests_before",
			json_object_new_int((int)guests_on(fl, h, false)));
		json_object_object_add(
			o, "guests_after",
			json_object_new_int((int)guests_on(fl, h, true)));
		json_object_array_add(arr, o);
	}
	return arr;
}

static json_object *moves_json(const struct fleet *fl)
{
	json_object *arr = json_object_new_array();
	size_t i;

	for (i = 0; i < fl->plan.nmoves; i++) {
		const struct kvmops_place_move *m = &fl->plan.moves[i];
		json_object *o = json_object_new_object();

		json_object_object_add(
			o, "domain",
			json_object_new_string(fl->figures.names[m->guest]));
		json_object_object_add(
			o, "from", json_object_new_string(fl->uris[m->from]));
		json_object_object_add(o, "to",
				       json_object_new_string(fl->uris[m->to]));
		json_object_object_add(
			o, "mode",
			json_object_new_string(
				kvmops_place_mode_name(m->mode)));
		json_object_object_add(
			o, "to_used_after_bytes",
			json_object_new_uint64(m->to_used_kib * 1024));
		json_object_object_add(o, "reason",
				       json_object_new_string(m->reason));
		json_object_array_add(arr, o);
	}
	return arr;
}

static json_object *unplaced_json(const struct fleet *fl)
{
	json_object *arr = json_object_new_array();
	size_t i;

	for (i = 0; i < fl->plan.nunplaced; i++) {
		const struct kvmops_place_unplaced *u = &fl->plan.unplaced[i];
		const struct kvmops_place_guest *g =
			&fl->figures.guests[u->guest];
		json_object *o = json_object_new_object();

		json_object_object_add(
			o, "domain",
			json_object_new_string(fl->figures.names[u->guest]));
		json_object_object_add(
			o, "from", json_object_new_string(fl->uris[g->host]));
		json_object_object_add(o, "reason",
				       json_object_new_string(u->reason));
		json_object_array_add(arr, o);
	}
	return arr;
}

static void plan_json(const struct fleet *fl)
{
	json_object *o = json_object_new_object(),
		    *freed = json_object_new_array();
	size_t i;

	for (i = 0; i < fl->plan.nfreed; i++)
		json_object_array_add(
			freed,
			json_object_new_string(fl->uris[fl->plan.freed[i]]));
	json_object_object_add(o, "event", json_object_new_string("plan"));
	json_object_object_add(o, "goal", json_object_new_string(fl->what));
	json_object_object_add(o, "dry_run",
			       json_object_new_boolean(fl->dry_run));
	json_object_object_add(o, "hosts", hosts_json(fl));
	json_object_object_add(o, "moves", moves_json(fl));
	json_object_object_add(o, "unplaced", unplaced_json(fl));
	json_object_object_add(o, "freed", freed);
	json_object_object_add(o, "cv_before",
			       json_object_new_double(fl->plan.cv_before));
	json_object_object_add(o, "cv_after",
			       json_object_new_double(fl->plan.cv_after));
	kvs_print_event(o);
}

static void moves_table(const struct fleet *fl)
{
	static const char *const heads[] = { "GUEST", "FROM",	    "TO",
					     "MODE",  "USED AFTER", "REASON" };
	static const bool right[ARRAY_LEN(heads)] = { [4] = true };
	struct kvs_table t;
	char used[24];
	size_t i;

	kvs_table_init(&t, ARRAY_LEN(heads), heads, right);
	for (i = 0; i < fl->plan.nmoves; i++) {
		const struct kvmops_place_move *m = &fl->plan.moves[i];

		kvs_table_row(&t, fl->figures.names[m->guest],
			      fl->labels[m->from], fl->labels[m->to],
			      kvmops_place_mode_name(m->mode),
			      size_of(m->to_used_kib, used, sizeof(used)),
			      m->reason);
	}
	kvs_table_print(&t);
	kvs_table_free(&t);
}

static void hosts_table(const struct fleet *fl)
{
	static const char *const heads[] = { "HOST",  "MEMORY", "USED",
					     "AFTER", "GUESTS", "AFTER",
					     "URI" };
	static const bool right[ARRAY_LEN(heads)] = {
		[1] = true, [2] = true, [3] = true, [4] = true, [5] = true
	};
	const struct kvmops_place_plan *p = &fl->plan;
	char mem[24], before[24], after[24], gb[12], ga[12];
	struct kvs_table t;
	size_t h;

	kvs_table_init(&t, ARRAY_LEN(heads), heads, right);
	for (h = 0; h < fl->nhosts; h++) {
		const struct kvmops_place_host *host = &fl->figures.hosts[h];

		snprintf(gb, sizeof(gb), "%u", guests_on(fl, h, false));
		snprintf(ga, sizeof(ga), "%u", guests_on(fl, h, true));
		kvs_table_row(
			&t, fl->labels[h],
			host->reachable ? size_of(host->oc.host_mem_kib, mem,
						  sizeof(mem)) :
					  "unreachable",
			size_of(p->used_before_kib[h], before, sizeof(before)),
			size_of(p->used_after_kib[h], after, sizeof(after)), gb,
			ga, fl->uris[h]);
	}
	kvs_table_print(&t);
	kvs_table_free(&t);
}

static void plan_heading(const struct fleet *fl)
{
	size_t n = fl->plan.nmoves;

	if (fl->evacuate)
		printf("Plan: %zu move%s off %s", n, n == 1 ? "" : "s",
		       fl->labels[0]);
	else
		printf("Plan (%s): %zu move%s", fl->what, n, n == 1 ? "" : "s");
	printf(", %u at a time, at most %u into one host%s\n",
	       fl->run.limits.jobs, fl->run.limits.per_host,
	       fl->dry_run ? " (dry run: nothing moves)" : "");
}

void fleet_show_plan(const struct fleet *fl)
{
	size_t i;

	if (fl->call->json) {
		plan_json(fl);
		return;
	}
	if (fl->call->quiet)
		return;
	plan_heading(fl);
	if (fl->plan.nmoves)
		moves_table(fl);
	for (i = 0; i < fl->plan.nunplaced; i++)
		printf("cannot place %s: %s\n",
		       fl->figures.names[fl->plan.unplaced[i].guest],
		       fl->plan.unplaced[i].reason);
	putchar('\n');
	hosts_table(fl);
	printf("memory use spread (coefficient of variation): %.2f -> %.2f\n",
	       fl->plan.cv_before, fl->plan.cv_after);
	for (i = 0; i < fl->plan.nfreed; i++)
		printf("frees %s\n", fl->labels[fl->plan.freed[i]]);
	putchar('\n');
	fflush(stdout);
}

/* ---- the outcome ------------------------------------------------------------ */

size_t fleet_runs_on(const struct fleet *fl, size_t gi)
{
	size_t h, i;

	for (h = 0; fl->have_after && h < fl->nhosts; h++)
		for (i = 0; i < fl->nrunning_now[h]; i++)
			if (!strcmp(fl->running_now[h][i],
				    fl->figures.names[gi]))
				return h;
	return SIZE_MAX;
}

/* The last move of guest @gi in the plan (retries come later). */
static size_t last_move(const struct fleet *fl, size_t gi)
{
	size_t i, last = SIZE_MAX;

	for (i = 0; i < fl->plan.nmoves; i++)
		if (fl->plan.moves[i].guest == gi)
			last = i;
	return last;
}

static bool first_move(const struct fleet *fl, size_t move)
{
	size_t i;

	for (i = 0; i < move; i++)
		if (fl->plan.moves[i].guest == fl->plan.moves[move].guest)
			return false;
	return true;
}

static const char *result_of(const struct fleet *fl, size_t move)
{
	const struct fleet_move *m = move < fl->nmoves_cap ? &fl->moves[move] :
							     NULL;

	switch (fl->states ? fl->states[move] : KVMOPS_PLACE_CANCELLED) {
	case KVMOPS_PLACE_DONE:
		return "moved";
	case KVMOPS_PLACE_FAILED:
		return m && m->aborted ? "aborted" : "failed";
	case KVMOPS_PLACE_CANCELLED:
		return "not started";
	default:
		return "unknown";
	}
}

struct outcome_row {
	const char *guest, *from, *to, *result, *now_on;
	char time[16], downtime[16];
	const struct fleet_move *m;
};

static void outcome_row(const struct fleet *fl, size_t gi, size_t move,
			struct outcome_row *r)
{
	const struct fleet_move *m = move < fl->nmoves_cap ? &fl->moves[move] :
							     NULL;
	size_t on = fleet_runs_on(fl, gi);

	memset(r, 0, sizeof(*r));
	r->guest = fl->figures.names[gi];
	r->from = fl->labels[fl->figures.guests[gi].host];
	r->to = move == SIZE_MAX ? "-" : fl->labels[fl->plan.moves[move].to];
	r->result = move == SIZE_MAX ? "no host" : result_of(fl, move);
	r->now_on = on == SIZE_MAX ? "not running" : fl->labels[on];
	r->m = m && m->started_s ? m : NULL;
	snprintf(r->time, sizeof(r->time), "-");
	snprintf(r->downtime, sizeof(r->downtime), "-");
	if (r->m && r->m->ended_s)
		snprintf(r->time, sizeof(r->time), "%.1f s",
			 r->m->ended_s - r->m->started_s);
	if (r->m && fl->states && fl->states[move] == KVMOPS_PLACE_DONE &&
	    r->m->job.have_downtime)
		snprintf(r->downtime, sizeof(r->downtime), "%" PRIu64 " ms",
			 r->m->job.downtime_ms);
}

static json_object *row_json(const struct fleet *fl, size_t gi, size_t move,
			     const struct outcome_row *r)
{
	json_object *o = json_object_new_object();
	size_t on = fleet_runs_on(fl, gi);

	json_object_object_add(o, "domain", json_object_new_string(r->guest));
	json_object_object_add(
		o, "from",
		json_object_new_string(fl->uris[fl->figures.guests[gi].host]));
	json_object_object_add(
		o, "to",
		move == SIZE_MAX ? NULL :
				   json_object_new_string(
					   fl->uris[fl->plan.moves[move].to]));
	json_object_object_add(o, "result", json_object_new_string(r->result));
	json_object_object_add(
		o, "time_ms",
		r->m && r->m->ended_s ?
			json_object_new_int64(
				(int64_t)((r->m->ended_s - r->m->started_s) *
					  1000)) :
			NULL);
	json_object_object_add(
		o, "downtime_ms",
		strcmp(r->downtime, "-") ?
			json_object_new_uint64(r->m->job.downtime_ms) :
			NULL);
	json_object_object_add(
		o, "runs_on",
		on == SIZE_MAX ? NULL : json_object_new_string(fl->uris[on]));
	if (r->m && *r->m->error && strcmp(r->result, "moved"))
		json_object_object_add(o, "error",
				       json_object_new_string(r->m->error));
	return o;
}

/* Each guest the plan named, in plan order, then the unplaced. */
typedef void (*row_fn)(const struct fleet *fl, size_t gi, size_t move,
		       void *data);

static void each_row(const struct fleet *fl, row_fn fn, void *data)
{
	size_t i;

	for (i = 0; i < fl->plan.nmoves; i++)
		if (first_move(fl, i))
			fn(fl, fl->plan.moves[i].guest,
			   last_move(fl, fl->plan.moves[i].guest), data);
	for (i = 0; i < fl->plan.nunplaced; i++)
		fn(fl, fl->plan.unplaced[i].guest, SIZE_MAX, data);
}

static void add_json_row(const struct fleet *fl, size_t gi, size_t move,
			 void *data)
{
	struct outcome_row r;

	outcome_row(fl, gi, move, &r);
	json_object_array_add(data, row_json(fl, gi, move, &r));
}

static void add_table_row(const struct fleet *fl, size_t gi, size_t move,
			  void *data)
{
	struct outcome_row r;

	outcome_row(fl, gi, move, &r);
	kvs_table_row(data, r.guest, r.from, r.to, r.result, r.time, r.downtime,
		      r.now_on);
}

static const char *unplaced_reason(const struct fleet *fl, size_t gi)
{
	size_t i;

	for (i = 0; i < fl->plan.nunplaced; i++)
		if (fl->plan.unplaced[i].guest == gi)
			return fl->plan.unplaced[i].reason;
	return "";
}

/* Why each guest that did not move did not. */
static void print_why(const struct fleet *fl, size_t gi, size_t move,
		      void *data)
{
	struct outcome_row r;

	(void)data;
	outcome_row(fl, gi, move, &r);
	if (move == SIZE_MAX)
		printf("%s: %s\n", r.guest, unplaced_reason(fl, gi));
	else if (r.m && *r.m->error && strcmp(r.result, "moved"))
		printf("%s: %s\n", r.guest, r.m->error);
}

unsigned int fleet_left_on_source(const struct fleet *fl)
{
	return fl->have_after ? (unsigned int)fl->nrunning_now[0] : 0;
}

static void outcome_json(const struct fleet *fl, int rc)
{
	json_object *o = json_object_new_object(),
		    *guests = json_object_new_array();

	each_row(fl, add_json_row, guests);
	json_object_object_add(o, "event", json_object_new_string("summary"));
	json_object_object_add(o, "result",
			       json_object_new_string(!rc ? "ok" :
						      rc == -ECANCELED ?
							    "interrupted" :
							    "failed"));
	json_object_object_add(o, "guests", guests);
	if (fl->evacuate)
		json_object_object_add(
			o, "source_running",
			fl->have_after ? json_object_new_int((
						 int)fleet_left_on_source(fl)) :
					 NULL);
	kvs_print_event(o);
}

void fleet_show_outcome(const struct fleet *fl, int rc)
{
	static const char *const heads[] = { "GUEST",  "FROM", "TO",
					     "RESULT", "TIME", "DOWNTIME",
					     "RUNS ON" };
	static const bool right[ARRAY_LEN(heads)] = { [4] = true, [5] = true };
	struct kvs_table t;

	if (fl->call->json) {
		outcome_json(fl, rc);
		return;
	}
	if (fl->call->quiet)
		return;
	putchar('\n');
	kvs_table_init(&t, ARRAY_LEN(heads), heads, right);
	each_row(fl, add_table_row, &t);
	kvs_table_print(&t);
	kvs_table_free(&t);
	each_row(fl, print_why, NULL);
	if (fl->evacuate && fl->have_after)
		printf("%s runs %u guest%s now\n", fl->labels[0],
		       fleet_left_on_source(fl),
		       fleet_left_on_source(fl) == 1 ? "" : "s");
	fflush(stdout);
}
