/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kvm-ksm tune: its settings, from the defaults, the config file and the
 * options (settings.c), and the loop around the library's policy
 * (tune.c). The policy itself is lib/policy/ksm-tune.c.
 */
#ifndef KVMOPS_CLI_KSM_TUNE_H
#define KVMOPS_CLI_KSM_TUNE_H

#include <limits.h>

#include "shell/shell.h"

struct tune_settings {
	struct kvmops_ksm_tune_config cfg;
	unsigned int interval_s;
	char config_path[PATH_MAX]; /* the file read; "" for none */
	char state_path[PATH_MAX]; /* "" until resolved: the default */
	char prom_path[PATH_MAX]; /* "" for none */
	bool syslog, restore_on_exit;
};

/*
 * The defaults, then the config file (--config, or the default one if it
 * exists), then @call's options. KVS_USAGE after printing what is wrong:
 * the file, line and key, or the option.
 */
int tune_settings_load(const struct kvs_call *call, struct tune_settings *s);

/* Where the state lives unless told: XDG_STATE_HOME, or /var/lib as root. */
int tune_default_state_path(char *path, size_t len);

extern const struct kvs_opt ksm_tune_opts[];
int ksm_cmd_tune(struct kvs_call *call);

#endif
