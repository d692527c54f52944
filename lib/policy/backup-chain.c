// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The chain of backups in an export directory (issue 16's kvm-migrate
 * export and import): whether the next backup can build on the last one,
 * and which backups make up a point in time. Figures in, a decision out,
 * with the reason a full backup was taken instead.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "libkvmops-private.h"

static const char *const reason_names[] = {
	[KVMOPS_CHAIN_CONTINUES] = "continues",
	[KVMOPS_CHAIN_ASKED_FULL] = "asked-full",
	[KVMOPS_CHAIN_NOT_ASKED] = "not-asked",
	[KVMOPS_CHAIN_NO_EARLIER] = "no-earlier-backup",
	[KVMOPS_CHAIN_NO_CHECKPOINT] = "no-checkpoint",
	[KVMOPS_CHAIN_CHECKPOINT_GONE] = "checkpoint-gone",
	[KVMOPS_CHAIN_BITMAP_GONE] = "bitmap-gone",
	[KVMOPS_CHAIN_DISK_ADDED] = "disk-added",
	[KVMOPS_CHAIN_DISK_REMOVED] = "disk-removed",
	[KVMOPS_CHAIN_NOT_QCOW2] = "not-qcow2",
	[KVMOPS_CHAIN_SHUT_OFF] = "shut-off",
};

const char *kvmops_chain_reason_name(enum kvmops_chain_reason reason)
{
	if ((size_t)reason >= ARRAY_SIZE(reason_names) || !reason_names[reason])
		return "unknown";
	return reason_names[reason];
}

static bool in_list(const char *const *list, size_t count, const char *word)
{
	for (size_t i = 0; i < count; i++)
		if (!strcmp(list[i], word))
			return true;
	return false;
}

static struct kvmops_chain_decision full(enum kvmops_chain_reason reason,
					 const char *disk)
{
	return (struct kvmops_chain_decision){
		.incremental = false,
		.reason = reason,
		.disk = disk,
	};
}

/* The disks now and then must be the same set, each able to go on. */
static struct kvmops_chain_decision
judge_disks(const struct kvmops_chain_figures *f)
{
	const struct kvmops_backup *last = f->last;
	size_t i;

	for (i = 0; i < f->disk_count; i++) {
		const struct kvmops_chain_disk *d = &f->disks[i];

		if (!in_list(last->disk_targets, last->disk_count, d->target))
			return full(KVMOPS_CHAIN_DISK_ADDED, d->target);
		if (strcmp(d->format, "qcow2"))
			return full(KVMOPS_CHAIN_NOT_QCOW2, d->target);
		if (!d->has_bitmap)
			return full(KVMOPS_CHAIN_BITMAP_GONE, d->target);
	}
	for (i = 0; i < last->disk_count; i++) {
		bool found = false;

		for (size_t j = 0; j < f->disk_count && !found; j++)
			found = !strcmp(f->disks[j].target,
					last->disk_targets[i]);
		if (!found)
			return full(KVMOPS_CHAIN_DISK_REMOVED,
				    last->disk_targets[i]);
	}
	return (struct kvmops_chain_decision){
		.incremental = true,
		.reason = KVMOPS_CHAIN_CONTINUES,
	};
}

/*
 * An incremental backup builds on the last one only when everything it
 * needs is there; otherwise a full one starts a new chain, and says why.
 * It never fails for that alone.
 */
struct kvmops_chain_decision
kvmops_chain_decide(const struct kvmops_chain_figures *f)
{
	if (f->asked_full)
		return full(KVMOPS_CHAIN_ASKED_FULL, NULL);
	if (!f->asked_incremental)
		return full(KVMOPS_CHAIN_NOT_ASKED, NULL);
	if (!f->last)
		return full(KVMOPS_CHAIN_NO_EARLIER, NULL);
	if (!f->running)
		return full(KVMOPS_CHAIN_SHUT_OFF, NULL);
	if (!f->last->checkpoint || !*f->last->checkpoint)
		return full(KVMOPS_CHAIN_NO_CHECKPOINT, NULL);
	if (!f->checkpoint_on_host)
		return full(KVMOPS_CHAIN_CHECKPOINT_GONE, NULL);
	return judge_disks(f);
}

static ssize_t find_backup(const struct kvmops_backup *backups, size_t count,
			   const char *name)
{
	for (size_t i = 0; i < count; i++)
		if (!strcmp(backups[i].name, name))
			return (ssize_t)i;
	return -1;
}

/*
 * The backups that make up @at (the newest when NULL), oldest first: a
 * full one and the incrementals on it, into @chain (room for @count).
 * -ENOENT when @at names no backup; -EINVAL when a link of the chain is
 * missing or loops, naming it.
 */
int kvmops_chain_point(struct kvmops_ctx *ctx,
		       const struct kvmops_backup *backups, size_t count,
		       const char *at, size_t *chain, size_t *length)
{
	ssize_t i = at ? find_backup(backups, count, at) : (ssize_t)count - 1;
	size_t n = 0;

	if (i < 0 && at)
		return kvmops_fail(ctx, -ENOENT, "no backup is named '%s'", at);
	if (i < 0)
		return kvmops_fail(ctx, -ENOENT, "there is no backup yet");
	for (;;) {
		if (n == count)
			return kvmops_fail(ctx, -EINVAL,
					   "the chain of backup '%s' loops",
					   backups[i].name);
		chain[n++] = (size_t)i;
		if (!backups[i].parent)
			break;
		i = find_backup(backups, count, backups[i].parent);
		if (i < 0)
			return kvmops_fail(
				ctx, -EINVAL,
				"backup '%s' builds on '%s', which is not in the directory",
				backups[chain[n - 1]].name,
				backups[chain[n - 1]].parent);
	}
	/* Walked from the newest back: turn it around. */
	for (size_t a = 0, b = n - 1; a < b; a++, b--) {
		size_t t = chain[a];

		chain[a] = chain[b];
		chain[b] = t;
	}
	*length = n;
	return 0;
}

/* Why a full backup was taken when an incremental one was asked for. */
void kvmops_chain_reason_text(const struct kvmops_chain_decision *d,
			      const char *checkpoint, char *buf, size_t len)
{
	const char *disk = d->disk ? d->disk : "?";

	switch (d->reason) {
	case KVMOPS_CHAIN_NO_EARLIER:
		snprintf(buf, len, "there is no earlier backup to build on");
		break;
	case KVMOPS_CHAIN_NO_CHECKPOINT:
		snprintf(buf, len, "the last backup took no checkpoint");
		break;
	case KVMOPS_CHAIN_CHECKPOINT_GONE:
		snprintf(buf, len, "the host no longer has checkpoint %s",
			 checkpoint);
		break;
	case KVMOPS_CHAIN_BITMAP_GONE:
		snprintf(buf, len, "disk %s lost the checkpoint's bitmap",
			 disk);
		break;
	case KVMOPS_CHAIN_DISK_ADDED:
		snprintf(buf, len, "disk %s was added since the last backup",
			 disk);
		break;
	case KVMOPS_CHAIN_DISK_REMOVED:
		snprintf(buf, len, "disk %s was removed since the last backup",
			 disk);
		break;
	case KVMOPS_CHAIN_NOT_QCOW2:
		snprintf(buf, len,
			 "disk %s is not qcow2, which alone keeps bitmaps",
			 disk);
		break;
	case KVMOPS_CHAIN_SHUT_OFF:
		snprintf(
			buf, len,
			"the guest is shut off: only a running guest's changes are tracked");
		break;
	default:
		snprintf(buf, len, "%s", kvmops_chain_reason_name(d->reason));
	}
}
