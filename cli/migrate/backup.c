// SPDX-License-Identifier: GPL-2.0-or-later
/* kvm-migrate export, import and verify. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "migrate/backup.h"
#include "migrate/progress.h"

/* ---- progress ------------------------------------------------------------ */

struct watch {
	const struct kvs_call *call;
	bool tty;
	bool open_line; /* a progress line is on the terminal */
	uint64_t last_ms;
};

static void on_progress(struct kvmops_ctx *ctx, const struct kvmops_job *job,
			void *userdata)
{
	struct watch *w = userdata;
	char line[256];

	if (w->call->json) {
		kvs_print_event(job_json(job, "progress"));
		return;
	}
	if (!w->tty || w->call->quiet)
		return;
	job_line(job, line, sizeof(line));
	fprintf(stderr, "\r\033[K%s", line);
	w->open_line = true;
}

static void end_line(struct watch *w)
{
	if (w->open_line)
		fputs("\r\033[K", stderr);
	w->open_line = false;
}

static void failed_event(const struct kvs_call *call, const char *what)
{
	json_object *o;

	if (!call->json)
		return;
	o = json_object_new_object();
	json_object_object_add(o, "event", json_object_new_string("failed"));
	json_object_object_add(o, "operation", json_object_new_string(what));
	json_object_object_add(
		o, "error",
		json_object_new_string(kvmops_last_error(call->st->ctx)));
	kvs_print_event(o);
}

/* ---- export --list ------------------------------------------------------- */

/* A JSON string, or null for "". */
static json_object *string_or_null(const char *s)
{
	return *s ? json_object_new_string(s) : NULL;
}

static const char *kind_of(bool incremental)
{
	return incremental ? "incremental" : "full";
}

static json_object *info_json(const struct kvmops_backup_info *b)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "name", json_object_new_string(b->name));
	json_object_object_add(o, "time", json_object_new_string(b->time));
	json_object_object_add(o, "kind",
			       json_object_new_string(kind_of(b->incremental)));
	json_object_object_add(o, "compressed",
			       json_object_new_boolean(b->compressed));
	json_object_object_add(o, "parent", string_or_null(b->parent));
	json_object_object_add(o, "checkpoint", string_or_null(b->checkpoint));
	json_object_object_add(o, "disks", json_object_new_int(b->disks));
	json_object_object_add(o, "stored_bytes",
			       json_object_new_int64((int64_t)b->stored_bytes));
	json_object_object_add(
		o, "virtual_bytes",
		json_object_new_int64((int64_t)b->virtual_bytes));
	return o;
}

static void print_list(const char *domain, const struct kvmops_backup_info *l,
		       size_t n)
{
	static const char *const heads[] = { "BACKUP", "TIME",	"KIND",
					     "STORED", "DISKS", "BUILDS ON" };
	static const bool right[] = { false, false, false, true, true, false };
	struct kvs_table t;
	char bytes[32], disks[16], kind[32];

	printf("Backups of %s:\n", domain);
	kvs_table_init(&t, 6, heads, right);
	for (size_t i = 0; i < n; i++) {
		snprintf(disks, sizeof(disks), "%u", l[i].disks);
		snprintf(kind, sizeof(kind), "%s%s", kind_of(l[i].incremental),
			 l[i].compressed ? ", compressed" : "");
		kvs_table_row(&t, l[i].name, l[i].time, kind,
			      kvs_bytes(l[i].stored_bytes, bytes,
					sizeof(bytes)),
			      disks, l[i].parent[0] ? l[i].parent : "-");
	}
	kvs_table_print(&t);
	kvs_table_free(&t);
}

static int list_backups(struct kvs_call *call, const char *dir)
{
	struct kvmops_backup_info *list = NULL;
	char domain[256];
	size_t n = 0;
	int rc = kvmops_backup_list(call->st->ctx, dir, domain, sizeof(domain),
				    &list, &n);

	if (rc)
		return kvs_lib_error(call, rc);
	if (call->json) {
		json_object *o = json_object_new_object(),
			    *a = json_object_new_array();

		for (size_t i = 0; i < n; i++)
			json_object_array_add(a, info_json(&list[i]));
		json_object_object_add(o, "domain",
				       json_object_new_string(domain));
		json_object_object_add(o, "backups", a);
		kvs_print_json(o);
	} else {
		print_list(domain, list, n);
	}
	free(list);
	return KVS_OK;
}

/* ---- export -------------------------------------------------------------- */

static void export_done(const struct kvs_call *call, const char *name,
			const struct kvmops_export_result *r, bool compressed)
{
	char stored[32], size[32];

	if (r->why_full[0])
		kvs_warn(call,
			 "a full backup instead of an incremental one: %s",
			 r->why_full);
	if (r->no_checkpoint[0])
		kvs_warn(call,
			 "%s; the next --incremental will be a full backup",
			 r->no_checkpoint);
	if (r->stale_checkpoint[0])
		kvs_warn(call, "%s; the next backups are not held up by it",
			 r->stale_checkpoint);
	if (call->json) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "event",
				       json_object_new_string("completed"));
		json_object_object_add(o, "domain",
				       json_object_new_string(name));
		json_object_object_add(o, "backup",
				       json_object_new_string(r->backup));
		json_object_object_add(
			o, "kind",
			json_object_new_string(kind_of(r->incremental)));
		json_object_object_add(o, "compressed",
				       json_object_new_boolean(compressed));
		json_object_object_add(o, "why_full",
				       string_or_null(r->why_full));
		json_object_object_add(o, "checkpoint",
				       string_or_null(r->checkpoint));
		json_object_object_add(o, "no_checkpoint",
				       string_or_null(r->no_checkpoint));
		json_object_object_add(o, "stale_checkpoint",
				       string_or_null(r->stale_checkpoint));
		json_object_object_add(o, "disks",
				       json_object_new_int((int)r->disks));
		json_object_object_add(
			o, "stored_bytes",
			json_object_new_int64((int64_t)r->stored_bytes));
		json_object_object_add(
			o, "virtual_bytes",
			json_object_new_int64((int64_t)r->virtual_bytes));
		kvs_print_event(o);
		return;
	}
	if (!call->quiet)
		printf("Backup %s of %s: %s%s, %u disk%s, %s stored of %s\n",
		       r->backup, name, kind_of(r->incremental),
		       compressed ? ", compressed" : "", r->disks,
		       r->disks == 1 ? "" : "s",
		       kvs_bytes(r->stored_bytes, stored, sizeof(stored)),
		       kvs_bytes(r->virtual_bytes, size, sizeof(size)));
}

int backup_export(struct kvs_call *call)
{
	struct kvmops_export_opts o = { .size = sizeof(o) };
	struct kvmops_export_result r;
	struct watch w = { .call = call, .tty = isatty(STDERR_FILENO) };
	virConnectPtr conn;
	int rc;

	if (kvs_flag(call, "list")) {
		if (call->argc != 1)
			return kvs_error(call, KVS_USAGE,
					 "--list takes one argument, DIR");
		return list_backups(call, call->argv[0]);
	}
	if (call->argc != 2)
		return kvs_error(call, KVS_USAGE,
				 "export takes DOMAIN and DIR (or --list DIR)");
	o.incremental = kvs_flag(call, "incremental");
	o.full = kvs_flag(call, "full");
	o.no_verify = kvs_flag(call, "no-verify");
	o.compress = kvs_flag(call, "compress");
	conn = kvs_conn(call);
	if (!conn)
		return KVS_FAIL;
	kvs_interrupted = 0;
	rc = kvmops_export(call->st->ctx, conn, call->argv[0], call->argv[1],
			   &o, on_progress, &w,
			   (const volatile int *)&kvs_interrupted, &r);
	end_line(&w);
	kvs_interrupted = 0;
	if (rc) {
		failed_event(call, "export");
		return kvs_lib_error(call, rc);
	}
	export_done(call, call->argv[0], &r, o.compress);
	return KVS_OK;
}

/* ---- import -------------------------------------------------------------- */

static void import_done(const struct kvs_call *call,
			const struct kvmops_import_result *r, bool started)
{
	if (call->json) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "event",
				       json_object_new_string("completed"));
		json_object_object_add(o, "backup",
				       json_object_new_string(r->backup));
		json_object_object_add(o, "domain",
				       json_object_new_string(r->name));
		json_object_object_add(o, "volumes",
				       json_object_new_int((int)r->volumes));
		json_object_object_add(o, "chain",
				       json_object_new_int((int)r->chain));
		json_object_object_add(o, "started",
				       json_object_new_boolean(started));
		kvs_print_event(o);
		return;
	}
	if (!call->quiet)
		printf("Restored backup %s as %s: %u volume%s%s%s\n", r->backup,
		       r->name, r->volumes, r->volumes == 1 ? "" : "s",
		       r->chain > 1 ? ", rebuilt from its chain" : "",
		       started ? ", started" : "");
}

int backup_import(struct kvs_call *call)
{
	struct kvmops_import_opts o = { .size = sizeof(o) };
	struct kvmops_import_result r;
	struct watch w = { .call = call, .tty = isatty(STDERR_FILENO) };
	virConnectPtr conn;
	int rc;

	o.name = kvs_opt(call, "name");
	o.pool = kvs_opt(call, "pool");
	o.at = kvs_opt(call, "at");
	o.start = kvs_flag(call, "start");
	o.no_verify = kvs_flag(call, "no-verify");
	conn = kvs_conn(call);
	if (!conn)
		return KVS_FAIL;
	kvs_interrupted = 0;
	rc = kvmops_import(call->st->ctx, conn, call->argv[0], &o, on_progress,
			   &w, (const volatile int *)&kvs_interrupted, &r);
	end_line(&w);
	kvs_interrupted = 0;
	if (rc) {
		failed_event(call, "import");
		return kvs_lib_error(call, rc);
	}
	import_done(call, &r, o.start);
	return KVS_OK;
}

/* ---- verify -------------------------------------------------------------- */

int backup_verify(struct kvs_call *call)
{
	struct kvmops_verify_item *items = NULL;
	size_t n = 0;
	int rc;

	kvs_interrupted = 0;
	rc = kvmops_backup_verify(call->st->ctx, call->argv[0],
				  (const volatile int *)&kvs_interrupted,
				  &items, &n);
	kvs_interrupted = 0;
	if (rc == -EINVAL || rc == -ECANCELED || (rc && !n)) {
		free(items);
		return kvs_lib_error(call, rc);
	}
	if (call->json) {
		json_object *a = json_object_new_array();

		for (size_t i = 0; i < n; i++) {
			json_object *o = json_object_new_object();

			json_object_object_add(
				o, "backup",
				json_object_new_string(items[i].backup));
			json_object_object_add(
				o, "file",
				json_object_new_string(items[i].file));
			json_object_object_add(
				o, "ok", json_object_new_boolean(items[i].ok));
			json_object_object_add(
				o, "sha256",
				json_object_new_string(items[i].sha256));
			json_object_array_add(a, o);
		}
		kvs_print_json(a);
	} else if (!call->quiet) {
		for (size_t i = 0; i < n; i++)
			printf("%s %s/%s\n", items[i].ok ? "OK  " : "BAD ",
			       items[i].backup, items[i].file);
	}
	free(items);
	return rc ? kvs_lib_error(call, rc) : KVS_OK;
}

/* ---- completion and options ---------------------------------------------- */

void backup_complete_export(struct kvs_state *st, const char *prefix,
			    struct kvs_list *out)
{
	if (st->complete_argno == 0)
		kvs_complete_domains(st, out);
	else
		kvs_complete_files(st, prefix, out);
}

void backup_complete_dir(struct kvs_state *st, const char *prefix,
			 struct kvs_list *out)
{
	kvs_complete_files(st, prefix, out);
}

/* import --at: the backups in the DIR on the line, newest first. */
static void complete_at(struct kvs_state *st, const char *prefix,
			struct kvs_list *out)
{
	const char *dir = kvs_complete_positional(st, 0);
	struct kvmops_backup_info *list = NULL;
	size_t n = 0;

	(void)prefix;
	if (!dir || kvmops_backup_list(st->ctx, dir, NULL, 0, &list, &n))
		return;
	while (n--)
		kvs_list_add(out, list[n].name);
	free(list);
}

const struct kvs_opt backup_export_opts[] = {
	{ .name = "incremental",
	  .field = "incremental",
	  .conflicts = "full",
	  .help = "only what changed since the last backup in DIR (a full one when the chain cannot go on, saying why)" },
	{ .name = "full",
	  .field = "full",
	  .help = "a full backup, whatever the chain allows" },
	{ .name = "compress",
	  .help = "store compressed qcow2 images (qemu-img, on this machine)" },
	{ .name = "no-verify",
	  .field = "no_verify",
	  .help = "do not read each stored image back" },
	{ .name = "list",
	  .conflicts = "incremental,full,compress,no-verify",
	  .help = "show the backups in DIR instead: export --list DIR" },
	{ 0 },
};

const struct kvs_opt backup_import_opts[] = {
	{ .name = "name",
	  .arg = "NAME",
	  .field = "name",
	  .help = "define it as NAME, with a new UUID (default: the backup's name)" },
	{ .name = "pool",
	  .arg = "POOL",
	  .field = "pool",
	  .help = "the pool for the disks (default: the one over the disks' old directory)" },
	{ .name = "at",
	  .arg = "BACKUP",
	  .complete = complete_at,
	  .field = "at",
	  .help = "restore this backup (default: the newest)" },
	{ .name = "start", .help = "start it once defined" },
	{ .name = "no-verify",
	  .field = "no_verify",
	  .help = "do not read each uploaded volume back" },
	{ 0 },
};

const struct kvs_opt backup_verify_opts[] = {
	{ 0 },
};
