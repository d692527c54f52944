// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Running a plan (kvmops_place_run): the moves start as kvmops_place_next
 * allows, each in a thread of its own with a context and connections of
 * its own (HACKING, "Threads"), through kvmops_migrate_live or _offline
 * with their guarantees. A failed move is tried once more on the next
 * best host; without continue_on_error a failure starts nothing new.
 * Events reach the caller one at a time, under the run's lock.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "place/place.h"

struct run {
	const struct kvmops_place_figures *figures;
	struct kvmops_place_plan *plan;
	const struct kvmops_place_run_opts *opts;
	kvmops_place_event_fn event;
	void *userdata;
	enum kvmops_place_state *states; /* grows with the plan */
	bool *retried; /* per move: it is a retry, or was retried */
	size_t cap;
	pthread_mutex_t lock;
	pthread_cond_t changed;
	volatile int cancel; /* the workers' cancel flag */
	bool stop; /* start nothing new */
	unsigned int running;
};

struct worker {
	struct run *run;
	size_t move;
};

/* ---- events --------------------------------------------------------------- */

static void counts(const struct run *r, struct kvmops_place_event *ev)
{
	size_t i;

	for (i = 0; i < r->plan->nmoves; i++)
		switch (r->states[i]) {
		case KVMOPS_PLACE_QUEUED:
			ev->queued++;
			break;
		case KVMOPS_PLACE_RUNNING:
			ev->running++;
			break;
		case KVMOPS_PLACE_DONE:
			ev->done++;
			break;
		case KVMOPS_PLACE_FAILED:
			ev->failed++;
			break;
		case KVMOPS_PLACE_CANCELLED:
			break;
		}
}

/* Under the lock. */
static void say_event(struct run *r, enum kvmops_place_event_kind kind,
		      size_t move, const struct kvmops_job *job,
		      const char *error,
		      const struct kvmops_converge_decision *decision)
{
	const struct kvmops_place_move *m = &r->plan->moves[move];
	struct kvmops_place_event ev = {
		.kind = kind,
		.move = move,
		.guest = r->figures->guests[m->guest].name,
		.from = r->figures->hosts[m->from].uri,
		.to = r->figures->hosts[m->to].uri,
		.mode = m->mode,
		.job = job,
		.error = error,
		.decision = decision,
	};

	counts(r, &ev);
	if (r->event)
		r->event(&ev, r->userdata);
}

static void say(struct run *r, enum kvmops_place_event_kind kind, size_t move,
		const struct kvmops_job *job, const char *error)
{
	say_event(r, kind, move, job, error, NULL);
}

/* ---- one move --------------------------------------------------------------- */

struct progress {
	struct run *run;
	size_t move;
};

static void on_progress(struct kvmops_ctx *ctx, const struct kvmops_job *job,
			void *data)
{
	struct progress *p = data;

	(void)ctx;
	pthread_mutex_lock(&p->run->lock);
	say(p->run, KVMOPS_PLACE_EVENT_PROGRESS, p->move, job, NULL);
	pthread_mutex_unlock(&p->run->lock);
}

static void on_converge(struct kvmops_ctx *ctx,
			const struct kvmops_converge_decision *d, void *data)
{
	struct progress *p = data;

	(void)ctx;
	pthread_mutex_lock(&p->run->lock);
	say_event(p->run, KVMOPS_PLACE_EVENT_POLICY, p->move, NULL, NULL, d);
	pthread_mutex_unlock(&p->run->lock);
}

/*
 * tcp://HOST of a destination's URI ("qemu+tcp://127.0.0.3:16510/system"
 * gives tcp://127.0.0.3): where its data goes, rather than to what the
 * destination calls itself, which hosts sharing a name (or a machine)
 * get wrong. False for a URI without a host.
 */
static bool data_uri(const char *uri, char *buf, size_t len)
{
	const char *host = strstr(uri, "://"), *end, *at;

	if (!host)
		return false;
	host += 3;
	end = host + strcspn(host, "/?");
	at = memchr(host, '@', (size_t)(end - host));
	if (at)
		host = at + 1;
	if (*host == '[') /* [v6]:port */
		end = memchr(host, ']', (size_t)(end - host)) ?
			      (const char *)memchr(host, ']',
						   (size_t)(end - host)) +
				      1 :
			      end;
	else
		end = host + strcspn(host, ":/?");
	if (end == host || (size_t)(end - host) + 7 > len)
		return false;
	snprintf(buf, len, "tcp://%.*s", (int)(end - host), host);
	return true;
}

/* The move, with a context and connections of this thread's own. */
static int migrate_one(struct run *r, size_t move, struct kvmops_job *job,
		       char *error, size_t len)
{
	struct kvmops_place_move m;
	struct kvmops_migrate_opts o;
	struct progress p = { .run = r, .move = move };
	virConnectPtr src = NULL, dst = NULL;
	char data[300];
	struct kvmops_ctx *ctx;
	const char *name;
	int rc;

	pthread_mutex_lock(&r->lock);
	m = r->plan->moves[move]; /* the plan may grow meanwhile */
	pthread_mutex_unlock(&r->lock);
	name = r->figures->guests[m.guest].name;
	o = *r->opts->migrate;
	o.kind = m.mode == KVMOPS_PLACE_OFFLINE ? KVMOPS_MIGRATE_OFFLINE :
		 m.mode == KVMOPS_PLACE_COPY_STORAGE ?
						  KVMOPS_MIGRATE_COPY_STORAGE :
						  KVMOPS_MIGRATE_LIVE;
	o.on_converge = on_converge; /* with &p, as on_progress */
	if (o.kind == KVMOPS_MIGRATE_OFFLINE)
		kvmops_place_offline_opts(&o);
	if (m.mode == KVMOPS_PLACE_COPY_STORAGE && !o.copy_storage)
		o.copy_storage = KVMOPS_COPY_ALL;
	if (!o.migrate_uri && m.mode != KVMOPS_PLACE_OFFLINE &&
	    data_uri(r->figures->hosts[m.to].uri, data, sizeof(data)))
		o.migrate_uri = data;
	if (kvmops_new(&ctx))
		return -ENOMEM;
	rc = kvmops_connect(ctx, r->figures->hosts[m.from].uri, 0, &src);
	if (!rc)
		rc = kvmops_connect(ctx, r->figures->hosts[m.to].uri, 0, &dst);
	if (!rc && m.mode == KVMOPS_PLACE_OFFLINE)
		rc = kvmops_migrate_offline(ctx, src, dst, name, &o,
					    on_progress, &p, &r->cancel, job);
	else if (!rc)
		rc = kvmops_migrate_live(ctx, src, dst, name, &o, on_progress,
					 &p, &r->cancel, job);
	if (rc)
		snprintf(error, len, "%s", kvmops_last_error(ctx));
	kvmops_disconnect(dst);
	kvmops_disconnect(src);
	kvmops_unref(ctx);
	return rc;
}

/* ---- the next best host, after a failure ------------------------------------ */

/* Appends @m (for guest @gi) to the plan, queued: 0 or -ENOMEM. Locked. */
static int add_move(struct run *r, const struct kvmops_place_move *m, size_t gi)
{
	struct kvmops_place_plan *plan = r->plan;
	size_t n = plan->nmoves + 1;
	void *moves, *states, *retried;

	if (n > r->cap) {
		moves = realloc(plan->moves, n * sizeof(*plan->moves));
		if (moves)
			plan->moves = moves;
		states = moves ? realloc(r->states, n * sizeof(*r->states)) :
				 NULL;
		if (states)
			r->states = states;
		retried = states ? realloc(r->retried, n * sizeof(bool)) : NULL;
		if (!retried)
			return -ENOMEM;
		r->retried = retried;
		r->cap = n;
	}
	plan->moves[plan->nmoves] = *m;
	plan->moves[plan->nmoves].guest = gi;
	r->states[plan->nmoves] = KVMOPS_PLACE_QUEUED;
	r->retried[plan->nmoves] = true;
	plan->nmoves = n;
	return 0;
}

/*
 * Plans guest @gi again, away from its host and from @failed, on the
 * hosts as the plan leaves them: the new move's index, or SIZE_MAX.
 */
static size_t replan(struct run *r, size_t gi, size_t failed)
{
	const struct kvmops_place_figures *f = r->figures;
	struct kvmops_place_host *hosts = calloc(f->nhosts, sizeof(*hosts));
	struct kvmops_place_check *checks = calloc(f->nhosts, sizeof(*checks));
	struct kvmops_place_guest g = f->guests[gi];
	struct kvmops_place_config cfg;
	struct kvmops_place_plan one;
	struct kvmops_ctx *ctx;
	size_t h, at = SIZE_MAX;

	if (!hosts || !checks)
		goto done;
	for (h = 0; h < f->nhosts; h++) {
		hosts[h] = f->hosts[h];
		hosts[h].source = h == g.host;
		hosts[h].oc.host_free_kib =
			hosts[h].oc.host_mem_kib > r->plan->used_after_kib[h] ?
				hosts[h].oc.host_mem_kib -
					r->plan->used_after_kib[h] :
				0;
		if (g.checks)
			checks[h] = g.checks[h];
	}
	checks[failed].verdict = KVMOPS_VERDICT_FAIL;
	checks[failed].why = "its move there failed";
	g.checks = checks;
	kvmops_place_defaults(&cfg);
	cfg.headroom_percent = r->opts->headroom_percent ?
				       r->opts->headroom_percent :
				       cfg.headroom_percent;
	/* A context of its own: this runs in a worker's thread. */
	if (kvmops_new(&ctx))
		goto done;
	if (!kvmops_place(ctx, &cfg, hosts, f->nhosts, &g, 1, &one)) {
		if (one.nmoves == 1 && !add_move(r, &one.moves[0], gi))
			at = r->plan->nmoves - 1;
		kvmops_place_free(&one);
	}
	kvmops_unref(ctx);
done:
	free(hosts);
	free(checks);
	return at;
}

/* ---- the workers and the loop ----------------------------------------------- */

/* After a move failed (locked): placed again once, or reported. */
static void failed(struct run *r, size_t move, const char *error)
{
	struct kvmops_place_move m = r->plan->moves[move];
	size_t again;

	r->states[move] = KVMOPS_PLACE_FAILED;
	say(r, KVMOPS_PLACE_EVENT_FAILED, move, NULL, error);
	if (r->retried[move] || r->stop) {
		if (!r->opts->continue_on_error)
			r->stop = true;
		return;
	}
	r->retried[move] = true;
	again = replan(r, m.guest, m.to);
	if (again == SIZE_MAX) {
		if (!r->opts->continue_on_error)
			r->stop = true;
		return;
	}
	say(r, KVMOPS_PLACE_EVENT_RETRY, again, NULL, NULL);
}

static void *work(void *data)
{
	struct worker *w = data;
	struct run *r = w->run;
	struct kvmops_job job = { 0 };
	char error[512] = "";
	int rc = migrate_one(r, w->move, &job, error, sizeof(error));

	pthread_mutex_lock(&r->lock);
	r->running--;
	if (!rc) {
		r->states[w->move] = KVMOPS_PLACE_DONE;
		say(r, KVMOPS_PLACE_EVENT_DONE, w->move, &job, NULL);
	} else {
		failed(r, w->move, *error ? error : strerror(-rc));
	}
	pthread_cond_broadcast(&r->changed);
	pthread_mutex_unlock(&r->lock);
	free(w);
	return NULL;
}

/* Starts move @move in a thread (locked): 0, or the failure said. */
static int start(struct run *r, size_t move)
{
	struct worker *w = malloc(sizeof(*w));
	pthread_attr_t attr;
	pthread_t t;
	int rc;

	if (!w)
		return -ENOMEM;
	*w = (struct worker){ .run = r, .move = move };
	r->states[move] = KVMOPS_PLACE_RUNNING;
	r->running++;
	say(r, KVMOPS_PLACE_EVENT_START, move, NULL, NULL);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&t, &attr, work, w);
	pthread_attr_destroy(&attr);
	if (rc) {
		free(w);
		r->running--;
		failed(r, move, "cannot start a thread for it");
	}
	return 0;
}

/* Waits for a change, or 100 ms, whichever comes first (locked). */
static void wait_a_little(struct run *r)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += 100 * 1000 * 1000;
	if (until.tv_nsec >= 1000 * 1000 * 1000) {
		until.tv_sec++;
		until.tv_nsec -= 1000 * 1000 * 1000;
	}
	pthread_cond_timedwait(&r->changed, &r->lock, &until);
}

static void cancel_queued(struct run *r)
{
	size_t i;

	for (i = 0; i < r->plan->nmoves; i++)
		if (r->states[i] == KVMOPS_PLACE_QUEUED)
			r->states[i] = KVMOPS_PLACE_CANCELLED;
}

static bool queued(const struct run *r)
{
	size_t i;

	for (i = 0; i < r->plan->nmoves; i++)
		if (r->states[i] == KVMOPS_PLACE_QUEUED)
			return true;
	return false;
}

/* Whether some move of guest @gi arrived. */
static bool arrived(const struct run *r, size_t gi)
{
	size_t i;

	for (i = 0; i < r->plan->nmoves; i++)
		if (r->plan->moves[i].guest == gi &&
		    r->states[i] == KVMOPS_PLACE_DONE)
			return true;
	return false;
}

/* 0 when every guest of the plan arrived somewhere. */
static int outcome(const struct run *r, bool cancelled)
{
	size_t i;

	for (i = 0; i < r->plan->nmoves; i++)
		if (!arrived(r, r->plan->moves[i].guest))
			return cancelled ? -ECANCELED : -EIO;
	return 0;
}

static void loop(struct run *r, const volatile int *cancel)
{
	size_t next;

	pthread_mutex_lock(&r->lock);
	for (;;) {
		if (cancel && *cancel && !r->cancel) {
			r->cancel = 1; /* the workers abort their jobs */
			r->stop = true;
		}
		if (r->stop)
			cancel_queued(r);
		next = r->stop ? SIZE_MAX :
				 kvmops_place_next(r->plan->moves,
						   r->plan->nmoves, r->states,
						   r->figures->nhosts,
						   &r->opts->limits);
		if (next != SIZE_MAX) {
			start(r, next);
			continue;
		}
		if (!r->running && (r->stop || !queued(r)))
			break;
		wait_a_little(r);
	}
	pthread_mutex_unlock(&r->lock);
}

KVMOPS_EXPORT int kvmops_place_run(struct kvmops_ctx *ctx,
				   const struct kvmops_place_figures *figures,
				   struct kvmops_place_plan *plan,
				   const struct kvmops_place_run_opts *opts,
				   kvmops_place_event_fn event, void *userdata,
				   const volatile int *cancel,
				   enum kvmops_place_state **states)
{
	struct run r = {
		.figures = figures,
		.plan = plan,
		.opts = opts,
		.event = event,
		.userdata = userdata,
		.cap = plan->nmoves,
	};
	int rc;

	kvmops_clear_error(ctx);
	*states = NULL;
	r.states = calloc(plan->nmoves + 1, sizeof(*r.states));
	r.retried = calloc(plan->nmoves + 1, sizeof(*r.retried));
	if (!r.states || !r.retried) {
		free(r.states);
		free(r.retried);
		return kvmops_fail(ctx, -ENOMEM, "out of memory");
	}
	r.cap = plan->nmoves + 1;
	pthread_mutex_init(&r.lock, NULL);
	pthread_cond_init(&r.changed, NULL);
	loop(&r, cancel);
	rc = outcome(&r, r.cancel);
	pthread_cond_destroy(&r.changed);
	pthread_mutex_destroy(&r.lock);
	free(r.retried);
	*states = r.states;
	if (rc == -ECANCELED)
		return kvmops_fail(
			ctx, rc,
			"cancelled: the moves in flight were aborted and nothing new started");
	if (rc)
		return kvmops_fail(
			ctx, rc,
			"not every guest arrived: see each move's state");
	return 0;
}
