/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * An export directory (dir.c): its manifest read and written whole (the
 * new one replaces the old by rename, so a crash leaves one or the other),
 * and the stored images hashed as sha256sum reads them.
 */
#ifndef KVMOPS_BACKUP_DIR_H
#define KVMOPS_BACKUP_DIR_H

#include "backup/manifest.h"
#include "virt/stream.h"

/*
 * Reads @dir's manifest into @m: 0; 1 when @dir has none (@m empty);
 * -EINVAL when it is bad or @dir is not a directory. Free @m.
 */
int kvmops_backup_dir_read(struct kvmops_ctx *ctx, const char *dir,
			   struct kvmops_manifest *m);

/* The same, for a directory that must be a backup one: no manifest is -EINVAL. */
int kvmops_backup_dir_open(struct kvmops_ctx *ctx, const char *dir,
			   struct kvmops_manifest *m);

/* Writes @m as @dir's manifest, atomically: 0 or -EIO. */
int kvmops_backup_dir_write(struct kvmops_ctx *ctx, const char *dir,
			    const struct kvmops_manifest *m);

/* @dir/@backup/@file into @path: 0 or -ENAMETOOLONG. */
int kvmops_backup_path(struct kvmops_ctx *ctx, char *path, size_t len,
		       const char *dir, const char *backup, const char *file);

/*
 * The SHA-256 of file @path (holes read as zeros) into @sha256, and its
 * length into *@bytes (may be NULL): 0, -ECANCELED or -EIO.
 */
int kvmops_backup_hash_file(struct kvmops_ctx *ctx, const char *path,
			    const volatile int *cancel,
			    void (*progress)(void *, uint64_t), void *userdata,
			    char sha256[KVMOPS_SHA256_HEX], uint64_t *bytes);

/* The blocks file @path takes on its file system, in bytes; 0 unknown. */
uint64_t kvmops_backup_file_bytes(const char *path);

/* Whether directory @path holds nothing (an unreadable one: false). */
bool kvmops_dir_is_empty(const char *path);

/* Removes folder @path and the files in it (one level), best effort. */
void kvmops_backup_remove_folder(const char *path);

#endif
