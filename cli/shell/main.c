// SPDX-License-Identifier: GPL-2.0-or-later
/* A command's start: its context, signals, global options, and mode. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "shell/shell-private.h"

/* The library's notices are for the user; the rest is tracing. */
static void log_to_stderr(struct kvmops_ctx *ctx, int priority,
			  const char *file, int line, const char *fn,
			  const char *format, va_list args)
{
	struct kvs_state *st = kvmops_get_userdata(ctx);
	char msg[2048];

	if (st->log_sink) {
		vsnprintf(msg, sizeof(msg), format, args);
		st->log_sink(st->log_sink_data, priority, msg);
		return;
	}
	if (priority == LOG_NOTICE) {
		if (st->quiet || (st->call && st->call->quiet))
			return;
		fprintf(stderr, "%s: note: ", st->tool->name);
	} else {
		fprintf(stderr, "%s: libkvmops: %s: ", st->tool->name,
			priority <= LOG_ERR  ? "error" :
			priority <= LOG_INFO ? "info" :
					       "debug");
	}
	vfprintf(stderr, format, args);
	fputc('\n', stderr);
}

static void print_version(const struct kvs_tool *tool)
{
	printf("%s (kvmops) %s\nlibkvmops %s\n", tool->name, PACKAGE_VERSION,
	       kvmops_version());
}

/* How many words from argv[1] are global options and their values. */
static int count_globals(int argc, char **argv)
{
	int i, n = 0;

	/* The command is the first word that is neither option nor value. */
	for (i = 1; i < argc && kvs_is_option_word(argv[i]); i++) {
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
	return n;
}

static void keep_globals(struct kvs_state *st, const struct kvs_call *call)
{
	const char *uri = kvs_opt(call, "connect");

	if (uri) {
		st->uri = strdup(uri);
		if (!st->uri)
			abort();
	}
	st->json = kvs_flag(call, "json");
	st->quiet = kvs_flag(call, "quiet");
	st->keep_going = kvs_flag(call, "keep-going");
}

/* Global options before the command; returns the index of the command. */
static int parse_globals(struct kvs_state *st, int argc, char **argv,
			 int *status)
{
	struct kvs_call call = { .st = st };
	int n = count_globals(argc, argv);

	*status = kvs_parse(&call, n, argv + 1);
	if (!*status && call.argc)
		*status = kvs_error(&call, KVS_USAGE, "unexpected '%s'",
				    call.argv[0]);
	if (!*status && kvs_flag(&call, "help")) {
		kvs_print_tool_help(st->tool);
		*status = -1;
	} else if (!*status && kvs_flag(&call, "version")) {
		print_version(st->tool);
		*status = -1;
	}
	if (call.values)
		keep_globals(st, &call);
	kvs_call_free(&call);
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
	if (!getenv("KVMOPS_LOG"))
		kvmops_set_log_priority(st.ctx, LOG_NOTICE);
	kvs_install_signals();
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
