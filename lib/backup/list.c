// SPDX-License-Identifier: LGPL-2.1-or-later
/* An export directory's backups listed, and its images verified. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "backup/dir.h"

static void info_of(const struct kvmops_manifest_backup *b,
		    struct kvmops_backup_info *i)
{
	snprintf(i->name, sizeof(i->name), "%s", b->name);
	snprintf(i->time, sizeof(i->time), "%s", b->time);
	i->incremental = b->incremental;
	snprintf(i->parent, sizeof(i->parent), "%s", b->parent);
	snprintf(i->checkpoint, sizeof(i->checkpoint), "%s", b->checkpoint);
	i->disks = (unsigned int)b->disk_count;
	for (size_t k = 0; k < b->disk_count; k++) {
		i->stored_bytes += b->disks[k].stored_bytes;
		i->virtual_bytes += b->disks[k].virtual_bytes;
		i->compressed |= b->disks[k].compressed;
	}
}

KVMOPS_EXPORT int kvmops_backup_list(struct kvmops_ctx *ctx, const char *dir,
				     char *domain, size_t len,
				     struct kvmops_backup_info **list,
				     size_t *count)
{
	struct kvmops_manifest m;
	int rc;

	if (!ctx || !dir || !list || !count)
		return -EINVAL;
	rc = kvmops_backup_dir_open(ctx, dir, &m);
	if (rc)
		return rc;
	*list = calloc(m.count ? m.count : 1, sizeof(**list));
	if (!*list) {
		kvmops_manifest_free(&m);
		return kvmops_fail(ctx, -ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < m.count; i++)
		info_of(&m.backups[i], &(*list)[i]);
	*count = m.count;
	if (domain && len)
		snprintf(domain, len, "%s", m.domain);
	kvmops_manifest_free(&m);
	return 0;
}

static size_t image_count(const struct kvmops_manifest *m)
{
	size_t n = 0;

	for (size_t i = 0; i < m->count; i++)
		n += m->backups[i].disk_count;
	return n;
}

/* One image against its manifest entry: 0, or -EIO naming it. */
static int verify_one(struct kvmops_ctx *ctx, const char *dir,
		      const struct kvmops_manifest_backup *b,
		      const struct kvmops_manifest_disk *d,
		      const volatile int *cancel, struct kvmops_verify_item *it)
{
	char path[PATH_MAX];
	int rc = kvmops_backup_path(ctx, path, sizeof(path), dir, b->name,
				    d->file);

	snprintf(it->backup, sizeof(it->backup), "%s", b->name);
	snprintf(it->file, sizeof(it->file), "%s", d->file);
	snprintf(it->want, sizeof(it->want), "%s", d->sha256);
	if (!rc)
		rc = kvmops_backup_hash_file(ctx, path, cancel, NULL, NULL,
					     it->sha256, NULL);
	if (rc)
		return rc;
	it->ok = !strcmp(it->sha256, d->sha256);
	if (!it->ok)
		return kvmops_fail(
			ctx, -EIO,
			"%s does not match the manifest: SHA-256 %s, the manifest says %s",
			path, it->sha256, d->sha256);
	return 0;
}

KVMOPS_EXPORT int kvmops_backup_verify(struct kvmops_ctx *ctx, const char *dir,
				       const volatile int *cancel,
				       struct kvmops_verify_item **items,
				       size_t *count)
{
	struct kvmops_manifest m;
	char keep[1024] = "";
	int rc, first = 0;
	size_t n = 0;

	if (!ctx || !dir || !items || !count)
		return -EINVAL;
	rc = kvmops_virt_load(ctx); /* the SHA-256 code comes with it */
	if (!rc)
		rc = kvmops_backup_dir_open(ctx, dir, &m);
	if (rc)
		return rc;
	*items = calloc(image_count(&m) + 1, sizeof(**items));
	if (!*items) {
		kvmops_manifest_free(&m);
		return kvmops_fail(ctx, -ENOMEM, "out of memory");
	}
	/* every image is read; the first failure is the one reported */
	for (size_t i = 0; i < m.count && first != -ECANCELED; i++)
		for (size_t k = 0; k < m.backups[i].disk_count; k++) {
			rc = verify_one(ctx, dir, &m.backups[i],
					&m.backups[i].disks[k], cancel,
					&(*items)[n++]);
			if (rc == -ECANCELED) {
				first = rc;
				break;
			}
			if (rc && !first) {
				first = -EIO;
				snprintf(keep, sizeof(keep), "%s",
					 kvmops_last_error(ctx));
				kvmops_fail(ctx, -EIO, "%s", keep);
			} else if (rc) {
				kvmops_fail(ctx, -EIO, "%s", keep);
			}
		}
	*count = n;
	kvmops_manifest_free(&m);
	return first;
}
