// SPDX-License-Identifier: GPL-2.0-or-later
/* kvm-migrate: move guests between hosts, checked first, watched, safe. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "migrate/backup.h"
#include "migrate/dests.h"
#include "migrate/fleet.h"
#include "migrate/progress.h"
#include "migrate/transfer.h"
#include "shell/shell.h"

#define PLAIN_EVERY_MS 5000 /* without a terminal: a line this often */
#define JSON_EVERY_MS 1000

/* ---- options ------------------------------------------------------------- */

static const char *const copy_choices[] = { "none", "all", "inc", NULL };
static const char *const mode_choices[] = { "live", "copy-storage", "offline",
					    NULL };

static int live_opts(struct kvs_call *call, struct kvmops_migrate_opts *o,
		     struct kvmops_converge_config *converge)
{
	int copy, rc;

	rc = kvs_opt_choice(call, "copy-storage", copy_choices, 0, &copy);
	if (!rc)
		rc = transfer_opts(call, o, converge);
	if (rc)
		return rc;
	o->copy_storage = (enum kvmops_copy_storage)copy;
	o->kind = copy ? KVMOPS_MIGRATE_COPY_STORAGE : KVMOPS_MIGRATE_LIVE;
	o->dname = kvs_opt(call, "dname");
	o->keep_source = kvs_flag(call, "keep-source");
	o->migrate_uri = kvs_opt(call, "migrateuri");
	o->listen_address = kvs_opt(call, "listen-address");
	o->unsafe = kvs_flag(call, "unsafe");
	return KVS_OK;
}

static int offline_opts(struct kvs_call *call, struct kvmops_migrate_opts *o)
{
	uint64_t v;
	int rc = kvs_opt_u64(call, "timeout", 1, 86400, 0, &v);

	if (rc)
		return rc;
	o->size = sizeof(*o);
	o->kind = KVMOPS_MIGRATE_OFFLINE;
	o->dname = kvs_opt(call, "dname");
	o->keep_source = kvs_flag(call, "keep-source");
	o->shutdown_timeout_s = (unsigned int)v;
	o->keep_state = kvs_flag(call, "keep-state");
	o->state_file = kvs_opt(call, "state-file");
	o->shutdown = kvs_flag(call, "shutdown");
	o->force = kvs_flag(call, "force");
	o->start = kvs_flag(call, "start");
	o->delete_source_disks = kvs_flag(call, "delete-source-disks");
	o->pool = kvs_opt(call, "pool");
	return KVS_OK;
}

static int check_opts(struct kvs_call *call, struct kvmops_migrate_opts *o)
{
	int mode, copy, rc;

	rc = kvs_opt_choice(call, "mode", mode_choices, 0, &mode);
	if (!rc)
		rc = kvs_opt_choice(call, "copy-storage", copy_choices, 0,
				    &copy);
	if (rc)
		return rc;
	if (copy && kvs_opt(call, "mode") &&
	    mode != KVMOPS_MIGRATE_COPY_STORAGE)
		return kvs_error(
			call, KVS_USAGE,
			"--copy-storage goes with --mode copy-storage");
	if (mode == KVMOPS_MIGRATE_COPY_STORAGE && !copy)
		copy = KVMOPS_COPY_ALL;
	if (copy)
		mode = KVMOPS_MIGRATE_COPY_STORAGE;
	if (mode != KVMOPS_MIGRATE_OFFLINE &&
	    (kvs_opt(call, "pool") || kvs_flag(call, "keep-state") ||
	     kvs_flag(call, "shutdown")))
		return kvs_error(
			call, KVS_USAGE,
			"--pool, --keep-state and --shutdown go with --mode offline");
	o->size = sizeof(*o);
	o->kind = (enum kvmops_migrate_kind)mode;
	o->copy_storage = (enum kvmops_copy_storage)copy;
	o->dname = kvs_opt(call, "dname");
	o->pool = kvs_opt(call, "pool");
	o->keep_state = kvs_flag(call, "keep-state");
	o->shutdown = kvs_flag(call, "shutdown");
	o->unsafe = kvs_flag(call, "unsafe");
	return KVS_OK;
}

/* The options alone, before any connection: bad ones exit 2 at once. */
static int validate(struct kvs_call *call, const struct kvmops_migrate_opts *o)
{
	const char *dest = call->argv[1];

	if (!strstr(dest, ":/"))
		return kvs_error(
			call, KVS_USAGE,
			"DEST '%s' is not a libvirt URI such as qemu+ssh://HOST/system",
			dest);
	if (kvs_have_uri(call) && !strcmp(dest, kvmops_pick_uri(call->st->uri)))
		return kvs_error(call, KVS_USAGE, "DEST is the source (%s)",
				 dest);
	return kvs_result(call, kvmops_migrate_opts_check(call->st->ctx, o));
}

/* ---- connections --------------------------------------------------------- */

struct endpoints {
	virConnectPtr src, dst;
	const char *name, *dest;
};

static int connect_both(struct kvs_call *call, struct endpoints *e)
{
	int rc;

	e->name = call->argv[0];
	e->dest = call->argv[1];
	e->src = kvs_conn(call);
	if (!e->src)
		return KVS_FAIL;
	rc = kvmops_connect(call->st->ctx, e->dest, 0, &e->dst);
	/* -c does not choose DEST: the library's remedy is not for it. */
	return rc ? kvs_error(call, kvs_status_of(rc), "%s",
			      kvmops_last_error(call->st->ctx)) :
		    KVS_OK;
}

/* ---- check --------------------------------------------------------------- */

/* With --json, the last event of a run that did not complete. */
static void failed_event(struct kvs_call *call, const char *event,
			 const char *error)
{
	json_object *o;

	if (!call->json)
		return;
	o = json_object_new_object();
	json_object_object_add(o, "event", json_object_new_string(event));
	json_object_object_add(o, "error", json_object_new_string(error));
	kvs_print_event(o);
}

/* The fix in the library's words, then the options that do it. */
static void fix_text(const struct kvs_call *call,
		     const struct kvmops_check_item *it, char *buf, size_t len)
{
	char hint[256];

	kvs_remedy_hint(call, it->remedy, hint, sizeof(hint));
	snprintf(buf, len, "%s%s", it->fix, hint);
}

static json_object *item_json(const struct kvs_call *call,
			      const struct kvmops_check_item *it)
{
	json_object *o = json_object_new_object();
	char fix[700];

	fix_text(call, it, fix, sizeof(fix));
	json_object_object_add(o, "id", json_object_new_string(it->id));
	json_object_object_add(
		o, "verdict",
		json_object_new_string(kvmops_verdict_name(it->verdict)));
	json_object_object_add(o, "text", json_object_new_string(it->text));
	json_object_object_add(o, "fix",
			       *it->fix ? json_object_new_string(fix) : NULL);
	return o;
}

static json_object *check_json(const struct kvs_call *call,
			       const struct endpoints *e,
			       const struct kvmops_migrate_opts *o,
			       const struct kvmops_check_item *items, size_t n)
{
	json_object *obj = json_object_new_object(),
		    *arr = json_object_new_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_object_array_add(arr, item_json(call, &items[i]));
	json_object_object_add(obj, "domain", json_object_new_string(e->name));
	json_object_object_add(obj, "destination",
			       json_object_new_string(e->dest));
	json_object_object_add(obj, "mode",
			       json_object_new_string(mode_choices[o->kind]));
	json_object_object_add(obj, "verdict",
			       json_object_new_string(kvmops_verdict_name(
				       kvmops_check_worst(items, n))));
	json_object_object_add(obj, "items", arr);
	return obj;
}

/* With @all false, only what is not a PASS (before a migration). */
static void print_items(const struct kvs_call *call,
			const struct kvmops_check_item *items, size_t n,
			bool all)
{
	char fix[700];
	size_t i;

	for (i = 0; i < n; i++) {
		if (!all && items[i].verdict == KVMOPS_VERDICT_PASS)
			continue;
		printf("%-4s  %-16s %s\n",
		       kvmops_verdict_name(items[i].verdict), items[i].id,
		       items[i].text);
		if (!*items[i].fix || items[i].verdict == KVMOPS_VERDICT_PASS)
			continue;
		fix_text(call, &items[i], fix, sizeof(fix));
		printf("      %-16s fix: %s\n", "", fix);
	}
}

static void print_verdict(const struct kvmops_check_item *items, size_t n)
{
	size_t i, warn = 0, fail = 0;

	for (i = 0; i < n; i++) {
		warn += items[i].verdict == KVMOPS_VERDICT_WARN;
		fail += items[i].verdict == KVMOPS_VERDICT_FAIL;
	}
	printf("check: %s (%zu items, %zu warning%s, %zu failure%s)\n",
	       kvmops_verdict_name(kvmops_check_worst(items, n)), n, warn,
	       warn == 1 ? "" : "s", fail, fail == 1 ? "" : "s");
}

static void report_check(struct kvs_call *call, const struct endpoints *e,
			 const struct kvmops_migrate_opts *o,
			 const struct kvmops_check_item *items, size_t n,
			 bool standalone)
{
	json_object *obj;

	if (call->json) {
		obj = check_json(call, e, o, items, n);
		if (standalone) {
			kvs_print_json(obj);
			return;
		}
		json_object_object_add(obj, "event",
				       json_object_new_string("check"));
		kvs_print_event(obj);
		return;
	}
	if (!standalone && call->quiet)
		return;
	if (standalone)
		printf("Checking %s -> %s (%s)\n", e->name, e->dest,
		       mode_choices[o->kind]);
	print_items(call, items, n, standalone);
	if (standalone || kvmops_check_worst(items, n) != KVMOPS_VERDICT_PASS)
		print_verdict(items, n);
	fflush(stdout);
}

/*
 * Runs the check; KVS_OK to go on. Before a migration (@standalone false)
 * it prints only what is not a PASS, or an NDJSON "check" event.
 */
static int run_check(struct kvs_call *call, const struct endpoints *e,
		     const struct kvmops_migrate_opts *o, bool standalone)
{
	struct kvmops_check_item *items = NULL;
	enum kvmops_verdict worst;
	size_t n = 0;
	int rc;

	rc = kvmops_migrate_check(call->st->ctx, e->src, e->dst, e->name, o,
				  &items, &n);
	if (rc)
		return kvs_lib_error(call, rc);
	worst = kvmops_check_worst(items, n);
	report_check(call, e, o, items, n, standalone);
	free(items);
	if (worst == KVMOPS_VERDICT_FAIL && !standalone) {
		failed_event(call, "failed",
			     "the check failed, so nothing was started");
		return kvs_error(
			call, KVS_FAIL,
			"the check failed, so nothing was started; fix the above, or pass --no-check to try anyway");
	}
	return worst == KVMOPS_VERDICT_FAIL ? KVS_FAIL : KVS_OK;
}

static int cmd_check(struct kvs_call *call)
{
	struct kvmops_migrate_opts o = { 0 };
	struct endpoints e = { 0 };
	int rc;

	rc = check_opts(call, &o);
	if (!rc)
		rc = validate(call, &o);
	if (!rc)
		rc = connect_both(call, &e);
	if (!rc) {
		rc = run_check(call, &e, &o, true);
		if (rc != KVS_USAGE)
			dests_remember(e.dest);
	}
	if (e.dst)
		kvmops_disconnect(e.dst);
	return rc;
}

/* ---- watching ------------------------------------------------------------ */

struct watcher {
	struct kvs_call *call;
	bool tty;
	bool line_shown; /* a progress line waits to be ended */
	uint64_t last_ms; /* when the last line or event went out */
	enum kvmops_migrate_phase last_phase;
	int interrupts_seen;
	/* the convergence policy's actions, for the summary */
	unsigned int actions[KVMOPS_CONVERGE_ABORT + 1];
	uint64_t throttle_top;
};

static void end_line(struct watcher *w)
{
	if (w->line_shown)
		fputs("\r\033[K", stderr);
	w->line_shown = false;
}

/* Says once that an abort is under way, and again at a second Ctrl-C. */
static void note_interrupt(struct watcher *w)
{
	int seen = (int)kvs_interrupted;

	if (!seen || seen == w->interrupts_seen || w->call->json)
		return;
	end_line(w);
	fprintf(stderr, "%s: %s\n", w->call->st->tool->name,
		w->interrupts_seen ?
			"still aborting: waiting for libvirt to put everything back" :
			"interrupted: aborting; the guest stays on the source");
	w->interrupts_seen = seen;
}

static void print_verified(struct watcher *w, const struct kvmops_job *j)
{
	char size[24];

	end_line(w);
	printf("%s: %s copied to %s, SHA-256 %s matches\n", j->disk,
	       kvs_bytes(j->disk_total, size, sizeof(size)), j->dest_path,
	       j->sha256);
	fflush(stdout);
}

static void show_line(struct watcher *w, const struct kvmops_job *j)
{
	char line[512];

	job_line(j, line, sizeof(line));
	if (w->tty) {
		fprintf(stderr, "\r\033[K%s", line);
		w->line_shown = true;
	} else {
		fprintf(stderr, "%s\n", line);
	}
	fflush(stderr);
}

static void on_progress(struct kvmops_ctx *ctx, const struct kvmops_job *j,
			void *data)
{
	struct watcher *w = data;
	bool verified = j->phase == KVMOPS_PHASE_VERIFY && *j->sha256;
	uint64_t every = w->call->json ? JSON_EVERY_MS :
			 w->tty	       ? 0 :
					 PLAIN_EVERY_MS;

	note_interrupt(w);
	if (j->throttle_percent > w->throttle_top)
		w->throttle_top = j->throttle_percent;
	if (j->phase == KVMOPS_PHASE_DONE)
		return; /* the summary says it */
	if (verified && !w->call->json && !w->call->quiet)
		print_verified(w, j);
	if (j->phase == w->last_phase && j->elapsed_ms - w->last_ms < every &&
	    !verified)
		return;
	w->last_phase = j->phase;
	w->last_ms = j->elapsed_ms;
	if (w->call->json)
		kvs_print_event(job_json(j, "progress"));
	else if (!w->call->quiet && !verified)
		show_line(w, j);
}

/* Each decision of the convergence policy: an event, or a line. */
static void on_converge(struct kvmops_ctx *ctx,
			const struct kvmops_converge_decision *d, void *data)
{
	struct watcher *w = data;

	if ((size_t)d->action < sizeof(w->actions) / sizeof(w->actions[0]))
		w->actions[d->action]++;
	if (!w->call->json) {
		if (w->call->quiet)
			return;
		end_line(w);
		fprintf(stderr, "policy: %s\n", d->reason);
		fflush(stderr);
		return;
	}
	kvs_print_event(policy_json(d));
}

/* "wait 3, raise-limit 1", or "none" */
static const char *actions_text(const struct watcher *w, char *buf, size_t len)
{
	size_t a, n = 0;

	snprintf(buf, len, "none");
	for (a = KVMOPS_CONVERGE_RAISE_LIMIT;
	     a < sizeof(w->actions) / sizeof(w->actions[0]); a++)
		if (w->actions[a] && n < len)
			n += (size_t)snprintf(
				buf + n, len - n, "%s%s %u", n ? ", " : "",
				kvmops_converge_action_name(
					(enum kvmops_converge_action)a),
				w->actions[a]);
	return buf;
}

/* What the policy did, and what the guest saw of it. */
static void policy_summary(const struct watcher *w,
			   const struct kvmops_migrate_opts *o,
			   json_object *event)
{
	char text[160];

	if (!o->converge)
		return;
	actions_text(w, text, sizeof(text));
	if (event) {
		json_object_object_add(event, "policy_actions",
				       json_object_new_string(text));
		json_object_object_add(event, "throttle_top_percent",
				       json_object_new_uint64(w->throttle_top));
		return;
	}
	printf("  policy         %s\n", text);
	if (w->throttle_top)
		printf("  throttle       up to %" PRIu64 "%%\n",
		       w->throttle_top);
}

static void report_done(struct kvs_call *call, const struct endpoints *e,
			const struct kvmops_job *summary, const char *how,
			const struct watcher *w,
			const struct kvmops_migrate_opts *opts)
{
	if (call->json) {
		json_object *o = job_json(summary, "completed");

		json_object_object_add(o, "domain",
				       json_object_new_string(e->name));
		json_object_object_add(o, "destination",
				       json_object_new_string(e->dest));
		policy_summary(w, opts, o);
		kvs_print_event(o);
	} else if (!call->quiet) {
		printf("Migrated %s to %s (%s)\n", e->name, e->dest, how);
		job_summary(stdout, summary);
		policy_summary(w, opts, NULL);
	}
}

static int report_failure(struct kvs_call *call, int rc)
{
	failed_event(call, rc == -ECANCELED ? "aborted" : "failed",
		     kvmops_last_error(call->st->ctx));
	return kvs_lib_error(call, rc);
}

/* ---- live and offline ---------------------------------------------------- */

typedef int (*migrate_fn)(struct kvmops_ctx *ctx, virConnectPtr src,
			  virConnectPtr dst, const char *name,
			  const struct kvmops_migrate_opts *opts,
			  kvmops_progress_fn progress, void *userdata,
			  const volatile int *cancel,
			  struct kvmops_job *summary);

/*
 * --keep-state without --state-file: beside the guest's disks on shared
 * storage. Where there is none, that is bad input: exit 2, naming
 * --state-file, before anything is checked or changed.
 */
static int default_state_file(struct kvs_call *call, const struct endpoints *e,
			      struct kvmops_migrate_opts *o)
{
	static char path[4096];
	int rc = kvmops_migrate_state_file(call->st->ctx, e->src, e->dst,
					   e->name, o, path, sizeof(path));

	if (rc) {
		failed_event(call, "failed", kvmops_last_error(call->st->ctx));
		return kvs_lib_error_on(call, rc, "--keep-state");
	}
	o->state_file = path;
	return KVS_OK;
}

static int migrate(struct kvs_call *call, struct kvmops_migrate_opts *o,
		   migrate_fn fn, const char *how)
{
	struct watcher w = { .call = call,
			     .tty = isatty(STDERR_FILENO),
			     .last_phase = KVMOPS_PHASE_DONE };
	struct kvmops_job summary = { 0 };
	struct endpoints e = { 0 };
	int rc;

	rc = validate(call, o);
	if (!rc && (rc = connect_both(call, &e)))
		failed_event(call, "failed", kvmops_last_error(call->st->ctx));
	if (!rc && o->keep_state && !o->state_file)
		rc = default_state_file(call, &e, o);
	if (!rc && !kvs_flag(call, "no-check"))
		rc = run_check(call, &e, o, false);
	if (!rc) {
		kvs_interrupted = 0;
		if (o->converge)
			o->on_converge = on_converge;
		rc = fn(call->st->ctx, e.src, e.dst, e.name, o, on_progress, &w,
			(const volatile int *)&kvs_interrupted, &summary);
		end_line(&w);
		dests_remember(e.dest);
		rc = rc ? report_failure(call, rc) : KVS_OK;
		if (rc == KVS_OK)
			report_done(call, &e, &summary, how, &w, o);
		kvs_interrupted = 0;
	}
	if (e.dst)
		kvmops_disconnect(e.dst);
	return rc;
}

static int cmd_live(struct kvs_call *call)
{
	struct kvmops_migrate_opts o = { 0 };
	struct kvmops_converge_config converge;
	int rc = live_opts(call, &o, &converge);

	if (rc)
		return rc;
	return migrate(
		call, &o, kvmops_migrate_live,
		o.copy_storage == KVMOPS_COPY_ALL ? "live, disks copied" :
		o.copy_storage == KVMOPS_COPY_INC ? "live, disk tops copied" :
						    "live, shared storage");
}

static int cmd_offline(struct kvs_call *call)
{
	struct kvmops_migrate_opts o = { 0 };
	int rc = offline_opts(call, &o);

	if (rc)
		return rc;
	return migrate(call, &o, kvmops_migrate_offline,
		       o.keep_state ? "offline, memory state kept" : "offline");
}

/* ---- completion ---------------------------------------------------------- */

static void complete_args(struct kvs_state *st, const char *prefix,
			  struct kvs_list *out)
{
	if (st->complete_argno == 0)
		kvs_complete_domains(st, out);
	else if (st->complete_argno == 1)
		dests_complete(out);
}

static void complete_mode(struct kvs_state *st, const char *prefix,
			  struct kvs_list *out)
{
	kvs_complete_choices(out, mode_choices);
}

static void complete_copy(struct kvs_state *st, const char *prefix,
			  struct kvs_list *out)
{
	kvs_complete_choices(out, copy_choices + 1);
}

/* ---- the tables ---------------------------------------------------------- */

#define DNAME_OPT                                                 \
	{                                                         \
		.name = "dname", .arg = "NAME", .field = "dname", \
		.help = "the guest's name on the destination"     \
	}
#define MOVE_OPTS                                                                                                      \
	DNAME_OPT,                                                                                                     \
		{ .name = "keep-source",                                                                               \
		  .field = "keep_source",                                                                              \
		  .help = "keep the source definition (default: it is removed once the destination runs the guest)" }, \
	{                                                                                                              \
		.name = "no-check", .help = "skip the pre-flight check"                                                \
	}

static const struct kvs_opt check_opts_table[] = {
	{ .name = "mode",
	  .arg = "MODE",
	  .field = "kind",
	  .complete = complete_mode,
	  .help = "live (default), copy-storage or offline" },
	{ .name = "copy-storage",
	  .arg = "all|inc",
	  .field = "copy_storage",
	  .complete = complete_copy,
	  .help = "check a block migration: whole disks or only their tops" },
	{ .name = "unsafe",
	  .field = "unsafe",
	  .help = "live: storage not proven shared is taken on trust (a WARN)" },
	DNAME_OPT,
	{ .name = "pool",
	  .arg = "POOL",
	  .field = "pool",
	  .help = "offline: the destination pool for the disks" },
	{ .name = "keep-state",
	  .field = "keep_state",
	  .help = "offline: the guest's memory will be kept" },
	{ .name = "shutdown",
	  .field = "shutdown",
	  .help = "offline: the guest will be shut down first" },
	{ 0 },
};

static const struct kvs_opt live_opts_table[] = {
	{ .name = "copy-storage",
	  .arg = "all|inc",
	  .field = "copy_storage",
	  .complete = complete_copy,
	  .help = "copy the disks too: whole, or only the top of a backing chain" },
	TRANSFER_OPTS,
	{ .name = "migrateuri",
	  .arg = "URI",
	  .field = "migrate_uri",
	  .help = "where the data goes: tcp://HOST[:PORT] (multi-homed hosts)" },
	{ .name = "listen-address",
	  .arg = "ADDR",
	  .field = "listen_address",
	  .help = "the address the destination listens on" },
	{ .name = "unsafe",
	  .field = "unsafe",
	  .help = "migrate even if the storage cannot be proven shared (see STORAGE in kvm-migrate(1))" },
	MOVE_OPTS,
	{ 0 },
};

static const struct kvs_opt offline_opts_table[] = {
	{ .name = "shutdown",
	  .field = "shutdown",
	  .conflicts = "keep-state",
	  .help = "shut a running guest down first" },
	{ .name = "timeout",
	  .arg = "S",
	  .goes_with = "shutdown",
	  .help = "with --shutdown: wait S seconds (default 60)" },
	{ .name = "force",
	  .field = "force",
	  .goes_with = "shutdown",
	  .help = "with --shutdown: power it off after the timeout" },
	{ .name = "start",
	  .field = "start",
	  .conflicts = "keep-state",
	  .help = "start it on the destination" },
	{ .name = "keep-state",
	  .field = "keep_state",
	  .conflicts = "dname",
	  .help = "save its memory, move, and restore it: it goes on where it stopped" },
	{ .name = "state-file",
	  .arg = "PATH",
	  .field = "state_file",
	  .goes_with = "keep-state",
	  .help = "with --keep-state: where the memory goes, on storage both hosts see (default: beside its disks on shared storage)" },
	{ .name = "pool",
	  .arg = "POOL",
	  .field = "pool",
	  .help = "the destination pool for the disks (default: the one over the same directory)" },
	{ .name = "delete-source-disks",
	  .field = "delete_source_disks",
	  .conflicts = "keep-source",
	  .help = "delete the source's disks once the copy is verified" },
	MOVE_OPTS,
	{ 0 },
};

static const struct kvs_cmd migrate_cmds[] = {
	{ .name = "check",
	  .args = "DOMAIN DEST",
	  .min_args = 2,
	  .max_args = 2,
	  .run = cmd_check,
	  .opts = check_opts_table,
	  .complete_arg = complete_args,
	  .summary =
		  "Check, before moving DOMAIN to DEST, what would make it fail",
	  .help = "One line per item: PASS, WARN or FAIL, each FAIL with its fix. Exits 1\n"
		  "on any FAIL. DEST is a libvirt URI; the source is -c URI." },
	{ .name = "live",
	  .args = "DOMAIN DEST",
	  .min_args = 2,
	  .max_args = 2,
	  .run = cmd_live,
	  .opts = live_opts_table,
	  .complete_arg = complete_args,
	  .summary =
		  "Move a running guest: memory, and with --copy-storage its disks",
	  .help = "Checks first. Shows a progress line, and a summary at the end. Ctrl-C,\n"
		  "SIGINT or SIGTERM abort the job: the guest goes on running on the source." },
	{ .name = "offline",
	  .args = "DOMAIN DEST",
	  .min_args = 2,
	  .max_args = 2,
	  .run = cmd_offline,
	  .opts = offline_opts_table,
	  .complete_arg = complete_args,
	  .summary =
		  "Move a shut-off guest: disks copied and verified, definition moved",
	  .help = "The disks go through libvirt storage streams, holes kept, and are\n"
		  "read back to compare SHA-256 sums. With --keep-state the guest's\n"
		  "memory is saved to storage both hosts share and restored on DEST.\n"
		  "Nothing on the source changes before DEST is verified, but for the\n"
		  "stop itself (--shutdown, or the save of --keep-state); after a\n"
		  "failure the guest runs there again." },
	{ .name = "evacuate",
	  .max_args = 0,
	  .run = fleet_evacuate,
	  .opts = fleet_evacuate_opts,
	  .summary =
		  "Move every running guest off the host -c names, several at a time",
	  .help = "Plans first: each guest goes where the pre-flight check passes, its\n"
		  "memory fits under the headroom and the overcommit stays short of FAIL,\n"
		  "the one leaving the most memory free (after the KSM saving it loses).\n"
		  "Then runs the plan, --jobs at a time and --per-host into one host; a\n"
		  "failed move is tried once on the next best host. Ends with a table of\n"
		  "where every guest is; exits 0 only when the source runs no guest.\n"
		  "Ctrl-C, SIGINT or SIGTERM abort the moves in flight and start no new one." },
	{ .name = "balance",
	  .args = "URI URI...",
	  .min_args = 2,
	  .max_args = -1,
	  .run = fleet_balance,
	  .opts = fleet_balance_opts,
	  .complete_arg = fleet_complete_hosts,
	  .summary =
		  "Even out memory use across hosts, or empty what hosts it can",
	  .help = "Prints the plan, with each host's figures before and after, then runs\n"
		  "it as evacuate does. --goal spread lowers the coefficient of variation\n"
		  "of the hosts' memory use (vCPUs break ties); --goal consolidate moves\n"
		  "guests off the emptiest hosts while the others can take them, and\n"
		  "names the hosts it frees. --dry-run stops after the plan." },
	{ .name = "export",
	  .args = "DOMAIN DIR",
	  .min_args = 1,
	  .max_args = 2,
	  .run = backup_export,
	  .opts = backup_export_opts,
	  .complete_arg = backup_complete_export,
	  .summary = "Back DOMAIN up into DIR: definition, disks and manifest",
	  .help = "A running (or paused) guest's disks go through a backup job: the copy\n"
		  "is the disks as they were when it began, and the guest runs on. A\n"
		  "shut-off guest's are streamed as they are. Holes stay holes. Every\n"
		  "image is read back and its SHA-256 checked. --incremental takes only\n"
		  "what changed since the last checkpoint, or a full backup when the\n"
		  "chain cannot go on, saying why. Ctrl-C, SIGINT or SIGTERM abort it:\n"
		  "nothing of the new backup is left, the earlier ones are untouched.\n"
		  "With --list DIR: the backups in DIR." },
	{ .name = "import",
	  .args = "DIR",
	  .min_args = 1,
	  .max_args = 1,
	  .run = backup_import,
	  .opts = backup_import_opts,
	  .complete_arg = backup_complete_dir,
	  .summary = "Restore a backup of DIR on the host -c names",
	  .help = "The newest backup, or --at's; an incremental chain is rebuilt into one\n"
		  "image per disk. Each image is checked against the manifest, uploaded\n"
		  "sparse into a new volume and read back; the definition, its disk\n"
		  "paths rewritten, is defined. A failed import removes all it made." },
	{ .name = "verify",
	  .args = "DIR",
	  .min_args = 1,
	  .max_args = 1,
	  .run = backup_verify,
	  .opts = backup_verify_opts,
	  .complete_arg = backup_complete_dir,
	  .summary = "Re-read every image in DIR against its manifest",
	  .help = "One line per image, OK or BAD. Exits 1 on any mismatch." },
	{ 0 },
};

/* What the library names that no option of a command covers. */
static const struct kvs_remedy migrate_remedies[] = {
	{ .name = "kind", .hint = "'kvm-migrate offline'" },
	{ .name = "copy_storage", .hint = "--copy-storage all|inc" },
	{ .name = "unsafe", .hint = "--unsafe" },
	{ 0 },
};

static const struct kvs_tool migrate_tool = {
	.name = "kvm-migrate",
	.summary =
		"Move guests between hosts: checked first, watched while running, safe when it fails.",
	.cmds = migrate_cmds,
	.remedies = migrate_remedies,
};

int main(int argc, char **argv)
{
	return kvs_main(&migrate_tool, argc, argv);
}
