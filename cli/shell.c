// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One command line in, one status out. The same parser serves one-shot
 * runs, scripts on stdin and the readline shell, so they cannot disagree.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "shell.h"
#include "shell-private.h"

volatile sig_atomic_t kvs_interrupted;

const struct kvs_opt kvs_global_opts[] = {
	{ "connect", 'c', "URI", "libvirt URI (default: $KVMOPS_DEFAULT_URI, $LIBVIRT_DEFAULT_URI, libvirt's)", NULL },
	{ "json", 0, NULL, "print JSON instead of text", NULL },
	{ "quiet", 'q', NULL, "print only results and errors", NULL },
	{ "keep-going", 0, NULL, "reading commands from stdin: go on after a failure", NULL },
	{ "help", 'h', NULL, "show help", NULL },
	{ "version", 'V', NULL, "show the tool and library versions", NULL },
	{ 0 },
};

static size_t count_opts(const struct kvs_opt *opts)
{
	size_t n = 0;

	while (opts && opts[n].name)
		n++;
	return n;
}

/* Finds an option of @cmd or a global one; its index into call->values. */
int kvs_find_opt(const struct kvs_cmd *cmd, const char *name, size_t len,
		 char short_name, const struct kvs_opt **opt)
{
	size_t ncmd = cmd ? count_opts(cmd->opts) : 0, i;

	for (i = 0; i < ncmd + count_opts(kvs_global_opts); i++) {
		const struct kvs_opt *o = i < ncmd ? &cmd->opts[i] :
						     &kvs_global_opts[i - ncmd];

		if ((short_name && o->short_name == short_name) ||
		    (!short_name && strlen(o->name) == len &&
		     !strncmp(o->name, name, len))) {
			*opt = o;
			return (int)i;
		}
	}
	return -1;
}

static const char *opt_value(const struct kvs_call *call, const char *name)
{
	const struct kvs_opt *o;
	int i = kvs_find_opt(call->cmd, name, strlen(name), 0, &o);

	return i < 0 ? NULL : call->values[i];
}

const char *kvs_opt(const struct kvs_call *call, const char *name)
{
	return opt_value(call, name);
}

bool kvs_flag(const struct kvs_call *call, const char *name)
{
	return opt_value(call, name) != NULL;
}

int kvs_opt_u64(const struct kvs_call *call, const char *name, uint64_t min,
		uint64_t max, uint64_t def, uint64_t *value)
{
	const char *text = opt_value(call, name);
	unsigned long long v;
	char *end;

	*value = def;
	if (!text)
		return KVS_OK;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (!isdigit((unsigned char)*text) || *end || errno || v < min ||
	    v > max)
		return kvs_error(call, KVS_USAGE,
				 "invalid value '%s' for --%s: expected a whole number from %llu to %llu",
				 text, name, (unsigned long long)min,
				 (unsigned long long)max);
	*value = v;
	return KVS_OK;
}

int kvs_opt_double(const struct kvs_call *call, const char *name, double min,
		   double max, double def, double *value)
{
	const char *text = opt_value(call, name);
	char *end;
	double v;

	*value = def;
	if (!text)
		return KVS_OK;
	errno = 0;
	v = strtod(text, &end);
	if (!*text || *end || errno || !isfinite(v) || v < min || v > max)
		return kvs_error(call, KVS_USAGE,
				 "invalid value '%s' for --%s: expected a number from %g to %g",
				 text, name, min, max);
	*value = v;
	return KVS_OK;
}

/* ---- libvirt ----------------------------------------------------------- */

virConnectPtr kvs_conn(struct kvs_call *call)
{
	struct kvs_state *st = call->st;

	bool readonly = call->conn_flags & KVMOPS_CONNECT_READONLY;

	/* A read-only connection cannot serve a command that changes things. */
	if (st->conn && st->conn_readonly && !readonly) {
		kvmops_disconnect(st->conn);
		st->conn = NULL;
	}
	if (st->conn)
		return st->conn;
	st->conn_readonly = readonly;
	if (kvmops_connect(st->ctx, st->uri, call->conn_flags, &st->conn)) {
		kvs_lib_error(call, KVS_FAIL);
		return NULL;
	}
	return st->conn;
}

bool kvs_have_uri(const struct kvs_call *call)
{
	return kvmops_pick_uri(call->st->uri) != NULL;
}

/* ---- parsing ----------------------------------------------------------- */

/* "-25%" and "-5" are values, not options. */
static bool is_option_word(const char *w)
{
	return w[0] == '-' && w[1] && !isdigit((unsigned char)w[1]) &&
	       w[1] != '.';
}

static int take_value(struct kvs_call *call, const struct kvs_opt *o,
		      int index, const char *inline_value, int *i, int n,
		      char **words)
{
	if (o->arg && o->arg[0] == '[') {
		/* an optional value, given only as --opt=VALUE */
		call->values[index] = inline_value ? inline_value : "";
		return KVS_OK;
	}
	if (!o->arg) {
		if (inline_value)
			return kvs_error(call, KVS_USAGE,
					 "option --%s takes no value", o->name);
		call->values[index] = "";
		return KVS_OK;
	}
	if (inline_value) {
		call->values[index] = inline_value;
		return KVS_OK;
	}
	if (*i + 1 >= n)
		return kvs_error(call, KVS_USAGE, "option --%s needs a value (%s)",
				 o->name, o->arg);
	call->values[index] = words[++*i];
	return KVS_OK;
}

static int parse_option(struct kvs_call *call, int *i, int n, char **words)
{
	const char *w = words[*i], *eq = NULL, *name;
	const struct kvs_opt *o;
	size_t len;
	int index;

	if (w[1] == '-') {
		name = w + 2;
		eq = strchr(name, '=');
		len = eq ? (size_t)(eq - name) : strlen(name);
		index = kvs_find_opt(call->cmd, name, len, 0, &o);
	} else {
		if (w[2])
			return kvs_error(call, KVS_USAGE,
					 "unknown option '%s' (short options stand alone, as -q)",
					 w);
		index = kvs_find_opt(call->cmd, NULL, 0, w[1], &o);
	}
	if (index < 0 && call->cmd)
		return kvs_error(call, KVS_USAGE,
				 "unknown option '%s' for '%s'; see '%s help %s'",
				 w, call->cmd->name, call->st->tool->name,
				 call->cmd->name);
	if (index < 0)
		return kvs_error(call, KVS_USAGE,
				 "unknown option '%s'; see '%s --help'", w,
				 call->st->tool->name);
	return take_value(call, o, index, eq ? eq + 1 : NULL, i, n, words);
}

/*
 * Splits @words (after the command name) into options and positional
 * arguments; "--" ends the options.
 */
int kvs_parse(struct kvs_call *call, int n, char **words)
{
	bool options_done = false;
	int i, rc;

	call->argv = calloc((size_t)n + 1, sizeof(char *));
	if (!call->argv)
		abort();
	for (i = 0; i < n; i++) {
		if (!options_done && !strcmp(words[i], "--")) {
			options_done = true;
			continue;
		}
		if (!options_done && is_option_word(words[i])) {
			rc = parse_option(call, &i, n, words);
			if (rc)
				return rc;
			continue;
		}
		call->argv[call->argc++] = words[i];
	}
	return KVS_OK;
}

/* ---- help -------------------------------------------------------------- */

static void print_opts(const struct kvs_opt *opts)
{
	char left[64];

	for (; opts && opts->name; opts++) {
		int n = 0;

		if (opts->short_name)
			n = snprintf(left, sizeof(left), "-%c, ",
				     opts->short_name);
		snprintf(left + n, sizeof(left) - (size_t)n, "--%s%s%s",
			 opts->name, opts->arg && opts->arg[0] != '[' ? " " : "",
			 opts->arg ? opts->arg : "");
		printf("  %-26s %s\n", left, opts->help);
	}
}

static void print_tool_help(const struct kvs_tool *tool)
{
	const struct kvs_cmd *c;

	printf("Usage: %s [OPTIONS] COMMAND [ARGS...]\n"
	       "       %s [OPTIONS]   (a shell on a terminal; else commands from stdin)\n\n"
	       "%s\n\nCommands:\n",
	       tool->name, tool->name, tool->summary);
	for (c = tool->cmds; c->name; c++)
		if (!c->hidden)
			printf("  %-12s %s\n", c->name, c->summary);
	printf("  %-12s %s\n", "help", "Show help for all or one command");
	printf("\nOptions:\n");
	print_opts(kvs_global_opts);
	printf("\nExit status: 0 success, 1 the operation failed, 2 bad usage or input\n"
	       "(nothing was changed). See %s(1).\n",
	       tool->name);
}

static void print_cmd_help(const struct kvs_tool *tool,
			   const struct kvs_cmd *cmd)
{
	printf("Usage: %s %s [OPTIONS]%s%s\n\n%s\n", tool->name, cmd->name,
	       cmd->args ? " " : "", cmd->args ? cmd->args : "",
	       cmd->summary);
	if (cmd->help)
		printf("\n%s\n", cmd->help);
	if (count_opts(cmd->opts)) {
		printf("\nOptions:\n");
		print_opts(cmd->opts);
	}
	printf("\nGlobal options: -c/--connect URI, --json, -q/--quiet\n");
}

const struct kvs_cmd *kvs_find_cmd(const struct kvs_tool *tool,
				   const char *name)
{
	const struct kvs_cmd *c;

	for (c = tool->cmds; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

static int run_help(struct kvs_state *st, int n, char **words)
{
	const struct kvs_cmd *cmd;

	if (n == 0 || (n == 1 && !strcmp(words[0], "help"))) {
		print_tool_help(st->tool);
		return KVS_OK;
	}
	cmd = kvs_find_cmd(st->tool, words[0]);
	if (!cmd || n > 1) {
		fprintf(stderr, "%s: error: %s '%s'; run '%s help' for the list\n",
			st->tool->name, n > 1 ? "help takes one command, not" :
						"unknown command",
			n > 1 ? words[1] : words[0], st->tool->name);
		return KVS_USAGE;
	}
	print_cmd_help(st->tool, cmd);
	return KVS_OK;
}

/* ---- running one command line ------------------------------------------ */

static int check_arg_count(const struct kvs_call *call)
{
	const struct kvs_cmd *cmd = call->cmd;

	if (call->argc < cmd->min_args)
		return kvs_error(call, KVS_USAGE,
				 "'%s' needs %s; usage: %s %s %s",
				 cmd->name, cmd->args ? cmd->args : "arguments",
				 call->st->tool->name, cmd->name,
				 cmd->args ? cmd->args : "");
	if (cmd->max_args >= 0 && call->argc > cmd->max_args)
		return kvs_error(call, KVS_USAGE,
				 "unexpected argument '%s' for '%s'; usage: %s %s%s%s",
				 call->argv[cmd->max_args], cmd->name,
				 call->st->tool->name, cmd->name,
				 cmd->args ? " " : "", cmd->args ? cmd->args : "");
	return KVS_OK;
}

/* Options of the line override those the program was started with. */
static void apply_globals(struct kvs_call *call)
{
	struct kvs_state *st = call->st;
	const char *uri = kvs_opt(call, "connect");

	call->json = st->json || kvs_flag(call, "json");
	call->quiet = st->quiet || kvs_flag(call, "quiet");
	if (uri && (!st->uri || strcmp(uri, st->uri))) {
		if (st->conn)
			kvmops_disconnect(st->conn);
		if (st->complete_conn)
			kvmops_disconnect(st->complete_conn);
		st->conn = st->complete_conn = NULL;
		free(st->uri);
		st->uri = strdup(uri);
		if (!st->uri)
			abort();
	}
}

static int run_cmd(struct kvs_state *st, const struct kvs_cmd *cmd, int n,
		   char **words)
{
	struct kvs_call call = { .st = st, .cmd = cmd };
	int rc = kvs_parse(&call, n, words);

	if (!rc && kvs_flag(&call, "help")) {
		print_cmd_help(st->tool, cmd);
	} else if (!rc && kvs_flag(&call, "version")) {
		rc = kvs_error(&call, KVS_USAGE, "--version goes before the command");
	} else if (!rc) {
		apply_globals(&call);
		rc = check_arg_count(&call);
		if (!rc)
			rc = cmd->run(&call);
	}
	free(call.argv);
	fflush(stdout);
	return rc;
}

int kvs_run_words(struct kvs_state *st, int n, char **words)
{
	const struct kvs_cmd *cmd;

	if (!strcmp(words[0], "help"))
		return run_help(st, n - 1, words + 1);
	if (!strcmp(words[0], "complete"))
		return kvs_run_complete(st, n - 1, words + 1);
	cmd = kvs_find_cmd(st->tool, words[0]);
	if (!cmd) {
		fprintf(stderr, "%s: error: unknown command '%s'; run '%s help' for the list\n",
			st->tool->name, words[0], st->tool->name);
		return KVS_USAGE;
	}
	return run_cmd(st, cmd, n - 1, words + 1);
}

/* ---- start-up ---------------------------------------------------------- */

static void log_to_stderr(struct kvmops_ctx *ctx, int priority,
			  const char *file, int line, const char *fn,
			  const char *format, va_list args)
{
	struct kvs_state *st = kvmops_get_userdata(ctx);

	fprintf(stderr, "%s: libkvmops: %s: ", st->tool->name,
		priority <= LOG_ERR ? "error" :
		priority <= LOG_INFO ? "info" : "debug");
	vfprintf(stderr, format, args);
	fputc('\n', stderr);
}

/* Counts: a long job says something else at the second Ctrl-C. */
static void on_signal(int sig)
{
	kvs_interrupted = kvs_interrupted + 1;
}

static void install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	/* No SA_RESTART: a sleeping watch must wake up and leave. */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static void print_version(const struct kvs_tool *tool)
{
	printf("%s (kvmops) %s\nlibkvmops %s\n", tool->name, PACKAGE_VERSION,
	       kvmops_version());
}

/* Global options before the command; returns the index of the command. */
static int parse_globals(struct kvs_state *st, int argc, char **argv,
			 int *status)
{
	struct kvs_call call = { .st = st };
	int i, n = 0;

	/* The command is the first word that is neither option nor value. */
	for (i = 1; i < argc && is_option_word(argv[i]); i++) {
		const struct kvs_opt *o = NULL;
		const char *w = argv[i];

		if (w[1] == '-' && !strchr(w, '='))
			kvs_find_opt(NULL, w + 2, strlen(w + 2), 0, &o);
		else if (w[1] != '-' && !w[2])
			kvs_find_opt(NULL, NULL, 0, w[1], &o);
		if (o && o->arg && i + 1 < argc)
			i++;
		n = i;
	}
	*status = kvs_parse(&call, n, argv + 1);
	if (!*status && call.argc)
		*status = kvs_error(&call, KVS_USAGE, "unexpected '%s'",
				    call.argv[0]);
	if (!*status && kvs_flag(&call, "help")) {
		print_tool_help(st->tool);
		*status = -1;
	} else if (!*status && kvs_flag(&call, "version")) {
		print_version(st->tool);
		*status = -1;
	}
	if (kvs_opt(&call, "connect")) {
		st->uri = strdup(kvs_opt(&call, "connect"));
		if (!st->uri)
			abort();
	}
	st->json = kvs_flag(&call, "json");
	st->quiet = kvs_flag(&call, "quiet");
	st->keep_going = kvs_flag(&call, "keep-going");
	free(call.argv);
	return n + 1;
}

int kvs_main(const struct kvs_tool *tool, int argc, char **argv)
{
	struct kvs_state st = { .tool = tool };
	int first, rc;

	if (kvmops_new(&st.ctx)) {
		fprintf(stderr, "%s: error: out of memory\n", tool->name);
		return KVS_FAIL;
	}
	kvmops_set_userdata(st.ctx, &st);
	kvmops_set_log_fn(st.ctx, log_to_stderr);
	install_signals();
	first = parse_globals(&st, argc, argv, &rc);
	if (rc == 0 && first < argc)
		rc = kvs_run_words(&st, argc - first, argv + first);
	else if (rc == 0 && isatty(STDIN_FILENO))
		rc = kvs_interactive(&st);
	else if (rc == 0)
		rc = kvs_script(&st, stdin);
	if (rc < 0)
		rc = KVS_OK;
	if (st.conn)
		kvmops_disconnect(st.conn);
	if (st.complete_conn)
		kvmops_disconnect(st.complete_conn);
	free(st.uri);
	kvmops_unref(st.ctx);
	return rc;
}
