/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Stored images and qemu-img (image.c): an image of a backup's chain as
 * qemu-img opens it (each one backed by its parent's, as the manifest
 * says, since stored images name no backing file), and an image
 * compressed so that the chain still reads the same: a cluster the
 * guest wrote as zeros stays a zero cluster and never becomes a hole
 * through which the parent's older data would show.
 */
#ifndef KVMOPS_BACKUP_IMAGE_H
#define KVMOPS_BACKUP_IMAGE_H

#include "backup/manifest.h"

/*
 * Backup @b's image of disk @target in @dir as qemu-img opens it
 * ("json:{...}"), with its parents' as backing; NULL without memory or
 * when a backup of the chain has no image of @target. Free it.
 */
char *kvmops_backup_image_spec(struct kvmops_ctx *ctx, const char *dir,
			       const struct kvmops_manifest *m,
			       const struct kvmops_manifest_backup *b,
			       const char *target);

/*
 * Runs qemu-img with @argv (argv[0] "qemu-img"), for @doing ("rebuild
 * the image"): 0 when it exits 0, its exit status (> 0) otherwise, -EIO
 * when it cannot run or is killed, -ECANCELED when *@cancel (if given)
 * turned non-zero, which ends it with SIGTERM (looked at four times a
 * second).
 */
int kvmops_qemu_img(struct kvmops_ctx *ctx, const char *const argv[],
		    const char *doing, const volatile int *cancel);

/* What kvmops_backup_compress() takes. */
struct kvmops_compress {
	const char *source; /* the image as streamed */
	const char *source_format; /* "raw" or "qcow2" */
	const char *output; /* made new: a compressed qcow2 */
	/* an incremental's parent in @dir, or NULL for a full backup */
	const struct kvmops_manifest *m;
	const struct kvmops_manifest_backup *parent;
	const char *dir, *target;
	bool verify; /* compare the two, read through the chain */
	const volatile int *cancel; /* if given, non-zero stops qemu-img */
};

/*
 * Writes @c->output, a compressed qcow2 that reads as @c->source does
 * on top of the same parent, and names no backing file. 0, -ECANCELED
 * when *@c->cancel turned non-zero, or -EIO naming what failed
 * (qemu-img, or a comparison that found them different). @c->output is
 * removed on failure.
 */
int kvmops_backup_compress(struct kvmops_ctx *ctx,
			   const struct kvmops_compress *c);

#endif
