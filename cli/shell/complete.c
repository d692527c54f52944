// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Completion for readline and for bash (through the hidden 'complete'
 * command), from the same command tables, so the two cannot drift apart.
 */
#include "config.h"

#include <dirent.h>
#include <limits.h>

#include <stdlib.h>
#include <string.h>

#include "shell/shell-private.h"

static void add_commands(struct kvs_state *st, struct kvs_list *out,
			 bool with_help)
{
	const struct kvs_cmd *c;

	for (c = st->tool->cmds; c->name; c++)
		if (!c->hidden)
			kvs_list_add(out, c->name);
	if (!with_help)
		return;
	kvs_list_add(out, "help");
	if (st->interactive) {
		kvs_list_add(out, "quit");
		kvs_list_add(out, "exit");
	}
}

static void add_opts(const struct kvs_opt *opts, struct kvs_list *out)
{
	for (; opts && opts->name; opts++)
		kvs_list_addf(out, "--%s", opts->name);
}

/* After the command, only the global options that mean something there. */
static void add_line_globals(struct kvs_list *out)
{
	const struct kvs_opt *o;

	for (o = kvs_global_opts; o->name; o++)
		if (!kvs_in_list("version,keep-going", o->name,
				 strlen(o->name)))
			kvs_list_addf(out, "--%s", o->name);
}

static const struct kvs_opt *valued_opt(const struct kvs_cmd *cmd,
					const char *word)
{
	const struct kvs_opt *o = NULL;

	if (word[0] != '-' || strchr(word, '='))
		return NULL;
	if (word[1] == '-')
		kvs_find_opt(cmd, word + 2, strlen(word + 2), 0, &o);
	else if (word[1] && !word[2])
		kvs_find_opt(cmd, NULL, 0, word[1], &o);
	return o && o->arg && o->arg[0] != '[' ? o : NULL;
}

/* "--opt=PREFIX": the values of --opt, each with "--opt=" before it. */
static void complete_inline_value(struct kvs_state *st,
				  const struct kvs_cmd *cmd, const char *word,
				  struct kvs_list *out)
{
	const char *eq = strchr(word, '=');
	const struct kvs_opt *o = NULL;
	struct kvs_list values = { 0 };
	size_t i;

	kvs_find_opt(cmd, word + 2, (size_t)(eq - word - 2), 0, &o);
	if (!o || !o->complete)
		return;
	o->complete(st, eq + 1, &values);
	for (i = 0; i < values.count; i++)
		kvs_list_addf(out, "%.*s%s", (int)(eq - word + 1), word,
			      values.items[i]);
	kvs_list_clear(&values);
}

/* Index of the command word among @words[0 .. n-2], or -1. */
static int find_command_word(const struct kvs_cmd *none, int n, char **words)
{
	int i;

	for (i = 0; i < n - 1; i++) {
		if (!strcmp(words[i], "--"))
			return -1;
		if (words[i][0] != '-')
			return i;
		if (valued_opt(none, words[i]))
			i++;
	}
	return -1;
}

/* How many positional arguments come before the word being completed. */
static int count_args(const struct kvs_cmd *cmd, int n, char **words)
{
	int i, args = 0;

	for (i = 1; i < n - 1; i++) {
		if (words[i][0] != '-')
			args++;
		else if (valued_opt(cmd, words[i]))
			i++;
	}
	return args;
}

static void complete_for_cmd(struct kvs_state *st, const struct kvs_cmd *cmd,
			     int n, char **words, struct kvs_list *out)
{
	const char *word = words[n - 1];
	const struct kvs_opt *o = n > 1 ? valued_opt(cmd, words[n - 2]) : NULL;

	st->complete_cmd = cmd;
	st->complete_words = words;
	st->complete_nwords = n;
	if (o) {
		if (o->complete)
			o->complete(st, word, out);
	} else if (!strncmp(word, "--", 2) && strchr(word, '=')) {
		complete_inline_value(st, cmd, word, out);
	} else if (word[0] == '-') {
		add_opts(cmd ? cmd->opts : NULL, out);
		if (cmd)
			add_line_globals(out);
		else
			add_opts(kvs_global_opts, out);
	} else if (cmd && cmd->complete_arg) {
		st->complete_argno = count_args(cmd, n, words);
		cmd->complete_arg(st, word, out);
	}
}

const char *kvs_complete_positional(const struct kvs_state *st, int which)
{
	int i, args = 0;

	for (i = 1; i < st->complete_nwords - 1; i++) {
		const char *w = st->complete_words[i];

		if (w[0] != '-' && args++ == which)
			return w;
		if (w[0] == '-' && valued_opt(st->complete_cmd, w))
			i++;
	}
	return NULL;
}

static void keep_prefixed(struct kvs_list *list, const char *prefix)
{
	size_t i, kept = 0, len = strlen(prefix);

	for (i = 0; i < list->count; i++) {
		if (!strncmp(list->items[i], prefix, len))
			list->items[kept++] = list->items[i];
		else
			free(list->items[i]);
	}
	list->count = kept;
}

void kvs_complete(struct kvs_state *st, int n, char **words,
		  struct kvs_list *out)
{
	const char *word = words[n - 1];
	const struct kvs_cmd *cmd;
	int at = find_command_word(NULL, n, words);

	if (at < 0) {
		if (word[0] == '-')
			add_opts(kvs_global_opts, out);
		else if (n < 2 || !valued_opt(NULL, words[n - 2]))
			add_commands(st, out, true);
		else
			complete_for_cmd(st, NULL, n, words, out);
	} else if (!strcmp(words[at], "help")) {
		if (n - at == 2)
			add_commands(st, out, false);
	} else {
		cmd = kvs_find_cmd(st->tool, words[at]);
		if (cmd)
			complete_for_cmd(st, cmd, n - at, words + at, out);
	}
	keep_prefixed(out, word);
}

void kvs_complete_domains(struct kvs_state *st, struct kvs_list *out)
{
	struct kvs_call call = { .st = st };
	virConnectPtr conn;
	char **names;
	size_t n, i;

	if (!kvs_have_uri(&call))
		return; /* libvirt's default may prompt or be slow: not here */
	conn = st->complete_conn;
	if (!conn &&
	    kvmops_connect(st->ctx, st->uri, KVMOPS_CONNECT_READONLY, &conn))
		return;
	st->complete_conn = conn;
	if (!kvmops_domain_names(st->ctx, conn, 0, &names, &n)) {
		for (i = 0; i < n; i++)
			kvs_list_add(out, names[i]);
		kvmops_free_names(names, n);
	}
}

void kvs_complete_files(struct kvs_state *st, const char *prefix,
			struct kvs_list *out)
{
	const char *slash = strrchr(prefix, '/'), *base;
	char dir[PATH_MAX];
	struct dirent *de;
	DIR *d;

	if (slash)
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - prefix + 1),
			 prefix);
	else
		dir[0] = '\0';
	base = slash ? slash + 1 : prefix;
	d = opendir(dir[0] ? dir : ".");
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    strncmp(de->d_name, base, strlen(base)) ||
		    (de->d_name[0] == '.' && base[0] != '.'))
			continue;
		kvs_list_addf(out, "%s%s%s", dir, de->d_name,
			      de->d_type == DT_DIR ? "/" : "");
	}
	closedir(d);
}

/* A -c URI typed on the line counts for completing what follows it. */
static void take_uri(struct kvs_state *st, int n, char **words)
{
	const char *uri = NULL;
	int i;

	for (i = 0; i < n - 1; i++) {
		if (!strcmp(words[i], "--"))
			break; /* what follows is arguments, not options */
		if (!strcmp(words[i], "-c") || !strcmp(words[i], "--connect"))
			uri = words[i + 1];
		else if (!strncmp(words[i], "--connect=", 10))
			uri = words[i] + 10;
	}
	if (!uri)
		return;
	free(st->uri);
	st->uri = strdup(uri);
}

/* kvm-ksm complete -- WORD... : the words after the program name. */
int kvs_run_complete(struct kvs_state *st, int n, char **words)
{
	struct kvs_list out = { 0 };
	char *empty[] = { (char *)"" };
	size_t i;

	if (n && !strcmp(words[0], "--")) {
		n--;
		words++;
	}
	if (!n) {
		n = 1;
		words = empty;
	}
	take_uri(st, n, words);
	kvs_complete(st, n, words, &out);
	for (i = 0; i < out.count; i++)
		puts(out.items[i]);
	kvs_list_clear(&out);
	return KVS_OK;
}
