// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The hidden 'selftest' command: every table of the tool is well formed.
 * 'selftest --options' lists each command's options, for the test that
 * every name the code looks up is in a table (tests/cli/option-names.sh).
 */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "shell/shell-private.h"

struct faults {
	const struct kvs_tool *tool;
	int count;
};

static void fault(struct faults *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void fault(struct faults *f, const char *fmt, ...)
{
	va_list args;

	fprintf(stderr, "%s: selftest: ", f->tool->name);
	va_start(args, fmt);
	vfprintf(stderr, fmt, args);
	va_end(args);
	fputc('\n', stderr);
	f->count++;
}

static bool is_name(const char *s, const char *also)
{
	if (!s || !*s)
		return false;
	for (; *s; s++)
		if (!islower((unsigned char)*s) &&
		    !isdigit((unsigned char)*s) && !strchr(also, *s))
			return false;
	return true;
}

/* Each name of comma-separated @list is an option of @cmd. */
static void check_refs(struct faults *f, const struct kvs_cmd *cmd,
		       const struct kvs_opt *o, const char *what,
		       const char *list)
{
	const struct kvs_opt *found;
	const char *p = list;
	size_t n;

	while (p && *p) {
		n = strcspn(p, ",");
		if (kvs_find_opt(cmd, p, n, 0, &found) < 0)
			fault(f, "%s --%s: %s names no option '%.*s'",
			      cmd->name, o->name, what, (int)n, p);
		else if (found == o)
			fault(f, "%s --%s: %s names itself", cmd->name, o->name,
			      what);
		p += n + (p[n] == ',');
	}
}

static void check_opt(struct faults *f, const struct kvs_cmd *cmd, size_t i)
{
	const struct kvs_opt *o = &cmd->opts[i], *other;
	size_t k;

	if (!is_name(o->name, "-"))
		fault(f, "%s: option %zu has no proper name", cmd->name, i);
	if (!o->help || !*o->help)
		fault(f, "%s --%s has no help", cmd->name, o->name);
	if (o->arg && (!*o->arg || (o->arg[0] == '[' && !strchr(o->arg, ']'))))
		fault(f, "%s --%s: its value's name is malformed", cmd->name,
		      o->name);
	if (o->field && !is_name(o->field, "_,"))
		fault(f, "%s --%s: field '%s' is no parameter name", cmd->name,
		      o->name, o->field);
	for (k = 0; (other = kvs_opt_at(cmd, k)); k++) {
		if (other == o)
			continue;
		if (!strcmp(other->name, o->name))
			fault(f, "%s --%s is there twice", cmd->name, o->name);
		if (o->short_name && other->short_name == o->short_name)
			fault(f, "%s: -%c is there twice", cmd->name,
			      o->short_name);
	}
	check_refs(f, cmd, o, "needs", o->needs);
	check_refs(f, cmd, o, "goes_with", o->goes_with);
	check_refs(f, cmd, o, "conflicts", o->conflicts);
}

static void check_cmd(struct faults *f, const struct kvs_cmd *cmd)
{
	static const char *const reserved = "help,complete,selftest,quit,exit";
	size_t i;

	if (!is_name(cmd->name, "-") ||
	    kvs_in_list(reserved, cmd->name, strlen(cmd->name)))
		fault(f, "command '%s': not a name of its own", cmd->name);
	if (!cmd->summary || !*cmd->summary)
		fault(f, "%s has no summary", cmd->name);
	if (!cmd->run)
		fault(f, "%s has nothing to run", cmd->name);
	if (cmd->min_args < 0 ||
	    (cmd->max_args >= 0 && cmd->max_args < cmd->min_args))
		fault(f, "%s takes from %d to %d arguments", cmd->name,
		      cmd->min_args, cmd->max_args);
	if (cmd->max_args && !cmd->args)
		fault(f, "%s takes arguments but does not name them",
		      cmd->name);
	if (kvs_find_cmd(f->tool, cmd->name) != cmd)
		fault(f, "command %s is there twice", cmd->name);
	for (i = 0; i < kvs_count_opts(cmd->opts); i++)
		check_opt(f, cmd, i);
}

static void list_options(const struct kvs_tool *tool)
{
	const struct kvs_cmd *c;
	const struct kvs_opt *o;

	for (o = kvs_global_opts; o->name; o++)
		printf("* %s\n", o->name);
	for (c = tool->cmds; c->name; c++)
		for (o = c->opts; o && o->name; o++)
			printf("%s %s\n", c->name, o->name);
}

int kvs_run_selftest(struct kvs_state *st, int n, char **words)
{
	struct faults f = { .tool = st->tool };
	const struct kvs_remedy *r;
	const struct kvs_cmd *c;

	if (n == 1 && !strcmp(words[0], "--options")) {
		list_options(st->tool);
		return KVS_OK;
	}
	if (!st->tool->name || !st->tool->summary || !st->tool->cmds)
		fault(&f, "the tool has no name, summary or commands");
	for (c = st->tool->cmds; c && c->name; c++)
		check_cmd(&f, c);
	for (r = st->tool->remedies; r && r->name; r++)
		if (!is_name(r->name, "_") || !r->hint || !*r->hint)
			fault(&f, "remedy '%s' has no proper name or hint",
			      r->name);
	if (f.count)
		return KVS_FAIL;
	printf("%s: selftest: every table is well formed\n", st->tool->name);
	return KVS_OK;
}
