/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Between the parts of the shell framework; commands do not use these. */
#ifndef KVMOPS_SHELL_PRIVATE_H
#define KVMOPS_SHELL_PRIVATE_H

#include <stdio.h>

#include "shell.h"

extern const struct kvs_opt kvs_global_opts[];

int kvs_find_opt(const struct kvs_cmd *cmd, const char *name, size_t len,
		 char short_name, const struct kvs_opt **opt);
const struct kvs_cmd *kvs_find_cmd(const struct kvs_tool *tool,
				   const char *name);
int kvs_parse(struct kvs_call *call, int n, char **words);
int kvs_run_words(struct kvs_state *st, int n, char **words);

/* Splits a line as a shell would (quotes, backslash); -EINVAL if unclosed. */
int kvs_split(const char *line, int *n, char ***words);
void kvs_free_words(int n, char **words);

/* Candidates for the last of @words, the one being typed. */
void kvs_complete(struct kvs_state *st, int n, char **words,
		  struct kvs_list *out);
int kvs_run_complete(struct kvs_state *st, int n, char **words);

int kvs_interactive(struct kvs_state *st);
int kvs_script(struct kvs_state *st, FILE *in);

#endif
