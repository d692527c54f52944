// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Placement, from the figures alone (HACKING, "Placement"): where each
 * guest of a draining host goes, which moves even out memory use, and
 * which hosts can be emptied. Every move is judged on copies of the
 * hosts' figures, updated as the plan grows, so later moves see earlier
 * ones.
 */
#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libkvmops-private.h"

#define MIB 1024ull /* in KiB */

KVMOPS_EXPORT const char *kvmops_place_mode_name(enum kvmops_place_mode mode)
{
	static const char *const names[] = {
		[KVMOPS_PLACE_LIVE] = "live",
		[KVMOPS_PLACE_COPY_STORAGE] = "copy-storage",
		[KVMOPS_PLACE_OFFLINE] = "offline",
	};

	return (unsigned int)mode < ARRAY_SIZE(names) ? names[mode] : "unknown";
}

KVMOPS_EXPORT void kvmops_place_defaults(struct kvmops_place_config *c)
{
	*c = (struct kvmops_place_config){
		.goal = KVMOPS_PLACE_EVACUATE,
		.headroom_percent = 90,
		.min_gain_kib = 64 * MIB,
		.max_moves = 10,
	};
}

/* A host as the plan has left it so far. */
struct spot {
	uint64_t mem_kib, used_kib;
	struct kvmops_overcommit oc;
	bool freed; /* consolidate: emptied by the plan */
};

struct planner {
	const struct kvmops_place_config *cfg;
	const struct kvmops_place_host *hosts;
	const struct kvmops_place_guest *guests;
	size_t nhosts, nguests;
	struct spot *spots;
	size_t *where; /* each guest's host as the plan has moved it */
	struct kvmops_place_plan *plan;
	size_t cap_moves;
};

static const char *mib(uint64_t kib, char *buf, size_t len)
{
	kvmops_size_format(kib * 1024, buf, len);
	return buf;
}

static void append(char *buf, size_t len, const char *fmt, ...)
	KVMOPS_PRINTF(3, 4);
static void append(char *buf, size_t len, const char *fmt, ...)
{
	size_t used;
	va_list ap;

	if (!buf) /* the caller does not want to know why */
		return;
	used = strlen(buf);
	if (used + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

/* ---- one guest on one host ------------------------------------------------ */

/* What leaving frees where it is: its memory, less the KSM saving lost. */
static uint64_t leaves(const struct kvmops_place_guest *g)
{
	return g->current_kib > g->ksm_saved_kib ?
		       g->current_kib - g->ksm_saved_kib :
		       0;
}

static void take_in(struct spot *s, const struct kvmops_place_guest *g,
		    int sign)
{
	struct kvmops_overcommit *oc = &s->oc;

	if (sign > 0) {
		s->used_kib += g->current_kib;
		oc->sum_max_kib += g->max_kib;
		oc->sum_current_kib += g->current_kib;
		oc->sum_vcpus += g->vcpus;
		oc->guests++;
		if (g->vcpus > oc->widest_vcpus)
			oc->widest_vcpus = g->vcpus;
		oc->multi_vcpu_guests += g->vcpus > 1;
	} else {
		s->used_kib -= s->used_kib > leaves(g) ? leaves(g) :
							 s->used_kib;
		oc->sum_max_kib -= oc->sum_max_kib > g->max_kib ?
					   g->max_kib :
					   oc->sum_max_kib;
		oc->sum_current_kib -= oc->sum_current_kib > g->current_kib ?
					       g->current_kib :
					       oc->sum_current_kib;
		oc->sum_vcpus -= oc->sum_vcpus > g->vcpus ? g->vcpus :
							    oc->sum_vcpus;
		oc->guests -= oc->guests > 0;
		oc->multi_vcpu_guests -= g->vcpus > 1 && oc->multi_vcpu_guests;
	}
	oc->host_free_kib =
		s->mem_kib > s->used_kib ? s->mem_kib - s->used_kib : 0;
	kvmops_overcommit_judge(oc);
}

/*
 * Whether host @h can take guest @gi now; why not into @why (appended as
 * "URI: reason; "), unless it is NULL.
 */
static bool fits(const struct planner *p, size_t gi, size_t h, char *why,
		 size_t len)
{
	const struct kvmops_place_guest *g = &p->guests[gi];
	const struct kvmops_place_host *host = &p->hosts[h];
	const struct spot *s = &p->spots[h];
	const struct kvmops_place_check *check = g->checks ? &g->checks[h] :
							     NULL;
	uint64_t after = s->used_kib + g->current_kib,
		 limit = s->mem_kib * p->cfg->headroom_percent / 100;
	struct spot trial;
	char a[24], m[24];

	if (h == p->where[gi])
		return false;
	if (!host->reachable || host->source || s->freed) {
		append(why, len, "%s: %s; ", host->uri,
		       !host->reachable ? "unreachable" :
		       host->source	? "being emptied" :
					  "to be emptied by this plan");
		return false;
	}
	if (check && check->verdict == KVMOPS_VERDICT_FAIL) {
		append(why, len, "%s: the check FAILs (%s); ", host->uri,
		       check->why ? check->why : "no reason given");
		return false;
	}
	if (after > limit) {
		append(why, len,
		       "%s: use would be %s of %s (%" PRIu64
		       "%%), over the %u%% headroom; ",
		       host->uri, mib(after, a, sizeof(a)),
		       mib(s->mem_kib, m, sizeof(m)),
		       s->mem_kib ? after * 100 / s->mem_kib : 0,
		       p->cfg->headroom_percent);
		return false;
	}
	trial = *s;
	take_in(&trial, g, 1);
	if (trial.oc.mem_verdict == KVMOPS_VERDICT_FAIL) {
		append(why, len,
		       "%s: its memory overcommit would be %.2fx, a FAIL; ",
		       host->uri, trial.oc.mem_ratio);
		return false;
	}
	return true;
}

static enum kvmops_place_mode mode_of(const struct planner *p, size_t gi,
				      size_t h)
{
	const struct kvmops_place_guest *g = &p->guests[gi];

	if (!g->running)
		return KVMOPS_PLACE_OFFLINE;
	return g->checks ? g->checks[h].mode : KVMOPS_PLACE_LIVE;
}

static int add_move(struct planner *p, size_t gi, size_t to, const char *reason)
{
	struct kvmops_place_plan *plan = p->plan;
	struct kvmops_place_move *m;
	size_t from = p->where[gi];

	if (plan->nmoves == p->cap_moves) {
		size_t cap = p->cap_moves ? 2 * p->cap_moves : 8;
		void *grown = realloc(plan->moves, cap * sizeof(*plan->moves));

		if (!grown)
			return -ENOMEM;
		plan->moves = grown;
		p->cap_moves = cap;
	}
	take_in(&p->spots[from], &p->guests[gi], -1);
	take_in(&p->spots[to], &p->guests[gi], 1);
	p->where[gi] = to;
	m = &plan->moves[plan->nmoves++];
	*m = (struct kvmops_place_move){
		.guest = gi,
		.from = from,
		.to = to,
		.mode = mode_of(p, gi, to),
		.to_used_kib = p->spots[to].used_kib,
	};
	snprintf(m->reason, sizeof(m->reason), "%s", reason);
	return 0;
}

/* Undoes the plan's moves back to @count of them. */
static void undo_moves(struct planner *p, size_t count)
{
	while (p->plan->nmoves > count) {
		struct kvmops_place_move *m =
			&p->plan->moves[--p->plan->nmoves];

		take_in(&p->spots[m->to], &p->guests[m->guest], -1);
		take_in(&p->spots[m->from], &p->guests[m->guest], 1);
		p->where[m->guest] = m->from;
	}
}

/* ---- the hosts' balance --------------------------------------------------- */

/* What a host has in use of what it has, or a negative for nothing. */
static double memory_fraction(const struct spot *s)
{
	return s->mem_kib ? (double)s->used_kib / (double)s->mem_kib : -1;
}

static double vcpu_fraction(const struct spot *s)
{
	return s->oc.host_cpus ?
		       (double)s->oc.sum_vcpus / (double)s->oc.host_cpus :
		       -1;
}

/* The coefficient of variation of a fraction over the reachable hosts. */
static double cv_over(const struct planner *p,
		      double (*fraction)(const struct spot *))
{
	double sum = 0, sq = 0, mean, f;
	size_t n = 0, h;

	for (h = 0; h < p->nhosts; h++) {
		f = p->hosts[h].reachable ? fraction(&p->spots[h]) : -1;
		if (f < 0)
			continue;
		sum += f;
		sq += f * f;
		n++;
	}
	if (!n || sum <= 0)
		return 0;
	mean = sum / (double)n;
	f = sq / (double)n - mean * mean;
	return sqrt(f > 0 ? f : 0) / mean;
}

static double cv_of(const struct planner *p)
{
	return cv_over(p, memory_fraction);
}

/* The same for vCPUs per CPU: spread's tie-break. */
static double cpu_cv_of(const struct planner *p)
{
	return cv_over(p, vcpu_fraction);
}

/*
 * Memory out of balance, in KiB: half the sum over the reachable hosts of
 * how far each one's use is from its share of all use (its memory times
 * the mean fraction). A move's gain is how much of it the move removes.
 */
static uint64_t imbalance(const struct planner *p)
{
	double used = 0, mem = 0, mean, off = 0;
	size_t h;

	for (h = 0; h < p->nhosts; h++)
		if (p->hosts[h].reachable) {
			used += (double)p->spots[h].used_kib;
			mem += (double)p->spots[h].mem_kib;
		}
	if (mem <= 0)
		return 0;
	mean = used / mem;
	for (h = 0; h < p->nhosts; h++)
		if (p->hosts[h].reachable)
			off += fabs((double)p->spots[h].used_kib -
				    mean * (double)p->spots[h].mem_kib);
	return (uint64_t)(off / 2);
}

/* ---- evacuate ------------------------------------------------------------- */

/* A guest or host with the figure it is sorted by (no globals: reentrant). */
struct ranked {
	uint64_t key;
	const char *name;
	size_t index;
};

/* The largest first; then by name, so that plans repeat. */
static int largest_first(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? 1 : -1;
	return strcmp(x->name, y->name);
}

/* The smallest first; then by index. */
static int smallest_first(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->index < y->index ? -1 : 1;
}

/* The guests on host @host (SIZE_MAX: on a source), largest first. */
static struct ranked *guests_by_size(const struct planner *p, size_t host,
				     size_t *n)
{
	struct ranked *order =
		calloc(p->nguests ? p->nguests : 1, sizeof(*order));
	size_t gi, h;

	*n = 0;
	if (!order)
		return NULL;
	for (gi = 0; gi < p->nguests; gi++) {
		h = p->where[gi];
		if (host == SIZE_MAX ? !p->hosts[h].source :
				       h != host || !p->guests[gi].running)
			continue;
		order[(*n)++] = (struct ranked){
			.key = p->guests[gi].current_kib,
			.name = p->guests[gi].name,
			.index = gi,
		};
	}
	qsort(order, *n, sizeof(*order), largest_first);
	return order;
}

/* The destination that leaves the most memory free; SIZE_MAX for none. */
static size_t roomiest(const struct planner *p, size_t gi, char *why,
		       size_t len)
{
	size_t h, best = SIZE_MAX;
	uint64_t best_free = 0, free_after;

	for (h = 0; h < p->nhosts; h++) {
		if (!fits(p, gi, h, why, len))
			continue;
		free_after = p->spots[h].mem_kib - p->spots[h].used_kib -
			     p->guests[gi].current_kib;
		if (best == SIZE_MAX || free_after > best_free) {
			best = h;
			best_free = free_after;
		}
	}
	return best;
}

static int add_unplaced(struct planner *p, size_t gi, const char *why)
{
	struct kvmops_place_plan *plan = p->plan;
	void *grown = realloc(plan->unplaced,
			      (plan->nunplaced + 1) * sizeof(*plan->unplaced));
	struct kvmops_place_unplaced *u;
	size_t len;

	if (!grown)
		return -ENOMEM;
	plan->unplaced = grown;
	u = &plan->unplaced[plan->nunplaced++];
	u->guest = gi;
	snprintf(u->reason, sizeof(u->reason), "no host can take it: %s",
		 *why ? why : "no other host");
	len = strlen(u->reason);
	if (len >= 2 && !strcmp(u->reason + len - 2, "; "))
		u->reason[len - 2] = '\0';
	return 0;
}

static int evacuate(struct planner *p)
{
	size_t n, i;
	struct ranked *order = guests_by_size(p, SIZE_MAX, &n);
	char why[768], reason[256], f[24];
	int rc = 0;

	if (!order)
		return -ENOMEM;
	for (i = 0; i < n && !rc; i++) {
		size_t gi = order[i].index, to;

		why[0] = '\0';
		to = roomiest(p, gi, why, sizeof(why));
		if (to == SIZE_MAX) {
			rc = add_unplaced(p, gi, why);
			continue;
		}
		snprintf(reason, sizeof(reason),
			 "evacuate: %s leaves the most memory free there (%s)",
			 p->hosts[to].uri,
			 mib(p->spots[to].mem_kib - p->spots[to].used_kib -
				     p->guests[gi].current_kib,
			     f, sizeof(f)));
		rc = add_move(p, gi, to, reason);
	}
	free(order);
	return rc;
}

/* ---- spread --------------------------------------------------------------- */

struct candidate {
	size_t guest, to;
	int64_t gain_kib; /* imbalance removed, less the KSM saving lost */
	double cv_after, cpu_cv;
};

/* The gain of moving @gi to @to, on trial. */
static struct candidate try_move(struct planner *p, size_t gi, size_t to,
				 uint64_t before)
{
	struct candidate c = { .guest = gi, .to = to };
	size_t from = p->where[gi];
	struct spot s_from = p->spots[from], s_to = p->spots[to];

	take_in(&p->spots[from], &p->guests[gi], -1);
	take_in(&p->spots[to], &p->guests[gi], 1);
	c.gain_kib = (int64_t)before - (int64_t)imbalance(p) -
		     (int64_t)p->guests[gi].ksm_saved_kib;
	c.cv_after = cv_of(p);
	c.cpu_cv = cpu_cv_of(p);
	p->spots[from] = s_from;
	p->spots[to] = s_to;
	return c;
}

static bool better(const struct candidate *a, const struct candidate *b)
{
	/* Gains within a MiB are equal: the CPUs decide. */
	if (a->gain_kib > b->gain_kib + (int64_t)MIB)
		return true;
	if (a->gain_kib + (int64_t)MIB < b->gain_kib)
		return false;
	return a->cpu_cv < b->cpu_cv;
}

/* A guest moves at most once in a plan: a chain would race when run. */
static bool movable(const struct planner *p, size_t gi)
{
	return p->guests[gi].running && p->hosts[p->where[gi]].reachable &&
	       p->where[gi] == p->guests[gi].host;
}

static void spread_reason(const struct planner *p, const struct candidate *c,
			  double cv, char *buf, size_t len)
{
	uint64_t lost = p->guests[c->guest].ksm_saved_kib;
	char g[24], k[24];

	snprintf(buf, len,
		 "spread: evens out %s of memory use (CV %.3f -> %.3f)",
		 mib((uint64_t)c->gain_kib + lost, g, sizeof(g)), cv,
		 c->cv_after);
	if (lost)
		append(buf, len, ", less the %s of KSM saving it loses",
		       mib(lost, k, sizeof(k)));
}

static int spread(struct planner *p)
{
	char reason[256];
	unsigned int moves = 0;
	size_t gi, h;
	int rc = 0;

	while (!rc && (!p->cfg->max_moves || moves < p->cfg->max_moves)) {
		uint64_t before = imbalance(p);
		struct candidate best = { .guest = SIZE_MAX }, c;
		double cv = cv_of(p);

		for (gi = 0; gi < p->nguests; gi++) {
			if (!movable(p, gi))
				continue;
			for (h = 0; h < p->nhosts; h++) {
				if (!fits(p, gi, h, NULL, 0))
					continue;
				c = try_move(p, gi, h, before);
				if (best.guest == SIZE_MAX || better(&c, &best))
					best = c;
			}
		}
		if (best.guest == SIZE_MAX || best.gain_kib <= 0 ||
		    (uint64_t)best.gain_kib < p->cfg->min_gain_kib)
			break;
		spread_reason(p, &best, cv, reason, sizeof(reason));
		rc = add_move(p, best.guest, best.to, reason);
		moves++;
	}
	return rc;
}

/* ---- consolidate ---------------------------------------------------------- */

/* The host's running guests, as the plan has moved them, are counted. */
static bool in_use(const struct planner *p, size_t h)
{
	return p->spots[h].oc.guests > 0;
}

/* The fullest host in use that still takes @gi: packing, not spreading. */
static size_t snuggest(const struct planner *p, size_t gi)
{
	size_t h, best = SIZE_MAX;
	uint64_t best_free = 0, free_after;

	for (h = 0; h < p->nhosts; h++) {
		if (!in_use(p, h) || !fits(p, gi, h, NULL, 0))
			continue;
		free_after = p->spots[h].mem_kib - p->spots[h].used_kib -
			     p->guests[gi].current_kib;
		if (best == SIZE_MAX || free_after < best_free) {
			best = h;
			best_free = free_after;
		}
	}
	return best;
}

/* Whether the plan moves a guest onto host @h. */
static bool receives(const struct planner *p, size_t h)
{
	size_t i;

	for (i = 0; i < p->plan->nmoves; i++)
		if (p->plan->moves[i].to == h)
			return true;
	return false;
}

/*
 * Empties host @h onto the others, or changes nothing: 1 when emptied. A
 * host the plan already moves guests onto is not emptied: its guests
 * would move twice.
 */
static int try_to_free(struct planner *p, size_t h)
{
	size_t n, i, start = p->plan->nmoves;
	struct ranked *order = guests_by_size(p, h, &n);
	uint64_t lost = 0;
	char reason[256];
	int rc = 0;

	if (!order)
		return -ENOMEM;
	if (receives(p, h)) {
		free(order);
		return 0;
	}
	p->spots[h].freed = true; /* never a destination while emptied */
	for (i = 0; i < n && !rc; i++) {
		size_t gi = order[i].index, to = snuggest(p, gi);

		if (to == SIZE_MAX ||
		    (p->cfg->max_moves && p->plan->nmoves >= p->cfg->max_moves))
			break;
		lost += p->guests[gi].ksm_saved_kib;
		snprintf(
			reason, sizeof(reason),
			"consolidate: empties %s; %s is the fullest host that takes it",
			p->hosts[h].uri, p->hosts[to].uri);
		rc = add_move(p, gi, to, reason);
	}
	free(order);
	if (rc)
		return rc;
	if (i < n || p->spots[h].mem_kib < lost + p->cfg->min_gain_kib) {
		undo_moves(p, start);
		p->spots[h].freed = false;
		return 0;
	}
	return 1;
}

static int consolidate(struct planner *p)
{
	struct ranked *hosts =
		calloc(p->nhosts ? p->nhosts : 1, sizeof(*hosts));
	size_t n = 0, i;
	int rc = 0;

	if (!hosts)
		return -ENOMEM;
	for (i = 0; i < p->nhosts; i++)
		if (p->hosts[i].reachable && in_use(p, i))
			hosts[n++] = (struct ranked){
				.key = p->spots[i].used_kib,
				.name = p->hosts[i].uri,
				.index = i,
			};
	qsort(hosts, n, sizeof(*hosts), smallest_first);
	for (i = 0; i < n && rc >= 0; i++) {
		rc = try_to_free(p, hosts[i].index);
		if (rc == 1) {
			p->plan->freed[p->plan->nfreed++] = hosts[i].index;
			rc = 0;
		}
	}
	free(hosts);
	return rc;
}

/* ---- running the plan: which move starts next ----------------------------- */

/* Moves running into and out of each host; the total. */
static unsigned int count_running(const struct kvmops_place_move *moves,
				  size_t nmoves,
				  const enum kvmops_place_state *states,
				  unsigned int *in, unsigned int *out,
				  size_t nhosts)
{
	unsigned int total = 0;
	size_t i;

	for (i = 0; i < nmoves; i++) {
		if (states[i] != KVMOPS_PLACE_RUNNING)
			continue;
		total++;
		if (moves[i].to < nhosts)
			in[moves[i].to]++;
		if (moves[i].from < nhosts)
			out[moves[i].from]++;
	}
	return total;
}

KVMOPS_EXPORT size_t kvmops_place_next(const struct kvmops_place_move *moves,
				       size_t nmoves,
				       const enum kvmops_place_state *states,
				       size_t nhosts,
				       const struct kvmops_place_limits *limits)
{
	unsigned int *in = calloc(nhosts + 1, sizeof(*in)),
		     *out = calloc(nhosts + 1, sizeof(*out));
	unsigned int per_host = limits->per_host ? limits->per_host : 1,
		     jobs = limits->jobs ? limits->jobs : 1;
	size_t i, best = SIZE_MAX;

	if (!in || !out)
		goto done; /* without memory, nothing new starts */
	if (count_running(moves, nmoves, states, in, out, nhosts) >= jobs)
		goto done;
	for (i = 0; i < nmoves; i++) {
		size_t to = moves[i].to, from = moves[i].from;

		if (states[i] != KVMOPS_PLACE_QUEUED || to >= nhosts ||
		    from >= nhosts || in[to] >= per_host)
			continue;
		/* The first such move out of the least busy source. */
		if (best == SIZE_MAX || out[from] < out[moves[best].from])
			best = i;
	}
done:
	free(in);
	free(out);
	return best;
}

/* ---- the plan ------------------------------------------------------------- */

KVMOPS_EXPORT void kvmops_place_free(struct kvmops_place_plan *plan)
{
	free(plan->moves);
	free(plan->unplaced);
	free(plan->freed);
	free(plan->used_before_kib);
	free(plan->used_after_kib);
	memset(plan, 0, sizeof(*plan));
}

static int setup(struct kvmops_ctx *ctx, struct planner *p)
{
	size_t h, gi;

	for (gi = 0; gi < p->nguests; gi++)
		if (p->guests[gi].host >= p->nhosts)
			return kvmops_fail(
				ctx, -EINVAL,
				"guest %s is on no host of the %zu given",
				p->guests[gi].name, p->nhosts);
	p->spots = calloc(p->nhosts ? p->nhosts : 1, sizeof(*p->spots));
	p->where = calloc(p->nguests ? p->nguests : 1, sizeof(*p->where));
	p->plan->freed = calloc(p->nhosts ? p->nhosts : 1, sizeof(size_t));
	p->plan->used_before_kib =
		calloc(p->nhosts ? p->nhosts : 1, sizeof(uint64_t));
	p->plan->used_after_kib =
		calloc(p->nhosts ? p->nhosts : 1, sizeof(uint64_t));
	if (!p->spots || !p->where || !p->plan->freed ||
	    !p->plan->used_before_kib || !p->plan->used_after_kib)
		return kvmops_fail(ctx, -ENOMEM, "out of memory");
	for (h = 0; h < p->nhosts; h++) {
		const struct kvmops_overcommit *oc = &p->hosts[h].oc;

		p->spots[h].mem_kib = oc->host_mem_kib;
		p->spots[h].used_kib =
			oc->host_mem_kib > oc->host_free_kib ?
				oc->host_mem_kib - oc->host_free_kib :
				0;
		p->spots[h].oc = *oc;
		p->plan->used_before_kib[h] = p->spots[h].used_kib;
	}
	for (gi = 0; gi < p->nguests; gi++)
		p->where[gi] = p->guests[gi].host;
	return 0;
}

KVMOPS_EXPORT int kvmops_place(struct kvmops_ctx *ctx,
			       const struct kvmops_place_config *config,
			       const struct kvmops_place_host *hosts,
			       size_t nhosts,
			       const struct kvmops_place_guest *guests,
			       size_t nguests, struct kvmops_place_plan *plan)
{
	struct planner p = {
		.cfg = config,
		.hosts = hosts,
		.guests = guests,
		.nhosts = nhosts,
		.nguests = nguests,
		.plan = plan,
	};
	size_t h;
	int rc;

	kvmops_clear_error(ctx);
	memset(plan, 0, sizeof(*plan));
	if (!config->headroom_percent || config->headroom_percent > 100)
		return kvmops_fail_remedy(
			ctx, -EINVAL, "headroom_percent",
			"the headroom must be 1%% to 100%% of a host's memory, not %u%%",
			config->headroom_percent);
	rc = setup(ctx, &p);
	if (!rc) {
		plan->cv_before = cv_of(&p);
		rc = config->goal == KVMOPS_PLACE_SPREAD ? spread(&p) :
		     config->goal == KVMOPS_PLACE_CONSOLIDATE ?
							   consolidate(&p) :
							   evacuate(&p);
		if (rc == -ENOMEM)
			kvmops_fail(ctx, rc, "out of memory");
		plan->cv_after = cv_of(&p);
		for (h = 0; !rc && h < nhosts; h++)
			plan->used_after_kib[h] = p.spots[h].used_kib;
	}
	free(p.spots);
	free(p.where);
	if (rc)
		kvmops_place_free(plan);
	return rc;
}
