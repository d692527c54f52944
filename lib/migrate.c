// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Live migration through virDomainMigrate3, watched from this thread while
 * another waits in libvirt: progress, timeout actions, and abort.
 */
#include "config.h"

#include <inttypes.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "migrate.h"
#include "xml.h"

#define POLL_MS 250

KVMOPS_EXPORT const char *kvmops_phase_name(enum kvmops_migrate_phase phase)
{
	static const char *const names[] = {
		[KVMOPS_PHASE_SETUP] = "setup",
		[KVMOPS_PHASE_DISKS] = "disks",
		[KVMOPS_PHASE_MEMORY] = "memory",
		[KVMOPS_PHASE_POSTCOPY] = "postcopy",
		[KVMOPS_PHASE_FINISHING] = "finishing",
		[KVMOPS_PHASE_SHUTDOWN] = "shutdown",
		[KVMOPS_PHASE_SAVE] = "save",
		[KVMOPS_PHASE_COPY] = "copy",
		[KVMOPS_PHASE_VERIFY] = "verify",
		[KVMOPS_PHASE_RESTORE] = "restore",
		[KVMOPS_PHASE_DONE] = "done",
	};

	return (size_t)phase < ARRAY_SIZE(names) && names[phase] ? names[phase] :
								    "unknown";
}

uint64_t kvmops_fnv1a(uint64_t hash, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t i;

	for (i = 0; i < len; i++) {
		hash ^= p[i];
		hash *= 0x100000001b3ULL;
	}
	return hash;
}

/* ---- options ------------------------------------------------------------ */

/* A copy of @opts as this library knows them, whatever the caller's size. */
static void norm_opts(const struct kvmops_migrate_opts *opts,
		      struct kvmops_migrate_opts *out)
{
	memset(out, 0, sizeof(*out));
	if (opts)
		memcpy(out, opts, opts->size < sizeof(*out) ? opts->size : sizeof(*out));
	out->size = sizeof(*out);
}

static bool known_compress(const char *methods, char *bad, size_t len)
{
	static const char *const known[] = { "xbzrle", "mt", "zlib", "zstd" };
	char *copy = strdup(methods), *tok, *save = NULL;
	bool ok = copy != NULL;
	size_t i;

	for (tok = copy ? strtok_r(copy, ",", &save) : NULL; ok && tok;
	     tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < ARRAY_SIZE(known) && strcmp(tok, known[i]); i++)
			;
		if (i == ARRAY_SIZE(known)) {
			snprintf(bad, len, "%s", tok);
			ok = false;
		}
	}
	free(copy);
	return ok;
}

static int check_live_opts(struct kvmops_ctx *ctx,
			   const struct kvmops_migrate_opts *o)
{
	char bad[64];

	if (o->keep_state || o->state_file || o->shutdown || o->force ||
	    o->start || o->delete_source_disks || o->pool)
		return kvmops_fail(ctx, -EINVAL,
				   "--keep-state, --state-file, --shutdown, --force, --start, --delete-source-disks and --pool are for offline migration");
	if (o->kind == KVMOPS_MIGRATE_LIVE && o->copy_storage != KVMOPS_COPY_NONE)
		return kvmops_fail(ctx, -EINVAL, "a live migration over shared storage copies no disks");
	if (o->kind == KVMOPS_MIGRATE_COPY_STORAGE && o->copy_storage == KVMOPS_COPY_NONE)
		return kvmops_fail(ctx, -EINVAL, "--copy-storage needs all or inc");
	if (o->postcopy_after_precopy && !o->postcopy)
		return kvmops_fail(ctx, -EINVAL, "--postcopy-after-precopy needs --postcopy");
	if (o->on_timeout != KVMOPS_ON_TIMEOUT_ABORT && !o->timeout_s)
		return kvmops_fail(ctx, -EINVAL, "--on-timeout needs --timeout");
	if (o->on_timeout == KVMOPS_ON_TIMEOUT_POSTCOPY && !o->postcopy)
		return kvmops_fail(ctx, -EINVAL, "--on-timeout postcopy needs --postcopy");
	if (o->compress && *o->compress && !known_compress(o->compress, bad, sizeof(bad)))
		return kvmops_fail(ctx, -EINVAL,
				   "--compress: unknown method '%s' (xbzrle, mt, zlib or zstd)", bad);
	if (o->compress && (strstr(o->compress, "zlib") || strstr(o->compress, "zstd")) &&
	    !o->parallel)
		return kvmops_fail(ctx, -EINVAL,
				   "--compress zlib and zstd work on parallel connections: add --parallel N");
	return 0;
}

static int check_offline_opts(struct kvmops_ctx *ctx,
			      const struct kvmops_migrate_opts *o)
{
	if (o->copy_storage != KVMOPS_COPY_NONE || o->bandwidth_mib ||
	    o->max_downtime_ms || o->compress || o->parallel || o->auto_converge ||
	    o->postcopy || o->postcopy_after_precopy || o->tls || o->timeout_s ||
	    o->migrate_uri || o->listen_address || o->on_timeout != KVMOPS_ON_TIMEOUT_ABORT)
		return kvmops_fail(ctx, -EINVAL,
				   "live migration options (--copy-storage, --bandwidth, --max-downtime, --compress, --parallel, --auto-converge, --postcopy, --tls, --timeout, --on-timeout, --migrateuri, --listen-address) do not apply to offline migration");
	if (o->keep_state && (!o->state_file || !*o->state_file))
		return kvmops_fail(ctx, -EINVAL,
				   "--keep-state needs --state-file PATH on storage both hosts see");
	if (o->state_file && !o->keep_state)
		return kvmops_fail(ctx, -EINVAL, "--state-file goes with --keep-state");
	if (o->state_file && o->state_file[0] != '/')
		return kvmops_fail(ctx, -EINVAL, "--state-file must be an absolute path, not '%s'",
				   o->state_file);
	if (o->keep_state && (o->shutdown || o->start))
		return kvmops_fail(ctx, -EINVAL,
				   "--keep-state moves a running guest and restores it running: --shutdown and --start do not apply");
	if (o->keep_state && o->dname)
		return kvmops_fail(ctx, -EINVAL,
				   "--dname cannot rename a guest restored from its saved state");
	if (o->force && !o->shutdown)
		return kvmops_fail(ctx, -EINVAL, "--force goes with --shutdown");
	if (o->delete_source_disks && o->keep_source)
		return kvmops_fail(ctx, -EINVAL,
				   "--delete-source-disks and --keep-source contradict each other");
	return 0;
}

KVMOPS_EXPORT int kvmops_migrate_opts_check(struct kvmops_ctx *ctx,
					    const struct kvmops_migrate_opts *opts)
{
	struct kvmops_migrate_opts o;

	if (!opts || opts->size < offsetof(struct kvmops_migrate_opts, bandwidth_mib))
		return kvmops_fail(ctx, -EINVAL, "no migration options (or .size unset)");
	norm_opts(opts, &o);
	if (o.dname && (!*o.dname || strchr(o.dname, '/')))
		return kvmops_fail(ctx, -EINVAL, "--dname: '%s' is not a domain name", o.dname);
	if (o.migrate_uri && !strstr(o.migrate_uri, "://"))
		return kvmops_fail(ctx, -EINVAL,
				   "--migrateuri: '%s' is not a URI such as tcp://HOST[:PORT]",
				   o.migrate_uri);
	if (o.listen_address && !*o.listen_address)
		return kvmops_fail(ctx, -EINVAL, "--listen-address is empty");
	switch (o.kind) {
	case KVMOPS_MIGRATE_LIVE:
	case KVMOPS_MIGRATE_COPY_STORAGE:
		return check_live_opts(ctx, &o);
	case KVMOPS_MIGRATE_OFFLINE:
		return check_offline_opts(ctx, &o);
	}
	return kvmops_fail(ctx, -EINVAL, "unknown kind of migration %d", (int)o.kind);
}

/* ---- the plan ----------------------------------------------------------- */

static int add_compress(virTypedParameterPtr *params, int *n, int *max,
			const char *methods)
{
	char *copy = strdup(methods), *tok, *save = NULL;
	int rc = copy ? 0 : -1;

	for (tok = copy ? strtok_r(copy, ",", &save) : NULL; !rc && tok;
	     tok = strtok_r(NULL, ",", &save))
		rc = VIRT(virTypedParamsAddString)(params, n, max,
						   VIR_MIGRATE_PARAM_COMPRESSION, tok);
	free(copy);
	return rc;
}

int kvmops_live_plan(struct kvmops_ctx *ctx,
		     const struct kvmops_migrate_opts *opts,
		     unsigned long *flags, virTypedParameterPtr *params,
		     int *nparams)
{
	struct kvmops_migrate_opts o;
	unsigned long f = VIR_MIGRATE_LIVE | VIR_MIGRATE_PERSIST_DEST |
			  VIR_MIGRATE_ABORT_ON_ERROR;
	virTypedParameterPtr p = NULL;
	int n = 0, max = 0, rc = 0;

	norm_opts(opts, &o);
	if (o.copy_storage == KVMOPS_COPY_ALL)
		f |= VIR_MIGRATE_NON_SHARED_DISK;
	else if (o.copy_storage == KVMOPS_COPY_INC)
		f |= VIR_MIGRATE_NON_SHARED_INC;
	f |= o.unsafe ? VIR_MIGRATE_UNSAFE : 0;
	f |= o.auto_converge ? VIR_MIGRATE_AUTO_CONVERGE : 0;
	f |= o.postcopy ? VIR_MIGRATE_POSTCOPY : 0;
	f |= o.tls ? VIR_MIGRATE_TLS : 0;
	f |= o.compress ? VIR_MIGRATE_COMPRESSED : 0;
	f |= o.parallel ? VIR_MIGRATE_PARALLEL : 0;
	if (o.migrate_uri)
		rc |= VIRT(virTypedParamsAddString)(&p, &n, &max, VIR_MIGRATE_PARAM_URI,
						    o.migrate_uri);
	if (o.dname)
		rc |= VIRT(virTypedParamsAddString)(&p, &n, &max,
						    VIR_MIGRATE_PARAM_DEST_NAME, o.dname);
	if (o.listen_address)
		rc |= VIRT(virTypedParamsAddString)(&p, &n, &max,
						    VIR_MIGRATE_PARAM_LISTEN_ADDRESS,
						    o.listen_address);
	if (o.bandwidth_mib)
		rc |= VIRT(virTypedParamsAddULLong)(&p, &n, &max,
						    VIR_MIGRATE_PARAM_BANDWIDTH,
						    o.bandwidth_mib);
	if (o.parallel)
		rc |= VIRT(virTypedParamsAddInt)(&p, &n, &max,
						 VIR_MIGRATE_PARAM_PARALLEL_CONNECTIONS,
						 (int)o.parallel);
	if (o.compress && *o.compress)
		rc |= add_compress(&p, &n, &max, o.compress);
	if (rc) {
		VIRT(virTypedParamsFree)(p, n);
		return kvmops_fail(ctx, -ENOMEM, "cannot build the migration parameters");
	}
	*flags = f;
	*params = p;
	*nparams = n;
	return 0;
}

/* ---- job figures -------------------------------------------------------- */

static void take_job_param(struct kvmops_job *job, const virTypedParameter *p)
{
	static const struct {
		const char *field;
		size_t offset;
	} map[] = {
#define F(name, member) { name, offsetof(struct kvmops_job, member) }
		F(VIR_DOMAIN_JOB_TIME_ELAPSED, elapsed_ms),
		F(VIR_DOMAIN_JOB_DATA_TOTAL, data_total),
		F(VIR_DOMAIN_JOB_DATA_PROCESSED, data_processed),
		F(VIR_DOMAIN_JOB_DATA_REMAINING, data_remaining),
		F(VIR_DOMAIN_JOB_MEMORY_TOTAL, mem_total),
		F(VIR_DOMAIN_JOB_MEMORY_PROCESSED, mem_processed),
		F(VIR_DOMAIN_JOB_MEMORY_REMAINING, mem_remaining),
		F(VIR_DOMAIN_JOB_DISK_TOTAL, disk_total),
		F(VIR_DOMAIN_JOB_DISK_PROCESSED, disk_processed),
		F(VIR_DOMAIN_JOB_DISK_REMAINING, disk_remaining),
		F(VIR_DOMAIN_JOB_MEMORY_BPS, mem_bps),
		F(VIR_DOMAIN_JOB_DISK_BPS, disk_bps),
		F(VIR_DOMAIN_JOB_MEMORY_DIRTY_RATE, dirty_rate),
		F(VIR_DOMAIN_JOB_MEMORY_PAGE_SIZE, page_size),
		F(VIR_DOMAIN_JOB_MEMORY_ITERATION, iteration),
		F(VIR_DOMAIN_JOB_DOWNTIME, downtime_ms),
		F(VIR_DOMAIN_JOB_SETUP_TIME, setup_ms),
		F(VIR_DOMAIN_JOB_AUTO_CONVERGE_THROTTLE, throttle_percent),
#undef F
	};
	uint64_t v;
	size_t i;

	switch (p->type) {
	case VIR_TYPED_PARAM_ULLONG:
		v = p->value.ul;
		break;
	case VIR_TYPED_PARAM_UINT:
		v = p->value.ui;
		break;
	case VIR_TYPED_PARAM_INT:
		v = p->value.i > 0 ? (uint64_t)p->value.i : 0;
		break;
	default:
		return;
	}
	for (i = 0; i < ARRAY_SIZE(map); i++) {
		if (!strcmp(p->field, map[i].field)) {
			*(uint64_t *)((char *)job + map[i].offset) = v;
			if (!strcmp(p->field, VIR_DOMAIN_JOB_DOWNTIME))
				job->have_downtime = true;
			return;
		}
	}
}

void kvmops_job_from_params(struct kvmops_job *job,
			    const virTypedParameter *params, int nparams)
{
	int i;

	for (i = 0; i < nparams; i++)
		take_job_param(job, &params[i]);
}

static enum kvmops_migrate_phase live_phase(const struct kvmops_job *j,
					    int state, int reason)
{
	if (state == VIR_DOMAIN_PAUSED && reason == VIR_DOMAIN_PAUSED_POSTCOPY)
		return KVMOPS_PHASE_POSTCOPY;
	if (state == VIR_DOMAIN_PAUSED && reason == VIR_DOMAIN_PAUSED_MIGRATION)
		return KVMOPS_PHASE_FINISHING;
	if (j->mem_processed)
		return KVMOPS_PHASE_MEMORY;
	if (j->disk_processed)
		return KVMOPS_PHASE_DISKS;
	return KVMOPS_PHASE_SETUP;
}

/* ---- the migration thread ----------------------------------------------- */

struct live_run {
	virDomainPtr dom;
	virConnectPtr dst;
	virTypedParameterPtr params;
	int nparams;
	unsigned long flags;
	/* set by the thread, under lock */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool done;
	virDomainPtr ddom;
	char error[512];
	int error_code;
};

static void *migrate_thread(void *arg)
{
	struct live_run *run = arg;
	virDomainPtr ddom = VIRT(virDomainMigrate3)(run->dom, run->dst, run->params,
						    (unsigned int)run->nparams,
						    (unsigned int)run->flags);
	virErrorPtr e = ddom ? NULL : VIRT(virGetLastError)();

	pthread_mutex_lock(&run->lock);
	run->ddom = ddom;
	if (!ddom) {
		snprintf(run->error, sizeof(run->error), "%s",
			 e && e->message ? e->message : "unknown libvirt error");
		run->error_code = e ? e->code : 0;
	}
	run->done = true;
	pthread_cond_signal(&run->cond);
	pthread_mutex_unlock(&run->lock);
	return NULL;
}

/* Waits up to POLL_MS for the thread; true once it is done. */
static bool wait_done(struct live_run *run)
{
	struct timespec until;
	bool done;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += POLL_MS * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&run->lock);
	while (!run->done &&
	       pthread_cond_timedwait(&run->cond, &run->lock, &until) == 0)
		;
	done = run->done;
	pthread_mutex_unlock(&run->lock);
	return done;
}

static int read_job(virDomainPtr dom, unsigned int flags, struct kvmops_job *job)
{
	virTypedParameterPtr params = NULL;
	int nparams = 0, type = VIR_DOMAIN_JOB_NONE;

	memset(job, 0, sizeof(*job));
	if (VIRT(virDomainGetJobStats)(dom, &type, &params, &nparams, flags) < 0)
		return -EIO;
	kvmops_job_from_params(job, params, nparams);
	VIRT(virTypedParamsFree)(params, nparams);
	return type == VIR_DOMAIN_JOB_NONE ? -ENODATA : 0;
}

/* What the watcher did to the job, to explain the outcome. */
struct watch {
	bool aborted, timed_out, suspended, postcopy_started, dest_lost;
	virConnectPtr dst; /* watched too: QEMU goes on streaming without it */
	uint64_t started_ms;
	struct kvmops_job last; /* the previous look, for rates libvirt omits */
};

static uint64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

static void on_timeout(struct kvmops_ctx *ctx, virDomainPtr dom,
		       const struct kvmops_migrate_opts *o, struct watch *w)
{
	w->timed_out = true;
	switch (o->on_timeout) {
	case KVMOPS_ON_TIMEOUT_ABORT:
		info(ctx, "timeout: aborting the migration");
		w->aborted = VIRT(virDomainAbortJob)(dom) == 0;
		break;
	case KVMOPS_ON_TIMEOUT_SUSPEND:
		info(ctx, "timeout: pausing the guest so the migration completes");
		w->suspended = VIRT(virDomainSuspend)(dom) == 0;
		break;
	case KVMOPS_ON_TIMEOUT_POSTCOPY:
		info(ctx, "timeout: switching to post-copy");
		w->postcopy_started = VIRT(virDomainMigrateStartPostCopy)(dom, 0) == 0;
		break;
	}
}

/* libvirt gives no disk rate, and no memory rate on the first pass. */
static void estimate_rates(struct kvmops_job *job, const struct kvmops_job *last)
{
	uint64_t dt = job->elapsed_ms - last->elapsed_ms;

	if (!last->elapsed_ms || job->elapsed_ms <= last->elapsed_ms)
		return;
	if (!job->disk_bps && job->disk_processed > last->disk_processed)
		job->disk_bps = (job->disk_processed - last->disk_processed) * 1000 / dt;
	if (!job->mem_bps && job->mem_processed > last->mem_processed)
		job->mem_bps = (job->mem_processed - last->mem_processed) * 1000 / dt;
}

static void abort_job(struct kvmops_ctx *ctx, virDomainPtr dom, struct watch *w)
{
	w->aborted = true;
	if (VIRT(virDomainAbortJob)(dom))
		info(ctx, "cannot abort: %s", kvmops_virt_message());
}

/* One look at the job: progress, then what the options say to do. */
static void watch_once(struct kvmops_ctx *ctx, virDomainPtr dom,
		       const struct kvmops_migrate_opts *o, struct watch *w,
		       kvmops_progress_fn progress, void *userdata,
		       const volatile int *cancel)
{
	struct kvmops_job job;
	int state = 0, reason = 0;

	/*
	 * Keepalive marks a dead destination connection; the source QEMU would
	 * otherwise go on sending to a destination nobody can finish.
	 */
	if (!w->aborted && w->dst && VIRT(virConnectIsAlive)(w->dst) == 0) {
		info(ctx,
		     "the connection to the destination was lost: aborting");
		w->dest_lost = true;
		abort_job(ctx, dom, w);
	}
	if (cancel && *cancel && !w->aborted)
		abort_job(ctx, dom, w);
	if (read_job(dom, 0, &job))
		return;
	VIRT(virDomainGetState)(dom, &state, &reason, 0);
	job.phase = live_phase(&job, state, reason);
	estimate_rates(&job, &w->last);
	w->last = job;
	if (progress)
		progress(ctx, &job, userdata);
	if (o->postcopy_after_precopy && !w->postcopy_started && job.iteration >= 2)
		w->postcopy_started = VIRT(virDomainMigrateStartPostCopy)(dom, 0) == 0;
	if (o->timeout_s && !w->timed_out && !w->aborted &&
	    now_ms() - w->started_ms >= (uint64_t)o->timeout_s * 1000)
		on_timeout(ctx, dom, o, w);
}

/* ---- around the migration ----------------------------------------------- */

static const char *state_text(int state)
{
	switch (state) {
	case VIR_DOMAIN_RUNNING:
	case VIR_DOMAIN_BLOCKED:
		return "running";
	case VIR_DOMAIN_PAUSED:
		return "paused";
	case VIR_DOMAIN_SHUTDOWN:
		return "shutting down";
	case VIR_DOMAIN_SHUTOFF:
		return "shut off";
	case VIR_DOMAIN_CRASHED:
		return "crashed";
	default:
		return "in an unknown state";
	}
}

/* "source: g1 is running; destination: no trace of g1" */
void kvmops_describe_sides(virDomainPtr dom, virConnectPtr dst,
			   const char *dname, char *buf, size_t len)
{
	int state = VIR_DOMAIN_NOSTATE, reason;
	virDomainPtr ddom;
	const char *there;
	char theirs[64];

	if (!dom || VIRT(virDomainGetState)(dom, &state, &reason, 0) < 0)
		state = VIR_DOMAIN_NOSTATE;
	if (VIRT(virConnectIsAlive)(dst) != 1) {
		there = "cannot be reached, so its side is unknown";
	} else if (!(ddom = VIRT(virDomainLookupByName)(dst, dname))) {
		there = "has no trace of it";
	} else {
		int dstate = VIR_DOMAIN_NOSTATE;

		VIRT(virDomainGetState)(ddom, &dstate, &reason, 0);
		snprintf(theirs, sizeof(theirs), "has it, %s", state_text(dstate));
		there = theirs;
		VIRT(virDomainFree)(ddom);
	}
	snprintf(buf, len, "on the source %s is %s; the destination %s",
		 dom ? VIRT(virDomainGetName)(dom) : dname, state_text(state), there);
}

/* Creates volume @vol_name in @pool_name on @conn; NULL with @err set. */
virStorageVolPtr kvmops_create_volume(virConnectPtr conn, const char *pool_name,
				      const char *vol_name,
				      const struct kvmops_vol_info *vi,
				      bool with_backing, char *err, size_t len)
{
	virStoragePoolPtr pool = VIRT(virStoragePoolLookupByName)(conn, pool_name);
	char *name = kvmops_xml_escape(vol_name), *backing = kvmops_xml_escape(vi->backing);
	char xml[2 * PATH_MAX + 1024], back[PATH_MAX + 256] = "";
	virStorageVolPtr vol = NULL;

	if (with_backing && *vi->backing && backing)
		snprintf(back, sizeof(back),
			 "<backingStore><path>%s</path><format type='%s'/></backingStore>",
			 backing, *vi->backing_format ? vi->backing_format : "raw");
	snprintf(xml, sizeof(xml),
		 "<volume><name>%s</name><capacity unit='bytes'>%" PRIu64 "</capacity>"
		 "<allocation unit='bytes'>0</allocation>"
		 "<target><format type='%s'/></target>%s</volume>",
		 name ? name : "", vi->capacity, *vi->format ? vi->format : "raw", back);
	if (pool && name)
		vol = VIRT(virStorageVolCreateXML)(pool, xml, 0);
	if (!vol)
		snprintf(err, len, "cannot create %s in pool %s on the destination: %s",
			 vol_name, pool_name, kvmops_virt_message());
	if (pool)
		VIRT(virStoragePoolFree)(pool);
	free(name);
	free(backing);
	return vol;
}

void kvmops_delete_volumes(virStorageVolPtr *vols, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++) {
		if (!vols[i])
			continue;
		VIRT(virStorageVolDelete)(vols[i], 0);
		VIRT(virStorageVolFree)(vols[i]);
		vols[i] = NULL;
	}
}

void kvmops_free_volumes(virStorageVolPtr *vols, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		if (vols[i])
			VIRT(virStorageVolFree)(vols[i]);
	free(vols);
}

/*
 * For a block migration, the destination's volumes, created where libvirt
 * expects them (the same path) and, for an incremental copy, over the same
 * backing image. *@made lists what was created, to remove on failure.
 */
static int precreate(struct kvmops_ctx *ctx, virConnectPtr src, virConnectPtr dst,
		     const char *xml, const struct kvmops_migrate_opts *o,
		     virStorageVolPtr **made, size_t *nmade)
{
	struct kvmops_probe sp, dp;
	struct kvmops_vol_info vs, vd;
	struct kvmops_disk *disks;
	char dir[PATH_MAX], pool[128], target[PATH_MAX], err[512];
	uint64_t room;
	size_t n, i;
	int rc;

	*made = NULL;
	*nmade = 0;
	if (o->copy_storage == KVMOPS_COPY_NONE)
		return 0;
	rc = kvmops_domain_disks(xml, &disks, &n);
	if (rc)
		return kvmops_fail(ctx, rc, "cannot read the guest's disks");
	*made = calloc(n ? n : 1, sizeof(**made));
	kvmops_probe_libvirt(&sp, src);
	kvmops_probe_libvirt(&dp, dst);
	for (i = 0; *made && i < n; i++) {
		struct kvmops_disk *d = &disks[i];
		char *slash = strrchr(d->path, '/');

		if (strcmp(d->type, "file") || !slash || d->readonly ||
		    !dp.ops->volume(&dp, d->path, &vd) ||
		    sp.ops->volume(&sp, d->path, &vs))
			continue;
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - d->path), d->path);
		if (dp.ops->pool(&dp, NULL, dir, pool, sizeof(pool), target,
				 sizeof(target), &room))
			continue; /* the check said so; libvirt will say it again */
		(*made)[*nmade] = kvmops_create_volume(dst, pool, slash + 1, &vs,
						       o->copy_storage == KVMOPS_COPY_INC,
						       err, sizeof(err));
		if (!(*made)[*nmade]) {
			kvmops_delete_volumes(*made, *nmade);
			free(*made);
			*made = NULL;
			free(disks);
			return kvmops_fail(ctx, -EIO, "%s", err);
		}
		info(ctx, "created %s on the destination", d->path);
		(*nmade)++;
	}
	free(disks);
	return *made ? 0 : -ENOMEM;
}

static void summarize(virDomainPtr dom, virDomainPtr ddom, struct kvmops_job *summary)
{
	struct kvmops_job job;

	/* The source's record has the disk figures; the destination's, if
	 * the source was transient and is gone, the rest. */
	if (read_job(dom, VIR_DOMAIN_JOB_STATS_COMPLETED, &job) &&
	    read_job(ddom, VIR_DOMAIN_JOB_STATS_COMPLETED, &job))
		memset(&job, 0, sizeof(job));
	job.phase = KVMOPS_PHASE_DONE;
	if (summary)
		*summary = job;
}

/* The guest runs on the destination: check it, then retire the source. */
static int finish_move(struct kvmops_ctx *ctx, virDomainPtr dom, virDomainPtr ddom,
		       const struct kvmops_migrate_opts *o)
{
	const unsigned int undefine = VIR_DOMAIN_UNDEFINE_MANAGED_SAVE |
				      VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA |
				      VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA |
				      VIR_DOMAIN_UNDEFINE_KEEP_NVRAM;

	if (VIRT(virDomainIsActive)(ddom) != 1 || VIRT(virDomainIsPersistent)(ddom) != 1)
		return kvmops_fail(ctx, -EIO,
				   "the migration ended, but the destination does not run %s persistently; the source definition is kept",
				   VIRT(virDomainGetName)(ddom));
	if (o->keep_source || VIRT(virDomainIsPersistent)(dom) != 1)
		return 0;
	if (VIRT(virDomainUndefineFlags)(dom, undefine))
		return kvmops_fail(ctx, -EIO,
				   "%s runs on the destination, but its source definition could not be removed (%s): remove it by hand (virsh undefine) before anyone starts it there",
				   VIRT(virDomainGetName)(dom), kvmops_virt_message());
	return 0;
}

static int fail_outcome(struct kvmops_ctx *ctx, struct live_run *run,
			const struct watch *w, const char *dname)
{
	char sides[512];
	const char *hint = "";

	if (w->suspended)
		VIRT(virDomainResume)(run->dom); /* we paused it; as it was */
	kvmops_describe_sides(run->dom, run->dst, dname, sides, sizeof(sides));
	if (run->error_code == VIR_ERR_MIGRATE_UNSAFE)
		hint = " If the disks are on storage both hosts share, add --unsafe.";
	if (w->dest_lost)
		return kvmops_fail(
			ctx, -ECONNRESET,
			"the connection to the destination was lost, so the migration was aborted: %s.",
			sides);
	if (w->aborted && !w->timed_out)
		return kvmops_fail(ctx, -ECANCELED, "the migration was aborted: %s.", sides);
	if (w->aborted)
		return kvmops_fail(ctx, -ETIMEDOUT,
				   "the migration did not finish within --timeout and was aborted: %s.",
				   sides);
	return kvmops_fail(ctx, -EIO, "the migration failed (%s): %s.%s", run->error,
			   sides, hint);
}

static int run_live(struct kvmops_ctx *ctx, struct live_run *run,
		    const struct kvmops_migrate_opts *o, kvmops_progress_fn progress,
		    void *userdata, const volatile int *cancel, struct watch *w)
{
	pthread_t thread;

	pthread_mutex_init(&run->lock, NULL);
	pthread_cond_init(&run->cond, NULL);
	w->started_ms = now_ms();
	w->dst = run->dst;
	if (pthread_create(&thread, NULL, migrate_thread, run))
		return kvmops_fail(ctx, -EAGAIN, "cannot start the migration thread");
	while (!wait_done(run))
		watch_once(ctx, run->dom, o, w, progress, userdata, cancel);
	pthread_join(thread, NULL);
	pthread_cond_destroy(&run->cond);
	pthread_mutex_destroy(&run->lock);
	return 0;
}

KVMOPS_EXPORT int kvmops_migrate_live(struct kvmops_ctx *ctx, virConnectPtr src,
				      virConnectPtr dst, const char *name,
				      const struct kvmops_migrate_opts *opts,
				      kvmops_progress_fn progress, void *userdata,
				      const volatile int *cancel,
				      struct kvmops_job *summary)
{
	struct kvmops_migrate_opts o;
	struct live_run run = { 0 };
	struct watch w = { 0 };
	virStorageVolPtr *made = NULL;
	size_t nmade = 0;
	char *xml = NULL;
	int rc;

	rc = kvmops_migrate_opts_check(ctx, opts);
	if (rc)
		return rc;
	norm_opts(opts, &o);
	if (o.kind == KVMOPS_MIGRATE_OFFLINE)
		return kvmops_fail(ctx, -EINVAL, "an offline migration is not live");
	run.dom = VIRT(virDomainLookupByName)(src, name);
	if (!run.dom)
		return kvmops_fail(ctx, -ENOENT, "no domain %s on the source: %s", name,
				   kvmops_virt_message());
	run.dst = dst;
	xml = VIRT(virDomainGetXMLDesc)(run.dom, 0);
	rc = xml ? precreate(ctx, src, dst, xml, &o, &made, &nmade) :
		   kvmops_fail(ctx, -EIO, "cannot read the XML of %s: %s", name,
			       kvmops_virt_message());
	free(xml);
	if (!rc && o.max_downtime_ms &&
	    VIRT(virDomainMigrateSetMaxDowntime)(run.dom, o.max_downtime_ms, 0))
		rc = kvmops_fail(ctx, -EIO, "cannot set the maximum downtime: %s",
				 kvmops_virt_message());
	if (!rc)
		rc = kvmops_live_plan(ctx, &o, &run.flags, &run.params, &run.nparams);
	if (!rc)
		rc = run_live(ctx, &run, &o, progress, userdata, cancel, &w);
	if (!rc && !run.ddom)
		rc = fail_outcome(ctx, &run, &w, o.dname ? o.dname : name);
	if (rc)
		kvmops_delete_volumes(made, nmade);
	kvmops_free_volumes(made, nmade);
	if (!rc) {
		summarize(run.dom, run.ddom, summary);
		rc = finish_move(ctx, run.dom, run.ddom, &o);
		if (progress && summary)
			progress(ctx, summary, userdata);
	}
	if (run.ddom)
		VIRT(virDomainFree)(run.ddom);
	if (run.params)
		VIRT(virTypedParamsFree)(run.params, run.nparams);
	VIRT(virDomainFree)(run.dom);
	return rc;
}
