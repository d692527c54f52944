// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Offline (static) migration: the guest stops, its disks and definition
 * move, and it starts (or, keeping its memory, resumes) on the
 * destination. Disks travel through libvirt storage streams, sparse and
 * hashed with SHA-256, so no ssh is needed, and each copy is read back
 * and compared. The source is changed only after the destination is
 * verified.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "migrate/migrate.h"
#include "virt/stream.h"
#include "virt/xml.h"

#define POLL_NS (250 * 1000000L)
#define DEFAULT_SHUTDOWN_S 60

static const unsigned int UNDEFINE_FLAGS =
	VIR_DOMAIN_UNDEFINE_MANAGED_SAVE |
	VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA |
	VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA |
	VIR_DOMAIN_UNDEFINE_KEEP_NVRAM;

/* One disk of the guest that is copied. */
struct disk_move {
	const struct kvmops_disk_plan *plan;
	virStorageVolPtr src_vol, dst_vol; /* dst_vol: made by us */
	char sha256[KVMOPS_SHA256_HEX];
};

struct offline {
	struct kvmops_ctx *ctx;
	virConnectPtr src, dst;
	virDomainPtr dom;
	struct kvmops_migrate_opts o;
	kvmops_progress_fn progress;
	void *userdata;
	const volatile int *cancel;
	struct kvmops_disk_plan *plans;
	size_t nplans;
	struct disk_move *moves; /* the plans that copy a disk */
	size_t nmoves;
	uint64_t t0_ms;
	char state_file[PATH_MAX]; /* keep_state: where the memory goes */
	bool saved; /* the source guest is in state_file */
	bool stopped; /* we shut the source guest down */
};

static bool cancelled(const struct offline *m)
{
	return m->cancel && *m->cancel;
}

static void report(struct offline *m, struct kvmops_job *job)
{
	job->elapsed_ms = kvmops_now_ms() - m->t0_ms;
	if (m->progress)
		m->progress(m->ctx, job, m->userdata);
}

static void report_phase(struct offline *m, enum kvmops_migrate_phase phase)
{
	struct kvmops_job job = { .phase = phase };

	report(m, &job);
}

/* ---- stopping the guest ---------------------------------------------------- */

static bool is_off(const struct offline *m)
{
	return kvmops_domain_state(m->dom) == VIR_DOMAIN_SHUTOFF;
}

/* Waits up to @limit_s for the guest to stop; false if it did not. */
static int wait_shutoff(struct offline *m, unsigned int limit_s)
{
	const struct timespec poll = { 0, POLL_NS };
	uint64_t start = kvmops_now_ms();

	while (!is_off(m)) {
		if (cancelled(m))
			return kvmops_fail(
				m->ctx, -ECANCELED,
				"interrupted while %s shuts down; it may still stop; nothing was copied",
				VIRT(virDomainGetName)(m->dom));
		if (kvmops_now_ms() - start >= (uint64_t)limit_s * 1000)
			return 0;
		report_phase(m, KVMOPS_PHASE_SHUTDOWN);
		nanosleep(&poll, NULL);
	}
	return 0;
}

static int shut_down(struct offline *m)
{
	unsigned int limit = m->o.shutdown_timeout_s ? m->o.shutdown_timeout_s :
						       DEFAULT_SHUTDOWN_S;
	const char *name = VIRT(virDomainGetName)(m->dom);
	int rc;

	if (VIRT(virDomainShutdown)(m->dom))
		return kvmops_fail(m->ctx, -EIO, "cannot shut %s down: %s",
				   name, kvmops_virt_message());
	rc = wait_shutoff(m, limit);
	if (rc || is_off(m))
		return rc;
	if (!m->o.force)
		return kvmops_fail_remedy(
			m->ctx, -ETIMEDOUT, "force",
			"%s did not shut down within %u s; nothing was copied. Forcing it off after the timeout would move it",
			name, limit);
	info(m->ctx, "%s did not shut down within %u s: powering it off", name,
	     limit);
	if (VIRT(virDomainDestroy)(m->dom))
		return kvmops_fail(m->ctx, -EIO, "cannot power %s off: %s",
				   name, kvmops_virt_message());
	return 0;
}

/* ---- the plan -------------------------------------------------------------- */

/* The disk plans, and what they refuse, as one error. */
static int plan(struct offline *m, struct kvmops_probe *sp,
		struct kvmops_probe *dp, const char *xml)
{
	const struct kvmops_disk_plan *bad;
	size_t i;
	int rc;

	rc = kvmops_plan_disks(m->ctx, sp, dp, xml, &m->o, &m->plans,
			       &m->nplans);
	if (rc)
		return rc;
	bad = kvmops_refused_disk(m->plans, m->nplans);
	if (bad) {
		const struct kvmops_check_item *it =
			bad->backing.id[0] && bad->backing.verdict ==
						      KVMOPS_VERDICT_FAIL ?
				&bad->backing :
				&bad->item;

		return kvmops_fail_remedy(m->ctx, bad->err,
					  it->remedy[0] ? it->remedy : NULL,
					  "%s: %s; %s", it->id, it->text,
					  it->fix);
	}
	m->moves = calloc(m->nplans ? m->nplans : 1, sizeof(*m->moves));
	if (!m->moves)
		return -ENOMEM;
	for (i = 0; i < m->nplans; i++) {
		struct disk_move *mv = &m->moves[m->nmoves];

		if (m->plans[i].fate != KVMOPS_DISK_COPIED)
			continue;
		mv->plan = &m->plans[i];
		mv->src_vol = VIRT(
			virStorageVolLookupByPath)(m->src, mv->plan->disk.path);
		if (!mv->src_vol)
			return kvmops_fail(m->ctx, -EIO, "disk %s: %s",
					   mv->plan->disk.target,
					   kvmops_virt_message());
		m->nmoves++;
	}
	return 0;
}

/*
 * Where the memory goes: the given file, which must not be shown to be
 * elsewhere for the destination, or one named after the guest beside its
 * disks on proven shared storage.
 */
static int plan_state_file(struct offline *m, struct kvmops_probe *sp,
			   struct kvmops_probe *dp)
{
	struct kvmops_check_item it;

	if (!m->o.keep_state)
		return 0;
	kvmops_plan_state_file(m->ctx, sp, dp, &m->o, m->plans, m->nplans,
			       VIRT(virDomainGetName)(m->dom), m->state_file,
			       sizeof(m->state_file), &it);
	if (it.verdict == KVMOPS_VERDICT_FAIL)
		return kvmops_fail_remedy(m->ctx, -EINVAL, "state_file",
					  "%s; %s", it.text, it.fix);
	return 0;
}

/* ---- copying through streams ----------------------------------------------- */

struct copy_progress {
	struct offline *m;
	struct kvmops_job *job;
	uint64_t start_ms;
};

/* What is left and this stream's own rate, for @done bytes so far. */
static void stream_figures(struct kvmops_job *job, uint64_t done,
			   uint64_t start_ms)
{
	uint64_t t = kvmops_now_ms();

	job->disk_processed = done;
	job->disk_remaining = job->disk_total > done ? job->disk_total - done :
						       0;
	/* a shutdown before the stream is no transfer time */
	if (t > start_ms)
		job->disk_bps = done * 1000 / (t - start_ms);
}

static void on_pumped(void *userdata, uint64_t done)
{
	struct copy_progress *cp = userdata;

	stream_figures(cp->job, done, cp->start_ms);
	report(cp->m, cp->job);
}

/*
 * One pass over a disk's content: @from's volume read through the pump
 * into @to's (@to NULL: only read), as @phase; *@sha256 gets its hash.
 */
static int transfer(struct offline *m, struct disk_move *mv,
		    enum kvmops_migrate_phase phase, virConnectPtr from_conn,
		    virStorageVolPtr from, virStorageVolPtr to, char *sha256)
{
	struct kvmops_job job = { .phase = phase };
	struct copy_progress cp = { .m = m,
				    .job = &job,
				    .start_ms = kvmops_now_ms() };
	struct kvmops_pump p = { .cancel = m->cancel,
				 .progress = on_pumped,
				 .userdata = &cp };
	int rc;

	snprintf(job.disk, sizeof(job.disk), "%s", mv->plan->disk.target);
	snprintf(job.dest_path, sizeof(job.dest_path), "%s",
		 mv->plan->dest_path);
	job.disk_total = kvmops_volume_bytes(from);
	rc = kvmops_pump_volume(&p, from_conn, from, m->dst, to);
	if (rc == -ECANCELED)
		return kvmops_fail(m->ctx, rc,
				   "interrupted while copying disk %s",
				   mv->plan->disk.target);
	if (rc)
		return kvmops_fail(m->ctx, rc, "%s disk %s failed: %s",
				   to ? "copying" : "reading back",
				   mv->plan->disk.target, p.error);
	stream_figures(&job, p.bytes, cp.start_ms);
	snprintf(job.sha256, sizeof(job.sha256), "%s", p.sha256);
	snprintf(sha256, KVMOPS_SHA256_HEX, "%s", p.sha256);
	if (!to)
		report(m, &job); /* the verified copy, with its hash */
	return 0;
}

/*
 * The copy is made as a plain file of the source file's size, all hole:
 * the stream carries the file (a qcow2 container as it is), and what the
 * stream leaves as a hole must read as zeros there.
 */
static int make_copy(struct offline *m, struct disk_move *mv)
{
	struct kvmops_vol_info vi = { .capacity = kvmops_volume_bytes(
					      mv->src_vol) };
	const char *slash = strrchr(mv->plan->dest_path, '/');
	char err[512];

	snprintf(vi.format, sizeof(vi.format), "raw");
	mv->dst_vol = kvmops_create_volume(m->dst, mv->plan->pool, slash + 1,
					   &vi, false, err, sizeof(err));
	return mv->dst_vol ? 0 : kvmops_fail(m->ctx, -EIO, "%s", err);
}

static void refresh_pool(virConnectPtr conn, const char *name)
{
	virStoragePoolPtr pool = VIRT(virStoragePoolLookupByName)(conn, name);

	if (!pool)
		return;
	VIRT(virStoragePoolRefresh)(pool, 0);
	VIRT(virStoragePoolFree)(pool);
}

static int copy_disks(struct offline *m)
{
	char back[KVMOPS_SHA256_HEX];
	size_t i;
	int rc = 0;

	for (i = 0; !rc && i < m->nmoves; i++) {
		struct disk_move *mv = &m->moves[i];

		rc = make_copy(m, mv);
		if (!rc)
			rc = transfer(m, mv, KVMOPS_PHASE_COPY, m->src,
				      mv->src_vol, mv->dst_vol, mv->sha256);
		if (!rc)
			rc = transfer(m, mv, KVMOPS_PHASE_VERIFY, m->dst,
				      mv->dst_vol, NULL, back);
		if (!rc && strcmp(back, mv->sha256))
			rc = kvmops_fail(
				m->ctx, -EIO,
				"disk %s: the copy on the destination does not match (SHA-256 %s, source %s)",
				mv->plan->disk.target, back, mv->sha256);
		/* libvirt learns what the file is now: its format, its backing */
		if (!rc)
			refresh_pool(m->dst, mv->plan->pool);
	}
	return rc;
}

/* What a failure leaves behind on the destination goes. */
static void remove_copies(struct offline *m)
{
	size_t i;

	for (i = 0; i < m->nmoves; i++)
		kvmops_delete_volumes(&m->moves[i].dst_vol, 1);
}

/* ---- the definition -------------------------------------------------------- */

/* true when @source pointed at @from and now points at @to */
static bool set_source(xmlNodePtr source, const char *from, const char *to)
{
	static const char *const attrs[] = { "file", "dev" };
	bool moved = false;
	xmlChar *v;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(attrs); i++) {
		v = VIRT(xmlGetProp)(source, BAD_CAST attrs[i]);
		if (v && !strcmp((const char *)v, from))
			moved = VIRT(xmlSetProp)(source, BAD_CAST attrs[i],
						 BAD_CAST to) != NULL;
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
	if (!kvmops_xml_nodes(&x, NULL, "/domain/devices/disk/source", &nodes,
			      &n)) {
		/* one move per disk: {A->B, B->C} must not carry A to C */
		for (i = 0; i < n; i++)
			for (k = 0;
			     k < count && !set_source(nodes[i], from[k], to[k]);
			     k++)
				;
		free(nodes);
	}
	*out = kvmops_xml_dump(&x);
	kvmops_xml_close(&x);
	return *out ? 0 : -ENOMEM;
}

static int rewrite(struct offline *m, const char *xml, const char *name,
		   char **out)
{
	const char **from = calloc(m->nmoves + 1, sizeof(*from));
	const char **to = calloc(m->nmoves + 1, sizeof(*to));
	size_t i;
	int rc = -ENOMEM;

	if (from && to) {
		for (i = 0; i < m->nmoves; i++) {
			from[i] = m->moves[i].plan->disk.path;
			to[i] = m->moves[i].plan->dest_path;
		}
		rc = kvmops_rewrite_domain(m->ctx, xml, name, from, to,
					   m->nmoves, out);
	}
	free(from);
	free(to);
	return rc;
}

/* ---- keeping the memory state ---------------------------------------------- */

static int save_guest(struct offline *m)
{
	unsigned int flags = kvmops_domain_state(m->dom) == VIR_DOMAIN_PAUSED ?
				     VIR_DOMAIN_SAVE_PAUSED :
				     VIR_DOMAIN_SAVE_RUNNING;

	report_phase(m, KVMOPS_PHASE_SAVE);
	if (VIRT(virDomainSaveFlags)(m->dom, m->state_file, NULL, flags))
		return kvmops_fail(
			m->ctx, -EIO,
			"cannot save the guest's memory to %s: %s; it goes on running here",
			m->state_file, kvmops_virt_message());
	m->saved = true;
	return 0;
}

/* The saved state is no longer needed once the guest runs again. */
static void remove_state_file(struct offline *m)
{
	struct kvmops_pool_info pi;
	struct kvmops_probe sp;
	virStorageVolPtr vol;
	char dir[PATH_MAX];
	const char *slash = strrchr(m->state_file, '/');

	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - m->state_file),
		 m->state_file);
	kvmops_probe_libvirt(&sp, m->src);
	if (sp.ops->pool(&sp, NULL, *dir ? dir : "/", &pi))
		return; /* in no pool: libvirt cannot delete it */
	refresh_pool(m->src, pi.name);
	vol = VIRT(virStorageVolLookupByPath)(m->src, m->state_file);
	if (vol) {
		VIRT(virStorageVolDelete)(vol, 0);
		VIRT(virStorageVolFree)(vol);
	}
}

/* After a failure: the guest resumes on the source, from its saved state. */
static void restore_on_source(struct offline *m, char *note, size_t len)
{
	if (!m->saved)
		return;
	m->saved = false;
	if (VIRT(virDomainRestore)(m->src, m->state_file)) {
		snprintf(
			note, len,
			" The guest could not be resumed here (%s): its state is in %s (virsh restore).",
			kvmops_virt_message(), m->state_file);
		return;
	}
	snprintf(note, len, " The guest resumed on the source.");
	remove_state_file(m);
}

/* ---- the whole move -------------------------------------------------------- */

static int start_on_dest(struct offline *m, virDomainPtr ddom,
			 const char *image_xml)
{
	char *img = NULL;
	int rc = 0;

	if (m->o.keep_state) {
		report_phase(m, KVMOPS_PHASE_RESTORE);
		rc = rewrite(m, image_xml, NULL, &img);
		if (!rc &&
		    VIRT(virDomainRestoreFlags)(m->dst, m->state_file, img, 0))
			rc = kvmops_fail(
				m->ctx, -EIO,
				"the destination cannot restore the guest from %s: %s",
				m->state_file, kvmops_virt_message());
		free(img);
	} else if (m->o.start && VIRT(virDomainCreate)(ddom)) {
		rc = kvmops_fail(
			m->ctx, -EIO,
			"the guest does not start on the destination: %s",
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
		return kvmops_fail(m->ctx, -EIO,
				   "the destination refuses the definition: %s",
				   kvmops_virt_message());
	rc = start_on_dest(m, ddom, image_xml);
	if (!rc && (VIRT(virDomainIsPersistent)(ddom) != 1 ||
		    (must_run && VIRT(virDomainIsActive)(ddom) != 1)))
		rc = kvmops_fail(
			m->ctx, -EIO,
			"the destination does not hold the guest as it should");
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
		return kvmops_fail(
			m->ctx, -EIO,
			"moved, but the source definition could not be removed (%s): remove it by hand before anyone starts it here",
			kvmops_virt_message());
	for (i = 0; m->o.delete_source_disks && i < m->nmoves; i++)
		if (VIRT(virStorageVolDelete)(m->moves[i].src_vol, 0))
			return kvmops_fail(
				m->ctx, -EIO,
				"moved, but the source disk %s could not be deleted: %s",
				m->moves[i].plan->disk.path,
				kvmops_virt_message());
	return 0;
}

static int stop_source(struct offline *m, char **image_xml)
{
	int rc = 0;

	if (m->o.keep_state) {
		rc = save_guest(m);
		if (!rc)
			*image_xml = VIRT(virDomainSaveImageGetXMLDesc)(
				m->src, m->state_file,
				VIR_DOMAIN_SAVE_IMAGE_XML_SECURE);
		if (!rc && !*image_xml)
			rc = kvmops_fail(m->ctx, -EIO,
					 "cannot read the saved state %s: %s",
					 m->state_file, kvmops_virt_message());
	} else if (!is_off(m)) {
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
		snprintf(
			note, len,
			" It was shut down for the move and does not start again here: %s.",
			kvmops_virt_message());
	else
		snprintf(
			note, len,
			" It was shut down for the move and runs again on the source.");
	m->stopped = false;
}

static int check_state(struct offline *m)
{
	int state = kvmops_domain_state(m->dom);
	bool running = state == VIR_DOMAIN_RUNNING ||
		       state == VIR_DOMAIN_PAUSED ||
		       state == VIR_DOMAIN_BLOCKED;
	const char *name = VIRT(virDomainGetName)(m->dom);

	if (!running && state != VIR_DOMAIN_SHUTOFF)
		return kvmops_fail(
			m->ctx, -EBUSY,
			"%s is neither running nor shut off (state %d): wait until it is one or the other",
			name, state);
	if (m->o.keep_state && !running)
		return kvmops_fail_remedy(
			m->ctx, -EBUSY, "keep_state",
			"%s is not running, so it has no memory to keep; move it without",
			name);
	if (!m->o.keep_state && running && !m->o.shutdown)
		return kvmops_fail_remedy(
			m->ctx, -EBUSY, "shutdown,keep_state",
			"%s is running: shut it down first, let the move shut it down, or keep its memory",
			name);
	return 0;
}

static void summarize(struct offline *m, struct kvmops_job *summary)
{
	struct kvmops_job job = { .phase = KVMOPS_PHASE_DONE };
	size_t i;

	for (i = 0; i < m->nmoves; i++)
		job.disk_total += kvmops_volume_bytes(m->moves[i].dst_vol);
	job.disk_processed = job.data_total = job.data_processed =
		job.disk_total;
	job.elapsed_ms = kvmops_now_ms() - m->t0_ms;
	if (job.elapsed_ms)
		job.disk_bps = job.disk_total * 1000 / job.elapsed_ms;
	if (summary)
		*summary = job;
	if (m->progress)
		m->progress(m->ctx, &job, m->userdata);
}

/* Puts back what a failure after the plan changed, and says so. */
static int undo(struct offline *m, int rc)
{
	char note[PATH_MAX + 256] = "", first[1024];
	const char *remedy = kvmops_last_remedy(m->ctx);

	remove_copies(m);
	restore_on_source(m, note, sizeof(note));
	restart_on_source(m, note, sizeof(note));
	if (!*note)
		return rc;
	snprintf(first, sizeof(first), "%s", kvmops_last_error(m->ctx));
	return kvmops_fail_remedy(m->ctx, rc, *remedy ? remedy : NULL, "%s.%s",
				  first, note);
}

/* The guest's persistent definition, as it moves; NULL with the error set. */
static char *definition(struct offline *m)
{
	char *xml = VIRT(virDomainGetXMLDesc)(
		m->dom, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE |
				VIR_DOMAIN_XML_MIGRATABLE);

	if (!xml)
		kvmops_fail(m->ctx, -EIO,
			    "cannot read the guest's definition: %s",
			    kvmops_virt_message());
	return xml;
}

static int prepare(struct offline *m, const char *def_xml)
{
	struct kvmops_probe sp, dp;
	int rc = check_state(m);

	kvmops_probe_libvirt(&sp, m->src);
	kvmops_probe_libvirt(&dp, m->dst);
	if (!rc)
		rc = plan(m, &sp, &dp, def_xml);
	if (!rc)
		rc = plan_state_file(m, &sp, &dp);
	return rc;
}

static int run(struct offline *m, struct kvmops_job *summary)
{
	char *def_xml, *image_xml = NULL;
	int rc;

	def_xml = definition(m);
	if (!def_xml)
		return -EIO;
	rc = prepare(m, def_xml);
	if (rc) {
		free(def_xml);
		return rc; /* nothing was changed */
	}
	rc = stop_source(m, &image_xml);
	if (!rc)
		rc = copy_disks(m);
	if (!rc)
		rc = place_on_dest(m, def_xml, image_xml);
	if (rc) {
		rc = undo(m, rc);
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

/* The options checked and copied, and the domain looked up. */
static int begin(struct offline *m, const char *name,
		 const struct kvmops_migrate_opts *opts)
{
	int rc;

	kvmops_clear_error(m->ctx);
	rc = kvmops_migrate_opts_check(m->ctx, opts);
	if (rc)
		return rc;
	kvmops_migrate_opts_copy(opts, &m->o);
	if (m->o.kind != KVMOPS_MIGRATE_OFFLINE)
		return kvmops_fail(m->ctx, -EINVAL,
				   "a live migration is not offline");
	m->dom = VIRT(virDomainLookupByName)(m->src, name);
	if (!m->dom)
		return kvmops_fail(m->ctx, -ENOENT,
				   "no domain %s on the source: %s", name,
				   kvmops_virt_message());
	return 0;
}

static void end(struct offline *m)
{
	size_t i;

	for (i = 0; i < m->nmoves; i++) {
		if (m->moves[i].src_vol)
			VIRT(virStorageVolFree)(m->moves[i].src_vol);
		if (m->moves[i].dst_vol)
			VIRT(virStorageVolFree)(m->moves[i].dst_vol);
	}
	free(m->moves);
	free(m->plans);
	if (m->dom)
		VIRT(virDomainFree)(m->dom);
}

KVMOPS_EXPORT int
kvmops_migrate_offline(struct kvmops_ctx *ctx, virConnectPtr src,
		       virConnectPtr dst, const char *name,
		       const struct kvmops_migrate_opts *opts,
		       kvmops_progress_fn progress, void *userdata,
		       const volatile int *cancel, struct kvmops_job *summary)
{
	struct offline m = { .ctx = ctx,
			     .src = src,
			     .dst = dst,
			     .progress = progress,
			     .userdata = userdata,
			     .cancel = cancel };
	int rc = begin(&m, name, opts);

	m.t0_ms = kvmops_now_ms();
	if (!rc)
		rc = run(&m, summary);
	end(&m);
	return rc;
}

KVMOPS_EXPORT int
kvmops_migrate_state_file(struct kvmops_ctx *ctx, virConnectPtr src,
			  virConnectPtr dst, const char *name,
			  const struct kvmops_migrate_opts *opts, char *path,
			  size_t len)
{
	struct offline m = { .ctx = ctx, .src = src, .dst = dst };
	struct kvmops_probe sp, dp;
	char *xml = NULL;
	int rc = begin(&m, name, opts);

	m.o.keep_state = true;
	kvmops_probe_libvirt(&sp, src);
	kvmops_probe_libvirt(&dp, dst);
	if (!rc && !(xml = definition(&m)))
		rc = -EIO;
	if (!rc)
		rc = kvmops_plan_disks(ctx, &sp, &dp, xml, &m.o, &m.plans,
				       &m.nplans);
	if (!rc)
		rc = plan_state_file(&m, &sp, &dp);
	if (!rc && snprintf(path, len, "%s", m.state_file) >= (int)len)
		rc = kvmops_fail(ctx, -ENAMETOOLONG,
				 "the state file's path is too long");
	free(xml);
	end(&m);
	return rc;
}
