// SPDX-License-Identifier: GPL-2.0-or-later
/* help, TOOL --help and CMD --help, from the tables. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "shell/shell-private.h"

static void print_opts(const struct kvs_opt *opts)
{
	char left[64];

	for (; opts && opts->name; opts++) {
		int n = 0;

		if (opts->short_name)
			n = snprintf(left, sizeof(left), "-%c, ",
				     opts->short_name);
		snprintf(left + n, sizeof(left) - (size_t)n, "--%s%s%s",
			 opts->name,
			 opts->arg && opts->arg[0] != '[' ? " " : "",
			 opts->arg ? opts->arg : "");
		printf("  %-26s %s\n", left, opts->help);
	}
}

void kvs_print_tool_help(const struct kvs_tool *tool)
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

void kvs_print_cmd_help(const struct kvs_tool *tool, const struct kvs_cmd *cmd)
{
	printf("Usage: %s %s [OPTIONS]%s%s\n\n%s\n", tool->name, cmd->name,
	       cmd->args ? " " : "", cmd->args ? cmd->args : "", cmd->summary);
	if (cmd->help)
		printf("\n%s\n", cmd->help);
	if (kvs_count_opts(cmd->opts)) {
		printf("\nOptions:\n");
		print_opts(cmd->opts);
	}
	printf("\nGlobal options: -c/--connect URI, --json, -q/--quiet\n");
}

int kvs_run_help(struct kvs_state *st, int n, char **words)
{
	const struct kvs_cmd *cmd;

	if (n == 0 || (n == 1 && !strcmp(words[0], "help"))) {
		kvs_print_tool_help(st->tool);
		return KVS_OK;
	}
	cmd = kvs_find_cmd(st->tool, words[0]);
	if (!cmd || n > 1) {
		fprintf(stderr,
			"%s: error: %s '%s'; run '%s help' for the list\n",
			st->tool->name,
			n > 1 ? "help takes one command, not" :
				"unknown command",
			n > 1 ? words[1] : words[0], st->tool->name);
		return KVS_USAGE;
	}
	kvs_print_cmd_help(st->tool, cmd);
	return KVS_OK;
}
