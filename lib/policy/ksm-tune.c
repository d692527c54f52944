// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The KSM tuner's policy, from the figures alone (HACKING, "KSM tuning"):
 * ksmtuned's need rule and speed rules, the kernel's advisor where there
 * is one, ksmd's real CPU share, and whether the scanning still pays.
 */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "libkvmops-private.h"

#define KIB_16G (16ull * 1024 * 1024)
#define SLEEP_MS_FLOOR 10 /* ksmtuned's floor */
#define REARM_FACTOR 3 /* a full scan this many targets long is stuck */

KVMOPS_EXPORT void kvmops_ksm_tune_defaults(struct kvmops_ksm_tune_config *c)
{
	*c = (struct kvmops_ksm_tune_config){
		.threshold_percent = 20,
		.threshold_min_kib = 2048,
		.npages_boost = 300,
		.npages_decay = -50,
		.npages_min = 64,
		.npages_max = 1250,
		.sleep_ms_16g = 10,
		.max_cpu_percent = 25,
		.scan_time_s = 200,
		.min_gain_basis_points = 100,
		.backoff_cycles = 10,
	};
}

KVMOPS_EXPORT int
kvmops_ksm_tune_config_check(struct kvmops_ctx *ctx,
			     const struct kvmops_ksm_tune_config *c)
{
	if (c->threshold_percent > 100)
		return kvmops_fail_remedy(
			ctx, -EINVAL, "threshold_percent",
			"a threshold of %u%% of the host's memory is more than all of it",
			c->threshold_percent);
	if (!c->npages_min || c->npages_min > c->npages_max)
		return kvmops_fail_remedy(
			ctx, -EINVAL, "npages_min,npages_max",
			"the fewest pages to scan (%u) must be at least 1 and at most the most (%u)",
			c->npages_min, c->npages_max);
	if (!c->max_cpu_percent || c->max_cpu_percent > 100)
		return kvmops_fail_remedy(
			ctx, -EINVAL, "max_cpu_percent",
			"ksmd's CPU limit must be 1%% to 100%% of one CPU, not %u%%",
			c->max_cpu_percent);
	if (!c->scan_time_s)
		return kvmops_fail_remedy(ctx, -EINVAL, "scan_time_s",
					  "a full scan cannot take 0 seconds");
	if (!c->backoff_cycles)
		return kvmops_fail_remedy(
			ctx, -EINVAL, "backoff_cycles",
			"a back-off of 0 cycles would never stop ksmd");
	if (c->min_gain_basis_points > 10000)
		return kvmops_fail_remedy(
			ctx, -EINVAL, "min_gain_basis_points",
			"a minimum gain above 100%% of guest memory can never be met");
	return 0;
}

KVMOPS_EXPORT const char *
kvmops_ksm_tune_action_name(enum kvmops_ksm_tune_action action)
{
	static const char *const names[] = {
		[KVMOPS_KSM_TUNE_IDLE] = "idle",
		[KVMOPS_KSM_TUNE_START] = "start",
		[KVMOPS_KSM_TUNE_KEEP] = "keep",
		[KVMOPS_KSM_TUNE_ADJUST] = "adjust",
		[KVMOPS_KSM_TUNE_STOP] = "stop",
		[KVMOPS_KSM_TUNE_BACKOFF] = "back-off",
	};

	return (size_t)action < ARRAY_SIZE(names) ? names[action] : "unknown";
}

/* One decision in the making: the inputs, and the words of its reason. */
struct cycle {
	const struct kvmops_ksm_tune_config *cfg;
	const struct kvmops_ksm_tune_figures *fig;
	struct kvmops_ksm_tune_state *st;
	struct kvmops_ksm_tune_decision *d;
	bool running, guests_changed, knobs_changed;
	char lead[128]; /* what happened first: guests came or went */
	char why[200]; /* why KSM is needed, or not */
	char speed[120]; /* how fast ksmd scans */
	char tail[144]; /* what else changed */
};

static const char *size_of(uint64_t bytes, char *buf, size_t len)
{
	kvmops_size_format(bytes, buf, len);
	return buf;
}

static char cmp_sign(uint64_t a, uint64_t b)
{
	return a < b ? '<' : a > b ? '>' : '=';
}

/* A stale state (none, or from before a reboot) starts over. */
static void begin(struct cycle *c)
{
	struct kvmops_ksm_tune_state *st = c->st;

	if (!st->valid || strcmp(st->boot_id, c->fig->boot_id)) {
		memset(st, 0, sizeof(*st));
		st->valid = true;
		snprintf(st->boot_id, sizeof(st->boot_id), "%s",
			 c->fig->boot_id);
		st->guest_set = c->fig->guest_set;
		st->qemu_processes = c->fig->qemu_processes;
	}
	c->running = c->fig->ksm.run == KVMOPS_KSM_START;
	c->guests_changed = st->guest_set != c->fig->guest_set;
	c->d->ksmd_cpu_percent = -1;
	if (st->have_ksmd_cpu && c->fig->have_ksmd_cpu &&
	    c->fig->now_ms > st->at_ms &&
	    c->fig->ksmd_cpu_ms >= st->ksmd_cpu_ms)
		c->d->ksmd_cpu_percent =
			100.0 *
			(double)(c->fig->ksmd_cpu_ms - st->ksmd_cpu_ms) /
			(double)(c->fig->now_ms - st->at_ms);
}

/*
 * ksmtuned's rule, on MemAvailable instead of its free memory (which
 * counts page cache as free): KSM is needed unless the guests plus the
 * threshold fit in memory and more than the threshold is available.
 */
static void judge_need(struct cycle *c)
{
	const struct kvmops_ksm_tune_figures *f = c->fig;
	uint64_t total = f->mem_total_kib, avail = f->mem_available_kib;
	uint64_t thr = total * c->cfg->threshold_percent / 100;
	bool short_mem, crowded;
	char a[24], b[24], g[24], t[24];

	if (thr < c->cfg->threshold_min_kib)
		thr = c->cfg->threshold_min_kib;
	c->d->threshold_kib = thr;
	short_mem = avail <= thr;
	crowded = f->guest_kib + thr >= total;
	c->d->needed = short_mem || crowded;
	size_of(avail * 1024, a, sizeof(a));
	size_of(thr * 1024, b, sizeof(b));
	size_of(f->guest_kib * 1024, g, sizeof(g));
	size_of(total * 1024, t, sizeof(t));
	if (short_mem)
		snprintf(c->why, sizeof(c->why),
			 "MemAvailable %s %c threshold %s", a,
			 cmp_sign(avail, thr), b);
	else if (crowded)
		snprintf(c->why, sizeof(c->why),
			 "guests %s + threshold %s %c MemTotal %s", g, b,
			 cmp_sign(f->guest_kib + thr, total), t);
	else
		snprintf(
			c->why, sizeof(c->why),
			"MemAvailable %s > threshold %s and guests %s + threshold < MemTotal %s",
			a, b, g, t);
}

static uint64_t min_gain_bytes(const struct cycle *c)
{
	uint64_t min = c->cfg->min_gain_kib * 1024;

	if (!min)
		min = c->fig->guest_kib * 1024 * c->cfg->min_gain_basis_points /
		      10000;
	/* With no guests to take a share of, any gain at all will do. */
	return min ? min : c->fig->ksm.page_size;
}

/* Adds a clause to the end of the reason. */
static void add_tail(struct cycle *c, const char *fmt, ...) KVMOPS_PRINTF(2, 3);
static void add_tail(struct cycle *c, const char *fmt, ...)
{
	size_t used = strlen(c->tail);
	va_list ap;

	if (used && used + 2 < sizeof(c->tail)) {
		memcpy(c->tail + used, "; ", 3);
		used += 2;
	}
	va_start(ap, fmt);
	vsnprintf(c->tail + used, sizeof(c->tail) - used, fmt, ap);
	va_end(ap);
}

static void open_window(struct cycle *c)
{
	c->st->window_open = true;
	c->st->window_scans = c->fig->ksm.full_scans;
	c->st->window_sharing = c->fig->ksm.pages_sharing;
}

/* Whether the full scans since the window opened saved too little. */
static bool scans_do_not_pay(struct cycle *c)
{
	const struct kvmops_ksm_figures *k = &c->fig->ksm;
	struct kvmops_ksm_tune_state *st = c->st;
	uint64_t scans, min = min_gain_bytes(c);
	char s[24], m[24], g[24], p[24];

	if (!st->window_open ||
	    k->full_scans < st->window_scans + KSM_TUNE_WINDOW_SCANS)
		return false;
	scans = k->full_scans - st->window_scans;
	c->d->window_closed = true;
	c->d->gain_bytes =
		k->pages_sharing > st->window_sharing ?
			(k->pages_sharing - st->window_sharing) * k->page_size :
			0;
	size_of(c->d->gain_bytes, s, sizeof(s));
	if (c->d->gain_bytes >= min) {
		add_tail(c, "the last %" PRIu64 " full scans saved %s", scans,
			 s);
		open_window(c);
		return false;
	}
	size_of(min, m, sizeof(m));
	size_of(c->fig->guest_kib * 1024, g, sizeof(g));
	size_of(k->profit_bytes < 0 ? (uint64_t)-k->profit_bytes :
				      (uint64_t)k->profit_bytes,
		p, sizeof(p));
	snprintf(
		c->why, sizeof(c->why),
		"the last %" PRIu64
		" full scans saved %s, less than the minimum gain of %s (of %s guest memory); general_profit %s%s",
		scans, s, m, g, k->profit_bytes < 0 ? "-" : "", p);
	return true;
}

/*
 * Left on while ksmd was stopped, the advisor times the scan it was in
 * across the stop: a scan that "took" minutes sends pages_to_scan to
 * advisor_max_pages_to_scan, at a CPU share it reckons over those minutes
 * too. Started afresh, it begins at advisor_min_pages_to_scan.
 */
static void rearm_at_start(struct cycle *c)
{
	c->d->set_advisor_mode = true;
	c->d->rearm_advisor = true;
	c->knobs_changed = true;
	add_tail(
		c, "%s",
		"advisor re-armed: its last estimate spans the time ksmd was stopped");
}

/* The kernel's advisor picks pages_to_scan; the tuner sets its limits. */
static void advisor_limits(struct cycle *c)
{
	const struct kvmops_ksm_tune_figures *f = c->fig;
	struct kvmops_ksm_tune_decision *d = c->d;

	d->advisor = true;
	if (!f->advisor_on) {
		d->set_advisor_mode = true;
		d->advisor_max_cpu = c->cfg->max_cpu_percent;
		d->advisor_target_s = c->cfg->scan_time_s;
	}
	if (f->advisor_max_cpu != c->cfg->max_cpu_percent)
		d->advisor_max_cpu = c->cfg->max_cpu_percent;
	if (f->advisor_target_s != c->cfg->scan_time_s)
		d->advisor_target_s = c->cfg->scan_time_s;
	c->knobs_changed = d->set_advisor_mode || d->advisor_max_cpu ||
			   d->advisor_target_s;
	snprintf(c->speed, sizeof(c->speed),
		 "advisor on, max cpu %u%%, scan time %u s",
		 c->cfg->max_cpu_percent, c->cfg->scan_time_s);
	if (f->advisor_on && !c->running)
		rearm_at_start(c);
}

/*
 * The pages per wake-up at which ksmd would have used max_cpu_percent in
 * the last cycle: from the pages it really scanned then (the advisor may
 * have changed pages_to_scan since), else from pages_to_scan.
 */
static uint64_t pages_within_cpu(const struct cycle *c, double cpu)
{
	const struct kvmops_ksm_tune_figures *f = c->fig;
	const struct kvmops_ksm_tune_state *st = c->st;
	double max = c->cfg->max_cpu_percent, per_s, pages;

	if (f->pages_scanned > st->pages_scanned && f->now_ms > st->at_ms &&
	    f->sleep_ms) {
		per_s = (double)(f->pages_scanned - st->pages_scanned) *
			1000.0 / (double)(f->now_ms - st->at_ms);
		pages = per_s * max / cpu * (double)f->sleep_ms / 1000.0;
	} else {
		pages = (double)f->pages_to_scan * max / cpu;
	}
	return pages >= 1 ? (uint64_t)pages : 1;
}

/*
 * The advisor's own CPU estimate can be wrong (it is per scan, and counts
 * ksmd's whole life in its first); the real share caps it through
 * advisor_max_pages_to_scan when the advisor's pace would exceed it, and
 * the cap goes once ksmd uses less than half of its share.
 */
static void advisor_cpu_cap(struct cycle *c)
{
	const struct kvmops_ksm_tune_figures *f = c->fig;
	struct kvmops_ksm_tune_state *st = c->st;
	double cpu = c->d->ksmd_cpu_percent, max = c->cfg->max_cpu_percent;
	uint64_t cap;

	if (!f->advisor_on || cpu < 0)
		return;
	if (cpu > max) {
		cap = pages_within_cpu(c, cpu);
		if (cap >= f->pages_to_scan || cap >= f->advisor_max_pages)
			return; /* the advisor has slowed down already */
		if (!st->advisor_cap_from)
			st->advisor_cap_from = f->advisor_max_pages;
	} else if (st->advisor_cap_from && cpu < max / 2) {
		cap = st->advisor_cap_from;
		st->advisor_cap_from = 0;
	} else {
		return;
	}
	c->d->advisor_max_pages = cap;
	st->advisor_cap = cap;
	c->knobs_changed = true;
	add_tail(
		c,
		"ksmd used %.1f%% CPU %s max %u%%: advisor_max_pages_to_scan %" PRIu64
		" -> %" PRIu64,
		cpu, cpu > max ? ">" : "<", c->cfg->max_cpu_percent,
		f->advisor_max_pages, cap);
}

/*
 * Enabled at the start of a full scan, the advisor divides ksmd's CPU
 * time since boot by that one scan and crawls at a few pages per wake-up
 * until the scan after: a full scan far longer than the target while ksmd
 * idles is that. Turned off and on in mid-scan, it starts again from
 * advisor_min_pages_to_scan and judges by ksmd's average instead.
 */
static void advisor_unstick(struct cycle *c)
{
	const struct kvmops_ksm_tune_figures *f = c->fig;
	const struct kvmops_ksm_tune_state *st = c->st;
	const struct kvmops_ksm_figures *k = &f->ksm;
	uint64_t dt = f->now_ms - st->at_ms, pass, rate, takes;

	if (!st->advisor_armed || !f->advisor_on || !f->pages_scanned ||
	    f->pages_scanned <= st->pages_scanned || f->now_ms <= st->at_ms ||
	    c->d->ksmd_cpu_percent < 0 ||
	    c->d->ksmd_cpu_percent >= c->cfg->max_cpu_percent / 2.0)
		return;
	pass = k->pages_shared + k->pages_sharing + f->pages_unshared +
	       f->pages_volatile;
	rate = (f->pages_scanned - st->pages_scanned) * 1000 / dt;
	takes = rate ? pass / rate : UINT64_MAX;
	if (takes <= (uint64_t)REARM_FACTOR * c->cfg->scan_time_s)
		return;
	c->d->rearm_advisor = true;
	c->knobs_changed = true;
	add_tail(
		c,
		"a full scan at %" PRIu64 " pages/s takes %" PRIu64
		" s against a target of %u s while ksmd uses %.1f%% CPU: advisor re-armed",
		rate, takes, c->cfg->scan_time_s, c->d->ksmd_cpu_percent);
}

/* ksmtuned's boost and decay, its limits and its sleep, under the CPU cap. */
static void ksmtuned_speed(struct cycle *c)
{
	const struct kvmops_ksm_tune_config *cfg = c->cfg;
	const struct kvmops_ksm_tune_figures *f = c->fig;
	struct kvmops_ksm_tune_decision *d = c->d;
	bool boost = f->mem_available_kib < d->threshold_kib;
	int64_t n = (int64_t)c->st->npages +
		    (boost ? (int64_t)cfg->npages_boost : cfg->npages_decay);
	uint64_t sleep;

	/* Over the limit, the pace that used it shrinks; no boost then. */
	if (d->ksmd_cpu_percent > cfg->max_cpu_percent) {
		n = (int64_t)((double)c->st->npages * cfg->max_cpu_percent /
			      d->ksmd_cpu_percent);
		add_tail(c, "ksmd used %.1f%% CPU > max %u%%: slowed down",
			 d->ksmd_cpu_percent, cfg->max_cpu_percent);
	}
	n = n < cfg->npages_min ? cfg->npages_min :
	    n > cfg->npages_max ? cfg->npages_max :
				  n;
	c->st->npages = (unsigned int)n;
	sleep = f->mem_total_kib ?
			cfg->sleep_ms_16g * KIB_16G / f->mem_total_kib :
			SLEEP_MS_FLOOR;
	sleep = sleep < SLEEP_MS_FLOOR ? SLEEP_MS_FLOOR : sleep;
	d->set_advisor_mode = f->advisor_on;
	if ((uint64_t)n != f->pages_to_scan || f->advisor_on)
		d->pages_to_scan = (uint64_t)n;
	if (sleep != f->sleep_ms)
		d->sleep_ms = sleep;
	c->knobs_changed = d->set_advisor_mode || d->pages_to_scan ||
			   d->sleep_ms;
	snprintf(c->speed, sizeof(c->speed),
		 "pages_to_scan %" PRId64 " (%s), sleep %" PRIu64 " ms", n,
		 boost ? "boost: MemAvailable below threshold" : "decay",
		 sleep);
}

static void choose_speed(struct cycle *c)
{
	if (c->fig->have_advisor && !c->cfg->no_advisor) {
		advisor_limits(c);
		advisor_cpu_cap(c);
		advisor_unstick(c);
	} else {
		ksmtuned_speed(c);
	}
}

static void stop(struct cycle *c, enum kvmops_ksm_tune_action running_action)
{
	c->d->run = KVMOPS_KSM_STOP;
	c->d->action = c->running ? running_action : KVMOPS_KSM_TUNE_IDLE;
	c->st->window_open = false;
}

static void not_needed(struct cycle *c)
{
	stop(c, KVMOPS_KSM_TUNE_STOP);
	c->st->backoff_left = 0;
	c->st->backed_off = false;
	snprintf(c->lead, sizeof(c->lead), "KSM is not needed: ");
	snprintf(c->speed, sizeof(c->speed), "%s",
		 c->running ? "ksmd stopped, merged pages kept" :
			      "ksmd stays stopped");
}

static void back_off(struct cycle *c)
{
	stop(c, KVMOPS_KSM_TUNE_BACKOFF);
	c->st->backoff_left = c->cfg->backoff_cycles;
	c->st->backed_off = true;
	snprintf(
		c->speed, sizeof(c->speed),
		"ksmd stopped, merged pages kept; looking again in %u cycles, or when guests come or go",
		c->cfg->backoff_cycles);
}

static void backing_off(struct cycle *c)
{
	c->st->backoff_left--;
	stop(c, KVMOPS_KSM_TUNE_BACKOFF);
	snprintf(c->why, sizeof(c->why), "%s", "KSM did not pay for itself");
	if (c->st->backoff_left)
		snprintf(
			c->speed, sizeof(c->speed),
			"looking again in %u cycles, or when guests come or go",
			c->st->backoff_left + 1);
	else
		snprintf(c->speed, sizeof(c->speed),
			 "looking again next cycle");
}

static void run_ksmd(struct cycle *c)
{
	struct kvmops_ksm_tune_state *st = c->st;

	if (c->guests_changed && c->fig->qemu_processes == st->qemu_processes) {
		snprintf(
			c->lead, sizeof(c->lead),
			"other guests than the last cycle's (%u QEMU processes): looking again; ",
			c->fig->qemu_processes);
		st->window_open = false;
	} else if (c->guests_changed) {
		snprintf(
			c->lead, sizeof(c->lead),
			"guests came or went (%u QEMU processes, were %u): looking again; ",
			c->fig->qemu_processes, st->qemu_processes);
		st->window_open = false;
	} else if (st->backed_off && !c->running) {
		snprintf(c->lead, sizeof(c->lead),
			 "after %u cycles of back-off, looking again; ",
			 c->cfg->backoff_cycles);
	}
	st->backoff_left = 0;
	st->backed_off = false;
	if (c->running && scans_do_not_pay(c)) {
		back_off(c);
		return;
	}
	choose_speed(c);
	c->d->run = KVMOPS_KSM_START;
	c->d->action = !c->running	? KVMOPS_KSM_TUNE_START :
		       c->knobs_changed ? KVMOPS_KSM_TUNE_ADJUST :
					  KVMOPS_KSM_TUNE_KEEP;
	if (!c->running || !st->window_open)
		open_window(c);
}

static void finish(struct cycle *c)
{
	const struct kvmops_ksm_tune_figures *f = c->fig;
	struct kvmops_ksm_tune_state *st = c->st;
	struct kvmops_ksm_tune_decision *d = c->d;

	st->at_ms = f->now_ms;
	st->ksmd_pid = f->ksmd_pid;
	st->have_ksmd_cpu = f->have_ksmd_cpu;
	st->ksmd_cpu_ms = f->ksmd_cpu_ms;
	st->pages_scanned = f->pages_scanned;
	st->guest_set = f->guest_set;
	st->qemu_processes = f->qemu_processes;
	st->advisor_armed = d->run == KVMOPS_KSM_START && d->advisor &&
			    f->advisor_on && !d->rearm_advisor;
	st->cycles++;
	st->last = d->action;
	snprintf(d->reason, sizeof(d->reason), "%s: %s%s; %s%s%s",
		 kvmops_ksm_tune_action_name(d->action), c->lead, c->why,
		 c->speed, c->tail[0] ? "; " : "", c->tail);
}

KVMOPS_EXPORT void
kvmops_ksm_tune_decide(const struct kvmops_ksm_tune_config *config,
		       const struct kvmops_ksm_tune_figures *figures,
		       struct kvmops_ksm_tune_state *state,
		       struct kvmops_ksm_tune_decision *decision)
{
	struct cycle c = {
		.cfg = config, .fig = figures, .st = state, .d = decision
	};

	memset(decision, 0, sizeof(*decision));
	begin(&c);
	judge_need(&c);
	if (!decision->needed)
		not_needed(&c);
	else if (state->backoff_left && !c.guests_changed)
		backing_off(&c);
	else
		run_ksmd(&c);
	finish(&c);
}
