/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * How a live migration's data moves (transfer.c): the options that
 * `kvm-migrate live` shares with evacuate and balance, where they apply
 * to every move.
 */
#ifndef KVMOPS_CLI_MIGRATE_TRANSFER_H
#define KVMOPS_CLI_MIGRATE_TRANSFER_H

#include "shell/shell.h"

void transfer_complete_compress(struct kvs_state *st, const char *prefix,
				struct kvs_list *out);
void transfer_complete_on_timeout(struct kvs_state *st, const char *prefix,
				  struct kvs_list *out);
void transfer_complete_converge(struct kvs_state *st, const char *prefix,
				struct kvs_list *out);
void transfer_complete_allow(struct kvs_state *st, const char *prefix,
			     struct kvs_list *out);

/*
 * Reads the TRANSFER_OPTS of @call into @o (its other fields untouched)
 * and, under --converge auto (the default), the policy's limits into
 * @converge, which @o then points at: KVS_USAGE, said, for a bad value.
 */
int transfer_opts(const struct kvs_call *call, struct kvmops_migrate_opts *o,
		  struct kvmops_converge_config *converge);

/* For an option table: the options transfer_opts() reads. */
/* clang-format off */
#define TRANSFER_OPTS                                                         \
	{ .name = "bandwidth", .arg = "MIB",                                  \
	  .help = "cap the transfer at MIB MiB/s" },                          \
	{ .name = "max-downtime", .arg = "MS", .field = "max_downtime_ms",    \
	  .help = "the longest pause allowed at the end, in ms "             \
		  "(converge auto: 500)" },                                   \
	{ .name = "converge", .arg = "auto|off",                              \
	  .complete = transfer_complete_converge,                             \
	  .help = "auto (default): the convergence policy steers the move; "  \
		  "off: fixed options only" },                                \
	{ .name = "allow", .arg = "LIST", .field = "allow",                   \
	  .complete = transfer_complete_allow,                                \
	  .help = "what the policy may use: auto-converge (default), "        \
		  "postcopy, suspend, comma-separated; or none" },            \
	{ .name = "progress-window", .arg = "N[,Ss]",                         \
	  .field = "window_passes",                                           \
	  .help = "judge progress over N passes or S seconds, "               \
		  "whichever comes first (3,20s)" },                          \
	{ .name = "compress", .arg = "[=METHODS]", .field = "compress",       \
	  .complete = transfer_complete_compress,                             \
	  .help = "compress: xbzrle (default), mt, zlib, zstd; "              \
		  "comma-separated" },                                        \
	{ .name = "parallel", .arg = "N", .field = "parallel",                \
	  .help = "send over N connections" },                                \
	{ .name = "auto-converge",                                            \
	  .help = "slow the guest's vCPUs when it dirties memory too fast" }, \
	{ .name = "postcopy", .field = "postcopy",                            \
	  .help = "allow switching to post-copy" },                           \
	{ .name = "postcopy-after-precopy", .needs = "postcopy",              \
	  .field = "postcopy_after_precopy",                                  \
	  .help = "switch to post-copy after the first pass" },               \
	{ .name = "tls", .help = "encrypt the migration stream with TLS" },   \
	{ .name = "timeout", .arg = "S", .field = "timeout_s",                \
	  .help = "act after S seconds (see --on-timeout; converge auto: "    \
		  "150 per GiB of memory, at least 60)" },                    \
	{ .name = "on-timeout", .arg = "ACTION", .needs = "timeout",          \
	  .complete = transfer_complete_on_timeout,                           \
	  .help = "abort (default), suspend or postcopy" }
/* clang-format on */

#endif
