// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What the commands say: errors with the options that fix them, the one
 * mapping from library errors to exit status, tables, JSON, lists.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shell/shell-private.h"

/* Refusals that change nothing: the caller's input is what is wrong. */
int kvs_status_of(int rc)
{
	switch (rc) {
	case 0:
		return KVS_OK;
	case -EINVAL: /* a bad value, or values that do not fit together */
	case -ENOENT: /* no such domain, knob or pool */
	case -ENODEV: /* no balloon device */
	case -ENODATA: /* no stats to judge by */
	case -E2BIG: /* above the maximum */
	case -EDOM: /* below the safety floor */
	case -ERANGE: /* a number out of range */
		return KVS_USAGE;
	default:
		return KVS_FAIL;
	}
}

/* ---- errors ---------------------------------------------------------------- */

static void vreport(const struct kvs_call *call, const char *level,
		    const char *fmt, va_list args)
{
	fflush(stdout);
	fprintf(stderr, "%s: %s: ", call->st->tool->name, level);
	vfprintf(stderr, fmt, args);
	fputc('\n', stderr);
}

int kvs_error(const struct kvs_call *call, int status, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vreport(call, "error", fmt, args);
	va_end(args);
	return status;
}

void kvs_warn(const struct kvs_call *call, const char *fmt, ...)
{
	va_list args;

	if (call->quiet)
		return;
	va_start(args, fmt);
	vreport(call, "warning", fmt, args);
	va_end(args);
}

/* "--copy-storage all|inc": the option of @call that sets @name, or NULL. */
static const char *option_for(const struct kvs_call *call, const char *name,
			      size_t len, char *buf, size_t size)
{
	const struct kvs_opt *o;
	size_t i;

	for (i = 0; (o = kvs_opt_at(call->cmd, i)); i++) {
		if (!o->field || !kvs_in_list(o->field, name, len))
			continue;
		snprintf(buf, size, "--%s%s%s", o->name,
			 o->arg && o->arg[0] != '[' ? " " : "",
			 o->arg && o->arg[0] != '[' ? o->arg : "");
		return buf;
	}
	return NULL;
}

/* What the tool says to do for @name, when no option covers it. */
static const char *tool_remedy(const struct kvs_call *call, const char *name,
			       size_t len)
{
	const struct kvs_remedy *r;

	for (r = call->st->tool->remedies; r && r->name; r++)
		if (strlen(r->name) == len && !strncmp(r->name, name, len))
			return r->hint;
	return NULL;
}

static size_t add_hint(char *buf, size_t len, size_t used, const char *hint)
{
	if (!hint || strstr(buf, hint) || used >= len)
		return used;
	return used + (size_t)snprintf(buf + used, len - used, "%s%s",
				       used ? ", " : " (see ", hint);
}

void kvs_remedy_hint(const struct kvs_call *call, const char *remedy, char *buf,
		     size_t len)
{
	const char *p = remedy;
	char one[128];
	size_t used = 0, n;

	*buf = '\0';
	while (p && *p) {
		n = strcspn(p, ",");
		used = add_hint(buf, len, used,
				option_for(call, p, n, one, sizeof(one)));
		used = add_hint(buf, len, used, tool_remedy(call, p, n));
		p += n + (p[n] == ',');
	}
	if (used && used + 1 < len)
		snprintf(buf + used, len - used, ")");
}

int kvs_lib_error_on(const struct kvs_call *call, int rc, const char *what)
{
	const char *msg = kvmops_last_error(call->st->ctx);
	char hint[256];

	kvs_remedy_hint(call, kvmops_last_remedy(call->st->ctx), hint,
			sizeof(hint));
	/* A figure the system gave is no fault of the command line. */
	int status = kvmops_last_error_from_system(call->st->ctx) ?
			     KVS_FAIL :
			     kvs_status_of(rc);

	return kvs_error(call, status, "%s%s%s%s", what ? what : "",
			 what ? ": " : "", *msg ? msg : "unknown failure",
			 hint);
}

int kvs_lib_error(const struct kvs_call *call, int rc)
{
	return kvs_lib_error_on(call, rc, NULL);
}

int kvs_result(const struct kvs_call *call, int rc)
{
	return rc ? kvs_lib_error(call, rc) : KVS_OK;
}

/* ---- JSON ------------------------------------------------------------------ */

void kvs_print_json(json_object *obj)
{
	puts(json_object_to_json_string_ext(
		obj, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
			     JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(obj);
}

void kvs_print_event(json_object *obj)
{
	puts(json_object_to_json_string_ext(
		obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	fflush(stdout);
	json_object_put(obj);
}

/* ---- lists ----------------------------------------------------------------- */

void kvs_list_add(struct kvs_list *list, const char *item)
{
	char **grown;
	size_t i;

	for (i = 0; i < list->count; i++)
		if (!strcmp(list->items[i], item))
			return;
	if (list->count == list->cap) {
		list->cap = list->cap ? list->cap * 2 : 32;
		grown = realloc(list->items, list->cap * sizeof(*grown));
		if (!grown)
			abort();
		list->items = grown;
	}
	list->items[list->count] = strdup(item);
	if (!list->items[list->count])
		abort();
	list->count++;
}

void kvs_list_addf(struct kvs_list *list, const char *fmt, ...)
{
	char buf[512];
	va_list args;

	va_start(args, fmt);
	vsnprintf(buf, sizeof(buf), fmt, args);
	va_end(args);
	kvs_list_add(list, buf);
}

void kvs_list_clear(struct kvs_list *list)
{
	size_t i;

	for (i = 0; i < list->count; i++)
		free(list->items[i]);
	free(list->items);
	memset(list, 0, sizeof(*list));
}

void kvs_complete_choices(struct kvs_list *out, const char *const *choices)
{
	for (; *choices; choices++)
		kvs_list_add(out, *choices);
}

/* ---- tables ---------------------------------------------------------------- */

const char *kvs_bytes(uint64_t bytes, char *buf, size_t len)
{
	kvmops_size_format(bytes, buf, len);
	return buf;
}

void kvs_table_init(struct kvs_table *t, size_t ncols, const char *const *heads,
		    const bool *right)
{
	memset(t, 0, sizeof(*t));
	t->ncols = ncols;
	t->heads = heads;
	t->right = right;
}

void kvs_table_row(struct kvs_table *t, ...)
{
	va_list args;
	size_t i;

	if (t->nrows == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->cells =
			realloc(t->cells, t->cap * t->ncols * sizeof(char *));
		if (!t->cells)
			abort();
	}
	va_start(args, t);
	for (i = 0; i < t->ncols; i++) {
		const char *cell = va_arg(args, const char *);

		t->cells[t->nrows * t->ncols + i] = strdup(cell ? cell : "");
	}
	va_end(args);
	t->nrows++;
}

static void print_cell(const char *s, size_t width, bool right, bool last)
{
	if (right)
		printf("%*s", (int)width, s);
	else if (last)
		fputs(s, stdout);
	else
		printf("%-*s", (int)width, s);
}

static size_t column_width(const struct kvs_table *t, size_t c)
{
	size_t width = strlen(t->heads[c]), r, n;

	for (r = 0; r < t->nrows; r++) {
		n = strlen(t->cells[r * t->ncols + c]);
		if (n > width)
			width = n;
	}
	return width;
}

void kvs_table_print(struct kvs_table *t)
{
	size_t *width = calloc(t->ncols ? t->ncols : 1, sizeof(*width)), r, c;

	if (!width)
		abort();
	for (c = 0; c < t->ncols; c++)
		width[c] = column_width(t, c);
	for (r = 0; r <= t->nrows; r++) {
		for (c = 0; c < t->ncols; c++) {
			const char *s = r ? t->cells[(r - 1) * t->ncols + c] :
					    t->heads[c];

			if (c)
				fputs("  ", stdout);
			print_cell(s, width[c], t->right && t->right[c],
				   c + 1 == t->ncols);
		}
		putchar('\n');
	}
	free(width);
}

void kvs_table_free(struct kvs_table *t)
{
	size_t i;

	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}
