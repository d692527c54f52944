/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What an export does with each disk (plan.c): stream it as it is (a
 * shut-off guest), or take it through a push-mode backup job into a
 * scratch volume next to it (a running one), or leave it out and say
 * why; and the backup job's and the checkpoint's XML. No I/O.
 */
#ifndef KVMOPS_BACKUP_PLAN_H
#define KVMOPS_BACKUP_PLAN_H

#include "backup/manifest.h"
#include "migrate/migrate.h"

struct kvmops_export_disk {
	struct kvmops_disk disk;
	bool skip; /* not backed up: why says why */
	char why[64];
	char stored_file[KVMOPS_BACKUP_NAME_MAX + 16]; /* "vda.qcow2" */
	char stored_format[16]; /* what the stored image is */
	char stream_format[16]; /* what comes out of the volume or the job */
	bool compress; /* streamed into stream_file, then compressed */
	char stream_file[KVMOPS_BACKUP_NAME_MAX + 24]; /* "vda.stream.qcow2" */
	/* its image can hold a persistent bitmap: qcow2 v3 (compat 1.1) */
	bool bitmaps;
	/* a running guest's: the job's target, a volume in the disk's pool */
	char scratch_name[KVMOPS_BACKUP_NAME_MAX + 48];
};

/*
 * One entry per disk of @disks (stored compressed when @compress): 0,
 * or -ENOTSUP naming a disk export
 * cannot take (network storage, a shareable disk), or -ENOENT when no
 * disk carries data. Free *@plan with free().
 */
int kvmops_export_plan(struct kvmops_ctx *ctx, const struct kvmops_disk *disks,
		       size_t count, bool running, bool compress,
		       const char *backup_name,
		       struct kvmops_export_disk **plan);

/*
 * The push-mode job's XML: each disk taken into @scratch_paths[i] (qcow2),
 * the others backup='no'; only what changed since @since (a checkpoint)
 * when not NULL. NULL without memory; free it.
 */
char *kvmops_backup_job_xml(const struct kvmops_export_disk *plan, size_t count,
			    const char *const *scratch_paths,
			    const char *since);
/*
 * The checkpoint taken with it: a bitmap in each disk backed up whose
 * image can hold one (.bitmaps).
 */
char *kvmops_checkpoint_xml(const struct kvmops_export_disk *plan, size_t count,
			    const char *name);

#endif
