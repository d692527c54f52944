/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The destinations kvm-migrate remembers for completion (dests.c): the
 * newest first, at most DESTS_MAX, in ~/.local/state/kvmops.
 */
#ifndef KVMOPS_CLI_MIGRATE_DESTS_H
#define KVMOPS_CLI_MIGRATE_DESTS_H

#include "shell/shell.h"

#define DESTS_MAX 20

/* Puts @uri first; never fails loudly (completion is a convenience). */
void dests_remember(const char *uri);
/* Adds every remembered destination to @out. */
void dests_complete(struct kvs_list *out);

#endif
