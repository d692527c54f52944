/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kvm-balloon auto: its settings, from the defaults, the config file and
 * the options (settings.c), and the loop around the library's policy
 * (auto.c). The policy itself is lib/policy/balloon-auto.c.
 */
#ifndef KVMOPS_CLI_BALLOON_AUTO_H
#define KVMOPS_CLI_BALLOON_AUTO_H

#include <limits.h>

#include "shell/shell.h"

#define AUTO_MAX_SHARES 64
#define AUTO_STATS_PERIOD_S 5 /* set on running guests that have none */

struct auto_share {
	char domain[256];
	unsigned int share;
};

struct auto_settings {
	struct kvmops_balloon_auto_config cfg;
	unsigned int interval_s;
	char cgroup[PATH_MAX]; /* "" for the whole host */
	char config_path[PATH_MAX]; /* the file read; "" for none */
	char prom_path[PATH_MAX]; /* "" for none */
	struct auto_share shares[AUTO_MAX_SHARES];
	size_t nshares;
	bool no_set_period, syslog;
};

/*
 * The defaults, then the config file (--config, or the default one if it
 * exists), then @call's options. KVS_USAGE after saying what is wrong:
 * the file, line and key, or the option.
 */
int auto_settings_load(const struct kvs_call *call, struct auto_settings *s);

/* A domain's share: from --shares, else 0 (the default share). */
unsigned int auto_share_of(const struct auto_settings *s, const char *domain);

extern const struct kvs_opt balloon_auto_opts[];
int balloon_cmd_auto(struct kvs_call *call);

#endif
