// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The automatic balloon policy, from the figures alone (HACKING,
 * "Automatic ballooning"): under host pressure the guests that can give
 * the most give first, a step at a time and never below their floors;
 * with room, guests grow back, the ones short of memory first.
 */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libkvmops-private.h"

#define MIB 1024ull /* in KiB */
#define STEP_PERCENT 5 /* of a guest's current size, per cycle */
#define STEP_MIN_KIB (64 * MIB)
#define PSI_RECLAIM_PERCENT 5 /* of the budget, under PSI alone */
#define GROWING_KIB (4 * MIB) /* a rise in use, per cycle, that is growth */

KVMOPS_EXPORT void
kvmops_balloon_auto_defaults(struct kvmops_balloon_auto_config *c)
{
	*c = (struct kvmops_balloon_auto_config){
		.target_percent = 80,
		.psi_some_avg10 = 10,
		.deadband_kib = 16 * MIB,
		.guest_usable_percent = 10,
		.major_faults_per_s = 10,
		.default_share = 1000,
	};
}

KVMOPS_EXPORT int
kvmops_balloon_auto_config_check(struct kvmops_ctx *ctx,
				 const struct kvmops_balloon_auto_config *c)
{
	if (!c->target_percent || c->target_percent > 100)
		return kvmops_fail_remedy(
			ctx, -EINVAL, "target_percent",
			"the target must be 1%% to 100%% of the budget, not %u%%",
			c->target_percent);
	if (!(c->psi_some_avg10 >= 0 && c->psi_some_avg10 <= 100))
		return kvmops_fail_remedy(
			ctx, -EINVAL, "psi_some_avg10",
			"the PSI limit must be 0 to 100, not %g",
			c->psi_some_avg10);
	if (c->guest_usable_percent > 100)
		return kvmops_fail_remedy(
			ctx, -EINVAL, "guest_usable_percent",
			"a guest's usable share must be 0%% to 100%%, not %u%%",
			c->guest_usable_percent);
	if (!c->default_share)
		return kvmops_fail_remedy(
			ctx, -EINVAL, "default_share",
			"the default share must be 1 or more");
	return 0;
}

KVMOPS_EXPORT const char *
kvmops_balloon_auto_action_name(enum kvmops_balloon_auto_action action)
{
	static const char *const names[] = {
		[KVMOPS_BALLOON_AUTO_KEEP] = "keep",
		[KVMOPS_BALLOON_AUTO_SHRINK] = "shrink",
		[KVMOPS_BALLOON_AUTO_GROW] = "grow",
		[KVMOPS_BALLOON_AUTO_SKIP] = "skip",
	};

	return (unsigned int)action < ARRAY_SIZE(names) ? names[action] :
							  "unknown";
}

/* One cycle's working set. */
struct cycle {
	const struct kvmops_balloon_auto_config *cfg;
	const struct kvmops_balloon_auto_host *host;
	struct kvmops_balloon_auto_guest *guests;
	struct kvmops_balloon_auto_decision *d;
	struct kvmops_balloon_auto_verdict *v;
	size_t count;
	struct ranked *order; /* guests, sorted for shrinking or growing */
};

struct ranked {
	double weight; /* the larger goes first */
	size_t index;
};

static int by_weight(const void *a, const void *b)
{
	double x = ((const struct ranked *)a)->weight,
	       y = ((const struct ranked *)b)->weight;

	return x < y ? 1 : x > y ? -1 : 0;
}

static const char *mib(uint64_t kib, char *buf, size_t len)
{
	kvmops_size_format(kib * 1024, buf, len);
	return buf;
}

static void say(struct kvmops_balloon_auto_decision *d,
		enum kvmops_balloon_auto_action action, const char *fmt, ...)
	KVMOPS_PRINTF(3, 4);
static void say(struct kvmops_balloon_auto_decision *d,
		enum kvmops_balloon_auto_action action, const char *fmt, ...)
{
	size_t used;
	va_list ap;

	d->action = action;
	used = (size_t)snprintf(d->reason, sizeof(d->reason), "%s: ",
				kvmops_balloon_auto_action_name(action));
	va_start(ap, fmt);
	vsnprintf(d->reason + used, sizeof(d->reason) - used, fmt, ap);
	va_end(ap);
}

static unsigned int share_of(const struct cycle *c,
			     const struct kvmops_balloon_auto_guest *g)
{
	return g->share ? g->share : c->cfg->default_share;
}

static uint64_t step_of(const struct cycle *c,
			const struct kvmops_balloon_auto_guest *g)
{
	uint64_t step;

	if (c->cfg->max_step_kib)
		return c->cfg->max_step_kib;
	step = g->balloon.current_kib * STEP_PERCENT / 100;
	return step > STEP_MIN_KIB ? step : STEP_MIN_KIB;
}

static uint64_t min3(uint64_t a, uint64_t b, uint64_t c)
{
	uint64_t m = a < b ? a : b;

	return m < c ? m : c;
}

/* ---- each guest: judged or skipped, short of memory or not -------------- */

static enum kvmops_balloon_auto_skip
skip_of(const struct kvmops_balloon_auto_guest *g)
{
	const struct kvmops_balloon *b = &g->balloon;

	if (b->state != VIR_DOMAIN_RUNNING)
		return KVMOPS_BALLOON_AUTO_NOT_RUNNING;
	if (b->problems & KVMOPS_BALLOON_NO_DEVICE)
		return KVMOPS_BALLOON_AUTO_NO_BALLOON;
	if (b->problems &
		    (KVMOPS_BALLOON_NO_PERIOD | KVMOPS_BALLOON_NO_DRIVER) ||
	    !(b->have & KVMOPS_BALLOON_HAVE_USABLE))
		return KVMOPS_BALLOON_AUTO_NO_STATS;
	if (b->problems & KVMOPS_BALLOON_STALE)
		return KVMOPS_BALLOON_AUTO_STALE;
	if (g->migrating)
		return KVMOPS_BALLOON_AUTO_MIGRATING;
	return KVMOPS_BALLOON_AUTO_JUDGED;
}

static const char *skip_reason(enum kvmops_balloon_auto_skip skip,
			       const struct kvmops_balloon *b)
{
	switch (skip) {
	case KVMOPS_BALLOON_AUTO_NOT_RUNNING:
		return "not running";
	case KVMOPS_BALLOON_AUTO_NO_BALLOON:
		return "no balloon device: its memory cannot be moved";
	case KVMOPS_BALLOON_AUTO_NO_STATS:
		return b->problems & KVMOPS_BALLOON_NO_PERIOD ?
			       "no stats period, so no figures to judge it by; left alone" :
			       "no memory figures from its balloon driver; left alone";
	case KVMOPS_BALLOON_AUTO_STALE:
		return "its memory figures stopped coming; left alone";
	case KVMOPS_BALLOON_AUTO_MIGRATING:
		return "in a libvirt job (a migration, a save, a backup); left alone";
	case KVMOPS_BALLOON_AUTO_JUDGED:
		break;
	}
	return "";
}

/* Why a guest is short of memory, into @why; false when it is not. */
static bool guest_pressure(const struct cycle *c,
			   const struct kvmops_balloon_auto_guest *g, char *why,
			   size_t len)
{
	const struct kvmops_balloon *b = &g->balloon;
	uint64_t faults, elapsed = c->host->elapsed_ms;
	char x[24], y[24];

	if (b->usable_kib * 100 <
	    b->current_kib * (uint64_t)c->cfg->guest_usable_percent) {
		snprintf(why, len, "usable %s < %u%% of its %s",
			 mib(b->usable_kib, x, sizeof(x)),
			 c->cfg->guest_usable_percent,
			 mib(b->current_kib, y, sizeof(y)));
		return true;
	}
	if (!g->seen)
		return false;
	if (b->have & KVMOPS_BALLOON_HAVE_SWAP &&
	    b->swap_in_kib > g->last_swap_in_kib) {
		snprintf(why, len, "swapping in (%s since the last cycle)",
			 mib(b->swap_in_kib - g->last_swap_in_kib, x,
			     sizeof(x)));
		return true;
	}
	if (!(b->have & KVMOPS_BALLOON_HAVE_FAULTS) || !elapsed ||
	    b->major_faults <= g->last_major_faults)
		return false;
	faults = (b->major_faults - g->last_major_faults) * 1000 / elapsed;
	if (faults <= c->cfg->major_faults_per_s)
		return false;
	snprintf(why, len, "%" PRIu64 " major faults/s > %u", faults,
		 c->cfg->major_faults_per_s);
	return true;
}

static uint64_t in_use(const struct kvmops_balloon *b)
{
	return b->current_kib > b->usable_kib ? b->current_kib - b->usable_kib :
						0;
}

/* How much its use grew since the last cycle, when that is growth. */
static uint64_t use_rise(const struct kvmops_balloon_auto_guest *g)
{
	uint64_t now = in_use(&g->balloon);

	return g->seen && now >= g->last_in_use_kib + GROWING_KIB ?
		       now - g->last_in_use_kib :
		       0;
}

static void judge_guest(struct cycle *c, size_t i)
{
	struct kvmops_balloon_auto_guest *g = &c->guests[i];
	struct kvmops_balloon_auto_decision *d = &c->d[i];
	const struct kvmops_balloon *b = &g->balloon;

	d->from_kib = d->to_kib = b->current_kib;
	d->skip = skip_of(g);
	if (d->skip != KVMOPS_BALLOON_AUTO_JUDGED) {
		say(d, KVMOPS_BALLOON_AUTO_SKIP, "%s", skip_reason(d->skip, b));
		d->say = !g->skip_said;
		g->skip_said = true;
		c->v->skipped++;
		g->seen = false;
		return;
	}
	g->skip_said = false;
	d->pressured = guest_pressure(c, g, d->pressure, sizeof(d->pressure));
	d->use_rise_kib = use_rise(g);
	say(d, KVMOPS_BALLOON_AUTO_KEEP, "%s", "nothing to do");
	g->seen = true;
	g->last_swap_in_kib = b->swap_in_kib;
	g->last_major_faults = b->major_faults;
	g->last_in_use_kib = in_use(b);
}

/* ---- the host ------------------------------------------------------------ */

/*
 * Use judged a cycle ahead: a host whose use rose by R since the last
 * cycle is taken to rise by R again before the next, so the policy
 * reclaims ahead of a growing guest rather than a cycle behind it, and
 * gives nothing back while use climbs.
 */
static void judge_host(struct cycle *c)
{
	const struct kvmops_balloon_auto_host *h = c->host;
	struct kvmops_balloon_auto_verdict *v = c->v;
	char u[24], b[24], t[24], r[24];
	unsigned int pct =
		h->budget_kib ?
			(unsigned int)(h->used_kib * 100 / h->budget_kib) :
			0;

	v->target_kib = h->budget_kib * c->cfg->target_percent / 100;
	v->rise_kib = h->last_used_kib && h->used_kib > h->last_used_kib ?
			      h->used_kib - h->last_used_kib :
			      0;
	v->gap_kib =
		(int64_t)(h->used_kib + v->rise_kib) - (int64_t)v->target_kib;
	mib(h->used_kib, u, sizeof(u));
	mib(h->budget_kib, b, sizeof(b));
	mib(v->target_kib, t, sizeof(t));
	mib(v->rise_kib, r, sizeof(r));
	if (h->used_kib > v->target_kib) {
		v->pressure = true;
		snprintf(v->reason, sizeof(v->reason),
			 "host use %s of %s (%u%%) > target %u%% (%s)%s%s%s", u,
			 b, pct, c->cfg->target_percent, t,
			 v->rise_kib ? ", rising by " : "",
			 v->rise_kib ? r : "", v->rise_kib ? " a cycle" : "");
	} else if (v->gap_kib > 0) {
		v->pressure = true;
		snprintf(
			v->reason, sizeof(v->reason),
			"host use %s of %s (%u%%) rising by %s a cycle: past target %u%% (%s) by the next",
			u, b, pct, r, c->cfg->target_percent, t);
	} else if (h->have_psi && h->psi_some_avg10 > c->cfg->psi_some_avg10) {
		v->pressure = true;
		snprintf(
			v->reason, sizeof(v->reason),
			"memory PSI some avg10 %.2f > %g, host use %s of %s (%u%%)",
			h->psi_some_avg10, c->cfg->psi_some_avg10, u, b, pct);
	} else {
		snprintf(
			v->reason, sizeof(v->reason),
			"host use %s of %s (%u%%) within target %u%% (%s)%s%s%s",
			u, b, pct, c->cfg->target_percent, t,
			v->rise_kib ? ", rising by " : "", v->rise_kib ? r : "",
			v->rise_kib ? " a cycle" : "");
	}
}

/* ---- shrinking: the ones that can give the most, for their share -------- */

static uint64_t above_floor(const struct kvmops_balloon_auto_guest *g)
{
	return g->balloon.current_kib > g->floor_kib ?
		       g->balloon.current_kib - g->floor_kib :
		       0;
}

static void shrink_one(struct cycle *c, size_t i, uint64_t *need)
{
	struct kvmops_balloon_auto_guest *g = &c->guests[i];
	struct kvmops_balloon_auto_decision *d = &c->d[i];
	uint64_t give = above_floor(g), step;
	char s[24], f[24], a[24];

	mib(g->floor_kib, f, sizeof(f));
	if (give < c->cfg->deadband_kib) {
		say(d, KVMOPS_BALLOON_AUTO_KEEP, "at its floor of %s", f);
		return;
	}
	step = min3(step_of(c, g), give, *need);
	if (step < c->cfg->deadband_kib) {
		say(d, KVMOPS_BALLOON_AUTO_KEEP,
		    "the host needs %s more, less than the deadband of %s",
		    mib(*need, s, sizeof(s)),
		    mib(c->cfg->deadband_kib, a, sizeof(a)));
		return;
	}
	d->to_kib = g->balloon.current_kib - step;
	d->say = true;
	*need -= step;
	c->v->shrinking++;
	say(d, KVMOPS_BALLOON_AUTO_SHRINK,
	    "%s; gives %s of the %s above its floor of %s (share %u)",
	    c->v->reason, mib(step, s, sizeof(s)), mib(give, a, sizeof(a)), f,
	    share_of(c, g));
}

/* ---- growing: the ones short of memory first, then by share ------------- */

/* Short of memory first; then the most missing, for the share. */
static double grow_weight(const struct cycle *c, size_t i)
{
	const struct kvmops_balloon_auto_guest *g = &c->guests[i];
	const struct kvmops_balloon *b = &g->balloon;
	double missing = b->max_kib > b->current_kib ?
				 (double)(b->max_kib - b->current_kib) :
				 0;

	return (c->d[i].pressured ? 1e30 : 0) + missing * share_of(c, g);
}

/* "; short of memory itself (why)", or "" for a guest that is not. */
static const char *as_pressured(const struct kvmops_balloon_auto_decision *d,
				char *buf, size_t len)
{
	if (!d->pressured)
		return "";
	snprintf(buf, len, "; short of memory itself (%s)", d->pressure);
	return buf;
}

static void grow_one(struct cycle *c, size_t i, uint64_t *room)
{
	struct kvmops_balloon_auto_guest *g = &c->guests[i];
	struct kvmops_balloon_auto_decision *d = &c->d[i];
	const struct kvmops_balloon *b = &g->balloon;
	uint64_t missing = b->max_kib > b->current_kib ?
				   b->max_kib - b->current_kib :
				   0,
		 step;
	char s[24], m[24], r[24], p[128];

	mib(b->max_kib, m, sizeof(m));
	if (missing < c->cfg->deadband_kib) {
		say(d, KVMOPS_BALLOON_AUTO_KEEP, "at its maximum of %s%s", m,
		    as_pressured(d, p, sizeof(p)));
		return;
	}
	step = min3(step_of(c, g), missing, *room);
	/* Short of the maximum by less than the deadband is not at it. */
	if (missing - step < c->cfg->deadband_kib && missing <= *room)
		step = missing;
	if (step < c->cfg->deadband_kib) {
		say(d, KVMOPS_BALLOON_AUTO_KEEP,
		    "%s; %s of room left, less than the deadband%s",
		    c->v->reason, mib(*room, r, sizeof(r)),
		    as_pressured(d, p, sizeof(p)));
		return;
	}
	d->to_kib = b->current_kib + step;
	d->say = true;
	*room -= step;
	c->v->growing++;
	if (d->pressured && c->v->pressure)
		say(d, KVMOPS_BALLOON_AUTO_GROW,
		    "%s; gets %s of what the others give, first: short of memory itself (%s)",
		    c->v->reason, mib(step, s, sizeof(s)), d->pressure);
	else if (d->pressured)
		say(d, KVMOPS_BALLOON_AUTO_GROW,
		    "%s; gets %s first: short of memory itself (%s)",
		    c->v->reason, mib(step, s, sizeof(s)), d->pressure);
	else
		say(d, KVMOPS_BALLOON_AUTO_GROW,
		    "%s; gets %s back toward its maximum of %s (share %u)",
		    c->v->reason, mib(step, s, sizeof(s)), m, share_of(c, g));
}

static void grow(struct cycle *c)
{
	uint64_t room = c->v->gap_kib < 0 ? (uint64_t)-c->v->gap_kib : 0;
	size_t n = 0, i;

	for (i = 0; i < c->count; i++)
		if (c->d[i].action == KVMOPS_BALLOON_AUTO_KEEP)
			c->order[n++] =
				(struct ranked){ .weight = grow_weight(c, i),
						 .index = i };
	qsort(c->order, n, sizeof(*c->order), by_weight);
	for (i = 0; i < n; i++) {
		size_t k = c->order[i].index;
		uint64_t spare = room ? UINT64_MAX : 0;

		/*
		 * A guest short of memory will use what it gets: that comes
		 * out of the room. One with memory to spare takes up what it
		 * is given only as it comes to need it, and then the rise
		 * meets it: it grows a whole step while use is under the
		 * target.
		 */
		grow_one(c, k, c->d[k].pressured ? &room : &spare);
	}
}

/* ---- under pressure: reclaim, and feed the guests short of memory ------ */

/* What a guest short of memory asks for this cycle. */
static uint64_t wanted(const struct cycle *c, size_t i)
{
	const struct kvmops_balloon *b = &c->guests[i].balloon;
	uint64_t missing = b->max_kib > b->current_kib ?
				   b->max_kib - b->current_kib :
				   0,
		 step = step_of(c, &c->guests[i]);

	if (missing < c->cfg->deadband_kib)
		return 0;
	return step < missing ? step : missing;
}

/*
 * The guests short of memory grow first, out of what the others gave
 * this cycle, so that moving memory to them never adds to the host's use.
 */
static void feed(struct cycle *c, uint64_t given)
{
	size_t n = 0, i;

	for (i = 0; i < c->count; i++)
		if (c->d[i].pressured &&
		    c->d[i].action == KVMOPS_BALLOON_AUTO_KEEP)
			c->order[n++] =
				(struct ranked){ .weight = grow_weight(c, i),
						 .index = i };
	qsort(c->order, n, sizeof(*c->order), by_weight);
	for (i = 0; i < n; i++)
		grow_one(c, c->order[i].index, &given);
}

/* Whether a guest gives nothing whatever the host needs (and why). */
static bool kept_whole(struct cycle *c, size_t i)
{
	struct kvmops_balloon_auto_decision *d = &c->d[i];
	char r[24];

	if (d->pressured)
		say(d, KVMOPS_BALLOON_AUTO_KEEP,
		    "short of memory itself (%s): never shrunk", d->pressure);
	else if (d->use_rise_kib)
		say(d, KVMOPS_BALLOON_AUTO_KEEP,
		    "its use grew %s since the last cycle: not shrunk while it grows",
		    mib(d->use_rise_kib, r, sizeof(r)));
	else
		return false;
	return true;
}

/*
 * Back to a deadband under the target, not to the target itself, so that
 * after a burst there is room to grow the others back.
 */
static uint64_t host_need(const struct cycle *c)
{
	if (c->v->gap_kib > 0)
		return (uint64_t)c->v->gap_kib + c->cfg->deadband_kib;
	return c->host->budget_kib * PSI_RECLAIM_PERCENT / 100;
}

static void shrink(struct cycle *c)
{
	uint64_t host = host_need(c), want = 0, need;
	size_t n = 0, i;

	for (i = 0; i < c->count; i++) {
		struct kvmops_balloon_auto_guest *g = &c->guests[i];

		if (c->d[i].action != KVMOPS_BALLOON_AUTO_KEEP)
			continue;
		if (c->d[i].pressured)
			want += wanted(c, i);
		if (!kept_whole(c, i))
			c->order[n++] = (struct ranked){
				.weight =
					(double)above_floor(g) / share_of(c, g),
				.index = i,
			};
	}
	qsort(c->order, n, sizeof(*c->order), by_weight);
	need = host + want;
	for (i = 0; i < n && need; i++)
		shrink_one(c, c->order[i].index, &need);
	for (; i < n; i++)
		say(&c->d[c->order[i].index], KVMOPS_BALLOON_AUTO_KEEP, "%s",
		    "the guests before it give enough");
	if (want)
		feed(c, host + want - need);
}

KVMOPS_EXPORT void
kvmops_balloon_auto_decide(const struct kvmops_balloon_auto_config *config,
			   const struct kvmops_balloon_auto_host *host,
			   struct kvmops_balloon_auto_guest *guests,
			   size_t count,
			   struct kvmops_balloon_auto_decision *decisions,
			   struct kvmops_balloon_auto_verdict *verdict)
{
	struct ranked order_stack[64];
	size_t i;
	struct cycle c = {
		.cfg = config,
		.host = host,
		.guests = guests,
		.d = decisions,
		.v = verdict,
		.count = count,
		.order = count <= ARRAY_SIZE(order_stack) ?
				 order_stack :
				 calloc(count, sizeof(struct ranked)),
	};

	memset(verdict, 0, sizeof(*verdict));
	memset(decisions, 0, count * sizeof(*decisions));
	judge_host(&c);
	for (i = 0; i < count; i++)
		judge_guest(&c, i);
	if (!c.order) /* no memory for the order: nothing changes */
		return;
	if (verdict->pressure)
		shrink(&c);
	else
		grow(&c);
	if (c.order != order_stack)
		free(c.order);
}
