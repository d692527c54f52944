// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kvm-balloon auto's settings: the defaults, then a config file of
 * KEY=VALUE lines with the options' names, then the command line.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "balloon/auto.h"

#ifndef KVMOPS_SYSCONFDIR
#define KVMOPS_SYSCONFDIR "/etc"
#endif
#define DEFAULT_CONFIG KVMOPS_SYSCONFDIR "/kvmops/balloon-auto.conf"

static int set_interval(void *settings, const char *text, const char **expected)
{
	struct auto_settings *s = settings;
	uint64_t v;

	*expected = "whole seconds from 1 to 86400";
	if (kvs_whole(text, 1, 86400, &v))
		return -EINVAL;
	s->interval_s = (unsigned int)v;
	return 0;
}

static int set_target(void *settings, const char *text, const char **expected)
{
	struct auto_settings *s = settings;
	uint64_t v;

	*expected = "a whole percent of the budget from 1% to 100%";
	if (kvs_percent(text, 1, &v))
		return -EINVAL;
	s->cfg.target_percent = (unsigned int)v;
	return 0;
}

static int set_psi(void *settings, const char *text, const char **expected)
{
	struct auto_settings *s = settings;
	char *end;
	double v;

	*expected = "PSI's some avg10, a number from 0 to 100";
	errno = 0;
	v = strtod(text, &end);
	if (errno || end == text || *end || !(v >= 0 && v <= 100))
		return -EINVAL;
	s->cfg.psi_some_avg10 = v;
	return 0;
}

/* A size of at least @min_kib (SIZE as kvmops_size_parse reads it). */
static int size_kib(const char *text, uint64_t min_kib, uint64_t *kib)
{
	struct kvmops_size size;

	if (!strcmp(text, "0")) {
		*kib = 0;
		return min_kib ? -EINVAL : 0;
	}
	if (kvs_size_or_percent(text, &size) ||
	    size.kind != KVMOPS_SIZE_ABSOLUTE)
		return -EINVAL;
	*kib = size.kib;
	return *kib < min_kib ? -EINVAL : 0;
}

static int set_max_step(void *settings, const char *text, const char **expected)
{
	struct auto_settings *s = settings;

	*expected = "a size of at least 1 MiB (64M)";
	return size_kib(text, 1024, &s->cfg.max_step_kib);
}

static int set_deadband(void *settings, const char *text, const char **expected)
{
	struct auto_settings *s = settings;

	*expected = "a size (16M; 0 for none)";
	return size_kib(text, 0, &s->cfg.deadband_kib);
}

static int add_share(struct auto_settings *s, char *pair)
{
	char *eq = strchr(pair, '=');
	uint64_t v;
	size_t i;

	if (!eq || eq == pair || kvs_whole(eq + 1, 1, 1000000, &v))
		return -EINVAL;
	*eq = '\0';
	for (i = 0; i < s->nshares; i++)
		if (!strcmp(s->shares[i].domain, pair))
			break;
	if (i == AUTO_MAX_SHARES || strlen(pair) >= sizeof(s->shares[i].domain))
		return -EINVAL;
	snprintf(s->shares[i].domain, sizeof(s->shares[i].domain), "%s", pair);
	s->shares[i].share = (unsigned int)v;
	if (i == s->nshares)
		s->nshares++;
	return 0;
}

/* DOMAIN=N[,DOMAIN=N...]; given again, a domain takes the later share. */
static int set_shares(void *settings, const char *text, const char **expected)
{
	char buf[4096], *pair, *save = NULL;

	*expected =
		"DOMAIN=N pairs, N from 1 to 1000000, split by commas (web=2000,db=500)";
	if (!*text || strlen(text) >= sizeof(buf))
		return -EINVAL;
	snprintf(buf, sizeof(buf), "%s", text);
	for (pair = strtok_r(buf, ",", &save); pair;
	     pair = strtok_r(NULL, ",", &save))
		if (add_share(settings, pair))
			return -EINVAL;
	return 0;
}

static int set_path(char *dst, size_t len, const char *text)
{
	if (!*text || strlen(text) >= len)
		return -EINVAL;
	snprintf(dst, len, "%s", text);
	return 0;
}

static int set_cgroup(void *settings, const char *text, const char **expected)
{
	struct auto_settings *s = settings;

	*expected = "a cgroup's path under /sys/fs/cgroup (machine.slice)";
	return set_path(s->cgroup, sizeof(s->cgroup), text);
}

static int set_prom(void *settings, const char *text, const char **expected)
{
	struct auto_settings *s = settings;

	*expected = "a file's path";
	return set_path(s->prom_path, sizeof(s->prom_path), text);
}

static int yes_no(const char *text, bool *v)
{
	if (!strcmp(text, "yes") || !strcmp(text, "1") || !strcmp(text, "true"))
		*v = true;
	else if (!strcmp(text, "no") || !strcmp(text, "0") ||
		 !strcmp(text, "false"))
		*v = false;
	else
		return -EINVAL;
	return 0;
}

static int set_no_set_period(void *settings, const char *text,
			     const char **expected)
{
	struct auto_settings *s = settings;

	*expected = "yes or no";
	return yes_no(text, &s->no_set_period);
}

static int set_syslog(void *settings, const char *text, const char **expected)
{
	struct auto_settings *s = settings;

	*expected = "yes or no";
	return yes_no(text, &s->syslog);
}

static const struct kvs_setting settings[] = {
	{ .key = "interval", .set = set_interval, .option = true },
	{ .key = "cgroup", .set = set_cgroup, .option = true },
	{ .key = "target", .set = set_target, .option = true },
	{ .key = "psi", .set = set_psi, .option = true },
	{ .key = "max-step", .set = set_max_step, .option = true },
	{ .key = "deadband", .set = set_deadband, .option = true },
	{ .key = "shares", .set = set_shares, .option = true },
	{ .key = "prometheus-file", .set = set_prom, .option = true },
	{ .key = "no-set-period",
	  .set = set_no_set_period,
	  .option = true,
	  .flag = true },
	{ .key = "syslog", .set = set_syslog, .option = true, .flag = true },
};

unsigned int auto_share_of(const struct auto_settings *s, const char *domain)
{
	size_t i;

	for (i = 0; i < s->nshares; i++)
		if (!strcmp(s->shares[i].domain, domain))
			return s->shares[i].share;
	return 0;
}

int auto_settings_load(const struct kvs_call *call, struct auto_settings *s)
{
	int rc;

	memset(s, 0, sizeof(*s));
	kvmops_balloon_auto_defaults(&s->cfg);
	s->interval_s = 10;
	rc = kvs_config_load(call, settings, ARRAY_LEN(settings),
			     DEFAULT_CONFIG, s, s->config_path,
			     sizeof(s->config_path));
	if (!rc && kvmops_balloon_auto_config_check(call->st->ctx, &s->cfg))
		rc = kvs_lib_error(call, -EINVAL);
	return rc;
}

const struct kvs_opt balloon_auto_opts[] = {
	KVS_LOOP_OPTS("10", "KEY=VALUE settings (default " DEFAULT_CONFIG ")"),
	{ .name = "cgroup",
	  .arg = "PATH",
	  .field = "cgroup",
	  .help = "the guests' budget is this memory cgroup's (machine.slice), not the host's" },
	{ .name = "target",
	  .arg = "PCT",
	  .field = "target_percent",
	  .help = "use above this share of the budget is pressure (default 80%)" },
	{ .name = "psi",
	  .arg = "N",
	  .field = "psi_some_avg10",
	  .help = "memory PSI some avg10 above this is pressure (default 10)" },
	{ .name = "max-step",
	  .arg = "SIZE",
	  .field = "max_step_kib",
	  .help = "most a balloon moves per cycle (default max(5% of it, 64M))" },
	{ .name = "deadband",
	  .arg = "SIZE",
	  .field = "deadband_kib",
	  .help = "smaller changes are not made (default 16M)" },
	{ .name = "shares",
	  .arg = "DOMAIN=N,...",
	  .repeats = true,
	  .field = "default_share",
	  .help = "guests' shares (default 1000 each; repeatable): more share, squeezed later" },
	{ .name = "no-set-period",
	  .help = "do not set a stats period on guests that have none" },
	KVS_LOOP_OUTPUT_OPTS,
	{ 0 },
};
