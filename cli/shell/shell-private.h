/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Between the parts of the shell framework; commands do not use these.
 * The parts depend on each other one way:
 *   tables.c <- output.c <- parse.c <- help.c, complete.c, selftest.c
 *   <- dispatch.c <- input.c <- main.c   (conn.c and state.c use output.c;
 *   signals.c nothing)
 */
#ifndef KVMOPS_SHELL_PRIVATE_H
#define KVMOPS_SHELL_PRIVATE_H

#include <stdio.h>

#include "shell/shell.h"

/* ---- signals.c ---- */

/* Counts SIGINT and SIGTERM into kvs_interrupted, without SA_RESTART. */
void kvs_install_signals(void);

/* ---- tables.c: the global options, and walking the tables ---- */

extern const struct kvs_opt kvs_global_opts[];

size_t kvs_count_opts(const struct kvs_opt *opts);
/* The option at @index of @cmd's values: its own, then the global ones. */
const struct kvs_opt *kvs_opt_at(const struct kvs_cmd *cmd, size_t index);
/* How many values a call of @cmd holds. */
size_t kvs_value_count(const struct kvs_cmd *cmd);
/*
 * Finds an option of @cmd (or, @cmd NULL, a global one) by long name
 * (@len chars of @name) or by @short_name; its index, or -1.
 */
int kvs_find_opt(const struct kvs_cmd *cmd, const char *name, size_t len,
		 char short_name, const struct kvs_opt **opt);
const struct kvs_cmd *kvs_find_cmd(const struct kvs_tool *tool,
				   const char *name);
/* Whether @word is one of the comma-separated @list. */
bool kvs_in_list(const char *list, const char *word, size_t len);

/* ---- parse.c: words and options ---- */

/* "-25%" and "-5" are values, not options. */
bool kvs_is_option_word(const char *w);
/*
 * Splits @words (after the command name) into options and positional
 * arguments; "--" ends the options. Allocates call->values and
 * call->argv: free them with kvs_call_free().
 */
int kvs_parse(struct kvs_call *call, int n, char **words);
/* Whether the options given fit together (needs, goes_with, conflicts). */
int kvs_check_constraints(const struct kvs_call *call);
void kvs_call_free(struct kvs_call *call);

/* Splits a line as a shell would (quotes, backslash); -EINVAL if unclosed. */
int kvs_split(const char *line, int *n, char ***words);
void kvs_free_words(int n, char **words);

/* ---- help.c ---- */

void kvs_print_tool_help(const struct kvs_tool *tool);
void kvs_print_cmd_help(const struct kvs_tool *tool, const struct kvs_cmd *cmd);
int kvs_run_help(struct kvs_state *st, int n, char **words);

/* ---- complete.c ---- */

/* Candidates for the last of @words, the one being typed. */
void kvs_complete(struct kvs_state *st, int n, char **words,
		  struct kvs_list *out);
int kvs_run_complete(struct kvs_state *st, int n, char **words);

/* ---- selftest.c ---- */

/* Checks every table of the tool; KVS_OK, or KVS_FAIL naming each fault. */
int kvs_run_selftest(struct kvs_state *st, int n, char **words);

/* ---- dispatch.c ---- */

int kvs_run_words(struct kvs_state *st, int n, char **words);

/* ---- input.c ---- */

int kvs_interactive(struct kvs_state *st);
int kvs_script(struct kvs_state *st, FILE *in);

#endif
