// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kvm-ksm tune's settings: the defaults, then a config file of KEY=VALUE
 * lines (the options' names, or ksmtuned's variables, so that ksmtuned's
 * own ksmtuned.conf carries over), then the command line's options.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ksm/tune.h"

#ifndef KVMOPS_SYSCONFDIR
#define KVMOPS_SYSCONFDIR "/etc"
#endif
#define DEFAULT_CONFIG KVMOPS_SYSCONFDIR "/kvmops/ksm-tune.conf"

static int set_interval(void *settings, const char *text, const char **expected)
{
	struct tune_settings *s = settings;
	uint64_t v;

	*expected = "whole seconds from 1 to 86400";
	if (kvs_whole(text, 1, 86400, &v))
		return -EINVAL;
	s->interval_s = (unsigned int)v;
	return 0;
}

static int set_max_cpu(void *settings, const char *text, const char **expected)
{
	struct tune_settings *s = settings;
	uint64_t v;

	*expected = "a percent of one CPU from 1% to 100%";
	if (kvs_percent(text, 1, &v))
		return -EINVAL;
	s->cfg.max_cpu_percent = (unsigned int)v;
	return 0;
}

static int set_scan_time(void *settings, const char *text,
			 const char **expected)
{
	struct tune_settings *s = settings;
	uint64_t v;

	*expected = "whole seconds from 1 to 86400";
	if (kvs_whole(text, 1, 86400, &v))
		return -EINVAL;
	s->cfg.scan_time_s = (unsigned int)v;
	return 0;
}

/* PCT: that share of MemTotal, with the floor kept; SIZE: that size. */
static int set_threshold(void *settings, const char *text,
			 const char **expected)
{
	struct tune_settings *s = settings;
	struct kvmops_size size;

	*expected = "a whole percent of the host's memory (20%) or a size (4G)";
	if (kvs_size_or_percent(text, &size))
		return -EINVAL;
	if (size.kind == KVMOPS_SIZE_PERCENT) {
		if (size.basis_points % 100 || size.basis_points > 10000)
			return -EINVAL;
		s->cfg.threshold_percent = size.basis_points / 100;
		return 0;
	}
	s->cfg.threshold_percent = 0;
	s->cfg.threshold_min_kib = size.kib;
	return 0;
}

static int set_min_gain(void *settings, const char *text, const char **expected)
{
	struct tune_settings *s = settings;
	struct kvmops_size size;

	*expected = "a percent of guest memory (1%, 0.5%) or a size (64M)";
	if (kvs_size_or_percent(text, &size))
		return -EINVAL;
	if (size.kind == KVMOPS_SIZE_PERCENT) {
		if (size.basis_points > 10000)
			return -EINVAL;
		s->cfg.min_gain_basis_points = size.basis_points;
		s->cfg.min_gain_kib = 0;
		return 0;
	}
	s->cfg.min_gain_kib = size.kib ? size.kib : 1;
	return 0;
}

static int set_backoff(void *settings, const char *text, const char **expected)
{
	struct tune_settings *s = settings;
	uint64_t v;

	*expected = "a whole number of cycles from 1 to 100000";
	if (kvs_whole(text, 1, 100000, &v))
		return -EINVAL;
	s->cfg.backoff_cycles = (unsigned int)v;
	return 0;
}

static int set_path(char *dst, size_t len, const char *text,
		    const char **expected)
{
	*expected = "a file name";
	if (!*text || strlen(text) >= len)
		return -EINVAL;
	snprintf(dst, len, "%s", text);
	return 0;
}

static int set_state(void *settings, const char *text, const char **expected)
{
	struct tune_settings *s = settings;

	return set_path(s->state_path, sizeof(s->state_path), text, expected);
}

static int set_prom(void *settings, const char *text, const char **expected)
{
	struct tune_settings *s = settings;

	return set_path(s->prom_path, sizeof(s->prom_path), text, expected);
}

static int boolean(const char *text, bool *v, const char **expected)
{
	static const char *const yes[] = { "1", "yes", "true", "on" };
	static const char *const no[] = { "0", "no", "false", "off" };
	size_t i;

	*expected = "yes or no";
	for (i = 0; i < 4; i++) {
		if (!strcasecmp(text, yes[i]) || !strcasecmp(text, no[i])) {
			*v = !strcasecmp(text, yes[i]);
			return 0;
		}
	}
	return -EINVAL;
}

static int set_syslog(void *settings, const char *text, const char **expected)
{
	struct tune_settings *s = settings;

	return boolean(text, &s->syslog, expected);
}

static int set_restore(void *settings, const char *text, const char **expected)
{
	struct tune_settings *s = settings;

	return boolean(text, &s->restore_on_exit, expected);
}

static int set_no_advisor(void *settings, const char *text,
			  const char **expected)
{
	struct tune_settings *s = settings;

	return boolean(text, &s->cfg.no_advisor, expected);
}

/* ---- ksmtuned's variables ---------------------------------------------- */

static int set_boost(void *settings, const char *text, const char **expected)
{
	struct tune_settings *s = settings;
	uint64_t v;

	*expected = "a whole number of pages from 0 to 100000";
	if (kvs_whole(text, 0, 100000, &v))
		return -EINVAL;
	s->cfg.npages_boost = (unsigned int)v;
	return 0;
}

/* ksmtuned adds it: its -50 lowers pages_to_scan by 50. */
static int set_decay(void *settings, const char *text, const char **expected)
{
	struct tune_settings *s = settings;
	long v;

	*expected =
		"a whole number of pages from -100000 to 100000 (ksmtuned's is -50)";
	if (kvs_signed_whole(text, -100000, 100000, &v))
		return -EINVAL;
	s->cfg.npages_decay = (int)v;
	return 0;
}

static int set_npages_min(void *settings, const char *text,
			  const char **expected)
{
	struct tune_settings *s = settings;
	uint64_t v;

	*expected = "a whole number of pages from 1 to 4294967295";
	if (kvs_whole(text, 1, UINT32_MAX, &v))
		return -EINVAL;
	s->cfg.npages_min = (unsigned int)v;
	return 0;
}

static int set_npages_max(void *settings, const char *text,
			  const char **expected)
{
	struct tune_settings *s = settings;
	uint64_t v;

	*expected = "a whole number of pages from 1 to 4294967295";
	if (kvs_whole(text, 1, UINT32_MAX, &v))
		return -EINVAL;
	s->cfg.npages_max = (unsigned int)v;
	return 0;
}

static int set_thres_coef(void *settings, const char *text,
			  const char **expected)
{
	struct tune_settings *s = settings;
	uint64_t v;

	*expected = "a whole percent from 0 to 100";
	if (kvs_whole(text, 0, 100, &v))
		return -EINVAL;
	s->cfg.threshold_percent = (unsigned int)v;
	return 0;
}

static int set_thres_const(void *settings, const char *text,
			   const char **expected)
{
	struct tune_settings *s = settings;
	uint64_t v;

	*expected = "a whole number of KiB";
	if (kvs_whole(text, 0, UINT64_MAX / 1024, &v))
		return -EINVAL;
	s->cfg.threshold_min_kib = v;
	return 0;
}

static int set_sleep(void *settings, const char *text, const char **expected)
{
	struct tune_settings *s = settings;
	uint64_t v;

	*expected = "whole milliseconds from 0 to 100000";
	if (kvs_whole(text, 0, 100000, &v))
		return -EINVAL;
	s->cfg.sleep_ms_16g = (unsigned int)v;
	return 0;
}

/* ksmtuned's logging: kvm-ksm tune logs to stderr, or to syslog. */
static int set_ignored(void *settings, const char *text, const char **expected)
{
	return 0;
}

/* ---- the table --------------------------------------------------------- */

static const struct kvs_setting settings[] = {
	{ .key = "interval", .set = set_interval, .option = true },
	{ .key = "max-cpu", .set = set_max_cpu, .option = true },
	{ .key = "scan-time", .set = set_scan_time, .option = true },
	{ .key = "threshold", .set = set_threshold, .option = true },
	{ .key = "min-gain", .set = set_min_gain, .option = true },
	{ .key = "backoff", .set = set_backoff, .option = true },
	{ .key = "state", .set = set_state, .option = true },
	{ .key = "prometheus-file", .set = set_prom, .option = true },
	{ .key = "no-advisor",
	  .set = set_no_advisor,
	  .option = true,
	  .flag = true },
	{ .key = "syslog", .set = set_syslog, .option = true, .flag = true },
	{ .key = "restore-on-exit",
	  .set = set_restore,
	  .option = true,
	  .flag = true },
	{ .key = "KSM_MONITOR_INTERVAL", .set = set_interval },
	{ .key = "KSM_NPAGES_BOOST", .set = set_boost },
	{ .key = "KSM_NPAGES_DECAY", .set = set_decay },
	{ .key = "KSM_NPAGES_MIN", .set = set_npages_min },
	{ .key = "KSM_NPAGES_MAX", .set = set_npages_max },
	{ .key = "KSM_THRES_COEF", .set = set_thres_coef },
	{ .key = "KSM_THRES_CONST", .set = set_thres_const },
	{ .key = "KSM_SLEEP_MSEC", .set = set_sleep },
	{ .key = "LOGFILE", .set = set_ignored, .ignored = true },
	{ .key = "DEBUG", .set = set_ignored, .ignored = true },
};

int tune_default_state_path(char *path, size_t len)
{
	const char *xdg = getenv("XDG_STATE_HOME");
	char *file;

	if ((!xdg || *xdg != '/') && geteuid() == 0) {
		snprintf(path, len, "/var/lib/kvmops/ksm-tune.state");
		return 0;
	}
	file = kvs_state_file("ksm-tune.state");
	if (!file)
		return -ENOENT;
	snprintf(path, len, "%s", file);
	free(file);
	return 0;
}

int tune_settings_load(const struct kvs_call *call, struct tune_settings *s)
{
	int rc;

	memset(s, 0, sizeof(*s));
	kvmops_ksm_tune_defaults(&s->cfg);
	s->interval_s = 60;
	rc = kvs_config_load(call, settings, ARRAY_LEN(settings),
			     DEFAULT_CONFIG, s, s->config_path,
			     sizeof(s->config_path));
	if (!rc && kvmops_ksm_tune_config_check(call->st->ctx, &s->cfg))
		rc = kvs_lib_error(call, -EINVAL);
	return rc;
}

/* ---- the option table ------------------------------------------------------ */

const struct kvs_opt ksm_tune_opts[] = {
	KVS_LOOP_OPTS("60", "KEY=VALUE settings (default " DEFAULT_CONFIG
			    "); ksmtuned.conf is read too"),
	{ .name = "state",
	  .arg = "FILE",
	  .complete = kvs_complete_files,
	  .field = "state",
	  .help = "what carries between cycles (default: see the man page)" },
	{ .name = "max-cpu",
	  .arg = "PCT",
	  .field = "max_cpu_percent",
	  .help = "most of one CPU ksmd may use (default 25%)" },
	{ .name = "scan-time",
	  .arg = "S",
	  .field = "scan_time_s",
	  .help = "the advisor's target for one full scan (default 200)" },
	{ .name = "threshold",
	  .arg = "PCT|SIZE",
	  .field = "threshold_percent,threshold_min_kib",
	  .help = "KSM is needed below this much MemAvailable (default 20%)" },
	{ .name = "min-gain",
	  .arg = "PCT|SIZE",
	  .field = "min_gain_basis_points,min_gain_kib",
	  .help = "less saved over two full scans stops ksmd (default 1% of guest memory)" },
	{ .name = "backoff",
	  .arg = "N",
	  .field = "backoff_cycles",
	  .help = "cycles ksmd stays stopped after that (default 10)" },
	{ .name = "no-advisor",
	  .field = "no_advisor",
	  .help = "ksmtuned's speed rules even where the kernel has its advisor" },
	KVS_LOOP_OUTPUT_OPTS,
	{ .name = "restore-on-exit",
	  .conflicts = "once",
	  .help = "put the knobs back as they were when the loop ends" },
	{ 0 },
};
