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

#include "migrate/migrate.h"
#include "virt/domain.h"
#include "virt/xml.h"

#define POLL_MS 250

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
	virDomainPtr ddom = VIRT(virDomainMigrate3)(run->dom, run->dst,
						    run->params,
						    (unsigned int)run->nparams,
						    (unsigned int)run->flags);
	virErrorPtr e = ddom ? NULL : VIRT(virGetLastError)();

	pthread_mutex_lock(&run->lock);
	run->ddom = ddom;
	if (!ddom) {
		snprintf(run->error, sizeof(run->error), "%s",
			 e && e->message ? e->message :
					   "unknown libvirt error");
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

/* What the watcher did to the job, to explain the outcome. */
struct watch {
	bool aborted, timed_out, suspended, postcopy_started, dest_lost;
	virConnectPtr dst; /* watched too: QEMU goes on streaming without it */
	uint64_t started_ms;
	struct kvmops_job last; /* the previous look, for rates libvirt omits */
	/* the convergence policy, when opts->converge */
	struct kvmops_converge_config converge;
	struct kvmops_converge_state policy;
	bool policy_aborted;
	char policy_why[320];
};

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
		info(ctx,
		     "timeout: pausing the guest so the migration completes");
		w->suspended = VIRT(virDomainSuspend)(dom) == 0;
		break;
	case KVMOPS_ON_TIMEOUT_POSTCOPY:
		info(ctx, "timeout: switching to post-copy");
		w->postcopy_started =
			VIRT(virDomainMigrateStartPostCopy)(dom, 0) == 0;
		break;
	}
}

/* libvirt gives no disk rate, and no memory rate on the first pass. */
static void estimate_rates(struct kvmops_job *job,
			   const struct kvmops_job *last)
{
	uint64_t dt = job->elapsed_ms - last->elapsed_ms;

	if (!last->elapsed_ms || job->elapsed_ms <= last->elapsed_ms)
		return;
	if (!job->disk_bps && job->disk_processed > last->disk_processed)
		job->disk_bps = (job->disk_processed - last->disk_processed) *
				1000 / dt;
	if (!job->mem_bps && job->mem_processed > last->mem_processed)
		job->mem_bps =
			(job->mem_processed - last->mem_processed) * 1000 / dt;
}

static void abort_job(struct kvmops_ctx *ctx, virDomainPtr dom, struct watch *w)
{
	w->aborted = true;
	if (VIRT(virDomainAbortJob)(dom))
		info(ctx, "cannot abort: %s", kvmops_virt_message());
}

/* The policy's figures from a look at the job. */
static void policy_sample(const struct watch *w, const struct kvmops_job *job,
			  struct kvmops_converge_sample *s)
{
	*s = (struct kvmops_converge_sample){
		.time_ms = kvmops_now_ms() - w->started_ms,
		.iteration = job->iteration,
		.remaining = job->mem_remaining,
		.dirty_bps = job->dirty_rate *
			     (job->page_size ? job->page_size : 4096),
		.bps = job->mem_bps,
		.throttle_percent = (unsigned int)job->throttle_percent,
		.postcopy = job->phase == KVMOPS_PHASE_POSTCOPY ||
			    w->postcopy_started,
		.network_alive = !w->dest_lost,
	};
}

/* Does what the convergence policy decided on @job, and tells the caller. */
static void policy_step(struct kvmops_ctx *ctx, virDomainPtr dom,
			const struct kvmops_migrate_opts *o, struct watch *w,
			const struct kvmops_job *job, void *userdata)
{
	struct kvmops_converge_decision d;
	struct kvmops_converge_sample s;

	if (job->phase != KVMOPS_PHASE_MEMORY)
		return;
	policy_sample(w, job, &s);
	kvmops_converge_decide(&w->converge, &w->policy, &s, &d);
	if (d.action == KVMOPS_CONVERGE_NONE)
		return;
	info(ctx, "convergence: %s", d.reason);
	switch (d.action) {
	case KVMOPS_CONVERGE_RAISE_LIMIT:
		if (VIRT(virDomainMigrateSetMaxDowntime)(dom, d.limit_ms, 0))
			info(ctx, "cannot raise the downtime limit: %s",
			     kvmops_virt_message());
		break;
	case KVMOPS_CONVERGE_POSTCOPY:
		w->postcopy_started =
			VIRT(virDomainMigrateStartPostCopy)(dom, 0) == 0;
		break;
	case KVMOPS_CONVERGE_SUSPEND:
		w->suspended = VIRT(virDomainSuspend)(dom) == 0;
		break;
	case KVMOPS_CONVERGE_ABORT:
		w->policy_aborted = true;
		snprintf(w->policy_why, sizeof(w->policy_why), "%s", d.reason);
		abort_job(ctx, dom, w);
		break;
	default:
		break;
	}
	if (o->on_converge)
		o->on_converge(ctx, &d, userdata);
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
	if (kvmops_read_job(dom, 0, &job))
		return;
	VIRT(virDomainGetState)(dom, &state, &reason, 0);
	job.phase = live_phase(&job, state, reason);
	estimate_rates(&job, &w->last);
	w->last = job;
	if (progress)
		progress(ctx, &job, userdata);
	if (o->converge && !w->aborted && !w->timed_out)
		policy_step(ctx, dom, o, w, &job, userdata);
	if (o->postcopy_after_precopy && !w->postcopy_started &&
	    job.iteration >= 2)
		w->postcopy_started =
			VIRT(virDomainMigrateStartPostCopy)(dom, 0) == 0;
	if (o->timeout_s && !w->timed_out && !w->aborted &&
	    kvmops_now_ms() - w->started_ms >= (uint64_t)o->timeout_s * 1000)
		on_timeout(ctx, dom, o, w);
}

/* The disk plans of @xml for @o, asking both hosts. */
static int plan_disks(struct kvmops_ctx *ctx, virConnectPtr src,
		      virConnectPtr dst, const char *xml,
		      const struct kvmops_migrate_opts *o,
		      struct kvmops_disk_plan **plans, size_t *n)
{
	struct kvmops_probe sp, dp;

	kvmops_probe_libvirt(&sp, src);
	kvmops_probe_libvirt(&dp, dst);
	return kvmops_plan_disks(ctx, &sp, &dp, xml, o, plans, n);
}

/*
 * For a block migration, the destination's volumes, created where libvirt
 * expects them (the same path) and, for an incremental copy, over the same
 * backing image. *@made lists what was created, to remove on failure.
 */
static int precreate(struct kvmops_ctx *ctx, virConnectPtr src,
		     virConnectPtr dst, const char *xml,
		     const struct kvmops_migrate_opts *o,
		     virStorageVolPtr **made, size_t *nmade)
{
	struct kvmops_disk_plan *plans;
	char err[512];
	size_t n, i;
	int rc;

	*made = NULL;
	*nmade = 0;
	if (o->copy_storage == KVMOPS_COPY_NONE)
		return 0;
	rc = plan_disks(ctx, src, dst, xml, o, &plans, &n);
	if (rc)
		return rc;
	*made = calloc(n ? n : 1, sizeof(**made));
	for (i = 0; *made && !rc && i < n; i++) {
		const struct kvmops_disk_plan *pl = &plans[i];

		/* what the check refused, libvirt will refuse again */
		if (pl->fate != KVMOPS_DISK_COPIED || !pl->have_info)
			continue;
		(*made)[*nmade] = kvmops_create_volume(
			dst, pl->pool, strrchr(pl->dest_path, '/') + 1,
			&pl->info, o->copy_storage == KVMOPS_COPY_INC, err,
			sizeof(err));
		if (!(*made)[*nmade]) {
			rc = kvmops_fail(ctx, -EIO, "%s", err);
			break;
		}
		info(ctx, "created %s on the destination", pl->dest_path);
		(*nmade)++;
	}
	free(plans);
	if (rc) {
		kvmops_delete_volumes(*made, *nmade);
		free(*made);
		*made = NULL;
		*nmade = 0;
	}
	return *made || rc ? rc : -ENOMEM;
}

/*
 * libvirt calls a migration unsafe when it does not know the storage as
 * shared. Storage that the probe proved shared may go ahead; *@why says
 * otherwise what stands in the way.
 */
static bool proven_shared(struct kvmops_ctx *ctx, virConnectPtr src,
			  virConnectPtr dst, virDomainPtr dom,
			  const struct kvmops_migrate_opts *o, char *why,
			  size_t len)
{
	struct kvmops_disk_plan *plans = NULL;
	char *xml = VIRT(virDomainGetXMLDesc)(dom, 0);
	bool proven = false;
	size_t n = 0, i;

	snprintf(why, len, "its disks cannot be read");
	if (xml && !plan_disks(ctx, src, dst, xml, o, &plans, &n)) {
		proven = true;
		for (i = 0; proven && i < n; i++) {
			const struct kvmops_disk_plan *pl = &plans[i];

			proven = pl->fate == KVMOPS_DISK_COPIED ||
				 (pl->fate == KVMOPS_DISK_STAYS &&
				  pl->item.verdict == KVMOPS_VERDICT_PASS);
			if (!proven)
				snprintf(why, len, "%s: %s", pl->item.id,
					 pl->item.text);
		}
	}
	free(plans);
	free(xml);
	return proven;
}

static void summarize(virDomainPtr dom, virDomainPtr ddom,
		      struct kvmops_job *summary)
{
	struct kvmops_job job;

	/* The source's record has the disk figures; the destination's, if
	 * the source was transient and is gone, the rest. */
	if (kvmops_read_job(dom, VIR_DOMAIN_JOB_STATS_COMPLETED, &job) &&
	    kvmops_read_job(ddom, VIR_DOMAIN_JOB_STATS_COMPLETED, &job))
		memset(&job, 0, sizeof(job));
	job.phase = KVMOPS_PHASE_DONE;
	if (summary)
		*summary = job;
}

/* The guest runs on the destination: check it, then retire the source. */
static int finish_move(struct kvmops_ctx *ctx, virDomainPtr dom,
		       virDomainPtr ddom, const struct kvmops_migrate_opts *o)
{
	const unsigned int undefine = VIR_DOMAIN_UNDEFINE_MANAGED_SAVE |
				      VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA |
				      VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA |
				      VIR_DOMAIN_UNDEFINE_KEEP_NVRAM;

	if (VIRT(virDomainIsActive)(ddom) != 1 ||
	    VIRT(virDomainIsPersistent)(ddom) != 1)
		return kvmops_fail(
			ctx, -EIO,
			"the migration ended, but the destination does not run %s persistently; the source definition is kept",
			VIRT(virDomainGetName)(ddom));
	if (o->keep_source || VIRT(virDomainIsPersistent)(dom) != 1)
		return 0;
	if (VIRT(virDomainUndefineFlags)(dom, undefine))
		return kvmops_fail(
			ctx, -EIO,
			"%s runs on the destination, but its source definition could not be removed (%s): remove it by hand (virsh undefine) before anyone starts it there",
			VIRT(virDomainGetName)(dom), kvmops_virt_message());
	return 0;
}

/* A guest paused to let its copy finish runs again where it arrived. */
static void resume_if_paused(struct kvmops_ctx *ctx, virDomainPtr ddom)
{
	int state = 0, reason = 0;

	if (VIRT(virDomainGetState)(ddom, &state, &reason, 0) == 0 &&
	    state == VIR_DOMAIN_PAUSED && VIRT(virDomainResume)(ddom))
		info(ctx, "cannot resume the guest on the destination: %s",
		     kvmops_virt_message());
}

/* Why there is no guest on the destination, and where it is instead. */
static int fail_outcome(struct kvmops_ctx *ctx, struct live_run *run,
			const struct watch *w, const char *dname,
			const char *unproven)
{
	char sides[512];

	if (w->suspended)
		VIRT(virDomainResume)(run->dom); /* we paused it; as it was */
	kvmops_describe_sides(run->dom, run->dst, dname, sides, sizeof(sides));
	if (w->dest_lost)
		return kvmops_fail(
			ctx, -ECONNRESET,
			"the connection to the destination was lost, so the migration was aborted: %s.",
			sides);
	if (w->policy_aborted)
		return kvmops_fail(
			ctx, -ETIMEDOUT,
			"the migration would not converge, so it was aborted early (%s): %s.",
			w->policy_why, sides);
	if (w->aborted && !w->timed_out)
		return kvmops_fail(ctx, -ECANCELED,
				   "the migration was aborted: %s.", sides);
	if (w->aborted)
		return kvmops_fail(
			ctx, -ETIMEDOUT,
			"the migration did not finish within its timeout and was aborted: %s.",
			sides);
	if (unproven)
		return kvmops_fail_remedy(
			ctx, -EIO, "copy_storage,unsafe",
			"the migration failed (%s): %s. The storage is not proven shared (%s): copy the disks with the migration, or, if it is shared, migrate unsafe.",
			run->error, sides, unproven);
	return kvmops_fail(ctx, -EIO, "the migration failed (%s): %s.",
			   run->error, sides);
}

static int run_live(struct kvmops_ctx *ctx, struct live_run *run,
		    const struct kvmops_migrate_opts *o,
		    kvmops_progress_fn progress, void *userdata,
		    const volatile int *cancel, struct watch *w)
{
	pthread_t thread;

	run->done = false;
	run->ddom = NULL;
	run->error[0] = '\0';
	run->error_code = 0;
	memset(w, 0, sizeof(*w));
	pthread_mutex_init(&run->lock, NULL);
	pthread_cond_init(&run->cond, NULL);
	w->started_ms = kvmops_now_ms();
	w->dst = run->dst;
	if (o->converge) {
		w->converge = *o->converge;
		if (!w->converge.timeout_ms)
			w->converge.timeout_ms = (uint64_t)o->timeout_s * 1000;
		kvmops_converge_start(&w->converge, &w->policy);
	}
	if (pthread_create(&thread, NULL, migrate_thread, run))
		return kvmops_fail(ctx, -EAGAIN,
				   "cannot start the migration thread");
	while (!wait_done(run))
		watch_once(ctx, run->dom, o, w, progress, userdata, cancel);
	pthread_join(thread, NULL);
	pthread_cond_destroy(&run->cond);
	pthread_mutex_destroy(&run->lock);
	return 0;
}

/*
 * Runs the migration; when libvirt calls it unsafe only because it does
 * not know the storage as shared, and the probe proved it shared, runs
 * it again as unsafe and says so.
 */
static int run_checked(struct kvmops_ctx *ctx, virConnectPtr src,
		       struct live_run *run,
		       const struct kvmops_migrate_opts *o,
		       kvmops_progress_fn progress, void *userdata,
		       const volatile int *cancel, struct watch *w,
		       const char *dname)
{
	char why[512];
	int rc = run_live(ctx, run, o, progress, userdata, cancel, w);

	if (rc || run->ddom)
		return rc;
	if (run->error_code != VIR_ERR_MIGRATE_UNSAFE || o->unsafe)
		return fail_outcome(ctx, run, w, dname, NULL);
	if (!proven_shared(ctx, src, run->dst, run->dom, o, why, sizeof(why)))
		return fail_outcome(ctx, run, w, dname, why);
	notice(ctx,
	       "libvirt does not know this storage as shared, but a probe volume proved every disk shared: migrating with libvirt's unsafe flag");
	run->flags |= VIR_MIGRATE_UNSAFE;
	rc = run_live(ctx, run, o, progress, userdata, cancel, w);
	if (!rc && !run->ddom)
		rc = fail_outcome(ctx, run, w, dname, NULL);
	return rc;
}

/* The options checked and copied, and the domain looked up into @run. */
static int begin(struct kvmops_ctx *ctx, virConnectPtr src, virConnectPtr dst,
		 const char *name, const struct kvmops_migrate_opts *opts,
		 struct kvmops_migrate_opts *o, struct live_run *run)
{
	int rc;

	kvmops_clear_error(ctx);
	rc = kvmops_migrate_opts_check(ctx, opts);
	if (rc)
		return rc;
	kvmops_migrate_opts_copy(opts, o);
	if (o->kind == KVMOPS_MIGRATE_OFFLINE)
		return kvmops_fail(ctx, -EINVAL,
				   "an offline migration is not live");
	run->dom = VIRT(virDomainLookupByName)(src, name);
	if (!run->dom)
		return kvmops_fail(ctx, -ENOENT,
				   "no domain %s on the source: %s", name,
				   kvmops_virt_message());
	run->dst = dst;
	return 0;
}

/*
 * Under the convergence policy, a move without a timeout gets the
 * policy's default for the guest's memory.
 */
static void default_timeout(struct kvmops_ctx *ctx, virDomainPtr dom,
			    struct kvmops_migrate_opts *o)
{
	virDomainInfo di;

	if (!o->converge || o->timeout_s || o->converge->timeout_ms ||
	    VIRT(virDomainGetInfo)(dom, &di))
		return;
	o->timeout_s = kvmops_converge_timeout_s((uint64_t)di.maxMem * 1024);
	info(ctx, "timeout %u s (150 s per GiB of memory, at least 60 s)",
	     o->timeout_s);
}

/* The destination's volumes of a block migration, the downtime, the plan. */
static int prepare(struct kvmops_ctx *ctx, virConnectPtr src,
		   struct kvmops_migrate_opts *o, struct live_run *run,
		   virStorageVolPtr **made, size_t *nmade)
{
	char *xml = VIRT(virDomainGetXMLDesc)(run->dom, 0);
	uint64_t limit_ms =
		o->converge ? kvmops_converge_start_limit_ms(o->converge) :
			      o->max_downtime_ms;
	int rc;

	default_timeout(ctx, run->dom, o);

	rc = xml ? precreate(ctx, src, run->dst, xml, o, made, nmade) :
		   kvmops_fail(ctx, -EIO, "cannot read the XML of %s: %s",
			       VIRT(virDomainGetName)(run->dom),
			       kvmops_virt_message());
	free(xml);
	if (!rc && limit_ms &&
	    VIRT(virDomainMigrateSetMaxDowntime)(run->dom, limit_ms, 0))
		rc = kvmops_fail(ctx, -EIO,
				 "cannot set the maximum downtime: %s",
				 kvmops_virt_message());
	if (!rc)
		rc = kvmops_live_plan(ctx, o, &run->flags, &run->params,
				      &run->nparams);
	return rc;
}

KVMOPS_EXPORT int kvmops_migrate_live(struct kvmops_ctx *ctx, virConnectPtr src,
				      virConnectPtr dst, const char *name,
				      const struct kvmops_migrate_opts *opts,
				      kvmops_progress_fn progress,
				      void *userdata,
				      const volatile int *cancel,
				      struct kvmops_job *summary)
{
	struct kvmops_migrate_opts o;
	struct live_run run = { 0 };
	struct watch w = { 0 };
	virStorageVolPtr *made = NULL;
	size_t nmade = 0;
	int rc = begin(ctx, src, dst, name, opts, &o, &run);

	if (!rc)
		rc = prepare(ctx, src, &o, &run, &made, &nmade);
	if (!rc)
		rc = run_checked(ctx, src, &run, &o, progress, userdata, cancel,
				 &w, o.dname ? o.dname : name);
	if (rc)
		kvmops_delete_volumes(made, nmade);
	kvmops_free_volumes(made, nmade);
	if (!rc && w.suspended)
		resume_if_paused(ctx, run.ddom);
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
	if (run.dom)
		VIRT(virDomainFree)(run.dom);
	return rc;
}
