// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The moves while they run (fleet.h): on a terminal, a board on stderr of
 * a header (done, running, queued, failed) and one line per move in
 * flight, redrawn; each start, arrival, failure and retry a line of its
 * own on stdout; without a terminal a progress line per move every 5 s;
 * with --json, NDJSON events that each name their guest. The callback
 * runs under the run's lock, so one event at a time.
 */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migrate/fleet.h"
#include "migrate/progress.h"

#define PLAIN_EVERY_MS 5000 /* without a terminal: a line this often */
#define JSON_EVERY_MS 1000
#define BOARD_EVERY_S 0.25

static const char *label_of(const struct fleet *fl, const char *uri)
{
	size_t h;

	for (h = 0; h < fl->nhosts; h++)
		if (!strcmp(fl->uris[h], uri))
			return fl->labels[h];
	return uri;
}

/* The command's record of move @move, grown as retries add moves. */
static struct fleet_move *slot(struct fleet *fl, size_t move)
{
	size_t cap = fl->nmoves_cap;
	struct fleet_move *m;

	if (move >= cap) {
		cap = move + 8;
		m = realloc(fl->moves, cap * sizeof(*m));
		if (!m)
			return NULL;
		memset(m + fl->nmoves_cap, 0,
		       (cap - fl->nmoves_cap) * sizeof(*m));
		fl->moves = m;
		fl->nmoves_cap = cap;
	}
	return &fl->moves[move];
}

/* ---- the board ------------------------------------------------------------ */

static void board_clear(struct fleet *fl)
{
	if (fl->board_lines)
		fprintf(stderr, "\033[%uA\033[J", fl->board_lines);
	fl->board_lines = 0;
}

static void board_line(struct fleet *fl, const char *text)
{
	fprintf(stderr, "%.*s\n", (int)(fl->cols ? fl->cols - 1 : 79), text);
	fl->board_lines++;
}

static void board_draw(struct fleet *fl, const struct kvmops_place_event *ev)
{
	const struct kvmops_place_plan *plan = &fl->plan;
	char text[512];
	size_t i;

	board_clear(fl);
	snprintf(text, sizeof(text),
		 "%s: %u done, %u running, %u queued, %u failed", fl->what,
		 ev->done, ev->running, ev->queued, ev->failed);
	board_line(fl, text);
	for (i = 0; i < plan->nmoves && i < fl->nmoves_cap; i++) {
		if (!fl->moves[i].started_s || fl->moves[i].ended_s)
			continue;
		snprintf(text, sizeof(text), "  %-16s -> %-18s %s",
			 fl->figures.names[plan->moves[i].guest],
			 fl->labels[plan->moves[i].to],
			 fl->moves[i].have_job ? fl->moves[i].line :
						 "starting");
		board_line(fl, text);
	}
	fflush(stderr);
	fl->board_drawn_s = kvs_now_s();
}

/* A line that stays: above the board, which is drawn again after it. */
static void say_line(struct fleet *fl, const struct kvmops_place_event *ev,
		     const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void say_line(struct fleet *fl, const struct kvmops_place_event *ev,
		     const char *fmt, ...)
{
	va_list ap;

	if (fl->call->quiet)
		return;
	if (fl->tty)
		board_clear(fl);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (fl->tty)
		board_draw(fl, ev);
}

/* ---- NDJSON ---------------------------------------------------------------- */

static void add_counts(json_object *o, const struct kvmops_place_event *ev)
{
	json_object_object_add(o, "queued", json_object_new_int(ev->queued));
	json_object_object_add(o, "running", json_object_new_int(ev->running));
	json_object_object_add(o, "done", json_object_new_int(ev->done));
	json_object_object_add(o, "failed", json_object_new_int(ev->failed));
}

static void json_event(const struct kvmops_place_event *ev, const char *name)
{
	json_object *o = ev->job ? job_json(ev->job, name) :
				   json_object_new_object();

	if (!ev->job)
		json_object_object_add(o, "event",
				       json_object_new_string(name));
	json_object_object_add(o, "domain", json_object_new_string(ev->guest));
	json_object_object_add(o, "from", json_object_new_string(ev->from));
	json_object_object_add(o, "to", json_object_new_string(ev->to));
	json_object_object_add(
		o, "mode",
		json_object_new_string(kvmops_place_mode_name(ev->mode)));
	if (ev->error)
		json_object_object_add(o, "error",
				       json_object_new_string(ev->error));
	add_counts(o, ev);
	kvs_print_event(o);
}

/* ---- the events ------------------------------------------------------------- */

static void note_interrupt(struct fleet *fl)
{
	if (!kvs_interrupted || fl->interrupt_said)
		return;
	fl->interrupt_said = true;
	if (fl->tty)
		board_clear(fl);
	fflush(stdout);
	fprintf(stderr,
		"%s: interrupted: aborting the moves in flight and starting no new one; their guests stay where they are\n",
		fl->call->st->tool->name);
}

static void on_progress(struct fleet *fl, struct fleet_move *m,
			const struct kvmops_place_event *ev)
{
	uint64_t every = fl->call->json ? JSON_EVERY_MS : PLAIN_EVERY_MS;
	bool due = !m->have_job || ev->job->elapsed_ms - m->last_ms >= every;

	m->job = *ev->job;
	m->have_job = true;
	if (fl->call->json) {
		if (due)
			json_event(ev, "progress");
	} else if (fl->call->quiet) {
		return;
	} else if (fl->tty) {
		job_line(ev->job, m->line, sizeof(m->line));
		if (kvs_now_s() - fl->board_drawn_s >= BOARD_EVERY_S)
			board_draw(fl, ev);
		return;
	} else if (due) {
		job_line(ev->job, m->line, sizeof(m->line));
		fprintf(stderr, "%s -> %s: %s\n", ev->guest,
			label_of(fl, ev->to), m->line);
		fflush(stderr);
	}
	if (due)
		m->last_ms = ev->job->elapsed_ms;
}

static void on_done(struct fleet *fl, struct fleet_move *m,
		    const struct kvmops_place_event *ev)
{
	char down[40] = "";

	m->ended_s = kvs_now_s();
	m->job = *ev->job;
	m->have_job = true;
	if (fl->call->json) {
		json_event(ev, "completed");
		return;
	}
	if (ev->job->have_downtime)
		snprintf(down, sizeof(down), ", downtime %" PRIu64 " ms",
			 ev->job->downtime_ms);
	say_line(fl, ev, "done    %s -> %s in %.1f s%s", ev->guest,
		 label_of(fl, ev->to), m->ended_s - m->started_s, down);
}

static void on_failed(struct fleet *fl, struct fleet_move *m,
		      const struct kvmops_place_event *ev)
{
	m->ended_s = kvs_now_s();
	m->aborted = kvs_interrupted != 0;
	snprintf(m->error, sizeof(m->error), "%s", ev->error);
	if (fl->call->json)
		json_event(ev, "failed");
	else
		say_line(fl, ev, "failed  %s -> %s: %s", ev->guest,
			 label_of(fl, ev->to), ev->error);
}

/* The convergence policy acted on a move: a policy event, or a line. */
static void on_policy(struct fleet *fl, const struct kvmops_place_event *ev)
{
	json_object *o;

	if (!fl->call->json) {
		if (!fl->call->quiet)
			say_line(fl, ev, "policy  %s -> %s: %s", ev->guest,
				 label_of(fl, ev->to), ev->decision->reason);
		return;
	}
	o = policy_json(ev->decision);
	json_object_object_add(o, "domain", json_object_new_string(ev->guest));
	json_object_object_add(o, "from", json_object_new_string(ev->from));
	json_object_object_add(o, "to", json_object_new_string(ev->to));
	add_counts(o, ev);
	kvs_print_event(o);
}

void fleet_on_event(const struct kvmops_place_event *ev, void *data)
{
	struct fleet *fl = data;
	struct fleet_move *m = slot(fl, ev->move);

	note_interrupt(fl);
	if (!m)
		return;
	switch (ev->kind) {
	case KVMOPS_PLACE_EVENT_START:
		m->started_s = kvs_now_s();
		if (fl->call->json)
			json_event(ev, "start");
		else
			say_line(fl, ev, "start   %s -> %s (%s)", ev->guest,
				 label_of(fl, ev->to),
				 kvmops_place_mode_name(ev->mode));
		break;
	case KVMOPS_PLACE_EVENT_PROGRESS:
		on_progress(fl, m, ev);
		break;
	case KVMOPS_PLACE_EVENT_DONE:
		on_done(fl, m, ev);
		break;
	case KVMOPS_PLACE_EVENT_FAILED:
		on_failed(fl, m, ev);
		break;
	case KVMOPS_PLACE_EVENT_POLICY:
		on_policy(fl, ev);
		break;
	case KVMOPS_PLACE_EVENT_RETRY:
		if (fl->call->json)
			json_event(ev, "retry");
		else
			say_line(fl, ev, "retry   %s -> %s, the next best host",
				 ev->guest, label_of(fl, ev->to));
		break;
	}
}

void fleet_board_end(struct fleet *fl)
{
	if (fl->tty)
		board_clear(fl);
	note_interrupt(fl);
	fflush(stderr);
}
