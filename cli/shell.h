/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The shell framework every kvmops command shares: command tables, option
 * parsing, one-shot, script and readline modes, and completion.
 */
#ifndef KVMOPS_SHELL_H
#define KVMOPS_SHELL_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <json-c/json.h>

#include "libkvmops.h"

enum kvs_status {
	KVS_OK = 0,
	KVS_FAIL = 1,  /* the operation failed */
	KVS_USAGE = 2, /* bad usage or input; nothing was changed */
};

/* A growable list of completion candidates. */
struct kvs_list {
	char **items;
	size_t count, cap;
};

void kvs_list_add(struct kvs_list *list, const char *item);
void kvs_list_addf(struct kvs_list *list, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void kvs_list_clear(struct kvs_list *list);

struct kvs_state;

/* Adds candidates for a value that starts with @prefix (may add others). */
typedef void (*kvs_completer)(struct kvs_state *st, const char *prefix,
			      struct kvs_list *out);

struct kvs_opt {
	const char *name;   /* long name, without "--" */
	char short_name;    /* 0 for none */
	const char *arg;    /* NULL for a flag, else the value's name: "N" */
	const char *help;
	kvs_completer complete;
};

#define KVS_MAX_OPTS 32

struct kvs_call;

struct kvs_cmd {
	const char *name;
	const char *args;    /* positional usage, "KEY=VALUE..." */
	const char *summary; /* one line */
	const char *help;    /* the rest, or NULL */
	const struct kvs_opt *opts; /* ends with { 0 } */
	int min_args, max_args;	    /* max_args < 0: no limit */
	int (*run)(struct kvs_call *call);
	kvs_completer complete_arg;
	bool hidden;
};

struct kvs_tool {
	const char *name;    /* "kvm-ksm" */
	const char *summary; /* one line */
	const struct kvs_cmd *cmds; /* ends with { 0 } */
};

/* What lives for the whole run of a command. */
struct kvs_state {
	const struct kvs_tool *tool;
	struct kvmops_ctx *ctx;
	char *uri; /* owned */
	bool json, quiet, keep_going;
	bool interactive;
	virConnectPtr conn;
	bool conn_readonly;
	virConnectPtr complete_conn; /* completion's own, read-only */
	int complete_argno; /* for complete_arg: which positional, from 0 */
};

/* One parsed command line. */
struct kvs_call {
	struct kvs_state *st;
	const struct kvs_cmd *cmd;
	int argc;
	char **argv;
	const char *values[KVS_MAX_OPTS]; /* by option index; "" for flags */
	bool json, quiet;
	unsigned int conn_flags; /* KVMOPS_CONNECT_*, set before kvs_conn() */
};

/* Counts SIGINT and SIGTERM; long-running commands poll it. */
extern volatile sig_atomic_t kvs_interrupted;

int kvs_main(const struct kvs_tool *tool, int argc, char **argv);

const char *kvs_opt(const struct kvs_call *call, const char *name);
bool kvs_flag(const struct kvs_call *call, const char *name);
/* Parses an option's whole number in [min, max]; KVS_USAGE on bad input. */
int kvs_opt_u64(const struct kvs_call *call, const char *name, uint64_t min,
		uint64_t max, uint64_t def, uint64_t *value);
int kvs_opt_double(const struct kvs_call *call, const char *name, double min,
		   double max, double def, double *value);

/* Prints "TOOL: error: ..." to stderr and returns @status. */
int kvs_error(const struct kvs_call *call, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Prints the library's last error and returns @status. */
int kvs_lib_error(const struct kvs_call *call, int status);
void kvs_warn(const struct kvs_call *call, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * The domains of the URI in force (-c or the environment), through
 * completion's own read-only connection; none without a URI.
 */
void kvs_complete_domains(struct kvs_state *st, struct kvs_list *out);

/* The connection, opened on first use; NULL after printing an error. */
virConnectPtr kvs_conn(struct kvs_call *call);
/* Whether a URI was given (by -c or the environment). */
bool kvs_have_uri(const struct kvs_call *call);

/* Prints @obj as pretty JSON and drops the reference. */
void kvs_print_json(json_object *obj);

/* ~/.local/state/kvmops/NAME, creating the directory; NULL if it can't. */
char *kvs_state_file(const char *name);

/* A table with aligned columns; numbers are right-aligned. */
struct kvs_table {
	size_t ncols, nrows, cap;
	const char *const *heads;
	const bool *right;
	char **cells; /* nrows x ncols */
};

void kvs_table_init(struct kvs_table *t, size_t ncols,
		    const char *const *heads, const bool *right);
void kvs_table_row(struct kvs_table *t, ...); /* ncols strings */
void kvs_table_print(struct kvs_table *t);
void kvs_table_free(struct kvs_table *t);

/* ---- a migration's progress (progress.c) ---- */

/* One line for a terminal; never a percentage that could run backwards. */
void kvs_job_line(const struct kvmops_job *job, char *buf, size_t len);
/* The job's figures as JSON, with "event": @event. */
json_object *kvs_job_json(const struct kvmops_job *job, const char *event);
/* The seeds' measures of a migration: time, downtime, setup, data, rate. */
void kvs_job_summary(FILE *out, const struct kvmops_job *job);

#endif
