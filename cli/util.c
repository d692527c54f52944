// SPDX-License-Identifier: GPL-2.0-or-later
/* Output helpers shared by the commands: errors, tables, JSON, state. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "shell.h"

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

int kvs_lib_error(const struct kvs_call *call, int status)
{
	const char *msg = kvmops_last_error(call->st->ctx);

	return kvs_error(call, status, "%s", *msg ? msg : "unknown failure");
}

void kvs_print_json(json_object *obj)
{
	puts(json_object_to_json_string_ext(obj,
					    JSON_C_TO_STRING_PRETTY |
						    JSON_C_TO_STRING_SPACED |
						    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(obj);
}

static int mkdir_p(char *path)
{
	char *p;

	for (p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) && errno != EEXIST) {
			*p = '/';
			return -errno;
		}
		*p = '/';
	}
	if (mkdir(path, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

char *kvs_state_file(const char *name)
{
	const char *base = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	char dir[4096], *path;

	if (base && *base == '/')
		snprintf(dir, sizeof(dir), "%s/kvmops", base);
	else if (home && *home)
		snprintf(dir, sizeof(dir), "%s/.local/state/kvmops", home);
	else
		return NULL;
	if (mkdir_p(dir))
		return NULL;
	if (asprintf(&path, "%s/%s", dir, name) < 0)
		return NULL;
	return path;
}

/* ---- tables ------------------------------------------------------------ */

void kvs_table_init(struct kvs_table *t, size_t ncols,
		    const char *const *heads, const bool *right)
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
		t->cells = realloc(t->cells, t->cap * t->ncols * sizeof(char *));
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

void kvs_table_print(struct kvs_table *t)
{
	size_t width[32] = { 0 }, r, c;

	for (c = 0; c < t->ncols && c < 32; c++) {
		width[c] = strlen(t->heads[c]);
		for (r = 0; r < t->nrows; r++) {
			size_t n = strlen(t->cells[r * t->ncols + c]);

			if (n > width[c])
				width[c] = n;
		}
	}
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
}

void kvs_table_free(struct kvs_table *t)
{
	size_t i;

	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}
