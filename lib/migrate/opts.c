// SPDX-License-Identifier: LGPL-2.1-or-later
/* A migration's options: one copy of them, and whether they fit together. */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "migrate/migrate.h"

void kvmops_migrate_opts_copy(const struct kvmops_migrate_opts *opts,
			      struct kvmops_migrate_opts *out)
{
	kvmops_copy_sized(out, sizeof(*out), opts);
	out->size = sizeof(*out);
}

static bool known_compress(const char *methods, char *bad, size_t len)
{
	static const char *const known[] = { "xbzrle", "mt", "zlib", "zstd" };
	char *copy = strdup(methods), *tok, *save = NULL;
	bool ok = copy != NULL;
	size_t i;

	for (tok = copy ? strtok_r(copy, ",", &save) : NULL; ok && tok;
	     tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < ARRAY_SIZE(known) && strcmp(tok, known[i]); i++)
			;
		if (i == ARRAY_SIZE(known)) {
			snprintf(bad, len, "%s", tok);
			ok = false;
		}
	}
	free(copy);
	return ok;
}

static int check_live_opts(struct kvmops_ctx *ctx,
			   const struct kvmops_migrate_opts *o)
{
	bool slow = o->compress && (strstr(o->compress, "zlib") ||
				    strstr(o->compress, "zstd"));
	char bad[64];

	if (o->keep_state || o->state_file || o->shutdown || o->force ||
	    o->start || o->delete_source_disks || o->pool)
		return kvmops_fail(
			ctx, -EINVAL,
			"keeping the memory, a state file, shutting down, forcing off, starting, deleting the source disks and a pool are for offline migration");
	if (o->kind == KVMOPS_MIGRATE_LIVE &&
	    o->copy_storage != KVMOPS_COPY_NONE)
		return kvmops_fail_remedy(
			ctx, -EINVAL, "copy_storage",
			"a live migration over shared storage copies no disks");
	if (o->kind == KVMOPS_MIGRATE_COPY_STORAGE &&
	    o->copy_storage == KVMOPS_COPY_NONE)
		return kvmops_fail_remedy(
			ctx, -EINVAL, "copy_storage",
			"a migration that copies the disks must copy all of them or their tops (inc)");
	if (o->postcopy_after_precopy && !o->postcopy)
		return kvmops_fail_remedy(
			ctx, -EINVAL, "postcopy",
			"switching to post-copy after the first pass needs post-copy allowed");
	if (o->on_timeout != KVMOPS_ON_TIMEOUT_ABORT && !o->timeout_s &&
	    !o->converge)
		return kvmops_fail_remedy(
			ctx, -EINVAL, "timeout_s",
			"an action on timeout needs a timeout");
	if (o->on_timeout == KVMOPS_ON_TIMEOUT_POSTCOPY && !o->postcopy)
		return kvmops_fail_remedy(
			ctx, -EINVAL, "postcopy",
			"switching to post-copy on timeout needs post-copy allowed");
	if (o->converge && o->max_downtime_ms)
		return kvmops_fail_remedy(
			ctx, -EINVAL, "max_downtime_ms",
			"under the convergence policy the downtime limit is the policy's: give the maximum in its configuration, not as a fixed limit");
	if (o->converge && kvmops_converge_config_check(ctx, o->converge))
		return -EINVAL;
	if (o->compress && *o->compress &&
	    !known_compress(o->compress, bad, sizeof(bad)))
		return kvmops_fail_remedy(
			ctx, -EINVAL, "compress",
			"unknown compression method '%s' (xbzrle, mt, zlib or zstd)",
			bad);
	if (slow && !o->parallel)
		return kvmops_fail_remedy(
			ctx, -EINVAL, "parallel",
			"zlib and zstd compression work on parallel connections only");
	return 0;
}

static int check_offline_opts(struct kvmops_ctx *ctx,
			      const struct kvmops_migrate_opts *o)
{
	if (o->copy_storage != KVMOPS_COPY_NONE || o->bandwidth_mib ||
	    o->max_downtime_ms || o->compress || o->parallel ||
	    o->auto_converge || o->postcopy || o->postcopy_after_precopy ||
	    o->tls || o->timeout_s || o->migrate_uri || o->listen_address ||
	    o->on_timeout != KVMOPS_ON_TIMEOUT_ABORT || o->converge)
		return kvmops_fail(
			ctx, -EINVAL,
			"live migration options (copying disks, bandwidth, downtime, compression, parallel connections, auto-converge, post-copy, TLS, a timeout, a migration URI, a listen address, a convergence policy) do not apply to offline migration");
	if (o->state_file && !o->keep_state)
		return kvmops_fail_remedy(
			ctx, -EINVAL, "keep_state",
			"a state file is only used when the guest's memory is kept");
	if (o->state_file && o->state_file[0] != '/')
		return kvmops_fail_remedy(
			ctx, -EINVAL, "state_file",
			"the state file must be an absolute path, not '%s'",
			o->state_file);
	if (o->keep_state && (o->shutdown || o->start))
		return kvmops_fail_remedy(
			ctx, -EINVAL, "shutdown,start",
			"a guest whose memory is kept moves running and resumes running: shutting it down or starting it does not apply");
	if (o->keep_state && o->dname)
		return kvmops_fail_remedy(
			ctx, -EINVAL, "dname",
			"a guest restored from its saved state keeps its name");
	if (o->force && !o->shutdown)
		return kvmops_fail_remedy(
			ctx, -EINVAL, "shutdown",
			"forcing a guest off goes with shutting it down");
	if (o->delete_source_disks && o->keep_source)
		return kvmops_fail_remedy(
			ctx, -EINVAL, "delete_source_disks,keep_source",
			"deleting the source disks and keeping the source definition contradict each other");
	return 0;
}

KVMOPS_EXPORT int
kvmops_migrate_opts_check(struct kvmops_ctx *ctx,
			  const struct kvmops_migrate_opts *opts)
{
	struct kvmops_migrate_opts o;

	kvmops_clear_error(ctx);
	if (!opts ||
	    opts->size < offsetof(struct kvmops_migrate_opts, bandwidth_mib))
		return kvmops_fail(ctx, -EINVAL,
				   "no migration options (or .size unset)");
	kvmops_migrate_opts_copy(opts, &o);
	if (o.dname && (!*o.dname || strchr(o.dname, '/')))
		return kvmops_fail_remedy(ctx, -EINVAL, "dname",
					  "'%s' is not a domain name", o.dname);
	if (o.migrate_uri && !strstr(o.migrate_uri, "://"))
		return kvmops_fail_remedy(
			ctx, -EINVAL, "migrate_uri",
			"'%s' is not a URI such as tcp://HOST[:PORT]",
			o.migrate_uri);
	if (o.listen_address && !*o.listen_address)
		return kvmops_fail_remedy(ctx, -EINVAL, "listen_address",
					  "the listen address is empty");
	switch (o.kind) {
	case KVMOPS_MIGRATE_LIVE:
	case KVMOPS_MIGRATE_COPY_STORAGE:
		return check_live_opts(ctx, &o);
	case KVMOPS_MIGRATE_OFFLINE:
		return check_offline_opts(ctx, &o);
	}
	return kvmops_fail(ctx, -EINVAL, "unknown kind of migration %d",
			   (int)o.kind);
}
