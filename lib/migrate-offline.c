// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Static migration, the seeds' first kind: the guest stops, its disks and
 * definition move, and it starts (or, with --keep-state, resumes) on the
 * destination. Disks travel through libvirt storage streams, so no ssh is
 * needed, and each copy is read back and checked. The source is changed
 * only after the destination is verified.
 */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "migrate.h"
#include "xml.h"

#define CHUNK (256 * 1024)
#define PROGRESS_MS 250
#define POLL_NS (250 * 1000000L)
#define DEFAULT_SHUTDOWN_S 60

/* One disk of the guest and what becomes of it. */
struct disk_move {
	struct kvmops_disk disk;
	struct kvmops_vol_info info;
	bool shared;		 /* the destination sees the same file */
	char pool[128];		 /* destination pool */
	char dest_path[PATH_MAX];
	virStorageVolPtr src_vol, dst_vol; /* dst_vol: made by us */
	uint64_t checksum;
};

struct offline {
	struct kvmops_ctx *ctx;
	virConnectPtr src, dst;
	virDomainPtr dom;
	struct kvmops_migrate_opts o;
	kvmops_progress_fn progress;
	void *userdata;
	const volatile int *cancel;
	struct disk_move *moves;
	size_t nmoves;
	struct timespec t0;
	bool saved;   /* the source guest is in opts.state_file */
	bool stopped; /* we shut the source guest down */
};

static uint64_t ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)(t.tv_sec - t0->tv_sec) * 1000 +
	       (uint64_t)((t.tv_nsec - t0->tv_nsec) / 1000000);
}

static bool cancelled(const struct offline *m)
{
	return m->cancel && *m->cancel;
}

static void report(struct offline *m, struct kvmops_job *job)
{
	job->elapsed_ms = ms_since(&m->t0);
	if (m->progress)
		m->progress(m->ctx, job, m->userdata);
}

static void report_phase(struct offline *m, enum kvmops_migrate_phase phase)
{
	struct kvmops_job job = { .phase = phase };

	report(m, &job);
}

/* ---- stopping the guest ------------------------------------------------- */

static int domain_state(virDomainPtr dom)
{
	int state = VIR_DOMAIN_NOSTATE, reason;

	VIRT(virDomainGetState)(dom, &state, &reason, 0);
	return state;
}

static int shut_down(struct offline *m)
{
	unsigned int limit = m->o.shutdown_timeout_s ? m->o.shutdown_timeout_s :
						       DEFAULT_SHUTDOWN_S;
	const char *name = VIRT(virDomainGetName)(m->dom);
	struct timespec start, poll = { 0, POLL_NS };

	clock_gettime(CLOCK_MONOTONIC, &start);
	if (VIRT(virDomainShutdown)(m->dom))
		return kvmops_fail(m->ctx, -EIO, "cannot shut %s down: %s", name,
				   kvmops_virt_message());
	while (domain_state(m->dom) != VIR_DOMAIN_SHUTOFF) {
		if (cancelled(m))
			return kvmops_fail(m->ctx, -ECANCELED,
					   "interrupted while %s shuts down; it may still stop; nothing was copied",
					   name);
		if (ms_since(&start) >= (uint64_t)limit * 1000)
			break;
		report_phase(m, KVMOPS_PHASE_SHUTDOWN);
		nanosleep(&poll, NULL);
	}
	if (domain_state(m->dom) == VIR_DOMAIN_SHUTOFF)
		return 0;
	if (!m->o.force)
		return kvmops_fail(m->ctx, -ETIMEDOUT,
				   "%s did not shut down within %u s; nothing was copied. Add --force to power it off after the timeout",
				   name, limit);
	info(m->ctx, "%s did not shut down within %u s: powering it off", name, limit);
	if (VIRT(virDomainDestroy)(m->dom))
		return kvmops_fail(m->ctx, -EIO, "cannot power %s off: %s", name,
				   kvmops_virt_message());
	return 0;
}

/* ---- the plan ----------------------------------------------------------- */

/* Another disk of the guest already goes to @mv's destination path. */
static bool path_taken(const struct offline *m, const struct disk_move *mv)
{
	const struct disk_move *other;

	for (other = m->moves; other < mv; other++)
		if (!other->shared && !strcmp(other->dest_path, mv->dest_path))
			return true;
	return false;
}

/* The same rules as the check's (check_offline_disk in migrate-check.c). */
static int plan_disk(struct offline *m, struct kvmops_probe *sp,
		     struct kvmops_probe *dp, struct disk_move *mv)
{
	struct kvmops_disk *d = &mv->disk;
	struct kvmops_vol_info there;
	char dir[PATH_MAX], target[PATH_MAX];
	const char *slash = strrchr(d->path, '/');
	bool on_dest = !dp->ops->volume(dp, d->path, &there);
	uint64_t room;

	/* the same file on both, or one libvirt would not copy either */
	mv->shared = on_dest && (!m->o.pool || d->readonly || d->shareable);
	if (mv->shared)
		return 0;
	if (d->readonly || d->shareable || strcmp(d->type, "file") || !slash)
		return kvmops_fail(m->ctx, -ENXIO,
				   "disk %s (%s) is not on the destination, and only writable, unshared file disks are copied",
				   d->target, d->path);
	if (sp->ops->volume(sp, d->path, &mv->info))
		return kvmops_fail(m->ctx, -ENXIO,
				   "disk %s: %s is in no active storage pool here; define a dir pool over its directory",
				   d->target, d->path);
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - d->path), d->path);
	if (dp->ops->pool(dp, m->o.pool, dir, mv->pool, sizeof(mv->pool), target,
			  sizeof(target), &room))
		return kvmops_fail(m->ctx, -ENXIO,
				   "disk %s: no active pool %s%s on the destination",
				   d->target, m->o.pool ? m->o.pool : "over ",
				   m->o.pool ? "" : dir);
	if (snprintf(mv->dest_path, sizeof(mv->dest_path), "%s/%s", target, slash + 1) >=
	    (int)sizeof(mv->dest_path))
		return kvmops_fail(m->ctx, -ENAMETOOLONG, "disk %s: the path in pool %s is too long",
				   d->target, mv->pool);
	if (path_taken(m, mv))
		return kvmops_fail(m->ctx, -EEXIST,
				   "disk %s: another disk of the guest goes to %s too; rename one of the files",
				   d->target, mv->dest_path);
	if (!dp->ops->volume(dp, mv->dest_path, &there))
		return kvmops_fail(m->ctx, -EEXIST,
				   "disk %s: %s is on the destination already; delete it there or name another pool with --pool",
				   d->target, mv->dest_path);
	mv->src_vol = VIRT(virStorageVolLookupByPath)(m->src, d->path);
	if (!mv->src_vol)
		return kvmops_fail(m->ctx, -EIO, "disk %s: %s", d->target,
				   kvmops_virt_message());
	return 0;
}

static int plan(struct offline *m, const char *xml)
{
	struct kvmops_probe sp, dp;
	struct kvmops_disk *disks;
	size_t n, i, k = 0;
	int rc;

	rc = kvmops_domain_disks(xml, &disks, &n);
	if (rc)
		return kvmops_fail(m->ctx, rc, "cannot read the guest's disks");
	m->moves = calloc(n ? n : 1, sizeof(*m->moves));
	if (!m->moves) {
		free(disks);
		return -ENOMEM;
	}
	kvmops_probe_libvirt(&sp, m->src);
	kvmops_probe_libvirt(&dp, m->dst);
	for (i = 0; !rc && i < n; i++) {
		if (!strcmp(disks[i].type, "volume")) {
			rc = kvmops_fail(m->ctx, -ENOTSUP,
					 "disk %s is volume %s of pool %s: offline moves copy file disks only",
					 disks[i].target, disks[i].vol_name, disks[i].vol_pool);
			break;
		}
		if (!*disks[i].path || !strcmp(disks[i].type, "network"))
			continue;
		m->moves[k].disk = disks[i];
		rc = plan_disk(m, &sp, &dp, &m->moves[k++]);
	}
	m->nmoves = k;
	free(disks);
	return rc;
}

/* ---- copying through streams -------------------------------------------- */

static uint64_t volume_bytes(virStorageVolPtr vol)
{
	virStorageVolInfo info;

	if (VIRT(virStorageVolGetInfoFlags)(vol, &info, VIR_STORAGE_VOL_GET_PHYSICAL))
		return 0;
	return info.allocation; /* with GET_PHYSICAL: the file's size */
}

static int send_all(virStreamPtr st, const char *buf, size_t len)
{
	int n;

	while (len) {
		n = VIRT(virStreamSend)(st, buf, len);
		if (n <= 0)
			return -EIO;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Sets what is left and this stream's own rate, from @start_ms on. */
static void stream_figures(struct offline *m, struct kvmops_job *job,
			   uint64_t start_ms)
{
	uint64_t t = ms_since(&m->t0);

	job->disk_remaining = job->disk_total > job->disk_processed ?
				      job->disk_total - job->disk_processed : 0;
	/* a shutdown before the stream is no transfer time */
	if (t > start_ms)
		job->disk_bps = job->disk_processed * 1000 / (t - start_ms);
}

/*
 * Streams @from (a download) into @to (an upload, or NULL to only read),
 * hashing what passes; reports progress as @phase.
 */
static int pump(struct offline *m, virStreamPtr from, virStreamPtr to,
		struct kvmops_job *job, uint64_t *hash)
{
	char *buf = malloc(CHUNK);
	uint64_t start = ms_since(&m->t0), last = 0, t;
	int n, rc = 0;

	if (!buf)
		return -ENOMEM;
	*hash = KVMOPS_FNV_OFFSET;
	while ((n = VIRT(virStreamRecv)(from, buf, CHUNK)) > 0) {
		*hash = kvmops_fnv1a(*hash, buf, (size_t)n);
		if (to && send_all(to, buf, (size_t)n)) {
			rc = -EIO;
			break;
		}
		job->disk_processed += (uint64_t)n;
		t = ms_since(&m->t0);
		if (t - last >= PROGRESS_MS) {
			stream_figures(m, job, start);
			report(m, job);
			last = t;
		}
		if (cancelled(m)) {
			rc = -ECANCELED;
			break;
		}
	}
	if (n < 0)
		rc = -EIO;
	stream_figures(m, job, start); /* for the report that closes the stream */
	free(buf);
	return rc;
}

static int stream_error(struct offline *m, int rc, const char *what,
			const struct disk_move *mv)
{
	if (rc == -ECANCELED)
		return kvmops_fail(m->ctx, rc, "interrupted while copying disk %s",
				   mv->disk.target);
	return kvmops_fail(m->ctx, rc ? rc : -EIO, "%s disk %s failed: %s", what,
			   mv->disk.target, kvmops_virt_message());
}

static int copy_disk(struct offline *m, struct disk_move *mv)
{
	virStreamPtr in = VIRT(virStreamNew)(m->src, 0);
	virStreamPtr out = VIRT(virStreamNew)(m->dst, 0);
	struct kvmops_job job = { .phase = KVMOPS_PHASE_COPY };
	uint64_t hash = 0;
	int rc = -EIO;

	snprintf(job.disk, sizeof(job.disk), "%s", mv->disk.target);
	snprintf(job.dest_path, sizeof(job.dest_path), "%s", mv->dest_path);
	job.disk_total = volume_bytes(mv->src_vol);
	if (in && out && !VIRT(virStorageVolDownload)(mv->src_vol, in, 0, 0, 0) &&
	    !VIRT(virStorageVolUpload)(mv->dst_vol, out, 0, 0, 0))
		rc = pump(m, in, out, &job, &hash);
	if (!rc && (VIRT(virStreamFinish)(in) || VIRT(virStreamFinish)(out)))
		rc = -EIO;
	if (rc && in)
		VIRT(virStreamAbort)(in);
	if (rc && out)
		VIRT(virStreamAbort)(out);
	if (in)
		VIRT(virStreamFree)(in);
	if (out)
		VIRT(virStreamFree)(out);
	if (rc)
		return stream_error(m, rc, "copying", mv);
	mv->checksum = hash;
	return 0;
}

/* Reads the copy back from the destination; its checksum must match. */
static int verify_disk(struct offline *m, struct disk_move *mv)
{
	virStreamPtr in = VIRT(virStreamNew)(m->dst, 0);
	struct kvmops_job job = { .phase = KVMOPS_PHASE_VERIFY };
	uint64_t hash = 0;
	int rc = -EIO;

	snprintf(job.disk, sizeof(job.disk), "%s", mv->disk.target);
	snprintf(job.dest_path, sizeof(job.dest_path), "%s", mv->dest_path);
	job.disk_total = volume_bytes(mv->dst_vol);
	if (in && !VIRT(virStorageVolDownload)(mv->dst_vol, in, 0, 0, 0))
		rc = pump(m, in, NULL, &job, &hash);
	if (!rc && VIRT(virStreamFinish)(in))
		rc = -EIO;
	if (rc && in)
		VIRT(virStreamAbort)(in);
	if (in)
		VIRT(virStreamFree)(in);
	if (rc)
		return stream_error(m, rc, "reading back", mv);
	if (hash != mv->checksum)
		return kvmops_fail(m->ctx, -EIO,
				   "disk %s: the copy on the destination does not match (checksum %016" PRIx64 ", source %016" PRIx64 ")",
				   mv->disk.target, hash, mv->checksum);
	job.checksum = hash;
	job.disk_processed = job.disk_total;
	report(m, &job);
	return 0;
}

static int copy_disks(struct offline *m)
{
	const char *slash;
	char err[512];
	size_t i;
	int rc;

	for (i = 0; i < m->nmoves; i++) {
		struct disk_move *mv = &m->moves[i];

		if (mv->shared)
			continue;
		slash = strrchr(mv->dest_path, '/');
		mv->dst_vol = kvmops_create_volume(m->dst, mv->pool, slash + 1, &mv->info,
						   true, err, sizeof(err));
		if (!mv->dst_vol)
			return kvmops_fail(m->ctx, -EIO, "%s", err);
		rc = copy_disk(m, mv);
		if (!rc)
			rc = verify_disk(m, mv);
		if (rc)
			return rc;
	}
	return 0;
}

/* What a failure leaves behind on the destination goes. */
static void remove_copies(struct offline *m)
{
	size_t i;

	for (i = 0; i < m->nmoves; i++)
		kvmops_delete_volumes(&m->moves[i].dst_vol, 1);
}

/* ---- the definition ----------------------------------------------------- */

/* true when @source pointed at @from and now points at @to */
static bool set_source(xmlNodePtr source, const char *from, const char *to)
{
	static const char *const attrs[] = { "file", "dev" };
	bool moved = false;
	xmlChar *v;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(attrs); i++) {
		v = VIRT(xmlGetProp)(source, BAD_CAST attrs[i]);
		if (v && !strcmp((const char *)v, from)) {
			VIRT(xmlSetProp)(source, BAD_CAST attrs[i], BAD_CAST to);
			moved = true;
		}
		if (v)
			(*kvmops_virt.xml_free)(v);
	}
	return moved;
}

int kvmops_rewrite_domain(struct kvmops_ctx *ctx, const char *domain_xml,
			  const char *name, const char *const *from,
			  const char *const *to, size_t count, char **out)
{
	struct kvmops_xml x;
	xmlNodePtr *nodes;
	size_t n, i, k;
	int rc;

	rc = kvmops_xml_parse(domain_xml, &x);
	if (rc)
		return kvmops_fail(ctx, rc, "cannot read the domain's XML");
	if (name && !kvmops_xml_nodes(&x, NULL, "/domain/name", &nodes, &n)) {
		/* xmlNodeSetContent reads markup: "a&b" must go in escaped */
		char *text = kvmops_xml_escape(name);

		if (n && text)
			VIRT(xmlNodeSetContent)(nodes[0], BAD_CAST text);
		free(text);
		free(nodes);
	}
	if (!kvmops_xml_nodes(&x, NULL, "/domain/devices/disk/source", &nodes, &n)) {
		/* one move per disk: {A->B, B->C} must not carry A to C */
		for (i = 0; i < n; i++)
			for (k = 0; k < count && !set_source(nodes[i], from[k], to[k]); k++)
				;
		free(nodes);
	}
	*out = kvmops_xml_dump(&x);
	kvmops_xml_close(&x);
	return *out ? 0 : -ENOMEM;
}

static int rewrite(struct offline *m, const char *xml, const char *name, char **out)
{
	const char **from = calloc(m->nmoves + 1, sizeof(*from));
	const char **to = calloc(m->nmoves + 1, sizeof(*to));
	size_t i, k = 0;
	int rc = -ENOMEM;

	if (from && to) {
		for (i = 0; i < m->nmoves; i++) {
			if (m->moves[i].shared)
				continue;
			from[k] = m->moves[i].disk.path;
			to[k++] = m->moves[i].dest_path;
		}
		rc = kvmops_rewrite_domain(m->ctx, xml, name, from, to, k, out);
	}
	free(from);
	free(to);
	return rc;
}

/* ---- keeping the memory state ------------------------------------------- */

static int save_guest(struct offline *m)
{
	unsigned int flags = domain_state(m->dom) == VIR_DOMAIN_PAUSED ?
				     VIR_DOMAIN_SAVE_PAUSED : VIR_DOMAIN_SAVE_RUNNING;

	report_phase(m, KVMOPS_PHASE_SAVE);
	if (VIRT(virDomainSaveFlags)(m->dom, m->o.state_file, NULL, flags))
		return kvmops_fail(m->ctx, -EIO,
				   "cannot save the guest's memory to %s: %s; it goes on running here",
				   m->o.state_file, kvmops_virt_message());
	m->saved = true;
	return 0;
}

/* After a failure: the guest resumes on the source, from its saved state. */
static void restore_on_source(struct offline *m, char *note, size_t len)
{
	if (!m->saved)
		return;
	if (VIRT(virDomainRestore)(m->src, m->o.state_file))
		snprintf(note, len,
			 " The guest could not be resumed here (%s): its state is in %s (virsh restore).",
			 kvmops_virt_message(), m->o.state_file);
	else
		snprintf(note, len, " The guest resumed on the source.");
	m->saved = false;
}

/* The saved state is no longer needed; it goes if a pool holds it. */
static void remove_state_file(struct offline *m)
{
	char dir[PATH_MAX], target[PATH_MAX], pool[128];
	const char *slash = strrchr(m->o.state_file, '/');
	struct kvmops_probe sp;
	virStoragePoolPtr p;
	virStorageVolPtr vol;
	uint64_t room;

	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - m->o.state_file),
		 m->o.state_file);
	kvmops_probe_libvirt(&sp, m->src);
	if (sp.ops->pool(&sp, NULL, *dir ? dir : "/", pool, sizeof(pool), target,
			 sizeof(target), &room))
		return;
	p = VIRT(virStoragePoolLookupByName)(m->src, pool);
	if (p) {
		VIRT(virStoragePoolRefresh)(p, 0);
		VIRT(virStoragePoolFree)(p);
	}
	vol = VIRT(virStorageVolLookupByPath)(m->src, m->o.state_file);
	if (vol) {
		VIRT(virStorageVolDelete)(vol, 0);
		VIRT(virStorageVolFree)(vol);
	}
}

/* ---- the whole move ----------------------------------------------------- */

static const unsigned int UNDEFINE_FLAGS = VIR_DOMAIN_UNDEFINE_MANAGED_SAVE |
					   VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA |
					   VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA |
					   VIR_DOMAIN_UNDEFINE_KEEP_NVRAM;

static int start_on_dest(struct offline *m, virDomainPtr ddom, const char *image_xml)
{
	char *img = NULL;
	int rc = 0;

	if (m->o.keep_state) {
		report_phase(m, KVMOPS_PHASE_RESTORE);
		rc = rewrite(m, image_xml, NULL, &img);
		if (!rc && VIRT(virDomainRestoreFlags)(m->dst, m->o.state_file, img, 0))
			rc = kvmops_fail(m->ctx, -EIO,
					 "the destination cannot restore the guest from %s: %s",
					 m->o.state_file, kvmops_virt_message());
		free(img);
	} else if (m->o.start && VIRT(virDomainCreate)(ddom)) {
		rc = kvmops_fail(m->ctx, -EIO, "the guest does not start on the destination: %s",
				 kvmops_virt_message());
	}
	return rc;
}

static int place_on_dest(struct offline *m, const char *def_xml,
			 const char *image_xml)
{
	bool must_run = m->o.keep_state || m->o.start;
	virDomainPtr ddom;
	char *def = NULL;
	int rc;

	rc = rewrite(m, def_xml, m->o.dname, &def);
	if (rc)
		return rc;
	ddom = VIRT(virDomainDefineXML)(m->dst, def);
	free(def);
	if (!ddom)
		return kvmops_fail(m->ctx, -EIO, "the destination refuses the definition: %s",
				   kvmops_virt_message());
	rc = start_on_dest(m, ddom, image_xml);
	if (!rc && (VIRT(virDomainIsPersistent)(ddom) != 1 ||
		    (must_run && VIRT(virDomainIsActive)(ddom) != 1)))
		rc = kvmops_fail(m->ctx, -EIO, "the destination does not hold the guest as it should");
	if (rc) {
		if (VIRT(virDomainIsActive)(ddom) == 1)
			VIRT(virDomainDestroy)(ddom);
		VIRT(virDomainUndefineFlags)(ddom, UNDEFINE_FLAGS);
	}
	VIRT(virDomainFree)(ddom);
	return rc;
}

static int retire_source(struct offline *m)
{
	size_t i;

	if (m->o.keep_source)
		return 0;
	if (VIRT(virDomainIsPersistent)(m->dom) == 1 &&
	    VIRT(virDomainUndefineFlags)(m->dom, UNDEFINE_FLAGS))
		return kvmops_fail(m->ctx, -EIO,
				   "moved, but the source definition could not be removed (%s): remove it by hand before anyone starts it here",
				   kvmops_virt_message());
	for (i = 0; m->o.delete_source_disks && i < m->nmoves; i++) {
		if (m->moves[i].shared || !m->moves[i].src_vol)
			continue;
		if (VIRT(virStorageVolDelete)(m->moves[i].src_vol, 0))
			return kvmops_fail(m->ctx, -EIO,
					   "moved, but the source disk %s could not be deleted: %s",
					   m->moves[i].disk.path, kvmops_virt_message());
	}
	return 0;
}

static int stop_source(struct offline *m, char **image_xml)
{
	int rc = 0;

	if (m->o.keep_state) {
		rc = save_guest(m);
		if (!rc)
			*image_xml = VIRT(virDomainSaveImageGetXMLDesc)(
				m->src, m->o.state_file, VIR_DOMAIN_SAVE_IMAGE_XML_SECURE);
		if (!rc && !*image_xml)
			rc = kvmops_fail(m->ctx, -EIO, "cannot read the saved state %s: %s",
					 m->o.state_file, kvmops_virt_message());
	} else if (domain_state(m->dom) != VIR_DOMAIN_SHUTOFF) {
		report_phase(m, KVMOPS_PHASE_SHUTDOWN);
		rc = shut_down(m);
		m->stopped = !rc;
	}
	return rc;
}

/* After a failure: a guest we shut down runs again on the source. */
static void restart_on_source(struct offline *m, char *note, size_t len)
{
	if (!m->stopped)
		return;
	if (VIRT(virDomainCreate)(m->dom))
		snprintf(note, len, " It was shut down for the move and does not start again here: %s.",
			 kvmops_virt_message());
	else
		snprintf(note, len, " It was shut down for the move and runs again on the source.");
	m->stopped = false;
}

static int check_state(struct offline *m)
{
	int state = domain_state(m->dom);
	bool running = state == VIR_DOMAIN_RUNNING || state == VIR_DOMAIN_PAUSED ||
		       state == VIR_DOMAIN_BLOCKED;
	const char *name = VIRT(virDomainGetName)(m->dom);

	if (!running && state != VIR_DOMAIN_SHUTOFF)
		return kvmops_fail(m->ctx, -EBUSY,
				   "%s is neither running nor shut off (state %d): wait until it is one or the other",
				   name, state);
	if (m->o.keep_state && !running)
		return kvmops_fail(m->ctx, -EBUSY,
				   "%s is not running: --keep-state has no memory to keep; move it without", name);
	if (!m->o.keep_state && running && !m->o.shutdown)
		return kvmops_fail(m->ctx, -EBUSY,
				   "%s is running: shut it down first, pass --shutdown, or keep its memory with --keep-state",
				   name);
	return 0;
}

static void summarize(struct offline *m, struct kvmops_job *summary)
{
	struct kvmops_job job = { .phase = KVMOPS_PHASE_DONE };
	size_t i;

	for (i = 0; i < m->nmoves; i++)
		if (!m->moves[i].shared && m->moves[i].dst_vol)
			job.disk_total += volume_bytes(m->moves[i].dst_vol);
	job.disk_processed = job.data_total = job.data_processed = job.disk_total;
	job.elapsed_ms = ms_since(&m->t0);
	if (job.elapsed_ms)
		job.disk_bps = job.disk_total * 1000 / job.elapsed_ms;
	if (summary)
		*summary = job;
	if (m->progress)
		m->progress(m->ctx, &job, m->userdata);
}

static int run(struct offline *m, struct kvmops_job *summary)
{
	char *def_xml = NULL, *image_xml = NULL, note[PATH_MAX + 256] = "";
	int rc;

	rc = check_state(m);
	if (rc)
		return rc;
	def_xml = VIRT(virDomainGetXMLDesc)(m->dom, VIR_DOMAIN_XML_INACTIVE |
							    VIR_DOMAIN_XML_SECURE |
							    VIR_DOMAIN_XML_MIGRATABLE);
	if (!def_xml)
		return kvmops_fail(m->ctx, -EIO, "cannot read the guest's definition: %s",
				   kvmops_virt_message());
	rc = plan(m, def_xml);
	if (!rc)
		rc = stop_source(m, &image_xml);
	if (!rc)
		rc = copy_disks(m);
	if (!rc)
		rc = place_on_dest(m, def_xml, image_xml);
	if (rc) {
		remove_copies(m);
		restore_on_source(m, note, sizeof(note));
		restart_on_source(m, note, sizeof(note));
		if (*note) {
			char first[512];

			snprintf(first, sizeof(first), "%s", kvmops_last_error(m->ctx));
			rc = kvmops_fail(m->ctx, rc, "%s.%s", first, note);
		}
	} else {
		summarize(m, summary);
		if (m->o.keep_state)
			remove_state_file(m);
		rc = retire_source(m);
	}
	free(def_xml);
	free(image_xml);
	return rc;
}

KVMOPS_EXPORT int kvmops_migrate_offline(struct kvmops_ctx *ctx, virConnectPtr src,
					 virConnectPtr dst, const char *name,
					 const struct kvmops_migrate_opts *opts,
					 kvmops_progress_fn progress, void *userdata,
					 const volatile int *cancel,
					 struct kvmops_job *summary)
{
	struct offline m = { .ctx = ctx, .src = src, .dst = dst, .progress = progress,
			     .userdata = userdata, .cancel = cancel };
	size_t i;
	int rc;

	rc = kvmops_migrate_opts_check(ctx, opts);
	if (rc)
		return rc;
	memset(&m.o, 0, sizeof(m.o));
	memcpy(&m.o, opts, opts->size < sizeof(m.o) ? opts->size : sizeof(m.o));
	if (m.o.kind != KVMOPS_MIGRATE_OFFLINE)
		return kvmops_fail(ctx, -EINVAL, "a live migration is not offline");
	m.dom = VIRT(virDomainLookupByName)(src, name);
	if (!m.dom)
		return kvmops_fail(ctx, -ENOENT, "no domain %s on the source: %s", name,
				   kvmops_virt_message());
	clock_gettime(CLOCK_MONOTONIC, &m.t0);
	rc = run(&m, summary);
	for (i = 0; i < m.nmoves; i++) {
		if (m.moves[i].src_vol)
			VIRT(virStorageVolFree)(m.moves[i].src_vol);
		if (m.moves[i].dst_vol)
			VIRT(virStorageVolFree)(m.moves[i].dst_vol);
	}
	free(m.moves);
	VIRT(virDomainFree)(m.dom);
	return rc;
}
