// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * kvm-migrate import: a backup of an export directory made into a domain
 * on a host again. Each disk's image is the stored one, or, for an
 * incremental backup, the chain from its full backup rebuilt by qemu-img
 * into one image (the stored files are only read), as is a compressed
 * one, so that the restored disk is plain. The image goes into a
 * new volume through a sparse upload and is read back; the definition,
 * its disk paths rewritten, is defined last. A failure removes every
 * volume and definition made.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backup/dir.h"
#include "backup/image.h"
#include "migrate/migrate.h"
#include "virt/domain.h"
#include "virt/xml.h"

struct restored {
	const struct kvmops_disk *disk; /* in the definition */
	char image[PATH_MAX]; /* what goes up: stored, or rebuilt */
	bool rebuilt; /* image is ours: removed at the end */
	char vol_path[PATH_MAX];
	virStorageVolPtr vol; /* made by us */
};

struct import {
	struct kvmops_ctx *ctx;
	virConnectPtr dst;
	const char *dir;
	struct kvmops_import_opts o;
	kvmops_progress_fn progress;
	void *userdata;
	const volatile int *cancel;
	uint64_t t0_ms;
	struct kvmops_manifest m;
	size_t chain[256], length;
	const struct kvmops_manifest_backup *top;
	char *xml; /* the backup's definition */
	struct kvmops_disk *disks;
	size_t ndisks;
	struct restored *r;
	size_t nr;
	char name[256];
	virDomainPtr defined;
	struct kvmops_import_result *result;
};

/* @job's figures, and the time since the import began */
static void report(struct import *im, struct kvmops_job *job)
{
	job->elapsed_ms = kvmops_now_ms() - im->t0_ms;
	if (im->progress)
		im->progress(im->ctx, job, im->userdata);
}

/* ---- which backup, and its files --------------------------------------- */

static int pick(struct import *im)
{
	struct kvmops_backup *list = calloc(im->m.count + 1, sizeof(*list));
	int rc;

	if (!list)
		return kvmops_fail(im->ctx, -ENOMEM, "out of memory");
	for (size_t i = 0; i < im->m.count; i++)
		list[i] = (struct kvmops_backup){
			.name = im->m.backups[i].name,
			.parent = im->m.backups[i].parent[0] ?
					  im->m.backups[i].parent :
					  NULL,
		};
	rc = im->m.count > ARRAY_SIZE(im->chain) ?
		     kvmops_fail(im->ctx, -E2BIG, "more than %zu backups",
				 ARRAY_SIZE(im->chain)) :
		     kvmops_chain_point(im->ctx, list, im->m.count, im->o.at,
					im->chain, &im->length);
	free(list);
	if (!rc)
		im->top = &im->m.backups[im->chain[im->length - 1]];
	return rc;
}

/* Each file of the chain for @target against the manifest. */
static int check_files(struct import *im, const char *target)
{
	for (size_t i = 0; i < im->length; i++) {
		const struct kvmops_manifest_backup *b =
			&im->m.backups[im->chain[i]];
		const struct kvmops_manifest_disk *d =
			kvmops_manifest_disk(b, target);
		char path[PATH_MAX], sha[KVMOPS_SHA256_HEX];
		int rc;

		if (!d)
			return kvmops_fail(im->ctx, -EINVAL,
					   "backup %s has no image of disk %s",
					   b->name, target);
		rc = kvmops_backup_path(im->ctx, path, sizeof(path), im->dir,
					b->name, d->file);
		if (!rc)
			rc = kvmops_backup_hash_file(im->ctx, path, im->cancel,
						     NULL, NULL, sha, NULL);
		if (rc)
			return rc;
		if (strcmp(sha, d->sha256))
			return kvmops_fail(
				im->ctx, -EIO,
				"%s does not match the manifest: SHA-256 %s, the manifest says %s",
				path, sha, d->sha256);
	}
	return 0;
}

/* ---- rebuilding a chain with qemu-img ---------------------------------- */

static int rebuild(struct import *im, struct restored *r)
{
	char *spec = kvmops_backup_image_spec(im->ctx, im->dir, &im->m, im->top,
					      r->disk->target);
	const char *fmt = r->disk->format[0] ? r->disk->format : "raw";
	int fd, rc;

	if (!spec)
		return kvmops_fail(im->ctx, -ENOMEM, "out of memory");
	snprintf(r->image, sizeof(r->image), "%s/.kvmops-import-%s-XXXXXX",
		 im->dir, r->disk->target);
	fd = mkstemp(r->image);
	if (fd < 0) {
		free(spec);
		return kvmops_fail(im->ctx, -EIO,
				   "cannot make a file in %s: %s", im->dir,
				   strerror(errno));
	}
	close(fd);
	r->rebuilt = true;
	const char *const argv[] = { "qemu-img", "convert", "-q",     "-O",
				     fmt,	 spec,	    r->image, NULL };
	rc = kvmops_qemu_img(im->ctx, argv, "rebuild the image", im->cancel);
	free(spec);
	return rc > 0 ? -EIO : rc;
}

/* What goes up for @r: the stored file itself, or the chain rebuilt. */
static int prepare_image(struct import *im, struct restored *r)
{
	const struct kvmops_manifest_disk *d =
		kvmops_manifest_disk(im->top, r->disk->target);
	const char *fmt = r->disk->format[0] ? r->disk->format : "raw";
	int rc = check_files(im, r->disk->target);

	if (rc)
		return rc;
	/* a compressed image is rebuilt too: the restored disk is plain */
	if (im->length == 1 && !strcmp(d->format, fmt) && !d->compressed)
		return kvmops_backup_path(im->ctx, r->image, sizeof(r->image),
					  im->dir, im->top->name, d->file);
	return rebuild(im, r);
}

/* ---- the volumes -------------------------------------------------------- */

static int pool_for(struct import *im, const struct kvmops_disk *d,
		    struct kvmops_pool_info *pi)
{
	struct kvmops_probe probe;
	char dir[PATH_MAX];
	int rc;

	kvmops_probe_libvirt(&probe, im->dst);
	snprintf(dir, sizeof(dir), "%s", d->path);
	rc = probe.ops->pool(&probe, im->o.pool, dirname(dir), pi);
	if (rc && im->o.pool)
		return kvmops_fail_remedy(
			im->ctx, -ENOENT, "pool",
			"there is no active pool %s on the destination",
			im->o.pool);
	if (rc)
		return kvmops_fail_remedy(
			im->ctx, -ENOENT, "pool",
			"no active pool on the destination is over %s, where disk %s was: name one",
			dir, d->target);
	return 0;
}

static void volume_name(struct import *im, const struct kvmops_disk *d,
			char *buf, size_t len)
{
	char base[PATH_MAX];
	const char *dot;

	snprintf(base, sizeof(base), "%s", d->path);
	if (!im->o.name) {
		snprintf(buf, len, "%s", basename(base));
		return;
	}
	dot = strrchr(basename(base), '.');
	snprintf(buf, len, "%s-%s%s", im->o.name, d->target, dot ? dot : "");
}

static int make_volume(struct import *im, struct restored *r)
{
	struct kvmops_pool_info pi;
	struct kvmops_vol_info vi = { 0 };
	char name[PATH_MAX], err[512];
	struct stat st;
	virStoragePoolPtr pool;
	virStorageVolPtr there = NULL;
	int rc = pool_for(im, r->disk, &pi);

	if (rc)
		return rc;
	volume_name(im, r->disk, name, sizeof(name));
	pool = VIRT(virStoragePoolLookupByName)(im->dst, pi.name);
	if (pool)
		there = VIRT(virStorageVolLookupByName)(pool, name);
	if (pool)
		VIRT(virStoragePoolFree)(pool);
	if (there) {
		VIRT(virStorageVolFree)(there);
		return kvmops_fail_remedy(
			im->ctx, -EEXIST, "name",
			"pool %s on the destination has a volume %s already: restore under another name",
			pi.name, name);
	}
	vi.capacity = stat(r->image, &st) ? 0 : (uint64_t)st.st_size;
	snprintf(vi.format, sizeof(vi.format), "raw");
	r->vol = kvmops_create_volume(im->dst, pi.name, name, &vi, false, err,
				      sizeof(err));
	if (!r->vol)
		return kvmops_fail(im->ctx, -EIO, "%s", err);
	char *p = VIRT(virStorageVolGetPath)(r->vol);

	snprintf(r->vol_path, sizeof(r->vol_path), "%s", p ? p : "");
	free(p);
	return p ? 0 :
		   kvmops_fail(im->ctx, -EIO, "volume %s has no path", name);
}

struct up_progress {
	struct import *im;
	struct kvmops_job job;
	uint64_t start_ms;
};

static void on_pumped(void *userdata, uint64_t done)
{
	struct up_progress *up = userdata;
	uint64_t t = kvmops_now_ms();

	up->job.disk_processed = done;
	up->job.disk_remaining =
		up->job.disk_total > done ? up->job.disk_total - done : 0;
	if (t > up->start_ms)
		up->job.disk_bps = done * 1000 / (t - up->start_ms);
	report(up->im, &up->job);
}

static int upload(struct import *im, struct restored *r, char *sha256)
{
	struct up_progress up = { .im = im,
				  .job = { .phase = KVMOPS_PHASE_UPLOAD },
				  .start_ms = kvmops_now_ms() };
	struct kvmops_pump p = { .from_file = true,
				 .cancel = im->cancel,
				 .progress = on_pumped,
				 .userdata = &up };
	virStreamPtr st = VIRT(virStreamNew)(im->dst, 0);
	struct stat sb;
	int rc = 0;

	snprintf(up.job.disk, sizeof(up.job.disk), "%s", r->disk->target);
	snprintf(up.job.dest_path, sizeof(up.job.dest_path), "%s", r->vol_path);
	p.from_fd = open(r->image, O_RDONLY | O_CLOEXEC);
	if (p.from_fd >= 0 && !fstat(p.from_fd, &sb))
		up.job.disk_total = (uint64_t)sb.st_size;
	if (p.from_fd < 0 || !st)
		rc = kvmops_fail(im->ctx, -EIO, "cannot read %s: %s", r->image,
				 p.from_fd < 0 ? strerror(errno) :
						 kvmops_virt_message());
	if (!rc &&
	    VIRT(virStorageVolUpload)(r->vol, st, 0, 0,
				      VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM))
		rc = kvmops_fail(im->ctx, -EIO, "cannot write volume %s: %s",
				 r->vol_path, kvmops_virt_message());
	if (!rc) {
		p.to = st;
		rc = kvmops_pump_run(&p);
		if (!rc && VIRT(virStreamFinish)(st))
			rc = kvmops_fail(im->ctx, -EIO,
					 "uploading disk %s failed: %s",
					 r->disk->target,
					 kvmops_virt_message());
		else if (rc) {
			VIRT(virStreamAbort)(st);
			kvmops_fail(im->ctx, rc, "uploading disk %s failed: %s",
				    r->disk->target,
				    rc == -ECANCELED ? "interrupted" : p.error);
		}
	}
	if (!rc)
		memcpy(sha256, p.sha256, KVMOPS_SHA256_HEX);
	if (st)
		VIRT(virStreamFree)(st);
	if (p.from_fd >= 0)
		close(p.from_fd);
	return rc;
}

static int read_back(struct import *im, struct restored *r, const char *sha)
{
	struct kvmops_pump p = { .cancel = im->cancel };
	int rc = kvmops_pump_volume(&p, im->dst, r->vol, NULL, NULL);

	if (rc)
		return kvmops_fail(im->ctx, rc,
				   "reading back disk %s failed: %s",
				   r->disk->target, p.error);
	if (strcmp(p.sha256, sha))
		return kvmops_fail(
			im->ctx, -EIO,
			"disk %s: volume %s reads back as SHA-256 %s, but %s was uploaded",
			r->disk->target, r->vol_path, p.sha256, sha);
	return 0;
}

static int restore_disk(struct import *im, struct restored *r)
{
	char sha[KVMOPS_SHA256_HEX];
	int rc = prepare_image(im, r);

	if (!rc)
		rc = make_volume(im, r);
	if (!rc)
		rc = upload(im, r, sha);
	if (!rc && !im->o.no_verify)
		rc = read_back(im, r, sha);
	if (r->rebuilt)
		unlink(r->image);
	r->rebuilt = false;
	return rc;
}

/* ---- the definition ---------------------------------------------------- */

static int read_definition(struct import *im)
{
	char path[PATH_MAX];
	struct stat st;
	FILE *f;
	int rc = kvmops_backup_path(im->ctx, path, sizeof(path), im->dir,
				    im->top->name, "domain.xml");

	if (rc)
		return rc;
	f = fopen(path, "r");
	if (!f || fstat(fileno(f), &st) || st.st_size > (16 << 20)) {
		if (f)
			fclose(f);
		return kvmops_fail(im->ctx, -EINVAL, "cannot read %s: %s", path,
				   strerror(errno));
	}
	im->xml = calloc(1, (size_t)st.st_size + 1);
	if (!im->xml ||
	    fread(im->xml, 1, (size_t)st.st_size, f) != (size_t)st.st_size)
		rc = kvmops_fail(im->ctx, -EIO, "cannot read %s", path);
	fclose(f);
	if (!rc && kvmops_domain_disks(im->xml, &im->disks, &im->ndisks))
		rc = kvmops_fail(im->ctx, -EINVAL,
				 "%s: not a domain definition", path);
	return rc;
}

/* The disks the backup holds, each to be restored. */
static int collect(struct import *im)
{
	im->r = calloc(im->ndisks + 1, sizeof(*im->r));
	if (!im->r)
		return kvmops_fail(im->ctx, -ENOMEM, "out of memory");
	for (size_t i = 0; i < im->ndisks; i++)
		if (kvmops_manifest_disk(im->top, im->disks[i].target))
			im->r[im->nr++].disk = &im->disks[i];
	return 0;
}

static int check_name(struct import *im)
{
	virDomainPtr d;

	if (im->o.name && !*im->o.name)
		return kvmops_fail_remedy(im->ctx, -EINVAL, "name",
					  "the new name is empty");
	snprintf(im->name, sizeof(im->name), "%s",
		 im->o.name ? im->o.name : im->m.domain);
	d = VIRT(virDomainLookupByName)(im->dst, im->name);
	if (!d)
		return 0;
	VIRT(virDomainFree)(d);
	return kvmops_fail_remedy(
		im->ctx, -EEXIST, "name",
		"the destination has a domain named %s already: restore it under a new name",
		im->name);
}

/*
 * A new name takes a new UUID and new MAC addresses, so that the copy can
 * run beside the original: the old ones are dropped for libvirt's.
 */
static int drop_identity(struct import *im, char **xml)
{
	struct kvmops_xml x;
	xmlNodePtr *nodes;
	size_t n;

	if (kvmops_xml_parse(*xml, &x))
		return kvmops_fail(im->ctx, -EINVAL,
				   "cannot read the domain's XML");
	if (!kvmops_xml_nodes(&x, NULL,
			      "/domain/uuid | /domain/devices/interface/mac",
			      &nodes, &n)) {
		for (size_t i = 0; i < n; i++) {
			VIRT(xmlUnlinkNode)(nodes[i]);
			VIRT(xmlFreeNode)(nodes[i]);
		}
		free(nodes);
	}
	free(*xml);
	*xml = kvmops_xml_dump(&x);
	kvmops_xml_close(&x);
	return *xml ? 0 : kvmops_fail(im->ctx, -ENOMEM, "out of memory");
}

static int define(struct import *im)
{
	const char **from = calloc(im->nr + 1, sizeof(*from));
	const char **to = calloc(im->nr + 1, sizeof(*to));
	char *xml = NULL;
	int rc = from && to ? 0 :
			      kvmops_fail(im->ctx, -ENOMEM, "out of memory");

	for (size_t i = 0; !rc && i < im->nr; i++) {
		from[i] = im->r[i].disk->path;
		to[i] = im->r[i].vol_path;
	}
	if (!rc)
		rc = kvmops_rewrite_domain(im->ctx, im->xml, im->o.name, from,
					   to, im->nr, &xml);
	if (!rc && im->o.name)
		rc = drop_identity(im, &xml);
	if (!rc) {
		im->defined = VIRT(virDomainDefineXML)(im->dst, xml);
		if (!im->defined)
			rc = kvmops_fail(
				im->ctx, -EIO,
				"cannot define %s on the destination: %s",
				im->name, kvmops_virt_message());
	}
	if (!rc && im->o.start && VIRT(virDomainCreate)(im->defined))
		rc = kvmops_fail(im->ctx, -EIO,
				 "%s is defined but did not start: %s",
				 im->name, kvmops_virt_message());
	free(xml);
	free(from);
	free(to);
	return rc;
}

/* ---- the whole ---------------------------------------------------------- */

static int run(struct import *im)
{
	int rc = kvmops_backup_dir_open(im->ctx, im->dir, &im->m);

	if (!rc)
		rc = pick(im);
	if (!rc)
		rc = read_definition(im);
	if (!rc)
		rc = collect(im);
	if (!rc)
		rc = check_name(im);
	for (size_t i = 0; !rc && i < im->nr; i++)
		rc = restore_disk(im, &im->r[i]);
	if (!rc && im->cancel && *im->cancel)
		rc = kvmops_fail(im->ctx, -ECANCELED, "interrupted");
	if (!rc)
		rc = define(im);
	return rc;
}

static void undo(struct import *im)
{
	if (im->defined) {
		if (VIRT(virDomainIsActive)(im->defined) == 1)
			VIRT(virDomainDestroy)(im->defined);
		VIRT(virDomainUndefineFlags)(im->defined, 0);
	}
	for (size_t i = 0; i < im->nr; i++) {
		kvmops_delete_volumes(&im->r[i].vol, 1);
		if (im->r[i].rebuilt)
			unlink(im->r[i].image);
	}
}

KVMOPS_EXPORT int kvmops_import(struct kvmops_ctx *ctx, virConnectPtr dst,
				const char *dir,
				const struct kvmops_import_opts *opts,
				kvmops_progress_fn progress, void *userdata,
				const volatile int *cancel,
				struct kvmops_import_result *result)
{
	struct kvmops_import_result spare;
	struct import im = { .ctx = ctx,
			     .t0_ms = kvmops_now_ms(),
			     .dst = dst,
			     .dir = dir,
			     .progress = progress,
			     .userdata = userdata,
			     .cancel = cancel,
			     .result = result ? result : &spare };
	int rc;

	memset(im.result, 0, sizeof(*im.result));
	if (!ctx || !dst || !dir || !*dir)
		return -EINVAL;
	kvmops_copy_sized(&im.o, sizeof(im.o), opts);
	rc = kvmops_virt_load(ctx);
	if (!rc)
		rc = run(&im);
	if (rc) {
		undo(&im);
	} else {
		snprintf(im.result->backup, sizeof(im.result->backup), "%s",
			 im.top->name);
		snprintf(im.result->name, sizeof(im.result->name), "%s",
			 im.name);
		im.result->volumes = (unsigned int)im.nr;
		im.result->chain = (unsigned int)im.length;
	}
	for (size_t i = 0; im.r && i < im.nr; i++)
		if (im.r[i].vol)
			VIRT(virStorageVolFree)(im.r[i].vol);
	if (im.defined)
		VIRT(virDomainFree)(im.defined);
	free(im.r);
	free(im.disks);
	free(im.xml);
	kvmops_manifest_free(&im.m);
	return rc;
}
