// SPDX-License-Identifier: GPL-2.0-or-later
/* The readline shell and the stdin script mode: lines in, commands run. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "shell/shell-private.h"

#define HISTORY_LINES 1000

static bool is_blank_or_comment(const char *line)
{
	line += strspn(line, " \t\r\n");
	return !*line || *line == '#';
}

/* Runs one line; 'quit' and 'exit' return -1 in the shell. */
static int run_line(struct kvs_state *st, const char *line)
{
	char **words;
	int n, rc;

	if (is_blank_or_comment(line))
		return 0;
	if (kvs_split(line, &n, &words)) {
		fprintf(stderr, "%s: error: unclosed quote in: %.*s\n",
			st->tool->name, (int)strcspn(line, "\r\n"), line);
		return KVS_USAGE;
	}
	if (st->interactive &&
	    (!strcmp(words[0], "quit") || !strcmp(words[0], "exit")))
		rc = -1;
	else
		rc = kvs_run_words(st, n, words);
	kvs_free_words(n, words);
	return rc;
}

int kvs_script(struct kvs_state *st, FILE *in)
{
	char *line = NULL;
	size_t cap = 0;
	int rc, status = KVS_OK;

	while (getline(&line, &cap, in) > 0) {
		rc = run_line(st, line);
		if (rc > 0) {
			status = rc;
			if (!st->keep_going)
				break;
		}
	}
	free(line);
	return status;
}

/* ---- readline ---------------------------------------------------------- */

static struct kvs_state *rl_state;
static struct kvs_list rl_matches;

static char *match_generator(const char *text, int state)
{
	static size_t next;

	if (!state)
		next = 0;
	if (next < rl_matches.count)
		return strdup(rl_matches.items[next++]);
	return NULL;
}

static void collect_matches(const char *upto_point)
{
	char **words, **all;
	int n;

	kvs_list_clear(&rl_matches);
	if (kvs_split(upto_point, &n, &words))
		return;
	/* After a space, the word being typed is empty. */
	all = realloc(words, ((size_t)n + 2) * sizeof(char *));
	if (!all)
		abort();
	if (!n || strchr(" \t", upto_point[strlen(upto_point) - 1]))
		all[n++] = strdup("");
	kvs_complete(rl_state, n, all, &rl_matches);
	kvs_free_words(n, all);
}

static char **attempt_completion(const char *text, int start, int end)
{
	char *upto = strndup(rl_line_buffer, (size_t)rl_point);

	rl_attempted_completion_over = 1;
	if (!upto)
		return NULL;
	collect_matches(upto);
	free(upto);
	/* "key=" wants its value typed next, not a space. */
	if (rl_matches.count == 1) {
		const char *m = rl_matches.items[0];

		if (*m && m[strlen(m) - 1] == '=')
			rl_completion_suppress_append = 1;
	}
	return rl_completion_matches(text, match_generator);
}

static int on_signal_event(void)
{
	if (!kvs_interrupted)
		return 0;
	kvs_interrupted = 0;
	/* Ctrl-C at the prompt drops the line, as in bash. */
	rl_free_line_state();
	rl_replace_line("", 0);
	rl_crlf();
	rl_on_new_line();
	rl_redisplay();
	return 0;
}

static char *history_path(const struct kvs_state *st)
{
	char name[128];

	snprintf(name, sizeof(name), "%s_history", st->tool->name);
	return kvs_state_file(name);
}

int kvs_interactive(struct kvs_state *st)
{
	char prompt[64], *line, *hist = history_path(st);

	st->interactive = true;
	rl_state = st;
	rl_readline_name = st->tool->name;
	rl_attempted_completion_function = attempt_completion;
	rl_completer_word_break_characters = (char *)" \t\n";
	rl_catch_signals = 0;
	rl_signal_event_hook = on_signal_event;
	using_history();
	if (hist)
		read_history(hist);
	snprintf(prompt, sizeof(prompt), "%s> ", st->tool->name);
	while ((line = readline(prompt))) {
		int rc;

		if (!is_blank_or_comment(line))
			add_history(line);
		kvs_interrupted = 0;
		rc = run_line(st, line);
		free(line);
		if (rc < 0)
			break;
	}
	if (!line)
		putchar('\n');
	if (hist) {
		write_history(hist);
		history_truncate_file(hist, HISTORY_LINES);
		free(hist);
	}
	kvs_list_clear(&rl_matches);
	return KVS_OK;
}
