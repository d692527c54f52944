// SPDX-License-Identifier: LGPL-2.1-or-later
#include "config.h"

#include <ctype.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "backup/manifest.h"

bool kvmops_backup_name_ok(const char *name)
{
	if (!name || !*name || *name == '.')
		return false;
	for (; *name; name++)
		if (!isalnum((unsigned char)*name) && !strchr("._-", *name))
			return false;
	return true;
}

/* Where a reader is, for its messages: the file, and the backup. */
struct reader {
	struct kvmops_ctx *ctx;
	const char *where;
	char in[KVMOPS_BACKUP_NAME_MAX + 16]; /* "" or "backup 'NAME': " */
};

static int bad(struct reader *r, const char *field, const char *why)
{
	return kvmops_fail(r->ctx, -EINVAL, "%s: %s%s %s", r->where, r->in,
			   field, why);
}

static json_object *member(json_object *o, const char *key, enum json_type type)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, type))
		return NULL;
	return v;
}

/* A string member into @buf: it must be there, fit, and pass @ok. */
static int take_string(struct reader *r, json_object *o, const char *key,
		       char *buf, size_t len, bool (*ok)(const char *))
{
	json_object *v = member(o, key, json_type_string);
	const char *s = v ? json_object_get_string(v) : NULL;

	if (!s)
		return bad(r, key, "is missing, or not a string");
	if (strlen(s) >= len)
		return bad(r, key, "is too long");
	if (ok && !ok(s))
		return bad(r, key, "is not a plain name ([A-Za-z0-9._-])");
	memcpy(buf, s, strlen(s) + 1);
	return 0;
}

/* An optional string: "" when absent or null. */
static int take_optional(struct reader *r, json_object *o, const char *key,
			 char *buf, size_t len, bool (*ok)(const char *))
{
	json_object *v;

	*buf = '\0';
	if (!json_object_object_get_ex(o, key, &v) || !v)
		return 0;
	return take_string(r, o, key, buf, len, ok);
}

static int take_u64(struct reader *r, json_object *o, const char *key,
		    uint64_t *value)
{
	json_object *v = member(o, key, json_type_int);
	int64_t n = v ? json_object_get_int64(v) : -1;

	if (n < 0)
		return bad(r, key,
			   "is missing, or not a whole number of 0 or more");
	*value = (uint64_t)n;
	return 0;
}

/* An optional boolean: false when absent. */
static int take_flag(struct reader *r, json_object *o, const char *key,
		     bool *value)
{
	json_object *v;

	*value = false;
	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	if (!json_object_is_type(v, json_type_boolean))
		return bad(r, key, "is not true or false");
	*value = json_object_get_boolean(v);
	return 0;
}

static bool is_sha256(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++)
		if (!isxdigit((unsigned char)s[n]) ||
		    isupper((unsigned char)s[n]))
			return false;
	return n == 64;
}

static bool is_format(const char *s)
{
	return !strcmp(s, "raw") || !strcmp(s, "qcow2");
}

static int read_disk(struct reader *r, json_object *o,
		     struct kvmops_manifest_disk *d)
{
	int rc;

	if (!json_object_is_type(o, json_type_object))
		return bad(r, "a disk", "is not an object");
	rc = take_string(r, o, "target", d->target, sizeof(d->target),
			 kvmops_backup_name_ok);
	if (!rc)
		rc = take_string(r, o, "format", d->format, sizeof(d->format),
				 is_format);
	if (!rc)
		rc = take_string(r, o, "file", d->file, sizeof(d->file),
				 kvmops_backup_name_ok);
	if (!rc)
		rc = take_u64(r, o, "virtual_bytes", &d->virtual_bytes);
	if (!rc)
		rc = take_u64(r, o, "stored_bytes", &d->stored_bytes);
	if (!rc)
		rc = take_string(r, o, "sha256", d->sha256, sizeof(d->sha256),
				 is_sha256);
	if (!rc)
		rc = take_flag(r, o, "compressed", &d->compressed);
	if (!rc && d->compressed && strcmp(d->format, "qcow2"))
		rc = bad(r, "compressed",
			 "is true for an image that is not qcow2");
	return rc;
}

static bool earlier(const struct kvmops_manifest *m, size_t before,
		    const char *name)
{
	for (size_t i = 0; i < before; i++)
		if (!strcmp(m->backups[i].name, name))
			return true;
	return false;
}

/* The kind and the chain: an incremental builds on an earlier backup. */
static int read_chain(struct reader *r, json_object *o,
		      const struct kvmops_manifest *m, size_t index,
		      struct kvmops_manifest_backup *b)
{
	json_object *kind = member(o, "kind", json_type_string);
	const char *k = kind ? json_object_get_string(kind) : "";
	int rc;

	if (strcmp(k, "full") && strcmp(k, "incremental"))
		return bad(r, "kind",
			   "is neither \"full\" nor \"incremental\"");
	b->incremental = !strcmp(k, "incremental");
	rc = take_optional(r, o, "parent", b->parent, sizeof(b->parent),
			   kvmops_backup_name_ok);
	if (!rc)
		rc = take_optional(r, o, "checkpoint", b->checkpoint,
				   sizeof(b->checkpoint),
				   kvmops_backup_name_ok);
	if (rc)
		return rc;
	if (b->incremental != !!*b->parent)
		return bad(r, "parent",
			   b->incremental ? "is missing for an incremental" :
					    "is given for a full backup");
	if (*b->parent && !earlier(m, index, b->parent))
		return bad(r, "parent", "names no earlier backup");
	if (earlier(m, index, b->name))
		return bad(r, "name", "is the name of an earlier backup");
	return 0;
}

static int read_backup(struct reader *r, json_object *o,
		       struct kvmops_manifest *m, size_t index)
{
	struct kvmops_manifest_backup *b = &m->backups[index];
	json_object *disks;
	int rc;

	r->in[0] = '\0';
	if (!json_object_is_type(o, json_type_object))
		return bad(r, "a backup", "is not an object");
	rc = take_string(r, o, "name", b->name, sizeof(b->name),
			 kvmops_backup_name_ok);
	if (rc)
		return rc;
	snprintf(r->in, sizeof(r->in), "backup '%s': ", b->name);
	rc = take_string(r, o, "time", b->time, sizeof(b->time), NULL);
	if (!rc)
		rc = read_chain(r, o, m, index, b);
	if (rc)
		return rc;
	disks = member(o, "disks", json_type_array);
	if (!disks || !json_object_array_length(disks))
		return bad(r, "disks", "is missing or empty");
	b->disk_count = json_object_array_length(disks);
	b->disks = calloc(b->disk_count, sizeof(*b->disks));
	if (!b->disks)
		return kvmops_fail(r->ctx, -ENOMEM, "out of memory");
	for (size_t i = 0; !rc && i < b->disk_count; i++)
		rc = read_disk(r, json_object_array_get_idx(disks, i),
			       &b->disks[i]);
	return rc;
}

static int read_top(struct reader *r, json_object *root,
		    struct kvmops_manifest *m)
{
	json_object *v = member(root, "version", json_type_int), *list;
	int rc;

	if (!v)
		return bad(r, "version", "is missing: not a kvmops backup");
	if (json_object_get_int64(v) != KVMOPS_MANIFEST_VERSION)
		return kvmops_fail(r->ctx, -EINVAL,
				   "%s: a manifest of version %" PRId64
				   "; this kvmops reads version %d",
				   r->where, json_object_get_int64(v),
				   KVMOPS_MANIFEST_VERSION);
	m->version = KVMOPS_MANIFEST_VERSION;
	rc = take_string(r, root, "domain", m->domain, sizeof(m->domain), NULL);
	if (!rc)
		rc = take_string(r, root, "uuid", m->uuid, sizeof(m->uuid),
				 NULL);
	if (rc)
		return rc;
	list = member(root, "backups", json_type_array);
	if (!list)
		return bad(r, "backups", "is missing, or not a list");
	m->count = json_object_array_length(list);
	m->backups = m->count ? calloc(m->count, sizeof(*m->backups)) : NULL;
	if (m->count && !m->backups)
		return kvmops_fail(r->ctx, -ENOMEM, "out of memory");
	for (size_t i = 0; !rc && i < m->count; i++)
		rc = read_backup(r, json_object_array_get_idx(list, i), m, i);
	return rc;
}

int kvmops_manifest_parse(struct kvmops_ctx *ctx, const char *text,
			  const char *where, struct kvmops_manifest *m)
{
	struct reader r = { .ctx = ctx, .where = where };
	enum json_tokener_error jerr;
	json_object *root;
	int rc;

	memset(m, 0, sizeof(*m));
	root = json_tokener_parse_verbose(text, &jerr);
	if (!root || !json_object_is_type(root, json_type_object)) {
		json_object_put(root);
		return kvmops_fail(ctx, -EINVAL,
				   "%s: not a kvmops manifest: %s", where,
				   root ? "not a JSON object" :
					  json_tokener_error_desc(jerr));
	}
	rc = read_top(&r, root, m);
	json_object_put(root);
	if (rc)
		kvmops_manifest_free(m);
	return rc;
}

/* ---- writing ----------------------------------------------------------- */

static void put_string(json_object *o, const char *key, const char *s)
{
	json_object_object_add(o, key, *s ? json_object_new_string(s) : NULL);
}

static json_object *disk_json(const struct kvmops_manifest_disk *d)
{
	json_object *o = json_object_new_object();

	put_string(o, "target", d->target);
	put_string(o, "format", d->format);
	put_string(o, "file", d->file);
	json_object_object_add(
		o, "virtual_bytes",
		json_object_new_int64((int64_t)d->virtual_bytes));
	json_object_object_add(o, "stored_bytes",
			       json_object_new_int64((int64_t)d->stored_bytes));
	put_string(o, "sha256", d->sha256);
	json_object_object_add(o, "compressed",
			       json_object_new_boolean(d->compressed));
	return o;
}

static json_object *backup_json(const struct kvmops_manifest_backup *b)
{
	json_object *o = json_object_new_object(), *disks;

	put_string(o, "name", b->name);
	put_string(o, "time", b->time);
	json_object_object_add(o, "kind",
			       json_object_new_string(b->incremental ?
							      "incremental" :
							      "full"));
	put_string(o, "parent", b->parent);
	put_string(o, "checkpoint", b->checkpoint);
	disks = json_object_new_array();
	for (size_t i = 0; i < b->disk_count; i++)
		json_object_array_add(disks, disk_json(&b->disks[i]));
	json_object_object_add(o, "disks", disks);
	return o;
}

char *kvmops_manifest_format(const struct kvmops_manifest *m)
{
	json_object *root = json_object_new_object(), *list;
	char *text;

	json_object_object_add(root, "version",
			       json_object_new_int(KVMOPS_MANIFEST_VERSION));
	put_string(root, "domain", m->domain);
	put_string(root, "uuid", m->uuid);
	list = json_object_new_array();
	for (size_t i = 0; i < m->count; i++)
		json_object_array_add(list, backup_json(&m->backups[i]));
	json_object_object_add(root, "backups", list);
	text = strdup(json_object_to_json_string_ext(
		root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
			      JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
	return text;
}

int kvmops_manifest_add(struct kvmops_ctx *ctx, struct kvmops_manifest *m,
			const struct kvmops_manifest_backup *b)
{
	struct kvmops_manifest_backup *grown, *copy;

	if (*b->parent && !earlier(m, m->count, b->parent))
		return kvmops_fail(
			ctx, -EINVAL,
			"backup '%s' builds on '%s', which is not in the manifest",
			b->name, b->parent);
	grown = realloc(m->backups, (m->count + 1) * sizeof(*grown));
	if (!grown)
		return kvmops_fail(ctx, -ENOMEM, "out of memory");
	m->backups = grown;
	copy = &m->backups[m->count];
	*copy = *b;
	copy->disks =
		calloc(b->disk_count ? b->disk_count : 1, sizeof(*copy->disks));
	if (!copy->disks)
		return kvmops_fail(ctx, -ENOMEM, "out of memory");
	memcpy(copy->disks, b->disks, b->disk_count * sizeof(*b->disks));
	m->count++;
	return 0;
}

void kvmops_manifest_free(struct kvmops_manifest *m)
{
	for (size_t i = 0; i < m->count; i++)
		free(m->backups ? m->backups[i].disks : NULL);
	free(m->backups);
	m->backups = NULL;
	m->count = 0;
}

const struct kvmops_manifest_backup *
kvmops_manifest_find(const struct kvmops_manifest *m, const char *name)
{
	for (size_t i = 0; i < m->count; i++)
		if (!strcmp(m->backups[i].name, name))
			return &m->backups[i];
	return NULL;
}

const struct kvmops_manifest_disk *
kvmops_manifest_disk(const struct kvmops_manifest_backup *b, const char *target)
{
	for (size_t i = 0; i < b->disk_count; i++)
		if (!strcmp(b->disks[i].target, target))
			return &b->disks[i];
	return NULL;
}
