/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * An export directory's manifest.json (kvm-migrate export and import):
 * the domain, and each backup with its disks and the chain. Read with
 * every name checked, as the directory may come from anywhere: a name
 * that could leave the directory is refused.
 */
#ifndef KVMOPS_BACKUP_MANIFEST_H
#define KVMOPS_BACKUP_MANIFEST_H

#include "libkvmops-private.h"

#define KVMOPS_MANIFEST_VERSION 1
#define KVMOPS_MANIFEST_FILE "manifest.json"
#define KVMOPS_BACKUP_NAME_MAX 64

struct kvmops_manifest_disk {
	char target[32]; /* "vda" */
	char format[16]; /* of the image stored: "raw" or "qcow2" */
	char file[KVMOPS_BACKUP_NAME_MAX + 16]; /* in the backup's folder */
	uint64_t virtual_bytes;
	uint64_t stored_bytes; /* what the file takes in the directory */
	char sha256[65];
	bool compressed; /* a qcow2 of compressed clusters (export --compress) */
};

struct kvmops_manifest_backup {
	char name[KVMOPS_BACKUP_NAME_MAX]; /* also its folder's name */
	char time[32]; /* ISO 8601, UTC: "2026-12-02T19:00:00Z" */
	bool incremental;
	char parent[KVMOPS_BACKUP_NAME_MAX]; /* "" for a full one */
	char checkpoint[KVMOPS_BACKUP_NAME_MAX]; /* "" when none was taken */
	struct kvmops_manifest_disk *disks;
	size_t disk_count;
};

struct kvmops_manifest {
	unsigned int version;
	char domain[256];
	char uuid[37];
	struct kvmops_manifest_backup *backups; /* oldest first */
	size_t count;
};

/*
 * Parses @text (from @where, named in messages): 0, or -EINVAL naming
 * the part that is wrong (not JSON, another version, a missing or bad
 * field, a name that could leave the directory, a parent that is not an
 * earlier backup). Free with kvmops_manifest_free().
 */
int kvmops_manifest_parse(struct kvmops_ctx *ctx, const char *text,
			  const char *where, struct kvmops_manifest *m);
/* The manifest as JSON text; NULL without memory. Free it. */
char *kvmops_manifest_format(const struct kvmops_manifest *m);
/* Appends a copy of @b: -EINVAL when its parent is not in @m. */
int kvmops_manifest_add(struct kvmops_ctx *ctx, struct kvmops_manifest *m,
			const struct kvmops_manifest_backup *b);
void kvmops_manifest_free(struct kvmops_manifest *m);
/* The backup named @name in @m, or NULL. */
const struct kvmops_manifest_backup *
kvmops_manifest_find(const struct kvmops_manifest *m, const char *name);

/* Backup @b's image of disk @target, or NULL. */
const struct kvmops_manifest_disk *
kvmops_manifest_disk(const struct kvmops_manifest_backup *b,
		     const char *target);

/* Whether @name is a plain file name: [A-Za-z0-9._-], no leading dot. */
bool kvmops_backup_name_ok(const char *name);

#endif
