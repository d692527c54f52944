// SPDX-License-Identifier: LGPL-2.1-or-later
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backup/plan.h"
#include "virt/xml.h"

static void skip(struct kvmops_export_disk *e, const char *why)
{
	e->skip = true;
	snprintf(e->why, sizeof(e->why), "%s", why);
}

/* Why a disk is left out, or "" when it is backed up. */
static const char *left_out(const struct kvmops_disk *d)
{
	if (!strcmp(d->device, "cdrom") || !strcmp(d->device, "floppy"))
		return "a removable medium";
	if (!d->path[0] && !d->vol_name[0])
		return "no medium";
	if (d->readonly)
		return "read-only";
	return "";
}

/* A backup job writes qcow2; a shut-off disk goes as it is. */
static const char *stored_format(const struct kvmops_disk *d, bool running)
{
	if (running)
		return "qcow2";
	return d->format[0] ? d->format : "raw";
}

static const char *extension(const char *format)
{
	return strcmp(format, "qcow2") ? "img" : "qcow2";
}

static int plan_one(struct kvmops_ctx *ctx, const struct kvmops_disk *d,
		    bool running, bool compress, const char *backup_name,
		    struct kvmops_export_disk *e)
{
	const char *why = left_out(d);

	e->disk = *d;
	/* A network disk has no path, but is no empty drive. */
	if (!strcmp(d->type, "network") && strcmp(why, "a removable medium"))
		return kvmops_fail(
			ctx, -ENOTSUP,
			"disk %s is on network storage (%s): export copies the host's own disks",
			d->target, d->protocol[0] ? d->protocol : "network");
	if (*why) {
		skip(e, why);
		return 0;
	}
	if (d->shareable)
		return kvmops_fail(
			ctx, -ENOTSUP,
			"disk %s is shareable: other guests may write it while it is copied",
			d->target);
	if (!kvmops_backup_name_ok(d->target))
		return kvmops_fail(ctx, -EINVAL,
				   "disk target '%s' is not a plain name",
				   d->target);
	snprintf(e->stream_format, sizeof(e->stream_format), "%s",
		 stored_format(d, running));
	snprintf(e->stored_format, sizeof(e->stored_format), "%s",
		 compress ? "qcow2" : e->stream_format);
	snprintf(e->stored_file, sizeof(e->stored_file), "%s.%s", d->target,
		 extension(e->stored_format));
	e->compress = compress;
	if (compress) /* streamed beside it, then compressed into it */
		snprintf(e->stream_file, sizeof(e->stream_file), "%s.stream.%s",
			 d->target, extension(e->stream_format));
	if (running)
		snprintf(e->scratch_name, sizeof(e->scratch_name),
			 "kvmops-backup-%s-%s.qcow2", backup_name, d->target);
	return 0;
}

int kvmops_export_plan(struct kvmops_ctx *ctx, const struct kvmops_disk *disks,
		       size_t count, bool running, bool compress,
		       const char *backup_name,
		       struct kvmops_export_disk **plan)
{
	struct kvmops_export_disk *p = calloc(count ? count : 1, sizeof(*p));
	size_t taken = 0;
	int rc = 0;

	if (!p)
		return kvmops_fail(ctx, -ENOMEM, "out of memory");
	for (size_t i = 0; !rc && i < count; i++) {
		rc = plan_one(ctx, &disks[i], running, compress, backup_name,
			      &p[i]);
		taken += !rc && !p[i].skip;
	}
	if (!rc && !taken)
		rc = kvmops_fail(ctx, -ENOENT,
				 "the domain has no disk with data to export");
	if (rc) {
		free(p);
		return rc;
	}
	*plan = p;
	return 0;
}

/* ---- the XML ----------------------------------------------------------- */

/* The XML is written through a memory stream (open_memstream). */
struct text {
	FILE *f;
	char *buf;
	size_t len;
	bool failed;
};

static void begin(struct text *t)
{
	t->f = open_memstream(&t->buf, &t->len);
	t->failed = !t->f;
}

static char *done(struct text *t)
{
	if (t->f && fclose(t->f))
		t->failed = true;
	if (!t->failed)
		return t->buf;
	free(t->buf);
	return NULL;
}

static void add(struct text *t, const char *s)
{
	if (!t->failed && fputs(s, t->f) < 0)
		t->failed = true;
}

/* @s escaped between @before and @after (names and paths may hold &, <). */
static void add_escaped(struct text *t, const char *before, const char *s,
			const char *after)
{
	char *e = kvmops_xml_escape(s);

	if (!e)
		t->failed = true;
	add(t, before);
	add(t, e ? e : "");
	add(t, after);
	free(e);
}

char *kvmops_backup_job_xml(const struct kvmops_export_disk *plan, size_t count,
			    const char *const *scratch_paths, const char *since)
{
	struct text t = { 0 };

	begin(&t);
	add(&t, "<domainbackup mode='push'>\n");
	if (since)
		add_escaped(&t, "  <incremental>", since, "</incremental>\n");
	add(&t, "  <disks>\n");
	for (size_t i = 0; i < count; i++) {
		add_escaped(&t, "    <disk name='", plan[i].disk.target, "'");
		if (plan[i].skip) {
			add(&t, " backup='no'/>\n");
			continue;
		}
		add(&t, " backup='yes' type='file'>\n");
		add_escaped(&t, "      <target file='", scratch_paths[i],
			    "'/>\n");
		add(&t, "      <driver type='qcow2'/>\n    </disk>\n");
	}
	add(&t, "  </disks>\n</domainbackup>\n");
	return done(&t);
}

char *kvmops_checkpoint_xml(const struct kvmops_export_disk *plan, size_t count,
			    const char *name)
{
	struct text t = { 0 };

	begin(&t);
	add(&t, "<domaincheckpoint>\n");
	add_escaped(&t, "  <name>", name, "</name>\n");
	add(&t, "  <description>kvm-migrate export</description>\n");
	add(&t, "  <disks>\n");
	for (size_t i = 0; i < count; i++)
		add_escaped(&t, "    <disk name='", plan[i].disk.target,
			    plan[i].skip || !plan[i].bitmaps ?
				    "' checkpoint='no'/>\n" :
				    "' checkpoint='bitmap'/>\n");
	add(&t, "  </disks>\n</domaincheckpoint>\n");
	return done(&t);
}
