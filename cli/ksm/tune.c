// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kvm-ksm tune: gather, decide, apply, report; once, or every interval.
 * The decision is the library's (kvmops_ksm_tune_decide); this file reads
 * the settings, keeps the state, runs the loop (shell/loop.c), and says what was
 * decided: a line per change, NDJSON per cycle, a Prometheus file.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "ksm/tune.h"

/* One run of the command: its settings, state and where it reports. */
struct tuner {
	struct kvs_call *call;
	struct tune_settings set;
	struct kvmops_ksm_tune_state state;
	struct kvmops_ksm_tune_figures fig;
	struct kvmops_ksm_tune_decision dec;
	bool once, dry_run;
	struct kvs_voice voice; /* where it says things */
	struct kvmops_ksm_knobs knobs; /* as they were, for --restore-on-exit */
	unsigned long cycles;
	struct kvmops_ksm_tune_state saved; /* as last written */
	unsigned int unsaved; /* cycles since */
};

/* ---- saying things ------------------------------------------------------- */

static json_object *u64(uint64_t v)
{
	return json_object_new_uint64(v);
}

static json_object *figures_json(const struct kvmops_ksm_tune_figures *f,
				 const struct kvmops_ksm_tune_decision *d)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "mem_total_bytes",
			       u64(f->mem_total_kib * 1024));
	json_object_object_add(o, "mem_available_bytes",
			       u64(f->mem_available_kib * 1024));
	json_object_object_add(o, "threshold_bytes",
			       u64(d->threshold_kib * 1024));
	json_object_object_add(o, "guests", u64(f->guests));
	json_object_object_add(o, "guest_memory_bytes",
			       u64(f->guest_kib * 1024));
	json_object_object_add(o, "guest_memory_from",
			       json_object_new_string(f->guests_from_libvirt ?
							      "libvirt" :
							      "qemu-rss"));
	json_object_object_add(o, "qemu_processes", u64(f->qemu_processes));
	json_object_object_add(o, "run", u64(f->ksm.run));
	json_object_object_add(o, "pages_shared", u64(f->ksm.pages_shared));
	json_object_object_add(o, "pages_sharing", u64(f->ksm.pages_sharing));
	json_object_object_add(o, "saved_bytes", u64(f->ksm.saved_bytes));
	json_object_object_add(o, "profit_bytes",
			       json_object_new_int64(f->ksm.profit_bytes));
	json_object_object_add(o, "full_scans", u64(f->ksm.full_scans));
	json_object_object_add(o, "pages_to_scan", u64(f->pages_to_scan));
	json_object_object_add(o, "sleep_millisecs", u64(f->sleep_ms));
	json_object_object_add(o, "advisor",
			       f->have_advisor ?
				       json_object_new_boolean(f->advisor_on) :
				       NULL);
	json_object_object_add(
		o, "ksmd_cpu_percent",
		d->ksmd_cpu_percent < 0 ?
			NULL :
			json_object_new_double(d->ksmd_cpu_percent));
	return o;
}

/* What the decision writes (or, in a dry run, would write). */
static json_object *writes_json(const struct kvmops_ksm_tune_decision *d)
{
	json_object *o = json_object_new_object();

	if (d->advisor_max_cpu)
		json_object_object_add(o, "advisor_max_cpu",
				       u64(d->advisor_max_cpu));
	if (d->advisor_target_s)
		json_object_object_add(o, "advisor_target_scan_time",
				       u64(d->advisor_target_s));
	if (d->advisor_max_pages)
		json_object_object_add(o, "advisor_max_pages_to_scan",
				       u64(d->advisor_max_pages));
	if (d->set_advisor_mode || d->rearm_advisor)
		json_object_object_add(
			o, "advisor_mode",
			json_object_new_string(d->advisor ? "scan-time" :
							    "none"));
	if (d->pages_to_scan)
		json_object_object_add(o, "pages_to_scan",
				       u64(d->pages_to_scan));
	if (d->sleep_ms)
		json_object_object_add(o, "sleep_millisecs", u64(d->sleep_ms));
	if (d->action == KVMOPS_KSM_TUNE_START ||
	    d->action == KVMOPS_KSM_TUNE_STOP ||
	    d->action == KVMOPS_KSM_TUNE_BACKOFF)
		json_object_object_add(o, "run", u64(d->run));
	return o;
}

static void print_cycle_json(const struct tuner *t)
{
	json_object *o = json_object_new_object();
	char stamp[40];
	time_t now = time(NULL);

	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S%z", localtime(&now));
	json_object_object_add(o, "time", json_object_new_string(stamp));
	json_object_object_add(o, "cycle", u64(t->state.cycles));
	json_object_object_add(o, "dry_run",
			       json_object_new_boolean(t->dry_run));
	json_object_object_add(
		o, "action",
		json_object_new_string(
			kvmops_ksm_tune_action_name(t->dec.action)));
	json_object_object_add(o, "needed",
			       json_object_new_boolean(t->dec.needed));
	json_object_object_add(o, "reason",
			       json_object_new_string(t->dec.reason));
	json_object_object_add(o, "rearm_advisor",
			       json_object_new_boolean(t->dec.rearm_advisor));
	json_object_object_add(o, "figures", figures_json(&t->fig, &t->dec));
	json_object_object_add(o, "writes", writes_json(&t->dec));
	kvs_print_event(o);
}

static bool is_change(enum kvmops_ksm_tune_action action)
{
	return action != KVMOPS_KSM_TUNE_KEEP && action != KVMOPS_KSM_TUNE_IDLE;
}

static void report(const struct tuner *t)
{
	if (t->call->json)
		print_cycle_json(t);
	else if (t->dry_run || is_change(t->dec.action))
		kvs_say(&t->voice, LOG_INFO, "%s", t->dec.reason);
}

/* ---- the Prometheus file ------------------------------------------------- */

static void prom(FILE *f, const char *name, const char *type, const char *help,
		 double value)
{
	fprintf(f,
		"# HELP kvmops_ksm_tune_%s %s\n# TYPE kvmops_ksm_tune_%s %s\n",
		name, help, name, type);
	fprintf(f, "kvmops_ksm_tune_%s %.17g\n", name, value);
}

static void prom_figures(FILE *f, const struct tuner *t)
{
	const struct kvmops_ksm_tune_figures *g = &t->fig;

	prom(f, "pages_shared", "gauge", "KSM pages in use",
	     (double)g->ksm.pages_shared);
	prom(f, "pages_sharing", "gauge", "Page mappings sharing a KSM page",
	     (double)g->ksm.pages_sharing);
	prom(f, "saved_bytes", "gauge", "pages_sharing x page size",
	     (double)g->ksm.saved_bytes);
	prom(f, "profit_bytes", "gauge",
	     "general_profit, or the kernel's formula",
	     (double)g->ksm.profit_bytes);
	prom(f, "full_scans_total", "counter", "Full scans ksmd has made",
	     (double)g->ksm.full_scans);
	prom(f, "running", "gauge", "1 while ksmd runs (run=1)",
	     g->ksm.run == KVMOPS_KSM_START);
	prom(f, "pages_to_scan", "gauge", "Pages ksmd scans per wake-up",
	     (double)g->pages_to_scan);
	prom(f, "mem_available_bytes", "gauge", "MemAvailable",
	     (double)g->mem_available_kib * 1024);
	prom(f, "guest_memory_bytes", "gauge",
	     "Memory the running guests may use", (double)g->guest_kib * 1024);
	prom(f, "guests", "gauge", "Running guests", g->guests);
}

static void prom_decision(FILE *f, const struct tuner *t)
{
	static const enum kvmops_ksm_tune_action all[] = {
		KVMOPS_KSM_TUNE_IDLE, KVMOPS_KSM_TUNE_START,
		KVMOPS_KSM_TUNE_KEEP, KVMOPS_KSM_TUNE_ADJUST,
		KVMOPS_KSM_TUNE_STOP, KVMOPS_KSM_TUNE_BACKOFF,
	};
	size_t i;

	fprintf(f, "# HELP kvmops_ksm_tune_decision The last cycle's decision\n"
		   "# TYPE kvmops_ksm_tune_decision gauge\n");
	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		fprintf(f, "kvmops_ksm_tune_decision{action=\"%s\"} %d\n",
			kvmops_ksm_tune_action_name(all[i]),
			t->dec.action == all[i]);
	prom(f, "needed", "gauge", "1 when KSM is needed", t->dec.needed);
	prom(f, "threshold_bytes", "gauge",
	     "MemAvailable below which KSM is needed",
	     (double)t->dec.threshold_kib * 1024);
	if (t->dec.ksmd_cpu_percent >= 0)
		prom(f, "ksmd_cpu_ratio", "gauge",
		     "ksmd's share of one CPU since the last cycle",
		     t->dec.ksmd_cpu_percent / 100);
	prom(f, "cycles_total", "counter", "Cycles run",
	     (double)t->state.cycles);
	prom(f, "last_cycle_timestamp_seconds", "gauge",
	     "When the last cycle ran", (double)time(NULL));
}

/* Written beside, then renamed: the collector never reads half a file. */
static void write_prometheus(const struct tuner *t)
{
	char tmp[PATH_MAX + 32];
	FILE *f;

	if (!t->set.prom_path[0])
		return;
	snprintf(tmp, sizeof(tmp), "%s.%d.tmp", t->set.prom_path,
		 (int)getpid());
	f = fopen(tmp, "we");
	if (f) {
		prom_figures(f, t);
		prom_decision(f, t);
	}
	if (!f || fclose(f) || rename(tmp, t->set.prom_path)) {
		kvs_say(&t->voice, LOG_ERR, "cannot write %s: %s",
			t->set.prom_path, strerror(errno));
		unlink(tmp);
	}
}

/* ---- one cycle ----------------------------------------------------------- */

static virConnectPtr connection(struct tuner *t)
{
	struct kvs_call *call = t->call;

	if (!kvs_have_uri(call))
		return NULL;
	/*
	 * Stats only; and no event loop: it would wake a thread for every
	 * call, and a dead connection is opened afresh the next cycle.
	 */
	call->conn_flags = KVMOPS_CONNECT_READONLY |
			   KVMOPS_CONNECT_NO_EVENT_LOOP;
	return kvs_conn(call);
}

/* A connection that failed this cycle is opened afresh the next. */
static void drop_dead_connection(struct tuner *t, virConnectPtr conn)
{
	struct kvs_state *st = t->call->st;

	if (conn && !t->fig.guests_from_libvirt && st->conn == conn) {
		kvmops_disconnect(st->conn);
		st->conn = NULL;
	}
}

/*
 * What a restart must not lose, against what each cycle measures anew.
 * Counts that move every cycle (ksmtuned's npages, the back-off's cycles
 * left) wait for the tenth: a restart loses at most nine of their steps.
 */
static bool state_moved(const struct kvmops_ksm_tune_state *a,
			const struct kvmops_ksm_tune_state *b)
{
	return a->valid != b->valid || strcmp(a->boot_id, b->boot_id) ||
	       a->ksmd_pid != b->ksmd_pid || a->guest_set != b->guest_set ||
	       a->window_open != b->window_open ||
	       a->window_scans != b->window_scans ||
	       a->window_sharing != b->window_sharing ||
	       a->backed_off != b->backed_off ||
	       a->advisor_cap != b->advisor_cap ||
	       a->advisor_cap_from != b->advisor_cap_from ||
	       a->advisor_armed != b->advisor_armed || a->last != b->last;
}

/*
 * Every cycle of --once; in a loop, when a decision's state moved, every
 * tenth cycle for the figures, and at the end: a rename a minute adds up.
 */
static void save_state(struct tuner *t, bool always)
{
	struct kvmops_ctx *ctx = t->call->st->ctx;

	if (t->dry_run)
		return;
	if (!always && ++t->unsaved < 10 && !state_moved(&t->saved, &t->state))
		return;
	if (kvmops_ksm_tune_state_save(ctx, t->set.state_path, &t->state)) {
		kvs_say(&t->voice, LOG_WARNING, "%s", kvmops_last_error(ctx));
		return;
	}
	t->saved = t->state;
	t->unsaved = 0;
}

/* 0, or the library's error code (already said). */
static int run_cycle(struct tuner *t)
{
	struct kvmops_ctx *ctx = t->call->st->ctx;
	virConnectPtr conn = connection(t);
	int rc = kvmops_ksm_tune_gather(ctx, conn, &t->state, &t->fig);

	drop_dead_connection(t, conn);
	if (rc) {
		kvs_say(&t->voice, LOG_ERR, "%s", kvmops_last_error(ctx));
		return rc;
	}
	kvmops_ksm_tune_decide(&t->set.cfg, &t->fig, &t->state, &t->dec);
	t->cycles++;
	if (!t->dry_run) {
		rc = kvmops_ksm_tune_apply(ctx, &t->dec);
		if (rc)
			kvs_say(&t->voice, LOG_ERR, "%s",
				kvmops_last_error(ctx));
		else
			save_state(t, t->once);
	}
	report(t);
	write_prometheus(t);
	return rc;
}

/* ---- the loop ------------------------------------------------------------ */

/* SIGHUP: the config file again; a bad one keeps the settings in force. */
static void reload(void *data)
{
	struct tuner *t = data;
	struct tune_settings fresh;

	if (tune_settings_load(t->call, &fresh)) {
		kvs_say(&t->voice, LOG_WARNING,
			"the configuration was not reloaded: the settings in force stay");
		return;
	}
	snprintf(fresh.state_path, sizeof(fresh.state_path), "%s",
		 t->set.state_path);
	t->set = fresh;
	kvs_say(&t->voice, LOG_NOTICE, "configuration reloaded from %s",
		t->set.config_path[0] ? t->set.config_path : "the defaults");
}

static void announce(const struct tuner *t)
{
	const struct kvmops_ksm_tune_config *c = &t->set.cfg;

	kvs_say(&t->voice, LOG_NOTICE,
		"every %u s; threshold %u%% (at least %" PRIu64
		" KiB); max cpu %u%%; scan time %u s; min gain %s; back-off %u cycles; state %s%s",
		t->set.interval_s, c->threshold_percent, c->threshold_min_kib,
		c->max_cpu_percent, c->scan_time_s,
		c->min_gain_kib ? "a size" : "a share of guest memory",
		c->backoff_cycles, t->set.state_path,
		t->set.restore_on_exit ? "; knobs restored on exit" : "");
}

static int cycle(void *data)
{
	return run_cycle(data);
}

/* While ksmd's gain is judged, judged when the window's last scan ends. */
static bool watching(void *data)
{
	const struct tuner *t = data;

	return !t->dry_run && t->state.window_open;
}

static bool window_due(void *data)
{
	const struct tuner *t = data;

	return kvmops_ksm_tune_window_due(t->call->st->ctx, &t->state) > 0;
}

/* The first cycle's failure ends it; later ones are said and outlived. */
static int loop(struct tuner *t)
{
	const struct kvs_loop loop = {
		.interval_s = &t->set.interval_s,
		.cycle = cycle,
		.reload = reload,
		.watch = watching,
		.due = window_due,
		.data = t,
	};
	int rc;

	announce(t);
	rc = kvs_loop_run(&loop);
	if (!rc)
		save_state(t, true);
	return rc;
}

/* ---- the command --------------------------------------------------------- */

static int prepare_state(struct tuner *t)
{
	struct kvmops_ctx *ctx = t->call->st->ctx;
	char dir[PATH_MAX], *slash;

	if (!t->set.state_path[0] &&
	    tune_default_state_path(t->set.state_path,
				    sizeof(t->set.state_path)))
		return kvs_error(
			t->call, KVS_USAGE,
			"no place for the state: set XDG_STATE_HOME or HOME, or name one (see --state FILE)");
	snprintf(dir, sizeof(dir), "%s", t->set.state_path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir && !t->dry_run) {
		*slash = '\0';
		mkdir(dir, 0755); /* /var/lib/kvmops; an error shows at save */
	}
	if (kvmops_ksm_tune_state_load(ctx, t->set.state_path, &t->state))
		return kvs_lib_error(t->call, -EINVAL);
	t->saved = t->state;
	return KVS_OK;
}

static void restore_knobs(const struct tuner *t)
{
	struct kvmops_ctx *ctx = t->call->st->ctx;

	if (!t->set.restore_on_exit || t->dry_run)
		return;
	if (kvmops_ksm_knobs_restore(ctx, &t->knobs))
		kvs_say(&t->voice, LOG_ERR, "%s", kvmops_last_error(ctx));
	else
		kvs_say(&t->voice, LOG_NOTICE,
			"KSM's knobs are back as they were");
}

int ksm_cmd_tune(struct kvs_call *call)
{
	struct tuner t = { .call = call };
	struct kvs_state *st = call->st;
	int rc;

	t.once = kvs_flag(call, "once");
	t.dry_run = kvs_flag(call, "dry-run");
	rc = tune_settings_load(call, &t.set);
	if (!rc)
		rc = prepare_state(&t);
	if (!rc && t.set.restore_on_exit && !t.dry_run)
		rc = kvs_result(call, kvmops_ksm_knobs_read(st->ctx, &t.knobs));
	if (rc)
		return rc;
	kvs_voice_open(&t.voice, call, t.set.syslog, t.dry_run);
	rc = t.once ? run_cycle(&t) : loop(&t);
	restore_knobs(&t);
	kvs_voice_close(&t.voice);
	/* The settings were checked: what fails now is the operation. */
	return rc ? KVS_FAIL : KVS_OK;
}
