// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The convergence policy of a live migration, from job samples alone
 * (HACKING, "Convergence"): the downtime limit raised as far as the
 * admin allows, a rising throttle waited for, then post-copy, a suspend
 * or an early abort, each with the figures that led to it.
 */
#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "libkvmops-private.h"

#define LIMIT_MARGIN_PERCENT 10 /* a raised limit sits this far above */
#define LIMIT_STEP_MS 10 /* and is rounded up to this */
#define SYNCS_PER_THROTTLE_STEP 2 /* QEMU raises it every second sync */
/* dirtying below this share of what is sent, each pass shrinks by itself */
#define CONVERGING_PERCENT 75
#define ALLOW_ALL                              \
	(KVMOPS_CONVERGE_ALLOW_AUTO_CONVERGE | \
	 KVMOPS_CONVERGE_ALLOW_POSTCOPY | KVMOPS_CONVERGE_ALLOW_SUSPEND)

KVMOPS_EXPORT void kvmops_converge_defaults(struct kvmops_converge_config *c)
{
	*c = (struct kvmops_converge_config){
		.max_downtime_ms = 500,
		.start_downtime_ms = 300,
		.allow = KVMOPS_CONVERGE_ALLOW_AUTO_CONVERGE,
		.window_passes = 3,
		.window_ms = 20000,
		.stall_percent = 96,
		.ewma_percent = 40,
		.abort_percent = 150,
		.throttle_initial = 20,
		.throttle_increment = 20,
		.throttle_max = 99,
	};
}

static bool percent_ok(unsigned int v, unsigned int top)
{
	return v >= 1 && v <= top;
}

KVMOPS_EXPORT int
kvmops_converge_config_check(struct kvmops_ctx *ctx,
			     const struct kvmops_converge_config *c)
{
	static const char *const msg = "%s %" PRIu64 " is out of range (%s)";

	kvmops_clear_error(ctx);
	if (!c->max_downtime_ms || c->max_downtime_ms > 60000)
		return kvmops_fail_remedy(ctx, -EINVAL, "max_downtime_ms", msg,
					  "the maximum downtime",
					  c->max_downtime_ms, "1..60000 ms");
	if (!c->start_downtime_ms)
		return kvmops_fail_remedy(ctx, -EINVAL, "start_downtime_ms",
					  msg, "the starting downtime limit",
					  c->start_downtime_ms,
					  "at least 1 ms");
	if (c->allow & ~(unsigned int)ALLOW_ALL)
		return kvmops_fail_remedy(ctx, -EINVAL, "allow",
					  "unknown allow flags %#x", c->allow);
	if (!c->window_passes || !c->window_ms)
		return kvmops_fail_remedy(
			ctx, -EINVAL,
			c->window_passes ? "window_ms" : "window_passes",
			"the progress window must hold at least one pass and one millisecond");
	if (!percent_ok(c->stall_percent, 100) ||
	    !percent_ok(c->ewma_percent, 100))
		return kvmops_fail_remedy(
			ctx, -EINVAL,
			percent_ok(c->stall_percent, 100) ? "ewma_percent" :
							    "stall_percent",
			"the stall share and the bandwidth weight are percentages, 1..100");
	if (c->abort_percent < 100)
		return kvmops_fail_remedy(
			ctx, -EINVAL, "abort_percent",
			"an early abort below the maximum downtime (%u%%) would abort moves that can finish",
			c->abort_percent);
	if (!percent_ok(c->throttle_initial, 99) ||
	    !percent_ok(c->throttle_increment, 99) ||
	    !percent_ok(c->throttle_max, 99))
		return kvmops_fail_remedy(
			ctx, -EINVAL,
			"throttle_initial,throttle_increment,throttle_max",
			"the throttle's steps and top are percentages, 1..99");
	return 0;
}

KVMOPS_EXPORT unsigned int kvmops_converge_timeout_s(uint64_t mem_bytes)
{
	uint64_t s = mem_bytes / (1024 * 1024) * 150 / 1024;

	return s < 60 ? 60 : s > UINT32_MAX ? UINT32_MAX : (unsigned int)s;
}

KVMOPS_EXPORT const char *
kvmops_converge_action_name(enum kvmops_converge_action action)
{
	static const char *const names[] = {
		[KVMOPS_CONVERGE_NONE] = "none",
		[KVMOPS_CONVERGE_RAISE_LIMIT] = "raise-limit",
		[KVMOPS_CONVERGE_WAIT] = "wait",
		[KVMOPS_CONVERGE_POSTCOPY] = "postcopy",
		[KVMOPS_CONVERGE_SUSPEND] = "suspend",
		[KVMOPS_CONVERGE_ABORT] = "abort",
	};

	return (size_t)action < ARRAY_SIZE(names) && names[action] ?
		       names[action] :
		       "unknown";
}

/* A maximum below the usual start is the admin's word. */
uint64_t kvmops_converge_start_limit_ms(const struct kvmops_converge_config *c)
{
	return c->start_downtime_ms < c->max_downtime_ms ?
		       c->start_downtime_ms :
		       c->max_downtime_ms;
}

KVMOPS_EXPORT void kvmops_converge_start(const struct kvmops_converge_config *c,
					 struct kvmops_converge_state *st)
{
	memset(st, 0, sizeof(*st));
	st->limit_ms = kvmops_converge_start_limit_ms(c);
}

/* ---- the figures ---------------------------------------------------------- */

static struct kvmops_converge_pass *pass_at(struct kvmops_converge_state *st,
					    size_t back)
{
	return &st->passes[(st->npasses - 1 - back) % KVMOPS_CONVERGE_PASSES];
}

static size_t passes_kept(const struct kvmops_converge_state *st)
{
	return st->npasses < KVMOPS_CONVERGE_PASSES ? st->npasses :
						      KVMOPS_CONVERGE_PASSES;
}

static void smooth_bandwidth(const struct kvmops_converge_config *c,
			     struct kvmops_converge_state *st, uint64_t bps)
{
	if (!bps)
		return;
	st->bps = st->bps ? (bps * c->ewma_percent +
			     st->bps * (100 - c->ewma_percent)) /
				    100 :
			    bps;
}

/* A new iteration begins a pass; its remaining is the most seen in it. */
static struct kvmops_converge_pass *
track_pass(struct kvmops_converge_state *st,
	   const struct kvmops_converge_sample *s)
{
	struct kvmops_converge_pass *p;

	if (st->npasses && pass_at(st, 0)->iteration == s->iteration) {
		p = pass_at(st, 0);
		if (s->remaining > p->remaining)
			p->remaining = s->remaining;
		return p;
	}
	st->npasses++;
	p = pass_at(st, 0);
	*p = (struct kvmops_converge_pass){ .iteration = s->iteration,
					    .start_ms = s->time_ms,
					    .remaining = s->remaining };
	return p;
}

static uint64_t implied_ms(uint64_t remaining, uint64_t bps)
{
	return bps ? remaining * 1000 / bps : UINT64_MAX;
}

/*
 * The progress window: the passes begun in its last window_ms, at most
 * window_passes of them. It is complete once it holds window_passes
 * passes or has lasted window_ms, and at least one pass came before it.
 */
static size_t window_size(const struct kvmops_converge_config *c,
			  struct kvmops_converge_state *st, uint64_t now)
{
	size_t kept = passes_kept(st), k = 0;

	while (k < kept && k < c->window_passes &&
	       pass_at(st, k)->start_ms + c->window_ms >= now)
		k++;
	if (!k || k >= kept)
		return 0;
	if (k < c->window_passes &&
	    now - pass_at(st, k - 1)->start_ms < c->window_ms)
		return 0;
	return k;
}

/*
 * Progress at the window's pace (the best in it against the best before,
 * per pass): when the remaining would fit the maximum downtime, as the
 * sum of the shrinking passes still to send, (left - fits) / (bandwidth x
 * (1 - ratio)). 0 when it makes no progress or already fits.
 */
static uint64_t finish_in_ms(const struct kvmops_converge_config *c,
			     const struct kvmops_converge_state *st,
			     uint64_t low, uint64_t best, size_t window)
{
	double fits = (double)c->max_downtime_ms * (double)st->bps / 1000;
	double ratio;

	if (!best || low >= best || (double)low <= fits || !st->bps)
		return 0;
	ratio = pow((double)low / (double)best, 1.0 / (double)window);
	return (uint64_t)(((double)low - fits) * 1000 /
			  ((double)st->bps * (1 - ratio)));
}

/*
 * Stalled: no pass in the window beat stall_percent of the best before.
 * Else *@finish_ms: when the move would end at the window's pace.
 */
static bool judge_stall(const struct kvmops_converge_config *c,
			struct kvmops_converge_state *st, uint64_t now,
			size_t *window, uint64_t *best, uint64_t *finish_ms)
{
	size_t k = window_size(c, st, now), kept = passes_kept(st), i;
	uint64_t low = UINT64_MAX, left;

	*window = k;
	*best = UINT64_MAX;
	*finish_ms = 0;
	if (!k)
		return false;
	for (i = k; i < kept; i++)
		if (pass_at(st, i)->remaining < *best)
			*best = pass_at(st, i)->remaining;
	for (i = 0; i < k; i++)
		if (pass_at(st, i)->remaining < low)
			low = pass_at(st, i)->remaining;
	if (low * 100 >= *best * c->stall_percent)
		return true;
	left = finish_in_ms(c, st, low, *best, k);
	*finish_ms = left ? now + left : 0;
	return false;
}

static bool hopeless(const struct kvmops_converge_config *c,
		     struct kvmops_converge_state *st, size_t window)
{
	uint64_t bar = c->max_downtime_ms * c->abort_percent / 100;
	size_t i;

	for (i = 0; i < window; i++)
		if (implied_ms(pass_at(st, i)->remaining, st->bps) <= bar)
			return false;
	return true;
}

/* How long the throttle needs to reach its top, 0 when it is there. */
static uint64_t throttle_ramp_ms(const struct kvmops_converge_config *c,
				 unsigned int throttle, uint64_t pass_ms)
{
	unsigned int steps;

	if (throttle >= c->throttle_max)
		return 0;
	steps = throttle ? 0 : 1;
	throttle = throttle ? throttle : c->throttle_initial;
	if (throttle < c->throttle_max)
		steps += (c->throttle_max - throttle + c->throttle_increment -
			  1) /
			 c->throttle_increment;
	return (uint64_t)steps * SYNCS_PER_THROTTLE_STEP * pass_ms;
}

/*
 * QEMU switches over at a sync that leaves what fits its limit, by its own
 * bandwidth estimate. Every pass of the window and the one before fitted
 * the current limit by ours, yet it has not: its estimate is lower.
 */
static bool fits_unswitched(const struct kvmops_converge_config *c,
			    struct kvmops_converge_state *st)
{
	size_t n = c->window_passes + 1, i;

	if (passes_kept(st) < n)
		return false;
	for (i = 0; i < n; i++)
		if (implied_ms(pass_at(st, i)->remaining, st->bps) >
		    st->limit_ms)
			return false;
	return true;
}

/* ---- the reasons ---------------------------------------------------------- */

static const char *mib(uint64_t bytes, char *buf, size_t len)
{
	double v = (double)bytes / (1024 * 1024);

	snprintf(buf, len, v < 10 ? "%.1f MiB" : "%.0f MiB", v);
	return buf;
}

/* "pass 6: stalled (left 41 MiB, 98% of the best 42 MiB); dirty ..." */
static int describe_figures(const struct kvmops_converge_decision *d, char *buf,
			    size_t len)
{
	char a[32], b[32], r[32], s[32];
	int n;

	if (d->slow)
		n = snprintf(
			buf, len,
			"pass %" PRIu64
			": too slow (left %s, best %s before the window; at this pace done at about %" PRIu64
			" s, past the timeout)",
			d->pass, mib(d->remaining, a, sizeof(a)),
			mib(d->best, b, sizeof(b)), d->finish_ms / 1000);
	else if (d->stalled)
		n = snprintf(buf, len,
			     "pass %" PRIu64 ": stalled (left %s, %" PRIu64
			     "%% of the best %s)",
			     d->pass, mib(d->remaining, a, sizeof(a)),
			     d->best ? d->remaining * 100 / d->best : 0,
			     mib(d->best, b, sizeof(b)));
	else
		n = snprintf(buf, len, "pass %" PRIu64 ": left %s", d->pass,
			     mib(d->remaining, a, sizeof(a)));
	n += snprintf(
		buf + n, len - (size_t)n,
		", %" PRIu64 " ms at %s/s; dirty %s/s %s sent %s/s",
		d->implied_ms, mib(d->bps, b, sizeof(b)),
		mib(d->dirty_bps, r, sizeof(r)),
		d->dirty_bps > d->bps ? ">" : "<=", mib(d->bps, s, sizeof(s)));
	return n;
}

static void decide(struct kvmops_converge_state *st,
		   struct kvmops_converge_decision *d,
		   enum kvmops_converge_action action, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void decide(struct kvmops_converge_state *st,
		   struct kvmops_converge_decision *d,
		   enum kvmops_converge_action action, const char *fmt, ...)
{
	size_t n = (size_t)describe_figures(d, d->reason, sizeof(d->reason));
	va_list ap;

	d->action = action;
	st->actions++;
	if (n + 2 >= sizeof(d->reason))
		return;
	memcpy(d->reason + n, "; ", 3);
	va_start(ap, fmt);
	vsnprintf(d->reason + n + 2, sizeof(d->reason) - n - 2, fmt, ap);
	va_end(ap);
}

/* ---- the decision --------------------------------------------------------- */

static void raise_limit(const struct kvmops_converge_config *c,
			struct kvmops_converge_state *st,
			struct kvmops_converge_decision *d)
{
	uint64_t want = d->implied_ms * (100 + LIMIT_MARGIN_PERCENT) / 100;

	want = (want + LIMIT_STEP_MS - 1) / LIMIT_STEP_MS * LIMIT_STEP_MS;
	if (want > c->max_downtime_ms)
		want = c->max_downtime_ms;
	st->limit_ms = d->limit_ms = want;
	decide(st, d, KVMOPS_CONVERGE_RAISE_LIMIT,
	       "downtime limit %" PRIu64 " -> %" PRIu64 " ms", d->old_limit_ms,
	       want);
}

/* A wait on the throttle, said once for each of its steps. */
static void wait_throttle(struct kvmops_converge_state *st,
			  const struct kvmops_converge_sample *s,
			  struct kvmops_converge_decision *d, uint64_t ramp)
{
	if (st->throttle_waited == s->throttle_percent + 1)
		return;
	st->throttle_waited = s->throttle_percent + 1;
	if (ramp)
		decide(st, d, KVMOPS_CONVERGE_WAIT,
		       "throttle %u%% rising, at its top in about %" PRIu64
		       " s: waiting",
		       s->throttle_percent, (ramp + 999) / 1000);
	else
		decide(st, d, KVMOPS_CONVERGE_WAIT,
		       "throttle at its top (%u%%) since %" PRIu64
		       " s: waiting a window for its effect",
		       s->throttle_percent, st->throttle_rose_ms / 1000);
}

/*
 * Stalled: wait while the throttle rises (and can reach its top in time)
 * or rose within the window (its effect not yet seen), else the first of
 * the way outs. @unswitched: it is not stalled, but QEMU would not switch
 * over at the maximum limit.
 */
static void when_stalled(const struct kvmops_converge_config *c,
			 struct kvmops_converge_state *st,
			 const struct kvmops_converge_sample *s,
			 struct kvmops_converge_decision *d, size_t window,
			 bool unswitched)
{
	uint64_t ramp = throttle_ramp_ms(c, s->throttle_percent, d->implied_ms);
	bool throttle = c->allow & KVMOPS_CONVERGE_ALLOW_AUTO_CONVERGE;
	bool in_time = !c->timeout_ms || s->time_ms + ramp < c->timeout_ms;
	bool fresh = st->throttle_rose_ms &&
		     st->throttle_rose_ms >= pass_at(st, window - 1)->start_ms;
	uint64_t bar = c->max_downtime_ms * c->abort_percent / 100;
	const char *why =
		unswitched ?
			"the last passes fitted the limit, yet QEMU has not switched over" :
		!throttle ? "auto-converge not allowed" :
		!ramp	  ? "the throttle at its top" :
			"the throttle cannot reach its top before the timeout";

	if (throttle && ((ramp && in_time) || (!ramp && fresh))) {
		wait_throttle(st, s, d, ramp);
	} else if (c->allow & KVMOPS_CONVERGE_ALLOW_POSTCOPY &&
		   s->network_alive) {
		st->postcopy = true;
		decide(st, d, KVMOPS_CONVERGE_POSTCOPY,
		       "%s: switching to post-copy", why);
	} else if (c->allow & KVMOPS_CONVERGE_ALLOW_SUSPEND) {
		st->suspended = true;
		decide(st, d, KVMOPS_CONVERGE_SUSPEND,
		       "%s: pausing the guest to finish, downtime about %" PRIu64
		       " ms",
		       why, d->implied_ms);
	} else if (hopeless(c, st, window)) {
		st->aborted = true;
		decide(st, d, KVMOPS_CONVERGE_ABORT,
		       "%s; above %" PRIu64 " ms (%u%% of the maximum %" PRIu64
		       " ms) for the whole window: aborting",
		       why, bar, c->abort_percent, c->max_downtime_ms);
	}
}

/*
 * Fitting, yet not switching over: a way out when one is allowed (the
 * downtime fits), else the maximum limit, QEMU's last chance.
 */
static void when_unswitched(const struct kvmops_converge_config *c,
			    struct kvmops_converge_state *st,
			    const struct kvmops_converge_sample *s,
			    struct kvmops_converge_decision *d)
{
	size_t window = window_size(c, st, s->time_ms);
	bool way_out = (c->allow & KVMOPS_CONVERGE_ALLOW_POSTCOPY &&
			s->network_alive) ||
		       c->allow & KVMOPS_CONVERGE_ALLOW_SUSPEND;

	if (way_out && window) {
		when_stalled(c, st, s, d, window, true);
	} else if (st->limit_ms < c->max_downtime_ms) {
		st->limit_ms = d->limit_ms = c->max_downtime_ms;
		decide(st, d, KVMOPS_CONVERGE_RAISE_LIMIT,
		       "%u passes fitted the limit, yet QEMU has not switched over (its own bandwidth estimate is lower): downtime limit %" PRIu64
		       " -> %" PRIu64 " ms",
		       c->window_passes + 1, d->old_limit_ms, d->limit_ms);
	}
}

KVMOPS_EXPORT void
kvmops_converge_decide(const struct kvmops_converge_config *c,
		       struct kvmops_converge_state *st,
		       const struct kvmops_converge_sample *s,
		       struct kvmops_converge_decision *d)
{
	const struct kvmops_converge_pass *pass;
	size_t window;

	memset(d, 0, sizeof(*d));
	d->pass = s->iteration;
	d->limit_ms = d->old_limit_ms = st->limit_ms;
	d->throttle_percent = s->throttle_percent;
	d->dirty_bps = s->dirty_bps;
	if (s->throttle_percent > st->throttle_top) {
		st->throttle_top = s->throttle_percent;
		st->throttle_rose_ms = s->time_ms;
	}
	if (st->postcopy || st->suspended || st->aborted || s->postcopy)
		return;
	smooth_bandwidth(c, st, s->bps);
	d->bps = st->bps;
	/* the first pass sends all memory once: nothing to judge yet */
	if (s->iteration < 2 || !st->bps)
		return;
	pass = track_pass(st, s);
	d->remaining = pass->remaining;
	d->implied_ms = implied_ms(pass->remaining, st->bps);
	if (d->implied_ms <= st->limit_ms) {
		if (fits_unswitched(c, st))
			when_unswitched(c, st, s, d);
		return; /* else QEMU switches over by itself */
	}
	if (d->implied_ms <= c->max_downtime_ms) {
		raise_limit(c, st, d);
		return;
	}
	d->stalled = judge_stall(c, st, s->time_ms, &window, &d->best,
				 &d->finish_ms);
	d->slow = !d->stalled && c->timeout_ms && d->finish_ms > c->timeout_ms;
	/*
	 * A guest that dirties clearly slower than the link sends leaves less
	 * at each sync, whatever the passes so far said (a throttle that has
	 * just bitten; a lucky pass taken as the best): not stuck.
	 */
	if (s->dirty_bps && s->dirty_bps * 100 < st->bps * CONVERGING_PERCENT)
		d->stalled = d->slow = false;
	if (d->stalled || d->slow)
		when_stalled(c, st, s, d, window, false);
}
