// SPDX-License-Identifier: GPL-2.0-or-later
/* One command line in, one status out. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shell/shell-private.h"

static int check_arg_count(const struct kvs_call *call)
{
	const struct kvs_cmd *cmd = call->cmd;

	if (call->argc < cmd->min_args)
		return kvs_error(call, KVS_USAGE,
				 "'%s' needs %s; usage: %s %s %s", cmd->name,
				 cmd->args ? cmd->args : "arguments",
				 call->st->tool->name, cmd->name,
				 cmd->args ? cmd->args : "");
	if (cmd->max_args >= 0 && call->argc > cmd->max_args)
		return kvs_error(
			call, KVS_USAGE,
			"unexpected argument '%s' for '%s'; usage: %s %s%s%s",
			call->argv[cmd->max_args], cmd->name,
			call->st->tool->name, cmd->name, cmd->args ? " " : "",
			cmd->args ? cmd->args : "");
	return KVS_OK;
}

/* A global flag given before the command counts as given on its line. */
static void mark_given(struct kvs_call *call, const char *name, bool given)
{
	const struct kvs_opt *o;
	int i = kvs_find_opt(call->cmd, name, strlen(name), 0, &o);

	if (given && i >= 0 && call->values && !call->values[i])
		call->values[i] = "";
}

/* Options of the line override those the program was started with. */
static void apply_globals(struct kvs_call *call)
{
	struct kvs_state *st = call->st;
	const char *uri = kvs_opt(call, "connect");

	mark_given(call, "json", st->json);
	mark_given(call, "quiet", st->quiet);

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
		kvs_print_cmd_help(st->tool, cmd);
	} else if (!rc && kvs_flag(&call, "version")) {
		rc = kvs_error(&call, KVS_USAGE,
			       "--version goes before the command");
	} else if (!rc) {
		apply_globals(&call);
		rc = check_arg_count(&call);
		if (!rc)
			rc = kvs_check_constraints(&call);
		st->call = &call;
		if (!rc)
			rc = cmd->run(&call);
		st->call = NULL;
	}
	kvs_call_free(&call);
	fflush(stdout);
	return rc;
}

int kvs_run_words(struct kvs_state *st, int n, char **words)
{
	const struct kvs_cmd *cmd;

	if (!strcmp(words[0], "help"))
		return kvs_run_help(st, n - 1, words + 1);
	if (!strcmp(words[0], "complete"))
		return kvs_run_complete(st, n - 1, words + 1);
	if (!strcmp(words[0], "selftest"))
		return kvs_run_selftest(st, n - 1, words + 1);
	cmd = kvs_find_cmd(st->tool, words[0]);
	if (!cmd) {
		fprintf(stderr,
			"%s: error: unknown command '%s'; run '%s help' for the list\n",
			st->tool->name, words[0], st->tool->name);
		return KVS_USAGE;
	}
	return run_cmd(st, cmd, n - 1, words + 1);
}
