// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The KSM tuner's I/O around lib/policy/ksm-tune.c: gathering one cycle's
 * figures, writing a decision to sysfs, keeping the state between runs,
 * and putting the knobs back.
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ksm/ksm.h"
#include "virt/domain.h"

#define STATE_MAGIC "kvmops-ksm-tune-state 1"

/* ---- gathering --------------------------------------------------------- */

static uint64_t boottime_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_BOOTTIME, &t);
	return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

static uint64_t counter(struct kvmops_ctx *ctx, const char *name)
{
	uint64_t v = 0;

	kvmops_ksm_counter(ctx, name, &v);
	return v;
}

/* "[none] scan-time": whether the advisor is there, and on. */
static void read_advisor_mode(struct kvmops_ctx *ctx,
			      struct kvmops_ksm_tune_figures *f)
{
	char path[PATH_MAX], text[64];

	kvmops_sys_path(ctx, path, sizeof(path),
			"/sys/kernel/mm/ksm/advisor_mode");
	f->have_advisor =
		kvmops_read_file_again(ctx, path, text, sizeof(text)) > 0 &&
		strchr(text, '[');
	f->advisor_on = f->have_advisor && strstr(text, "[scan-time]");
}

/* general_profit, or its formula (Documentation/admin-guide/mm/ksm.rst). */
static int read_profit(struct kvmops_ctx *ctx,
		       struct kvmops_ksm_tune_figures *f)
{
	struct kvmops_ksm_figures *k = &f->ksm;
	struct kvmops_ksm_pages pages = {
		.shared = k->pages_shared,
		.sharing = k->pages_sharing,
		.unshared = f->pages_unshared,
		.volatile_pages = f->pages_volatile,
	};
	char path[PATH_MAX], text[32];

	kvmops_sys_path(ctx, path, sizeof(path),
			"/sys/kernel/mm/ksm/general_profit");
	if (kvmops_read_file_again(ctx, path, text, sizeof(text)) > 0) {
		text[strcspn(text, "\n")] = '\0';
		k->profit_from_kernel =
			!kvmops_parse_s64(text, &k->profit_bytes);
	}
	if (k->profit_from_kernel)
		return 0;
	pages.zero = counter(ctx, "ksm_zero_pages");
	return kvmops_ksm_profit_formula(ctx, &pages, k->page_size,
					 &k->profit_bytes);
}

/*
 * Only the entries a cycle needs, each read on its own: a cycle runs
 * every minute for as long as the host does.
 */
static int read_ksm_state(struct kvmops_ctx *ctx,
			  struct kvmops_ksm_tune_figures *f)
{
	struct kvmops_ksm_figures *k = &f->ksm;
	struct kvmops_ksm *ksm = NULL;
	uint64_t run;
	int rc;

	if (kvmops_ksm_counter(ctx, "run", &run)) {
		/* The whole read says why: no KSM, or no permission. */
		rc = kvmops_ksm_read(ctx, &ksm);
		kvmops_ksm_free(ksm);
		return rc ? rc :
			    kvmops_fail(ctx, -EIO, "cannot read KSM's run");
	}
	k->run = run <= 2 ? (enum kvmops_ksm_run)run : KVMOPS_KSM_STOP;
	k->page_size = kvmops_page_size();
	k->pages_shared = counter(ctx, "pages_shared");
	k->pages_sharing = counter(ctx, "pages_sharing");
	rc = kvmops_ksm_page_bytes(ctx, "/sys/kernel/mm/ksm/pages_sharing",
				   k->pages_sharing, k->page_size,
				   &k->saved_bytes);
	if (rc)
		return rc;
	k->sharing_ratio = k->pages_shared ? (double)k->pages_sharing /
						     (double)k->pages_shared :
					     0;
	k->full_scans = counter(ctx, "full_scans");
	f->pages_unshared = counter(ctx, "pages_unshared");
	f->pages_volatile = counter(ctx, "pages_volatile");
	f->pages_scanned = counter(ctx, "pages_scanned");
	f->pages_to_scan = counter(ctx, "pages_to_scan");
	f->sleep_ms = counter(ctx, "sleep_millisecs");
	rc = read_profit(ctx, f);
	if (rc)
		return rc;
	read_advisor_mode(ctx, f);
	if (f->have_advisor) {
		f->advisor_max_cpu = counter(ctx, "advisor_max_cpu");
		f->advisor_target_s = counter(ctx, "advisor_target_scan_time");
		f->advisor_max_pages =
			counter(ctx, "advisor_max_pages_to_scan");
	}
	return 0;
}

static int read_qemu(struct kvmops_ctx *ctx, bool want_rss,
		     struct kvmops_ksm_tune_figures *f)
{
	struct kvmops_qemu_scan scan;
	int rc = kvmops_ksm_scan_qemu(ctx, want_rss, &scan);

	if (rc)
		return rc;
	f->qemu_processes = scan.count;
	f->guest_set = scan.set;
	if (want_rss) {
		f->guests = scan.count;
		f->guest_kib = scan.rss_kib;
	}
	return 0;
}

/* The running guests' current memory, in one bulk call. */
static int read_libvirt(struct kvmops_ctx *ctx, virConnectPtr conn,
			struct kvmops_ksm_tune_figures *f)
{
	virDomainStatsRecordPtr *recs = NULL;
	uint64_t kib = 0, cur;
	virDomainInfo info;
	int n, i;

	n = VIRT(virConnectGetAllDomainStats)(
		conn, VIR_DOMAIN_STATS_BALLOON, &recs,
		VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE);
	if (n < 0)
		return -EIO;
	for (i = 0; i < n; i++) {
		cur = kvmops_stats_u64(recs[i], "balloon.current");
		/* Drivers without balloon stats (test:///) still know it. */
		if (!cur && !VIRT(virDomainGetInfo)(recs[i]->dom, &info))
			cur = info.memory;
		kib += cur;
	}
	VIRT(virDomainStatsRecordListFree)(recs);
	f->guests = (unsigned int)n;
	f->guest_kib = kib;
	f->guests_from_libvirt = true;
	return 0;
}

/* "37 (ksmd) S 2 ...": utime and stime are the 14th and 15th fields. */
static bool ksmd_stat(struct kvmops_ctx *ctx, const char *pid, bool known,
		      uint64_t *ms)
{
	char path[PATH_MAX], buf[1024];
	unsigned long long utime, stime;
	const char *rest;
	long tick = sysconf(_SC_CLK_TCK);
	int n;

	/* ksmd never exits: its stat may stay open, other pids' may not. */
	kvmops_proc_path(ctx, path, sizeof(path), "/proc/%s/stat", pid);
	n = known ? kvmops_read_file_again(ctx, path, buf, sizeof(buf)) :
		    kvmops_read_file(ctx, path, buf, sizeof(buf));
	if (n < 0 || !strstr(buf, " (ksmd) "))
		return false;
	rest = strrchr(buf, ')');
	if (!rest ||
	    sscanf(rest + 1,
		   " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
		   &utime, &stime) != 2)
		return false;
	*ms = (utime + stime) * 1000 /
	      (unsigned long long)(tick > 0 ? tick : 100);
	return true;
}

/* ksmd starts at boot, so a pid found once is good for the whole boot. */
static void read_ksmd(struct kvmops_ctx *ctx, pid_t hint,
		      struct kvmops_ksm_tune_figures *f)
{
	char path[PATH_MAX], pid[16];
	struct dirent *de;
	DIR *dir;

	snprintf(pid, sizeof(pid), "%d", (int)hint);
	if (hint > 0 && ksmd_stat(ctx, pid, true, &f->ksmd_cpu_ms)) {
		f->ksmd_pid = hint;
		f->have_ksmd_cpu = true;
		return;
	}
	kvmops_proc_path(ctx, path, sizeof(path), "/proc");
	dir = opendir(path);
	if (!dir)
		return;
	while ((de = readdir(dir))) {
		if (!isdigit((unsigned char)de->d_name[0]) ||
		    !ksmd_stat(ctx, de->d_name, false, &f->ksmd_cpu_ms))
			continue;
		f->ksmd_pid = (pid_t)atoi(de->d_name);
		f->have_ksmd_cpu = true;
		break;
	}
	closedir(dir);
}

KVMOPS_EXPORT int
kvmops_ksm_tune_gather(struct kvmops_ctx *ctx, virConnectPtr conn,
		       const struct kvmops_ksm_tune_state *state,
		       struct kvmops_ksm_tune_figures *f)
{
	int rc;

	kvmops_clear_error(ctx);
	memset(f, 0, sizeof(*f));
	kvmops_ksm_boot_id(ctx, f->boot_id, sizeof(f->boot_id));
	f->now_ms = boottime_ms();
	rc = kvmops_read_meminfo(ctx, &f->mem_total_kib, &f->mem_available_kib);
	if (!rc)
		rc = read_ksm_state(ctx, f);
	if (rc)
		return rc;
	if (conn && read_libvirt(ctx, conn, f))
		notice(ctx,
		       "libvirt did not list the running guests (%s): their memory is their QEMU processes' RSS this cycle",
		       kvmops_virt_message());
	/* Their RSS is only wanted when libvirt cannot say. */
	rc = read_qemu(ctx, !f->guests_from_libvirt, f);
	if (rc)
		return rc;
	read_ksmd(ctx, state && state->valid ? state->ksmd_pid : 0, f);
	return 0;
}

/* ---- applying a decision ----------------------------------------------- */

struct knob_writes {
	size_t count;
	const char *names[8];
	const char *values[8];
	char text[8][24];
};

static void add_write(struct knob_writes *w, const char *name,
		      const char *value)
{
	w->names[w->count] = name;
	w->values[w->count] = value;
	w->count++;
}

static void add_value(struct knob_writes *w, const char *name, uint64_t v)
{
	snprintf(w->text[w->count], sizeof(w->text[0]), "%" PRIu64, v);
	add_write(w, name, w->text[w->count]);
}

/* A decision's 0 leaves the knob as it is. */
static void add_number(struct knob_writes *w, const char *name, uint64_t v)
{
	if (v)
		add_value(w, name, v);
}

/* The advisor's limits before its mode; pages_to_scan after "none". */
static void knob_writes(const struct kvmops_ksm_tune_decision *d,
			struct knob_writes *w)
{
	add_number(w, "advisor_max_cpu", d->advisor_max_cpu);
	add_number(w, "advisor_target_scan_time", d->advisor_target_s);
	add_number(w, "advisor_max_pages_to_scan", d->advisor_max_pages);
	if (d->set_advisor_mode || d->rearm_advisor)
		add_write(w, "advisor_mode", d->advisor ? "scan-time" : "none");
	add_number(w, "pages_to_scan", d->pages_to_scan);
	add_number(w, "sleep_millisecs", d->sleep_ms);
}

static bool changes_run(enum kvmops_ksm_tune_action action)
{
	return action == KVMOPS_KSM_TUNE_START ||
	       action == KVMOPS_KSM_TUNE_STOP ||
	       action == KVMOPS_KSM_TUNE_BACKOFF;
}

static int set_mode(struct kvmops_ctx *ctx, const char *mode)
{
	const char *name = "advisor_mode";

	return kvmops_ksm_set(ctx, &name, &mode, 1);
}

/* Until ksmd has scanned a page more (at most a quarter of a second). */
static void wait_for_scanning(struct kvmops_ctx *ctx)
{
	uint64_t first = 0, now = 0;
	struct timespec pause = { .tv_nsec = 5000000 };
	int i;

	if (kvmops_ksm_counter(ctx, "pages_scanned", &first))
		return;
	for (i = 0; i < 50; i++) {
		nanosleep(&pause, NULL);
		if (kvmops_ksm_counter(ctx, "pages_scanned", &now) ||
		    now != first)
			return;
	}
}

/*
 * The advisor switched on while ksmd sits at the start of a full scan
 * counts ksmd's CPU time since boot into that scan, and crawls until the
 * next. Started first, ksmd is in mid-scan when the advisor comes on.
 */
static int start_under_advisor(struct kvmops_ctx *ctx,
			       const struct kvmops_ksm_tune_decision *d)
{
	struct knob_writes w = { 0 };
	int rc;

	add_number(&w, "advisor_max_cpu", d->advisor_max_cpu);
	add_number(&w, "advisor_target_scan_time", d->advisor_target_s);
	add_number(&w, "advisor_max_pages_to_scan", d->advisor_max_pages);
	rc = w.count ? kvmops_ksm_set(ctx, w.names, w.values, w.count) : 0;
	if (!rc && d->rearm_advisor)
		rc = set_mode(ctx, "none");
	if (!rc)
		rc = kvmops_ksm_set_run(ctx, KVMOPS_KSM_START);
	if (rc)
		return rc;
	wait_for_scanning(ctx);
	return set_mode(ctx, "scan-time");
}

KVMOPS_EXPORT int
kvmops_ksm_tune_apply(struct kvmops_ctx *ctx,
		      const struct kvmops_ksm_tune_decision *d)
{
	struct knob_writes w = { 0 };
	int rc = 0;

	kvmops_clear_error(ctx);
	if (d->action == KVMOPS_KSM_TUNE_START && d->advisor &&
	    d->set_advisor_mode)
		return start_under_advisor(ctx, d);
	/* Off and on again: two writes of one knob, so two calls. */
	if (d->rearm_advisor)
		rc = set_mode(ctx, "none");
	knob_writes(d, &w);
	if (!rc && w.count)
		rc = kvmops_ksm_set(ctx, w.names, w.values, w.count);
	if (!rc && changes_run(d->action))
		rc = kvmops_ksm_set_run(ctx, d->run);
	return rc;
}

KVMOPS_EXPORT int
kvmops_ksm_tune_window_due(struct kvmops_ctx *ctx,
			   const struct kvmops_ksm_tune_state *state)
{
	uint64_t scans;
	int rc;

	if (!state->window_open)
		return 0;
	rc = kvmops_ksm_counter(ctx, "full_scans", &scans);
	if (rc)
		return rc;
	return scans >= state->window_scans + KSM_TUNE_WINDOW_SCANS;
}

/* ---- the state between runs -------------------------------------------- */

enum state_type { T_BOOL, T_U64, T_UINT, T_ULONG, T_PID, T_TEXT, T_ACTION };

#define FIELD(n, t)                                                 \
	{                                                           \
		.name = #n, .type = t,                              \
		.offset = offsetof(struct kvmops_ksm_tune_state, n) \
	}

static const struct state_field {
	const char *name;
	enum state_type type;
	size_t offset;
} state_fields[] = {
	FIELD(boot_id, T_TEXT),	      FIELD(at_ms, T_U64),
	FIELD(ksmd_pid, T_PID),	      FIELD(have_ksmd_cpu, T_BOOL),
	FIELD(ksmd_cpu_ms, T_U64),    FIELD(pages_scanned, T_U64),
	FIELD(guest_set, T_U64),      FIELD(qemu_processes, T_UINT),
	FIELD(npages, T_UINT),	      FIELD(window_open, T_BOOL),
	FIELD(window_scans, T_U64),   FIELD(window_sharing, T_U64),
	FIELD(backoff_left, T_UINT),  FIELD(backed_off, T_BOOL),
	FIELD(advisor_cap, T_U64),    FIELD(advisor_cap_from, T_U64),
	FIELD(advisor_armed, T_BOOL), FIELD(cycles, T_ULONG),
	FIELD(last, T_ACTION),
};

static void write_field(FILE *out, const struct kvmops_ksm_tune_state *st,
			const struct state_field *sf)
{
	const char *at = (const char *)st + sf->offset;

	fprintf(out, "%s ", sf->name);
	switch (sf->type) {
	case T_BOOL:
		fprintf(out, "%d\n", *(const bool *)at);
		break;
	case T_U64:
		fprintf(out, "%" PRIu64 "\n", *(const uint64_t *)at);
		break;
	case T_UINT:
		fprintf(out, "%u\n", *(const unsigned int *)at);
		break;
	case T_ULONG:
		fprintf(out, "%lu\n", *(const unsigned long *)at);
		break;
	case T_PID:
		fprintf(out, "%d\n", (int)*(const pid_t *)at);
		break;
	case T_TEXT:
		fprintf(out, "%s\n", at);
		break;
	case T_ACTION:
		fprintf(out, "%d\n",
			(int)*(const enum kvmops_ksm_tune_action *)at);
		break;
	}
}

static bool read_field(struct kvmops_ksm_tune_state *st,
		       const struct state_field *sf, const char *value)
{
	char *at = (char *)st + sf->offset;
	uint64_t v;

	if (sf->type == T_TEXT) {
		snprintf(at, sizeof(st->boot_id), "%s", value);
		return true;
	}
	if (kvmops_parse_u64(value, &v))
		return false;
	switch (sf->type) {
	case T_BOOL:
		*(bool *)at = v != 0;
		break;
	case T_U64:
		*(uint64_t *)at = v;
		break;
	case T_UINT:
		*(unsigned int *)at = (unsigned int)v;
		break;
	case T_ULONG:
		*(unsigned long *)at = (unsigned long)v;
		break;
	case T_PID:
		*(pid_t *)at = (pid_t)v;
		break;
	default:
		*(enum kvmops_ksm_tune_action *)at =
			(enum kvmops_ksm_tune_action)v;
		break;
	}
	return true;
}

/* "key value": unknown keys are a newer version's, and are skipped. */
static bool read_line(struct kvmops_ksm_tune_state *st, char *line)
{
	char *value = strchr(line, ' ');
	size_t i;

	line[strcspn(line, "\n")] = '\0';
	if (!value)
		return !*line;
	*value++ = '\0';
	for (i = 0; i < ARRAY_SIZE(state_fields); i++)
		if (!strcmp(state_fields[i].name, line))
			return read_field(st, &state_fields[i], value);
	return true;
}

KVMOPS_EXPORT int kvmops_ksm_tune_state_load(struct kvmops_ctx *ctx,
					     const char *path,
					     struct kvmops_ksm_tune_state *st)
{
	char line[256];
	bool ok;
	FILE *f;

	kvmops_clear_error(ctx);
	memset(st, 0, sizeof(*st));
	f = fopen(path, "re");
	if (!f && errno == ENOENT)
		return 0;
	if (!f)
		return kvmops_fail(ctx, -errno, "cannot read %s: %s", path,
				   strerror(errno));
	ok = fgets(line, sizeof(line), f) &&
	     !strncmp(line, STATE_MAGIC, strlen(STATE_MAGIC));
	while (ok && fgets(line, sizeof(line), f))
		ok = read_line(st, line);
	fclose(f);
	if (!ok) {
		memset(st, 0, sizeof(*st));
		return kvmops_fail_remedy(
			ctx, -EINVAL, "state",
			"%s is not a KSM tuner's state file: name another, or remove it to start afresh",
			path);
	}
	st->valid = true;
	return 0;
}

KVMOPS_EXPORT int
kvmops_ksm_tune_state_save(struct kvmops_ctx *ctx, const char *path,
			   const struct kvmops_ksm_tune_state *st)
{
	char tmp[PATH_MAX];
	size_t i;
	FILE *f;
	int rc = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return kvmops_fail(ctx, -ENAMETOOLONG, "%s: name too long",
				   path);
	f = fopen(tmp, "we");
	if (!f)
		return kvmops_fail(ctx, -errno, "cannot write %s: %s", tmp,
				   strerror(errno));
	fprintf(f, "%s\n", STATE_MAGIC);
	for (i = 0; i < ARRAY_SIZE(state_fields); i++)
		write_field(f, st, &state_fields[i]);
	if (fclose(f) || rename(tmp, path))
		rc = -errno;
	if (rc) {
		unlink(tmp);
		return kvmops_fail(ctx, rc, "cannot save %s: %s", path,
				   strerror(-rc));
	}
	return 0;
}

/* ---- the knobs as they were -------------------------------------------- */

KVMOPS_EXPORT int kvmops_ksm_knobs_read(struct kvmops_ctx *ctx,
					struct kvmops_ksm_knobs *k)
{
	struct kvmops_ksm_tune_figures f;
	int rc;

	memset(&f, 0, sizeof(f));
	rc = read_ksm_state(ctx, &f);
	if (rc)
		return rc;
	*k = (struct kvmops_ksm_knobs){
		.run = f.ksm.run,
		.pages_to_scan = f.pages_to_scan,
		.sleep_ms = f.sleep_ms,
		.have_advisor = f.have_advisor,
		.advisor_on = f.advisor_on,
		.advisor_max_cpu = f.advisor_max_cpu,
		.advisor_target_s = f.advisor_target_s,
		.advisor_max_pages = f.advisor_max_pages,
	};
	return 0;
}

KVMOPS_EXPORT int kvmops_ksm_knobs_restore(struct kvmops_ctx *ctx,
					   const struct kvmops_ksm_knobs *k)
{
	struct knob_writes w = { 0 };
	int rc;

	kvmops_clear_error(ctx);
	if (k->have_advisor) {
		add_number(&w, "advisor_max_cpu", k->advisor_max_cpu);
		add_number(&w, "advisor_target_scan_time", k->advisor_target_s);
		add_number(&w, "advisor_max_pages_to_scan",
			   k->advisor_max_pages);
		add_write(&w, "advisor_mode",
			  k->advisor_on ? "scan-time" : "none");
	}
	/* The advisor owns pages_to_scan while it is on. */
	if (!k->advisor_on)
		add_value(&w, "pages_to_scan", k->pages_to_scan);
	add_value(&w, "sleep_millisecs", k->sleep_ms);
	rc = kvmops_ksm_set(ctx, w.names, w.values, w.count);
	return rc ? rc : kvmops_ksm_set_run(ctx, k->run);
}
