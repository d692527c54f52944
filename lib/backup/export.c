// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * kvm-migrate export: a guest's definition and disks into a directory,
 * with a manifest. A shut-off guest's volumes are streamed as they are; a
 * running guest's disks go through a push-mode backup job into scratch
 * volumes next to them, which are then streamed and removed. The new
 * backup is written into its own folder, and the manifest replaced only
 * once every image is in and verified: a failure removes the folder and
 * leaves the earlier backups as they were. Compressed, each image is
 * streamed beside its place and compressed into it by qemu-img.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "backup/dir.h"
#include "backup/image.h"
#include "backup/plan.h"
#include "virt/domain.h"
#include "virt/stream.h"
#include "virt/xml.h"

#define POLL_NS (250 * 1000000L)

struct export
{
	struct kvmops_ctx *ctx;
	virConnectPtr conn;
	virDomainPtr dom;
	const char *dir;
	struct kvmops_export_opts o;
	kvmops_progress_fn progress;
	void *userdata;
	const volatile int *cancel;
	uint64_t t0_ms;
	bool running;
	char uuid[VIR_UUID_STRING_BUFLEN];
	struct kvmops_manifest m;
	struct kvmops_manifest_backup b;
	char folder[PATH_MAX];
	bool made_dir, made_folder;
	struct kvmops_export_disk *plan;
	size_t count;
	virStorageVolPtr *scratch; /* a running guest's, one per disk */
	bool job_running;
	struct kvmops_export_result *result;
};

static bool cancelled(const struct export *e)
{
	return e->cancel && *e->cancel;
}

/* @job's figures, and the time since the export began */
static void report(struct export *e, struct kvmops_job *job)
{
	job->elapsed_ms = kvmops_now_ms() - e->t0_ms;
	if (e->progress)
		e->progress(e->ctx, job, e->userdata);
}

/* ---- the directory ---------------------------------------------------- */

static int open_dir(struct export *e, const char *name)
{
	int rc;

	if (!mkdir(e->dir, 0755))
		e->made_dir = true;
	else if (errno != EEXIST)
		return kvmops_fail(e->ctx, -EIO, "cannot make directory %s: %s",
				   e->dir, strerror(errno));
	rc = kvmops_backup_dir_read(e->ctx, e->dir, &e->m);
	if (rc < 0)
		return rc;
	if (rc == 1) { /* a new directory: it must hold nothing else */
		if (!kvmops_dir_is_empty(e->dir))
			return kvmops_fail(
				e->ctx, -EINVAL,
				"%s is not a kvmops backup directory (it has no %s) and is not empty",
				e->dir, KVMOPS_MANIFEST_FILE);
		e->m.version = KVMOPS_MANIFEST_VERSION;
		snprintf(e->m.domain, sizeof(e->m.domain), "%s", name);
		snprintf(e->m.uuid, sizeof(e->m.uuid), "%s", e->uuid);
		return 0;
	}
	if (strcmp(e->m.uuid, e->uuid))
		return kvmops_fail(
			e->ctx, -EINVAL,
			"%s holds the backups of domain %s (UUID %s), not of %s (UUID %s)",
			e->dir, e->m.domain, e->m.uuid, name, e->uuid);
	return 0;
}

/* A name from the time, unique in the directory: "20261202T221500Z". */
static void name_backup(struct export *e)
{
	time_t now = time(NULL);
	struct tm tm;
	char stamp[32];

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	strftime(e->b.time, sizeof(e->b.time), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(e->b.name, sizeof(e->b.name), "%s", stamp);
	for (unsigned int n = 2; kvmops_manifest_find(&e->m, e->b.name); n++)
		snprintf(e->b.name, sizeof(e->b.name), "%s-%u", stamp, n);
}

static int make_folder(struct export *e)
{
	int rc = kvmops_backup_path(e->ctx, e->folder, sizeof(e->folder),
				    e->dir, e->b.name, NULL);

	if (rc)
		return rc;
	if (mkdir(e->folder, 0755))
		return kvmops_fail(e->ctx, -EIO, "cannot make %s: %s",
				   e->folder, strerror(errno));
	e->made_folder = true;
	return 0;
}

static int write_text(struct export *e, const char *file, const char *text)
{
	char path[PATH_MAX];
	FILE *f;
	int rc = kvmops_backup_path(e->ctx, path, sizeof(path), e->dir,
				    e->b.name, file);

	if (rc)
		return rc;
	f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fflush(f) || fsync(fileno(f))) {
		rc = kvmops_fail(e->ctx, -EIO, "cannot write %s: %s", path,
				 strerror(errno));
	}
	if (f && fclose(f) && !rc)
		rc = kvmops_fail(e->ctx, -EIO, "cannot write %s: %s", path,
				 strerror(errno));
	return rc;
}

/*
 * Whether each disk's image can hold the checkpoint's persistent bitmap:
 * qcow2 of version 3 (compat 1.1) only. The first that cannot is named in
 * result->no_checkpoint when none can.
 */
static void probe_bitmaps(struct export *e)
{
	const char *why = NULL, *which = NULL;
	size_t able = 0;

	for (size_t i = 0; i < e->count; i++) {
		struct kvmops_export_disk *d = &e->plan[i];
		virStorageVolPtr vol;
		struct kvmops_xml x;
		char compat[16] = "", *xml = NULL;

		if (d->skip)
			continue;
		vol = strcmp(d->disk.format, "qcow2") ?
			      NULL :
			      VIRT(virStorageVolLookupByPath)(e->conn,
							      d->disk.path);
		if (vol)
			xml = VIRT(virStorageVolGetXMLDesc)(vol, 0);
		if (xml && !kvmops_xml_parse(xml, &x)) {
			kvmops_xml_copy(&x, NULL,
					"string(/volume/target/compat)", compat,
					sizeof(compat));
			kvmops_xml_close(&x);
		}
		free(xml);
		if (vol)
			VIRT(virStorageVolFree)(vol);
		d->bitmaps = compat[0] && strcmp(compat, "0.10");
		able += d->bitmaps;
		if (!d->bitmaps && !which) {
			which = d->disk.target;
			why = strcmp(d->disk.format, "qcow2") ?
				      "is not qcow2" :
			      compat[0] ?
				      "is qcow2 version 2 (compat 0.10)" :
				      "is in no pool that says its qcow2 version";
		}
	}
	if (!able && which)
		snprintf(
			e->result->no_checkpoint,
			sizeof(e->result->no_checkpoint),
			"no checkpoint was taken: disk %s %s, which cannot hold a persistent bitmap",
			which, why);
}

/* ---- the chain -------------------------------------------------------- */

static bool has_checkpoint(struct export *e, const char *name)
{
	virDomainCheckpointPtr cp =
		VIRT(virDomainCheckpointLookupByName)(e->dom, name, 0);

	if (cp)
		VIRT(virDomainCheckpointFree)(cp);
	return cp != NULL;
}

/*
 * Whether this backup can build on the last one, and why not. The
 * checkpoint's bitmaps go with it: libvirt keeps them in step, so a
 * checkpoint the host still has stands for its bitmaps.
 */
static int decide_chain(struct export *e)
{
	const struct kvmops_manifest_backup *last =
		e->m.count ? &e->m.backups[e->m.count - 1] : NULL;
	const char *targets[64];
	struct kvmops_chain_disk disks[64];
	struct kvmops_backup prev = { 0 };
	size_t n = 0;

	for (size_t i = 0; i < e->count && n < 64; i++) {
		if (e->plan[i].skip)
			continue;
		disks[n++] = (struct kvmops_chain_disk){
			.target = e->plan[i].disk.target,
			.format = e->plan[i].disk.format[0] ?
					  e->plan[i].disk.format :
					  "raw",
			.has_bitmap = e->plan[i].bitmaps,
		};
	}
	if (last) {
		for (size_t i = 0; i < last->disk_count && i < 64; i++)
			targets[i] = last->disks[i].target;
		prev = (struct kvmops_backup){
			.name = last->name,
			.parent = last->parent[0] ? last->parent : NULL,
			.checkpoint = last->checkpoint[0] ? last->checkpoint :
							    NULL,
			.disk_targets = targets,
			.disk_count = last->disk_count < 64 ? last->disk_count :
							      64,
		};
	}
	struct kvmops_chain_figures f = {
		.asked_incremental = e->o.incremental,
		.asked_full = e->o.full,
		.running = e->running,
		.last = last ? &prev : NULL,
		.checkpoint_on_host = last && last->checkpoint[0] &&
				      has_checkpoint(e, last->checkpoint),
		.disks = disks,
		.disk_count = n,
	};
	struct kvmops_chain_decision d = kvmops_chain_decide(&f);

	e->b.incremental = d.incremental;
	if (d.incremental)
		snprintf(e->b.parent, sizeof(e->b.parent), "%s", last->name);
	else if (e->o.incremental)
		kvmops_chain_reason_text(&d, last ? last->checkpoint : "",
					 e->result->why_full,
					 sizeof(e->result->why_full));
	return 0;
}

/* ---- streaming a volume into a file ----------------------------------- */

struct copy_progress {
	struct export *e;
	struct kvmops_job *job;
	uint64_t start_ms;
};

static void on_pumped(void *userdata, uint64_t done)
{
	struct copy_progress *cp = userdata;
	uint64_t t = kvmops_now_ms();

	cp->job->disk_processed = done;
	cp->job->disk_remaining =
		cp->job->disk_total > done ? cp->job->disk_total - done : 0;
	if (t > cp->start_ms)
		cp->job->disk_bps = done * 1000 / (t - cp->start_ms);
	report(cp->e, cp->job);
}

/* @vol's content into the file @path (made new), hashed into @sha256. */
static int stream_to_file(struct export *e, const char *target,
			  virStorageVolPtr vol, const char *path, char *sha256)
{
	struct kvmops_job job = { .phase = KVMOPS_PHASE_COPY,
				  .disk_total = kvmops_volume_bytes(vol) };
	struct copy_progress cp = { e, &job, kvmops_now_ms() };
	struct kvmops_pump p = { .to_file = true,
				 .cancel = e->cancel,
				 .progress = on_pumped,
				 .userdata = &cp };
	virStreamPtr st = VIRT(virStreamNew)(e->conn, 0);
	int rc;

	snprintf(job.disk, sizeof(job.disk), "%s", target);
	snprintf(job.dest_path, sizeof(job.dest_path), "%s", path);
	p.to_fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (p.to_fd < 0 || !st) {
		rc = kvmops_fail(e->ctx, -EIO, "cannot write %s: %s", path,
				 p.to_fd < 0 ? strerror(errno) :
					       kvmops_virt_message());
		goto out;
	}
	if (VIRT(virStorageVolDownload)(
		    vol, st, 0, 0, VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM)) {
		rc = kvmops_fail(e->ctx, -EIO, "cannot read disk %s: %s",
				 target, kvmops_virt_message());
		goto out;
	}
	p.from = st;
	rc = kvmops_pump_run(&p);
	if (!rc && VIRT(virStreamFinish)(st))
		rc = kvmops_fail(e->ctx, -EIO, "reading disk %s failed: %s",
				 target, kvmops_virt_message());
	else if (rc)
		VIRT(virStreamAbort)(st);
	if (!rc && fsync(p.to_fd))
		rc = kvmops_fail(e->ctx, -EIO, "cannot write %s: %s", path,
				 strerror(errno));
	else if (rc == -ECANCELED)
		kvmops_fail(e->ctx, rc, "interrupted while copying disk %s",
			    target);
	else if (rc && p.error[0])
		kvmops_fail(e->ctx, rc, "copying disk %s failed: %s", target,
			    p.error);
	if (!rc)
		memcpy(sha256, p.sha256, KVMOPS_SHA256_HEX);
out:
	if (st)
		VIRT(virStreamFree)(st);
	if (p.to_fd >= 0)
		close(p.to_fd);
	return rc;
}

/* The stored file read back: its SHA-256 must be the stream's. */
static int verify_file(struct export *e, const char *target, const char *path,
		       const char *sha256, uint64_t total)
{
	struct kvmops_job job = { .phase = KVMOPS_PHASE_VERIFY,
				  .disk_total = total };
	struct copy_progress cp = { e, &job, kvmops_now_ms() };
	char back[KVMOPS_SHA256_HEX];
	int rc;

	snprintf(job.disk, sizeof(job.disk), "%s", target);
	snprintf(job.dest_path, sizeof(job.dest_path), "%s", path);
	rc = kvmops_backup_hash_file(e->ctx, path, e->cancel, on_pumped, &cp,
				     back, NULL);
	if (rc)
		return rc;
	if (strcmp(back, sha256))
		return kvmops_fail(
			e->ctx, -EIO,
			"disk %s: %s reads back as SHA-256 %s, but %s was written",
			target, path, back, sha256);
	snprintf(job.sha256, sizeof(job.sha256), "%s", back);
	job.disk_processed = total;
	report(e, &job);
	return 0;
}

/*
 * The streamed file @stream compressed into @path, and the SHA-256 of
 * what is stored: an incremental is compressed against its parent.
 */
static int compress_disk(struct export *e, const struct kvmops_export_disk *d,
			 const char *stream, const char *path, uint64_t total,
			 char *sha256)
{
	struct kvmops_job job = { .phase = KVMOPS_PHASE_COMPRESS,
				  .disk_total = total,
				  .disk_remaining = total };
	struct kvmops_compress c = {
		.source = stream,
		.source_format = d->stream_format,
		.output = path,
		.m = &e->m,
		.parent = e->b.incremental ?
				  kvmops_manifest_find(&e->m, e->b.parent) :
				  NULL,
		.dir = e->dir,
		.target = d->disk.target,
		.verify = !e->o.no_verify,
		.cancel = e->cancel,
	};
	int rc;

	snprintf(job.disk, sizeof(job.disk), "%s", d->disk.target);
	snprintf(job.dest_path, sizeof(job.dest_path), "%s", path);
	report(e, &job);
	rc = kvmops_backup_compress(e->ctx, &c);
	unlink(stream);
	if (rc && cancelled(e))
		return kvmops_fail(e->ctx, -ECANCELED,
				   "interrupted while compressing disk %s",
				   d->disk.target);
	if (!rc)
		rc = kvmops_backup_hash_file(e->ctx, path, e->cancel, NULL,
					     NULL, sha256, NULL);
	if (rc)
		return rc;
	job.disk_processed = total;
	job.disk_remaining = 0;
	report(e, &job);
	return 0;
}

/* One disk's image into the folder, and its manifest entry. */
static int store_disk(struct export *e, const struct kvmops_export_disk *d,
		      virStorageVolPtr vol, struct kvmops_manifest_disk *md)
{
	char path[PATH_MAX], stream[PATH_MAX];
	uint64_t total = kvmops_volume_bytes(vol);
	virStorageVolInfo info;
	int rc = kvmops_backup_path(e->ctx, path, sizeof(path), e->dir,
				    e->b.name, d->stored_file);

	if (!rc)
		rc = kvmops_backup_path(
			e->ctx, stream, sizeof(stream), e->dir, e->b.name,
			d->compress ? d->stream_file : d->stored_file);
	if (!rc)
		rc = stream_to_file(e, d->disk.target, vol, stream, md->sha256);
	if (!rc && !e->o.no_verify)
		rc = verify_file(e, d->disk.target, stream, md->sha256, total);
	if (!rc && d->compress)
		rc = compress_disk(e, d, stream, path, total, md->sha256);
	if (rc)
		return rc;
	snprintf(md->target, sizeof(md->target), "%s", d->disk.target);
	snprintf(md->format, sizeof(md->format), "%s", d->stored_format);
	snprintf(md->file, sizeof(md->file), "%s", d->stored_file);
	md->compressed = d->compress;
	md->stored_bytes = kvmops_backup_file_bytes(path);
	if (!VIRT(virStorageVolGetInfo)(vol, &info))
		md->virtual_bytes = info.capacity;
	return 0;
}

/* ---- the disks of a running guest: the backup job --------------------- */

static virStorageVolPtr source_volume(struct export *e,
				      const struct kvmops_disk *d)
{
	virStorageVolPtr vol =
		VIRT(virStorageVolLookupByPath)(e->conn, d->path);

	if (!vol)
		kvmops_fail(
			e->ctx, -EIO,
			"disk %s (%s) is in no storage pool of the host: %s",
			d->target, d->path, kvmops_virt_message());
	return vol;
}

static int make_scratch(struct export *e, size_t i, char *path, size_t len)
{
	const struct kvmops_export_disk *d = &e->plan[i];
	virStorageVolPtr src = source_volume(e, &d->disk);
	virStoragePoolPtr pool = src ? VIRT(virStoragePoolLookupByVolume)(src) :
				       NULL;
	struct kvmops_vol_info vi = { 0 };
	virStorageVolInfo info;
	char err[512];
	char *p;

	if (src && !pool)
		kvmops_fail(e->ctx, -EIO, "disk %s: no pool holds %s: %s",
			    d->disk.target, d->disk.path,
			    kvmops_virt_message());
	if (pool && !VIRT(virStorageVolGetInfo)(src, &info)) {
		vi.capacity = info.capacity;
		snprintf(vi.format, sizeof(vi.format), "qcow2");
		e->scratch[i] = kvmops_create_volume(
			e->conn, VIRT(virStoragePoolGetName)(pool),
			d->scratch_name, &vi, false, err, sizeof(err));
		if (!e->scratch[i])
			kvmops_fail(e->ctx, -EIO, "disk %s: %s", d->disk.target,
				    err);
	}
	if (pool)
		VIRT(virStoragePoolFree)(pool);
	if (src)
		VIRT(virStorageVolFree)(src);
	p = e->scratch[i] ? VIRT(virStorageVolGetPath)(e->scratch[i]) : NULL;
	if (p)
		snprintf(path, len, "%s", p);
	free(p);
	return p ? 0 : -EIO;
}

static int wait_job(struct export *e)
{
	struct timespec pause = { 0, POLL_NS };
	struct kvmops_job job;
	int type = VIR_DOMAIN_JOB_NONE, rc;
	virTypedParameterPtr params = NULL;
	int nparams = 0;

	for (;;) {
		if (cancelled(e))
			return kvmops_fail(e->ctx, -ECANCELED,
					   "interrupted during the backup job");
		rc = kvmops_read_job(e->dom, 0, &job);
		if (rc == -ENODATA)
			break;
		if (!rc) {
			job.phase = KVMOPS_PHASE_BACKUP;
			report(e, &job);
		}
		nanosleep(&pause, NULL);
	}
	e->job_running = false;
	if (VIRT(virDomainGetJobStats)(e->dom, &type, &params, &nparams,
				       VIR_DOMAIN_JOB_STATS_COMPLETED) < 0 ||
	    type != VIR_DOMAIN_JOB_COMPLETED)
		rc = kvmops_fail(e->ctx, -EIO, "the backup job failed%s%s",
				 type == VIR_DOMAIN_JOB_FAILED ? "" : ": ",
				 type == VIR_DOMAIN_JOB_FAILED ?
					 "" :
					 kvmops_virt_message());
	else
		rc = 0;
	VIRT(virTypedParamsFree)(params, nparams);
	return rc;
}

static int run_job(struct export *e)
{
	const char **paths = calloc(e->count, sizeof(*paths));
	char(*buf)[PATH_MAX] = calloc(e->count, sizeof(*buf));
	char *job_xml = NULL, *cp_xml = NULL;
	int rc = paths && buf ? 0 : -ENOMEM;

	for (size_t i = 0; !rc && i < e->count; i++) {
		paths[i] = buf[i];
		if (!e->plan[i].skip)
			rc = make_scratch(e, i, buf[i], PATH_MAX);
	}
	if (!rc) {
		if (!e->result->no_checkpoint[0])
			snprintf(e->b.checkpoint, sizeof(e->b.checkpoint),
				 "kvmops-%.56s", e->b.name);
		job_xml = kvmops_backup_job_xml(
			e->plan, e->count, paths,
			e->b.incremental ?
				kvmops_manifest_find(&e->m, e->b.parent)
					->checkpoint :
				NULL);
		cp_xml = e->b.checkpoint[0] ?
				 kvmops_checkpoint_xml(e->plan, e->count,
						       e->b.checkpoint) :
				 NULL;
		rc = job_xml && (cp_xml || !e->b.checkpoint[0]) ? 0 : -ENOMEM;
	}
	if (!rc && VIRT(virDomainBackupBegin)(
			   e->dom, job_xml, cp_xml,
			   VIR_DOMAIN_BACKUP_BEGIN_REUSE_EXTERNAL) < 0)
		rc = kvmops_fail(e->ctx, -EIO,
				 "the backup job did not start: %s",
				 kvmops_virt_message());
	if (!rc) {
		e->job_running = true;
		rc = wait_job(e);
	}
	if (rc == -ENOMEM)
		kvmops_fail(e->ctx, rc, "out of memory");
	free(job_xml);
	free(cp_xml);
	free(paths);
	free(buf);
	return rc;
}

/* The checkpoint the job took, as the host has it: checkpoint.xml. */
static int save_checkpoint(struct export *e)
{
	virDomainCheckpointPtr cp = VIRT(
		virDomainCheckpointLookupByName)(e->dom, e->b.checkpoint, 0);
	char *xml = cp ? VIRT(virDomainCheckpointGetXMLDesc)(cp, 0) : NULL;
	int rc = xml ? write_text(e, "checkpoint.xml", xml) :
		       kvmops_fail(e->ctx, -EIO,
				   "cannot read checkpoint %s back: %s",
				   e->b.checkpoint, kvmops_virt_message());

	free(xml);
	if (cp)
		VIRT(virDomainCheckpointFree)(cp);
	return rc;
}

static int store_disks(struct export *e)
{
	int rc = 0;

	e->b.disks = calloc(e->count, sizeof(*e->b.disks));
	if (!e->b.disks)
		return kvmops_fail(e->ctx, -ENOMEM, "out of memory");
	for (size_t i = 0; !rc && i < e->count; i++) {
		const struct kvmops_export_disk *d = &e->plan[i];
		virStorageVolPtr vol;

		if (d->skip)
			continue;
		vol = e->running ? e->scratch[i] : source_volume(e, &d->disk);
		rc = vol ? store_disk(e, d, vol, &e->b.disks[e->b.disk_count]) :
			   -EIO;
		if (!rc)
			e->b.disk_count++;
		if (vol && !e->running)
			VIRT(virStorageVolFree)(vol);
		/* the scratch copy has done its work */
		if (e->running)
			kvmops_delete_volumes(&e->scratch[i], 1);
	}
	return rc;
}

/* ---- the whole -------------------------------------------------------- */

static int plan(struct export *e, const char *name)
{
	char *xml = VIRT(virDomainGetXMLDesc)(e->dom, 0);
	struct kvmops_disk *disks = NULL;
	size_t n = 0;
	int rc;

	if (!xml)
		return kvmops_fail(e->ctx, -EIO,
				   "cannot read the definition of %s: %s", name,
				   kvmops_virt_message());
	rc = kvmops_domain_disks(xml, &disks, &n);
	free(xml);
	if (rc)
		return kvmops_fail(e->ctx, rc, "cannot read the disks of %s",
				   name);
	name_backup(e);
	rc = kvmops_export_plan(e->ctx, disks, n, e->running, e->o.compress,
				e->b.name, &e->plan);
	free(disks);
	if (!rc)
		e->count = n;
	if (!rc)
		e->scratch = calloc(n ? n : 1, sizeof(*e->scratch));
	if (!rc && !e->scratch)
		rc = kvmops_fail(e->ctx, -ENOMEM, "out of memory");
	return rc;
}

static int save_definition(struct export *e)
{
	char *xml = VIRT(virDomainGetXMLDesc)(e->dom, VIR_DOMAIN_XML_INACTIVE);
	int rc;

	if (!xml)
		return kvmops_fail(e->ctx, -EIO,
				   "cannot read the domain's definition: %s",
				   kvmops_virt_message());
	rc = write_text(e, "domain.xml", xml);
	free(xml);
	return rc;
}

static int commit(struct export *e)
{
	int rc = kvmops_manifest_add(e->ctx, &e->m, &e->b);

	if (!rc)
		rc = kvmops_backup_dir_write(e->ctx, e->dir, &e->m);
	return rc;
}

static void summarize(struct export *e)
{
	struct kvmops_export_result *r = e->result;

	snprintf(r->backup, sizeof(r->backup), "%s", e->b.name);
	r->incremental = e->b.incremental;
	snprintf(r->checkpoint, sizeof(r->checkpoint), "%s", e->b.checkpoint);
	r->disks = (unsigned int)e->b.disk_count;
	for (size_t i = 0; i < e->b.disk_count; i++) {
		r->stored_bytes += e->b.disks[i].stored_bytes;
		r->virtual_bytes += e->b.disks[i].virtual_bytes;
	}
}

/*
 * The checkpoint of the backup before the last one is no longer needed:
 * only the newest starts the next incremental. One that cannot be
 * removed is reported, never an error.
 */
static void retire_checkpoints(struct export *e)
{
	for (size_t i = 0; i + 1 < e->m.count; i++) {
		const char *name = e->m.backups[i].checkpoint;
		virDomainCheckpointPtr cp;

		if (!*name)
			continue;
		cp = VIRT(virDomainCheckpointLookupByName)(e->dom, name, 0);
		if (!cp)
			continue; /* gone already */
		if (VIRT(virDomainCheckpointDelete)(cp, 0) < 0)
			snprintf(e->result->stale_checkpoint,
				 sizeof(e->result->stale_checkpoint),
				 "checkpoint %s could not be removed: %s", name,
				 kvmops_virt_message());
		VIRT(virDomainCheckpointFree)(cp);
	}
}

static int run(struct export *e, const char *name)
{
	int rc = plan(e, name);

	if (!rc && e->running)
		probe_bitmaps(e);
	if (!rc)
		rc = decide_chain(e);
	if (!rc)
		rc = make_folder(e);
	if (!rc)
		rc = save_definition(e);
	if (!rc && e->running)
		rc = run_job(e);
	if (!rc && e->b.checkpoint[0])
		rc = save_checkpoint(e);
	if (!rc)
		rc = store_disks(e);
	if (!rc && cancelled(e))
		rc = kvmops_fail(e->ctx, -ECANCELED, "interrupted");
	if (!rc)
		rc = commit(e);
	if (!rc) {
		summarize(e);
		if (e->running)
			retire_checkpoints(e);
	}
	return rc;
}

/* After a failure: the job, the scratch volumes, the folder, the checkpoint. */
static void undo(struct export *e)
{
	if (e->job_running)
		VIRT(virDomainAbortJob)(e->dom);
	for (size_t i = 0; e->scratch && i < e->count; i++)
		kvmops_delete_volumes(&e->scratch[i], 1);
	if (e->made_folder)
		kvmops_backup_remove_folder(e->folder);
	if (e->made_dir)
		rmdir(e->dir); /* it was made for this backup */
	if (e->b.checkpoint[0]) {
		virDomainCheckpointPtr cp = VIRT(
			virDomainCheckpointLookupByName)(e->dom,
							 e->b.checkpoint, 0);

		if (cp) {
			VIRT(virDomainCheckpointDelete)(cp, 0);
			VIRT(virDomainCheckpointFree)(cp);
		}
	}
}

static int begin(struct export *e, const char *name)
{
	int rc = kvmops_virt_load(e->ctx);

	if (rc)
		return rc;
	e->dom = VIRT(virDomainLookupByName)(e->conn, name);
	if (!e->dom)
		return kvmops_fail(e->ctx, -ENOENT, "no domain %s: %s", name,
				   kvmops_virt_message());
	if (VIRT(virDomainGetUUIDString)(e->dom, e->uuid))
		return kvmops_fail(e->ctx, -EIO, "cannot read the UUID of %s",
				   name);
	e->running = VIRT(virDomainIsActive)(e->dom) == 1;
	return open_dir(e, name);
}

KVMOPS_EXPORT int kvmops_export(struct kvmops_ctx *ctx, virConnectPtr conn,
				const char *name, const char *dir,
				const struct kvmops_export_opts *opts,
				kvmops_progress_fn progress, void *userdata,
				const volatile int *cancel,
				struct kvmops_export_result *result)
{
	struct kvmops_export_result spare;
	struct export e = { .ctx = ctx,
			    .t0_ms = kvmops_now_ms(),
			    .conn = conn,
			    .dir = dir,
			    .progress = progress,
			    .userdata = userdata,
			    .cancel = cancel,
			    .result = result ? result : &spare };
	int rc;

	memset(e.result, 0, sizeof(*e.result));
	if (!ctx || !conn || !name || !dir || !*dir)
		return -EINVAL;
	kvmops_copy_sized(&e.o, sizeof(e.o), opts);
	if (e.o.incremental && e.o.full)
		return kvmops_fail_remedy(
			ctx, -EINVAL, "incremental,full",
			"an incremental backup and a full one were both asked for");
	rc = begin(&e, name);
	if (!rc)
		rc = run(&e, name);
	if (rc)
		undo(&e);
	free(e.b.disks);
	free(e.plan);
	free(e.scratch);
	kvmops_manifest_free(&e.m);
	if (e.dom)
		VIRT(virDomainFree)(e.dom);
	return rc;
}
