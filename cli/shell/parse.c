// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Words in, a parsed call out: shell-like word splitting, options by the
 * command's table, and the options' values. One parser serves one-shot
 * runs, scripts on stdin and the readline shell, so they cannot disagree.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shell/shell-private.h"

/* ---- words ----------------------------------------------------------------- */

struct word_buf {
	char *s;
	size_t len, cap;
};

static void put_char(struct word_buf *b, char c)
{
	if (b->len + 2 > b->cap) {
		b->cap = b->cap ? b->cap * 2 : 64;
		b->s = realloc(b->s, b->cap);
		if (!b->s)
			abort();
	}
	b->s[b->len++] = c;
	b->s[b->len] = '\0';
}

static void push_word(int *n, char ***words, struct word_buf *b)
{
	*words = realloc(*words, ((size_t)*n + 2) * sizeof(char *));
	if (!*words)
		abort();
	(*words)[(*n)++] = b->s ? b->s : strdup("");
	(*words)[*n] = NULL;
	memset(b, 0, sizeof(*b));
}

void kvs_free_words(int n, char **words)
{
	while (n-- > 0)
		free(words[n]);
	free(words);
}

/* One character outside quotes; returns the next to look at. */
static const char *unquoted(const char *line, struct word_buf *b, char *quote,
			    bool *in_word, int *n, char ***words)
{
	char c = *line;

	if (c == ' ' || c == '\t' || c == '\n') {
		if (*in_word)
			push_word(n, words, b);
		*in_word = false;
		return line + 1;
	}
	*in_word = true;
	if (c == '\'' || c == '"')
		*quote = c;
	else if (c == '\\' && line[1])
		put_char(b, *++line);
	else
		put_char(b, c);
	return line + 1;
}

int kvs_split(const char *line, int *n, char ***words)
{
	struct word_buf b = { 0 };
	bool in_word = false;
	char quote = 0;

	*n = 0;
	*words = NULL;
	while (*line) {
		if (!quote) {
			line = unquoted(line, &b, &quote, &in_word, n, words);
			continue;
		}
		if (*line == quote)
			quote = 0;
		else if (*line == '\\' && quote == '"' && line[1])
			put_char(&b, *++line);
		else
			put_char(&b, *line);
		line++;
	}
	if (quote) {
		free(b.s);
		kvs_free_words(*n, *words);
		*n = 0;
		*words = NULL;
		return -EINVAL;
	}
	if (in_word)
		push_word(n, words, &b);
	return 0;
}

/* ---- options --------------------------------------------------------------- */

bool kvs_is_option_word(const char *w)
{
	return w[0] == '-' && w[1] && !isdigit((unsigned char)w[1]) &&
	       w[1] != '.';
}

/* An option that repeats keeps every value: "earlier,later". */
static void store_value(struct kvs_call *call, const struct kvs_opt *o,
			int index, const char *value)
{
	const char *was = call->values[index];
	char **grown, *both;

	if (!o->repeats || !was) {
		call->values[index] = value;
		return;
	}
	grown = realloc(call->joined,
			(call->njoined + 1) * sizeof(*call->joined));
	if (!grown || asprintf(&both, "%s,%s", was, value) < 0)
		abort();
	call->joined = grown;
	call->joined[call->njoined++] = both;
	call->values[index] = both;
}

static int take_value(struct kvs_call *call, const struct kvs_opt *o, int index,
		      const char *inline_value, int *i, int n, char **words)
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
		store_value(call, o, index, inline_value);
		return KVS_OK;
	}
	if (*i + 1 >= n)
		return kvs_error(call, KVS_USAGE,
				 "option --%s needs a value (%s)", o->name,
				 o->arg);
	store_value(call, o, index, words[++*i]);
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
			return kvs_error(
				call, KVS_USAGE,
				"unknown option '%s' (short options stand alone, as -q)",
				w);
		index = kvs_find_opt(call->cmd, NULL, 0, w[1], &o);
	}
	if (index < 0 && call->cmd)
		return kvs_error(
			call, KVS_USAGE,
			"unknown option '%s' for '%s'; see '%s help %s'", w,
			call->cmd->name, call->st->tool->name, call->cmd->name);
	if (index < 0)
		return kvs_error(call, KVS_USAGE,
				 "unknown option '%s'; see '%s --help'", w,
				 call->st->tool->name);
	return take_value(call, o, index, eq ? eq + 1 : NULL, i, n, words);
}

int kvs_parse(struct kvs_call *call, int n, char **words)
{
	bool options_done = false;
	int i, rc;

	call->values = calloc(kvs_value_count(call->cmd), sizeof(char *));
	call->argv = calloc((size_t)n + 1, sizeof(char *));
	if (!call->values || !call->argv)
		abort();
	for (i = 0; i < n; i++) {
		if (!options_done && !strcmp(words[i], "--")) {
			options_done = true;
			continue;
		}
		if (!options_done && kvs_is_option_word(words[i])) {
			rc = parse_option(call, &i, n, words);
			if (rc)
				return rc;
			continue;
		}
		call->argv[call->argc++] = words[i];
	}
	return KVS_OK;
}

void kvs_call_free(struct kvs_call *call)
{
	while (call->njoined)
		free(call->joined[--call->njoined]);
	free(call->joined);
	call->joined = NULL;
	free(call->values);
	free(call->argv);
	call->values = NULL;
	call->argv = NULL;
}

/* ---- what the options say -------------------------------------------------- */

static const char *value_of(const struct kvs_call *call, const char *name)
{
	const struct kvs_opt *o;
	int i = kvs_find_opt(call->cmd, name, strlen(name), 0, &o);

	if (i < 0) {
		/* a misspelt name would read as "not given", silently */
		fprintf(stderr,
			"%s: internal error: '%s' looks up --%s, which it does not have\n",
			call->st->tool->name, call->cmd ? call->cmd->name : "",
			name);
		abort();
	}
	return call->values ? call->values[i] : NULL;
}

const char *kvs_opt(const struct kvs_call *call, const char *name)
{
	return value_of(call, name);
}

bool kvs_flag(const struct kvs_call *call, const char *name)
{
	return value_of(call, name) != NULL;
}

int kvs_opt_u64(const struct kvs_call *call, const char *name, uint64_t min,
		uint64_t max, uint64_t def, uint64_t *value)
{
	const char *text = value_of(call, name);
	unsigned long long v;
	char *end;

	*value = def;
	if (!text)
		return KVS_OK;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (!isdigit((unsigned char)*text) || *end || errno || v < min ||
	    v > max)
		return kvs_error(
			call, KVS_USAGE,
			"invalid value '%s' for --%s: expected a whole number from %llu to %llu",
			text, name, (unsigned long long)min,
			(unsigned long long)max);
	*value = v;
	return KVS_OK;
}

int kvs_opt_double(const struct kvs_call *call, const char *name, double min,
		   double max, double def, double *value)
{
	const char *text = value_of(call, name);
	char *end;
	double v;

	*value = def;
	if (!text)
		return KVS_OK;
	errno = 0;
	v = strtod(text, &end);
	if (!*text || *end || errno || !isfinite(v) || v < min || v > max)
		return kvs_error(
			call, KVS_USAGE,
			"invalid value '%s' for --%s: expected a number from %g to %g",
			text, name, min, max);
	*value = v;
	return KVS_OK;
}

int kvs_opt_choice(const struct kvs_call *call, const char *name,
		   const char *const *choices, int def, int *value)
{
	const char *v = value_of(call, name);
	int i;

	*value = def;
	if (!v)
		return KVS_OK;
	for (i = 0; choices[i]; i++) {
		if (!strcmp(v, choices[i])) {
			*value = i;
			return KVS_OK;
		}
	}
	return kvs_error(
		call, KVS_USAGE,
		"--%s: '%s' is not one of the choices; see '%s help %s'", name,
		v, call->st->tool->name, call->cmd->name);
}

/* The first option of comma-separated @list given in @call, or NULL. */
static const char *first_given(const struct kvs_call *call, const char *list,
			       bool given)
{
	static char name[64];
	const char *p = list;
	size_t n;

	while (p && *p) {
		n = strcspn(p, ",");
		snprintf(name, sizeof(name), "%.*s", (int)n, p);
		if ((value_of(call, name) != NULL) == given)
			return name;
		p += n + (p[n] == ',');
	}
	return NULL;
}

int kvs_check_constraints(const struct kvs_call *call)
{
	const struct kvs_opt *o;
	const char *other;
	size_t i;

	for (i = 0; (o = kvs_opt_at(call->cmd, i)); i++) {
		if (!call->values[i])
			continue;
		if (o->needs && (other = first_given(call, o->needs, false)))
			return kvs_error(call, KVS_USAGE, "--%s needs --%s",
					 o->name, other);
		if (o->goes_with && !first_given(call, o->goes_with, true))
			return kvs_error(
				call, KVS_USAGE, "--%s goes with --%s", o->name,
				first_given(call, o->goes_with, false));
		if (o->conflicts &&
		    (other = first_given(call, o->conflicts, true)))
			return kvs_error(call, KVS_USAGE,
					 "--%s and --%s contradict each other",
					 o->name, other);
	}
	return KVS_OK;
}
