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

/*
 * Reads the TRANSFER_OPTS of @call into @o (its other fields untouched):
 * KVS_USAGE, said, for a bad value.
 */
int transfer_opts(const struct kvs_call *call, struct kvmops_migrate_opts *o);

/* For an option table: the options transfer_opts() reads. */
/* clang-format off */
#define TRANSFER_OPTS                                                         \
	{ .name = "bandwidth", .arg = "MIB",                                  \
	  .help = "cap the transfer at MIB MiB/s" },                          \
	{ .name = "max-downtime", .arg = "MS",                                \
	  .help = "the longest pause allowed at the end, in ms" },            \
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
	  .help = "act after S seconds (see --on-timeout)" },                 \
	{ .name = "on-timeout", .arg = "ACTION", .needs = "timeout",          \
	  .complete = transfer_complete_on_timeout,                           \
	  .help = "abort (default), suspend or postcopy" }
/* clang-format on */

#endif
