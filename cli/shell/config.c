// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Settings of a long-running command (kvm-ksm tune, kvm-balloon auto):
 * KEY=VALUE lines of a config file, then the command line's options of
 * the same names, each through the command's table of setters.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shell/shell.h"

/* ---- values ---------------------------------------------------------------- */

int kvs_whole(const char *text, uint64_t min, uint64_t max, uint64_t *v)
{
	char *end;

	if (!isdigit((unsigned char)*text))
		return -EINVAL;
	errno = 0;
	*v = strtoull(text, &end, 10);
	return errno || *end || *v < min || *v > max ? -EINVAL : 0;
}

int kvs_signed_whole(const char *text, long min, long max, long *v)
{
	char *end;

	errno = 0;
	*v = strtol(text, &end, 10);
	return errno || end == text || *end || *v < min || *v > max ? -EINVAL :
								      0;
}

/* "25" or "25%": a whole percent from @min to 100. */
int kvs_percent(const char *text, uint64_t min, uint64_t *v)
{
	char buf[32];
	size_t n = strlen(text);

	if (n && text[n - 1] == '%')
		n--;
	if (!n || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, text, n);
	buf[n] = '\0';
	return kvs_whole(buf, min, 100, v);
}

/* A size as kvmops_size_parse reads it, or with ALLOW_PERCENT a percent. */
int kvs_size_or_percent(const char *text, struct kvmops_size *size)
{
	struct kvmops_ctx *ctx;
	int rc;

	if (kvmops_new(&ctx))
		return -ENOMEM;
	kvmops_set_log_fn(ctx, NULL);
	rc = kvmops_size_parse(ctx, text, KVMOPS_SIZE_ALLOW_PERCENT, size);
	kvmops_unref(ctx);
	return rc ? -EINVAL : 0;
}

static const struct kvs_setting *find_setting(const struct kvs_setting *table,
					      size_t n, const char *key)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(table[i].key, key))
			return &table[i];
	return NULL;
}

static void list_keys(const struct kvs_setting *table, size_t n, char *buf,
		      size_t len)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		if (table[i].ignored)
			continue;
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
					 used ? ", " : "", table[i].key);
		if (used >= len)
			break;
	}
}

/* ---- the file ------------------------------------------------------------ */

/* Trims blanks, a shell comment after a blank, and one pair of quotes. */
static char *clean_value(char *v)
{
	char *end, *hash;

	while (isblank((unsigned char)*v))
		v++;
	if (*v == '"' || *v == '\'') {
		end = strchr(v + 1, *v);
		if (end) {
			*end = '\0';
			return v + 1;
		}
	}
	for (hash = v; (hash = strchr(hash, '#')); hash++)
		if (hash > v && isblank((unsigned char)hash[-1])) {
			*hash = '\0';
			break;
		}
	end = v + strlen(v);
	while (end > v && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return v;
}

struct file_pos {
	const struct kvs_call *call;
	const struct kvs_setting *table;
	size_t n;
	const char *path;
	unsigned int line;
};

static int apply_line(const struct file_pos *at, void *settings, char *line)
{
	const struct kvs_setting *set;
	const char *expected = "";
	char *key = line, *eq, *value, keys[1024];

	while (isblank((unsigned char)*key))
		key++;
	if (!*key || *key == '#' || *key == '\n')
		return KVS_OK;
	key[strcspn(key, "\n")] = '\0';
	if (!strncmp(key, "export ", 7))
		key += 7;
	eq = strchr(key, '=');
	if (!eq || eq == key)
		return kvs_error(at->call, KVS_USAGE,
				 "%s:%u: expected KEY=VALUE, got '%s'",
				 at->path, at->line, key);
	*eq = '\0';
	for (value = eq; value > key && isblank((unsigned char)value[-1]);)
		*--value = '\0';
	value = clean_value(eq + 1);
	set = find_setting(at->table, at->n, key);
	if (!set) {
		list_keys(at->table, at->n, keys, sizeof(keys));
		return kvs_error(at->call, KVS_USAGE,
				 "%s:%u: unknown key '%s'; the keys are %s",
				 at->path, at->line, key, keys);
	}
	if (set->set(settings, value, &expected))
		return kvs_error(at->call, KVS_USAGE,
				 "%s:%u: %s: invalid value '%s': expected %s",
				 at->path, at->line, key, value, expected);
	return KVS_OK;
}

int kvs_config_read(const struct kvs_call *call,
		    const struct kvs_setting *table, size_t n, const char *path,
		    bool must_exist, void *settings, char *read, size_t len)
{
	struct file_pos at = {
		.call = call, .table = table, .n = n, .path = path
	};
	char line[4096];
	int rc = KVS_OK;
	FILE *f = fopen(path, "re");

	if (!f && errno == ENOENT && !must_exist)
		return KVS_OK;
	if (!f)
		return kvs_error(call, KVS_USAGE,
				 "--config: cannot read %s: %s", path,
				 strerror(errno));
	snprintf(read, len, "%s", path);
	while (!rc && fgets(line, sizeof(line), f)) {
		at.line++;
		rc = apply_line(&at, settings, line);
	}
	fclose(f);
	return rc;
}

/* ---- the options ----------------------------------------------------------- */

int kvs_config_options(const struct kvs_call *call,
		       const struct kvs_setting *table, size_t n,
		       void *settings)
{
	const char *expected = "", *text;
	size_t i;

	for (i = 0; i < n; i++) {
		const struct kvs_setting *set = &table[i];

		if (!set->option)
			continue;
		text = kvs_opt(call, set->key);
		if (!text)
			continue;
		if (set->set(settings, set->flag ? "yes" : text, &expected))
			return kvs_error(
				call, KVS_USAGE,
				"invalid value '%s' for --%s: expected %s",
				text, set->key, expected);
	}
	return KVS_OK;
}

int kvs_config_load(const struct kvs_call *call,
		    const struct kvs_setting *table, size_t n,
		    const char *default_path, void *settings, char *read,
		    size_t len)
{
	const char *config = kvs_opt(call, "config");
	int rc = kvs_config_read(call, table, n, config ? config : default_path,
				 config != NULL, settings, read, len);

	return rc ? rc : kvs_config_options(call, table, n, settings);
}
