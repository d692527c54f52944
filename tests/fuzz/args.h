/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The commands' words (cli/shell): a tool's table with every command's run
 * function replaced by the harness's dry one, which reads the options as
 * the command would but touches no host. Each line of the input is a line
 * of script mode (cli/shell/input.c), run through kvs_run_words as
 * dispatch.c runs it: split, command found, parsed, global options applied,
 * argument count and constraints checked, the dry run, freed. A first word
 * that names no command picks one, and is its first argument, so that
 * most lines are parsed. 'complete' is never run: completion may connect.
 *
 * Included by a harness after its tool's kvm-*.c.
 */
#ifndef KVMOPS_TESTS_FUZZ_ARGS_H
#define KVMOPS_TESTS_FUZZ_ARGS_H

#include "libkvmops-private.h"
#include "shell/shell-private.h"
#include "fuzz/fuzz.h"

/* The directed test of the option slots (tests/fuzz/option-slots.c). */
int fuzz_option_slots(void);

static struct kvs_tool args_tool;
static size_t args_ncmds;
static struct kvmops_ctx *args_ctx;

/* Once: the dry table and a context whose roots are fixtures. */
static void args_setup(const struct kvs_tool *tool,
		       int (*dry)(struct kvs_call *call))
{
	struct kvs_cmd *cmds;
	size_t i;

	if (args_ctx)
		return;
	fuzz_quiet();
	while (tool->cmds[args_ncmds].name)
		args_ncmds++;
	cmds = fuzz_alloc((args_ncmds + 1) * sizeof(*cmds));
	for (i = 0; i < args_ncmds; i++) {
		cmds[i] = tool->cmds[i];
		cmds[i].run = dry;
	}
	args_tool = *tool;
	args_tool.cmds = cmds;
	if (kvmops_new(&args_ctx) ||
	    kvmops_set_sysfs_root(args_ctx, FUZZ_FIXTURES "/ksm-6.18") ||
	    kvmops_set_proc_root(args_ctx, FUZZ_FIXTURES "/proc"))
		abort();
	kvmops_set_log_fn(args_ctx, NULL);
}

static bool args_is_blank_or_comment(const char *line)
{
	line += strspn(line, " \t\r\n");
	return !*line || *line == '#';
}

static bool args_names_cmd(const char *word)
{
	return !strcmp(word, "help") || !strcmp(word, "selftest") ||
	       kvs_find_cmd(&args_tool, word);
}

/* One line, as input.c's run_line takes it. */
static void args_line(struct kvs_state *st, const char *line)
{
	const struct kvs_cmd *cmd;
	char **words, **all;
	int n;

	if (args_is_blank_or_comment(line) || kvs_split(line, &n, &words))
		return;
	if (n && args_names_cmd(words[0])) {
		kvs_run_words(st, n, words);
	} else if (n) {
		cmd = &args_tool.cmds[(unsigned char)words[0][0] % args_ncmds];
		all = fuzz_alloc(((size_t)n + 2) * sizeof(*all));
		all[0] = (char *)cmd->name;
		memcpy(all + 1, words, (size_t)n * sizeof(*all));
		kvs_run_words(st, n + 1, all);
		free(all);
	}
	kvs_free_words(n, words);
}

/* The input's lines, each cut at a NUL as getline's would be read. */
static void args_script(const uint8_t *data, size_t size)
{
	struct kvs_state st = { .tool = &args_tool,
				.ctx = args_ctx,
				.keep_going = true };
	const uint8_t *p = data, *end = data + size, *nl;
	char *line;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		line = strndup((const char *)p, (size_t)(nl - p));
		if (!line)
			abort();
		args_line(&st, line);
		free(line);
		p = nl + 1;
	}
	fflush(stdout);
	free(st.uri);
}

/* ---- the option slots --------------------------------------------------- */

/* A value an option's table row suggests: "all" for "all|inc", else "1". */
static void args_slot_value(const struct kvs_opt *o, char *buf, size_t len)
{
	const char *arg = o->arg ? o->arg : "";
	size_t bar = strcspn(arg, "|");

	if (arg[bar] && arg[0] != '[')
		snprintf(buf, len, "%.*s", (int)bar, arg);
	else
		snprintf(buf, len, "1");
}

/* Every option of @cmd three times over, in each form a value can take. */
static int args_slot_words(const struct kvs_cmd *cmd, char ***out)
{
	const struct kvs_opt *o;
	char **w, value[64];
	int n = 0;
	size_t i;

	w = fuzz_alloc(kvs_value_count(cmd) * 6 * sizeof(*w));
	for (i = 0; (o = kvs_opt_at(cmd, i)); i++) {
		args_slot_value(o, value, sizeof(value));
		for (int k = 0; k < 3; k++) {
			if (!o->arg || (o->arg[0] != '[' && k == 0)) {
				if (asprintf(&w[n++], "--%s", o->name) < 0)
					abort();
				if (o->arg)
					w[n++] = strdup(value);
			} else if (k == 2 && o->short_name &&
				   o->arg[0] != '[') {
				if (asprintf(&w[n++], "-%c", o->short_name) < 0)
					abort();
				w[n++] = strdup(value);
			} else if (asprintf(&w[n++], "--%s=%s", o->name,
					    value) < 0) {
				abort();
			}
		}
	}
	*out = w;
	return n;
}

/* What a slot must hold: the value, or all three of a repeating option. */
static int args_slot_check(const struct kvs_call *call, size_t i)
{
	const struct kvs_opt *o = kvs_opt_at(call->cmd, i);
	char value[64], want[200];

	args_slot_value(o, value, sizeof(value));
	if (!o->arg)
		snprintf(want, sizeof(want), "%s", "");
	else if (o->repeats)
		snprintf(want, sizeof(want), "%s,%s,%s", value, value, value);
	else
		snprintf(want, sizeof(want), "%s", value);
	if (call->values[i] && !strcmp(call->values[i], want))
		return 0;
	printf("not ok - %s --%s holds '%s', not '%s'\n", call->cmd->name,
	       o->name, call->values[i] ? call->values[i] : "(nothing)", want);
	return 1;
}

static int args_slots_cmd(struct kvs_state *st, const struct kvs_cmd *cmd)
{
	struct kvs_call call = { .st = st, .cmd = cmd };
	char **words;
	int n = args_slot_words(cmd, &words), faults = 0, rc;
	size_t i;

	rc = kvs_parse(&call, n, words);
	if (rc) {
		printf("not ok - %s %s: kvs_parse refused its options (%d)\n",
		       st->tool->name, cmd->name, rc);
		faults++;
	}
	for (i = 0; !rc && i < kvs_value_count(cmd); i++)
		faults += args_slot_check(&call, i);
	/* Conflicting options are refused; what matters is no overrun. */
	if (!rc)
		kvs_check_constraints(&call);
	if (!faults)
		printf("ok - %s %s: its %zu options and the global ones, each given three times\n",
		       st->tool->name, cmd->name, kvs_count_opts(cmd->opts));
	kvs_call_free(&call);
	kvs_free_words(n, words);
	return faults;
}

/* Every command of @tool, the one with the most options among them. */
static int args_slots(const struct kvs_tool *tool)
{
	struct kvs_state st = { .tool = tool };
	const struct kvs_cmd *c, *most = tool->cmds;
	int faults = 0;

	if (kvmops_new(&st.ctx))
		return 1;
	kvmops_set_log_fn(st.ctx, NULL);
	for (c = tool->cmds; c->name; c++) {
		faults += args_slots_cmd(&st, c);
		if (kvs_count_opts(c->opts) > kvs_count_opts(most->opts))
			most = c;
	}
	printf("# %s: the most options: %s, %zu\n", tool->name, most->name,
	       kvs_count_opts(most->opts));
	kvmops_unref(st.ctx);
	return faults;
}

#endif
