/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The shell framework every kvmops command shares: command tables, option
 * parsing, one-shot, script and readline modes, completion, errors and
 * output. It depends on libkvmops alone; the commands (cli/kvm-*.c)
 * depend on it. HACKING tells how to add a command or an option.
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
	KVS_FAIL = 1, /* the operation failed */
	KVS_USAGE = 2, /* bad usage or input; nothing was changed */
};

/* ---- tables --------------------------------------------------------------- */

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
	const char *name; /* long name, without "--" */
	char short_name; /* 0 for none */
	const char *arg; /* NULL for a flag, else the value's name: "N";
				    "[=X]": a value given only as --name=X */
	const char *help;
	kvs_completer complete;
	/*
	 * The library parameter this option sets, as the library names it
	 * in a remedy (kvmops_last_remedy): "copy_storage". Errors that
	 * name it get this option added.
	 */
	const char *field;
	/* Options this one is meaningless without: "--X needs --Y". */
	const char *needs;
	/* Options this one only modifies: "--X goes with --Y". */
	const char *goes_with;
	/* Options it cannot be given with: "--X and --Y contradict each other". */
	const char *conflicts;
	/* Given again, its values add up, joined by commas ("a=1,b=2"). */
	bool repeats;
};

struct kvs_call;

struct kvs_cmd {
	const char *name;
	const char *args; /* positional usage, "KEY=VALUE..." */
	const char *summary; /* one line */
	const char *help; /* the rest, or NULL */
	const struct kvs_opt *opts; /* ends with { 0 }; NULL for none */
	int min_args, max_args; /* max_args < 0: no limit */
	int (*run)(struct kvs_call *call);
	kvs_completer complete_arg;
	bool hidden;
};

/* A remedy the library names that no option of a command covers. */
struct kvs_remedy {
	const char *name; /* as kvmops_last_remedy() gives it: "unmerge" */
	const char *hint; /* what to run: "'kvm-ksm unmerge'" */
};

struct kvs_tool {
	const char *name; /* "kvm-ksm" */
	const char *summary; /* one line */
	const struct kvs_cmd *cmds; /* ends with { 0 } */
	const struct kvs_remedy *remedies; /* ends with { 0 }; NULL for none */
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
	/* the command's words while completing: kvs_complete_positional() */
	const struct kvs_cmd *complete_cmd;
	char **complete_words;
	int complete_nwords;
	struct kvs_call *call; /* the command line running now, or NULL */
	/*
	 * While set, the library's messages (notices and errors) go here
	 * instead of stderr: a long-running command that logs to syslog.
	 */
	void (*log_sink)(void *data, int priority, const char *msg);
	void *log_sink_data;
};

/* One parsed command line. */
struct kvs_call {
	struct kvs_state *st;
	const struct kvs_cmd *cmd;
	int argc;
	char **argv;
	/* by option index (the command's, then the global ones); "" for flags */
	const char **values;
	char **joined; /* the values of repeated options, owned */
	size_t njoined;
	bool json, quiet;
	unsigned int conn_flags; /* KVMOPS_CONNECT_*, set before kvs_conn() */
};

/* Counts SIGINT and SIGTERM; long-running commands poll it. */
extern volatile sig_atomic_t kvs_interrupted;

int kvs_main(const struct kvs_tool *tool, int argc, char **argv);

/* ---- options -------------------------------------------------------------- */

/*
 * The value of option @name, NULL when not given. Asking for an option
 * that is not in the command's table is a bug: it stops the program.
 */
const char *kvs_opt(const struct kvs_call *call, const char *name);
bool kvs_flag(const struct kvs_call *call, const char *name);
/* Parses an option's whole number in [min, max]; KVS_USAGE on bad input. */
int kvs_opt_u64(const struct kvs_call *call, const char *name, uint64_t min,
		uint64_t max, uint64_t def, uint64_t *value);
int kvs_opt_double(const struct kvs_call *call, const char *name, double min,
		   double max, double def, double *value);
/*
 * The index of option @name's value in @choices (NULL-terminated), or
 * @def when it is not given; KVS_USAGE when it is none of them.
 */
int kvs_opt_choice(const struct kvs_call *call, const char *name,
		   const char *const *choices, int def, int *value);

/* ---- settings: a KEY=VALUE file and the options (config.c) ---------------- */

/* Sets a setting in @settings from @text: 0, or -EINVAL and *@expected. */
typedef int (*kvs_setter_fn)(void *settings, const char *text,
			     const char **expected);

struct kvs_setting {
	const char *key; /* an option's name, or another tool's variable */
	kvs_setter_fn set;
	bool option; /* also --KEY on the command line */
	bool flag; /* an option without a value: set with "yes" */
	bool ignored; /* accepted and meaningless here: not listed */
};

/*
 * @path's KEY=VALUE lines (shell-like: comments, quotes, "export ")
 * through @table into @settings; its name into @read. A missing file is
 * no error unless @must_exist. KVS_USAGE, after saying the file, line
 * and key, for anything else.
 */
int kvs_config_read(const struct kvs_call *call,
		    const struct kvs_setting *table, size_t n, const char *path,
		    bool must_exist, void *settings, char *read, size_t len);
/* The options of @call named in @table (.option): KVS_USAGE for bad ones. */
int kvs_config_options(const struct kvs_call *call,
		       const struct kvs_setting *table, size_t n,
		       void *settings);
/*
 * Both in turn: the file --config names (which must exist), else
 * @default_path if it exists; then the options, which win.
 */
int kvs_config_load(const struct kvs_call *call,
		    const struct kvs_setting *table, size_t n,
		    const char *default_path, void *settings, char *read,
		    size_t len);
/* Values: a whole number in [min, max]; a signed one; "25" or "25%". */
int kvs_whole(const char *text, uint64_t min, uint64_t max, uint64_t *v);
int kvs_signed_whole(const char *text, long min, long max, long *v);
int kvs_percent(const char *text, uint64_t min, uint64_t *v);
/* A size as kvmops_size_parse reads it, or a percent. */
int kvs_size_or_percent(const char *text, struct kvmops_size *size);

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- a long-running command's loop (loop.c) ------------------------------- */

struct kvs_loop {
	const unsigned int
		*interval_s; /* read at each wait: reload may change it */
	int (*cycle)(void *data); /* 0, or the first cycle's failure ends it */
	void (*reload)(void *data); /* SIGHUP */
	/* While .watch says so, .due is asked once a second to cycle early. */
	bool (*watch)(void *data);
	bool (*due)(void *data);
	void *data;
};

/*
 * A cycle, then one every interval until SIGTERM or SIGINT, which end it
 * after the cycle in progress; SIGHUP reloads, SIGUSR1 cycles at once.
 * Returns the first cycle's failure, else 0.
 */
int kvs_loop_run(const struct kvs_loop *loop);

/*
 * The options every long-running command has, for its option table:
 * --interval (its default in @default_interval, a string), --once,
 * --dry-run and --config (@config_help); then --prometheus-file and
 * --syslog.
 */
/* clang-format off */
#define KVS_LOOP_OPTS(default_interval, config_help)                          \
	{ .name = "interval", .arg = "S", .conflicts = "once",                \
	  .help = "seconds between cycles (default " default_interval ")" },  \
	{ .name = "once", .help = "run one cycle and exit, as from cron" },   \
	{ .name = "dry-run",                                                  \
	  .help = "say what each cycle would do, and change nothing" },       \
	{ .name = "config", .arg = "FILE", .complete = kvs_complete_files,    \
	  .help = config_help }
#define KVS_LOOP_OUTPUT_OPTS                                                  \
	{ .name = "prometheus-file", .arg = "PATH",                           \
	  .complete = kvs_complete_files,                                     \
	  .help = "write the figures there each cycle, for node_exporter" },  \
	{ .name = "syslog",                                                   \
	  .help = "log to syslog instead of stdout and stderr" }
/* clang-format on */

/* CLOCK_MONOTONIC, in seconds (loop.c): for elapsed times and rates. */
double kvs_now_s(void);

/* Where a long-running command says things (loop.c). */
struct kvs_voice {
	const struct kvs_call *call;
	bool syslog; /* else stdout and stderr */
	bool journal; /* stderr is the journal: no time stamps */
	bool dry_run; /* decisions start "dry run: " */
};

/*
 * From now on the library's notices and errors go through kvs_say too;
 * with @use_syslog, openlog() under the tool's name.
 */
void kvs_voice_open(struct kvs_voice *v, const struct kvs_call *call,
		    bool use_syslog, bool dry_run);
void kvs_voice_close(struct kvs_voice *v);
/*
 * @level LOG_INFO: a decision, on stdout (stderr under --json); others
 * ("TOOL: note: ...") on stderr; all to syslog with --syslog. -q hides
 * notes. A time stamp but in the journal.
 */
void kvs_say(const struct kvs_voice *v, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---- errors and output ---------------------------------------------------- */

/* The exit status for a library return code: the one mapping of all. */
int kvs_status_of(int rc);

/* Prints "TOOL: error: ..." to stderr and returns @status. */
int kvs_error(const struct kvs_call *call, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/*
 * Prints the library's last error, with the options that fix it, and
 * returns the exit status for @rc (kvs_status_of).
 */
int kvs_lib_error(const struct kvs_call *call, int rc);
/* KVS_OK for 0, else kvs_lib_error(@call, @rc). */
int kvs_result(const struct kvs_call *call, int rc);
/* The same, the message after "@what: ". */
int kvs_lib_error_on(const struct kvs_call *call, int rc, const char *what);
void kvs_warn(const struct kvs_call *call, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * " (see --copy-storage all|inc, --unsafe)": the options of @call's
 * command, or the tool's remedies, for a library remedy list; "" for none.
 */
void kvs_remedy_hint(const struct kvs_call *call, const char *remedy, char *buf,
		     size_t len);

/* Prints @obj as pretty JSON and drops the reference. */
void kvs_print_json(json_object *obj);
/* Prints @obj on one line (NDJSON), flushes, and drops the reference. */
void kvs_print_event(json_object *obj);

/* A table with aligned columns; numbers are right-aligned. */
struct kvs_table {
	size_t ncols, nrows, cap;
	const char *const *heads;
	const bool *right;
	char **cells; /* nrows x ncols */
};

void kvs_table_init(struct kvs_table *t, size_t ncols, const char *const *heads,
		    const bool *right);
void kvs_table_row(struct kvs_table *t, ...); /* ncols strings */
void kvs_table_print(struct kvs_table *t);
void kvs_table_free(struct kvs_table *t);

/* "1.50 GiB": @bytes for a reader, in @buf, which it returns. */
const char *kvs_bytes(uint64_t bytes, char *buf, size_t len);

/* ---- libvirt and state ---------------------------------------------------- */

/* The connection, opened on first use; NULL after printing an error. */
virConnectPtr kvs_conn(struct kvs_call *call);
/* Whether a URI was given (by -c or the environment). */
bool kvs_have_uri(const struct kvs_call *call);
/*
 * The domains of the URI in force (-c or the environment), through
 * completion's own read-only connection; none without a URI.
 */
void kvs_complete_domains(struct kvs_state *st, struct kvs_list *out);
/*
 * While completing: positional argument @which (from 0) of the command
 * on the line, or NULL. For a value that depends on another argument.
 */
const char *kvs_complete_positional(const struct kvs_state *st, int which);
/* Files and directories ("dir/") whose path starts with @prefix. */
void kvs_complete_files(struct kvs_state *st, const char *prefix,
			struct kvs_list *out);
/* Adds each of @choices (NULL-terminated). */
void kvs_complete_choices(struct kvs_list *out, const char *const *choices);

/* ~/.local/state/kvmops/NAME, creating the directory; NULL if it can't. */
char *kvs_state_file(const char *name);

#endif
