/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kvm-migrate evacuate and balance: many guests over several hosts.
 * fleet.c reads the options, connects, plans and runs; it uses
 * fleet-report.c, which shows the plan and the outcome, and board.c,
 * which shows the moves while they run; those two use neither fleet.c
 * nor each other.
 */
#ifndef KVMOPS_CLI_MIGRATE_FLEET_H
#define KVMOPS_CLI_MIGRATE_FLEET_H

#include "shell/shell.h"

/* One move as the command saw it run (by plan move index). */
struct fleet_move {
	double started_s, ended_s; /* kvs_now_s(); 0 until then */
	uint64_t last_ms; /* the last progress line or event, job time */
	struct kvmops_job job; /* the latest figures; the summary once done */
	bool have_job;
	char error[512]; /* why it failed */
	bool aborted; /* it failed because the run was interrupted */
	char line[384]; /* on a terminal: its progress line */
};

struct fleet {
	struct kvs_call *call;
	const char *what; /* "evacuate" or "balance" */
	bool evacuate, dry_run;
	size_t nhosts;
	const char **uris; /* [0] is the source for evacuate */
	char (*labels)[64]; /* "127.0.0.2:16510": a URI's host, for people */
	virConnectPtr *conns;
	bool *sources;
	uint64_t *mem_kib; /* --host-mem, 0 where not given */
	struct kvmops_migrate_opts opts;
	struct kvmops_converge_config converge; /* opts.converge points here */
	unsigned int gather_flags;
	struct kvmops_place_config cfg;
	struct kvmops_place_run_opts run;
	struct kvmops_place_figures figures;
	struct kvmops_place_plan plan;
	bool planned;
	/* while it runs (board.c) */
	struct fleet_move *moves;
	size_t nmoves_cap;
	bool tty; /* stderr is a terminal: a board of lines, redrawn */
	unsigned int cols; /* its width: longer lines would break the board */
	unsigned int board_lines; /* lines of the board now on screen */
	double board_drawn_s;
	bool interrupt_said;
	/* after it ran */
	enum kvmops_place_state *states;
	char ***running_now; /* per host: the guests it runs now */
	size_t *nrunning_now;
	bool have_after;
};

/* fleet.c: the commands, their option tables, and their hosts' completion. */
int fleet_evacuate(struct kvs_call *call);
int fleet_balance(struct kvs_call *call);
extern const struct kvs_opt fleet_evacuate_opts[], fleet_balance_opts[];
void fleet_complete_hosts(struct kvs_state *st, const char *prefix,
			  struct kvs_list *out);

/* fleet-report.c */
void fleet_show_plan(const struct fleet *fl);
/* The outcome: a table (guest, from, to, result, time, downtime, now on). */
void fleet_show_outcome(const struct fleet *fl, int rc);
/* The host each guest of figures (index @gi) runs on now; SIZE_MAX none. */
size_t fleet_runs_on(const struct fleet *fl, size_t gi);
/* Running guests left on the source, after an evacuation. */
unsigned int fleet_left_on_source(const struct fleet *fl);

/* board.c: kvmops_place_run's event callback, and the board's end. */
void fleet_on_event(const struct kvmops_place_event *ev, void *data);
void fleet_board_end(struct fleet *fl);

#endif
