// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * kvmops_migrate_opts_check: which options fit together, in the
 * library's own terms (lib/migrate/opts.c).
 */
#include "fake-hosts.h"

/*
 * -EINVAL, with each of the NULL-terminated words in the message; a word
 * "=field" is instead among the options that fix it (the remedy). The
 * message speaks the library's terms: never a command-line flag.
 */
static void refused(struct kvmops_ctx *ctx, const struct kvmops_migrate_opts *o,
		    ...)
{
	const char *word;
	va_list ap;

	kvmops_clear_error(ctx);
	assert_int_equal(kvmops_migrate_opts_check(ctx, o), -EINVAL);
	if (strstr(kvmops_last_error(ctx), "--"))
		fail_msg("a flag in the library's message: %s",
			 kvmops_last_error(ctx));
	va_start(ap, o);
	while ((word = va_arg(ap, const char *))) {
		if (*word == '=')
			assert_in_remedy(ctx, word + 1);
		else
			assert_in_error(ctx, word);
	}
	va_end(ap);
}

static void accepted(struct kvmops_ctx *ctx,
		     const struct kvmops_migrate_opts *o)
{
	int rc = kvmops_migrate_opts_check(ctx, o);

	if (rc)
		fail_msg("refused (%d): %s", rc, kvmops_last_error(ctx));
}

static void test_opts_valid(void **state)
{
	struct kvmops_ctx *ctx = *state;
	struct kvmops_migrate_opts o = live_opts();

	accepted(ctx, &o);
	/* Every live option at once. */
	o.dname = "g2";
	o.migrate_uri = "tcp://10.0.0.2:49152";
	o.listen_address = "10.0.0.2";
	o.keep_source = true;
	o.unsafe = true;
	o.bandwidth_mib = 100;
	o.max_downtime_ms = 300;
	o.compress = "xbzrle,zstd";
	o.parallel = 4;
	o.auto_converge = true;
	o.postcopy = true;
	o.postcopy_after_precopy = true;
	o.tls = true;
	o.timeout_s = 60;
	o.on_timeout = KVMOPS_ON_TIMEOUT_POSTCOPY;
	accepted(ctx, &o);
	o.compress = "";
	o.parallel = 0;
	accepted(ctx, &o);
	o.compress = "mt,xbzrle";
	accepted(ctx, &o);
	o.on_timeout = KVMOPS_ON_TIMEOUT_SUSPEND;
	o.postcopy = o.postcopy_after_precopy = false;
	accepted(ctx, &o);

	o = copy_opts(KVMOPS_COPY_ALL);
	accepted(ctx, &o);
	o = copy_opts(KVMOPS_COPY_INC);
	o.bandwidth_mib = 50;
	accepted(ctx, &o);

	o = offline_opts();
	accepted(ctx, &o);
	o.dname = "g2";
	o.shutdown = true;
	o.shutdown_timeout_s = 30;
	o.force = true;
	o.start = true;
	o.delete_source_disks = true;
	o.pool = "big";
	accepted(ctx, &o);
	o = offline_opts();
	o.keep_state = true;
	o.state_file = "/shared/g1.save";
	o.keep_source = true;
	accepted(ctx, &o);
}

static void test_opts_offline_only_refused_live(void **state)
{
	struct kvmops_ctx *ctx = *state;
	static const enum kvmops_migrate_kind kinds[] = {
		KVMOPS_MIGRATE_LIVE, KVMOPS_MIGRATE_COPY_STORAGE
	};
	struct kvmops_migrate_opts o;
	size_t k;

	for (k = 0; k < ARRAY_SIZE(kinds); k++) {
		struct kvmops_migrate_opts base = live_opts();

		base.kind = kinds[k];
		base.copy_storage = kinds[k] == KVMOPS_MIGRATE_LIVE ?
					    KVMOPS_COPY_NONE :
					    KVMOPS_COPY_ALL;
		accepted(ctx, &base);
		o = base;
		o.keep_state = true;
		refused(ctx, &o, "keeping the memory", "offline", NULL);
		o = base;
		o.state_file = "/shared/g1.save";
		refused(ctx, &o, "a state file", NULL);
		o = base;
		o.shutdown = true;
		refused(ctx, &o, "shutting down", NULL);
		o = base;
		o.force = true;
		refused(ctx, &o, "forcing off", NULL);
		o = base;
		o.start = true;
		refused(ctx, &o, "starting", NULL);
		o = base;
		o.delete_source_disks = true;
		refused(ctx, &o, "deleting the source disks", NULL);
		o = base;
		o.pool = "big";
		refused(ctx, &o, "a pool", NULL);
	}
}

static void test_opts_live_only_refused_offline(void **state)
{
	struct kvmops_ctx *ctx = *state;
	const struct kvmops_migrate_opts base = offline_opts();
	struct kvmops_migrate_opts o;

	o = base;
	o.bandwidth_mib = 10;
	refused(ctx, &o, "bandwidth", "offline", NULL);
	o = base;
	o.compress = "xbzrle";
	refused(ctx, &o, "compression", NULL);
	o = base;
	o.compress = ""; /* the default methods are still compression */
	refused(ctx, &o, "compression", NULL);
	o = base;
	o.postcopy = true;
	refused(ctx, &o, "post-copy", NULL);
	o = base;
	o.postcopy_after_precopy = true;
	refused(ctx, &o, "post-copy", NULL);
	o = base;
	o.tls = true;
	refused(ctx, &o, "TLS", NULL);
	o = base;
	o.timeout_s = 30;
	refused(ctx, &o, "a timeout", NULL);
	o = base;
	o.migrate_uri = "tcp://10.0.0.2";
	refused(ctx, &o, "a migration URI", NULL);
	o = base;
	o.listen_address = "10.0.0.2";
	refused(ctx, &o, "a listen address", NULL);
	o = base;
	o.max_downtime_ms = 100;
	refused(ctx, &o, "downtime", NULL);
	o = base;
	o.parallel = 2;
	refused(ctx, &o, "parallel connections", NULL);
	o = base;
	o.auto_converge = true;
	refused(ctx, &o, "auto-converge", NULL);
	o = base;
	o.copy_storage = KVMOPS_COPY_ALL;
	refused(ctx, &o, "copying disks", NULL);
}

static void test_opts_live_pairs(void **state)
{
	struct kvmops_ctx *ctx = *state;
	struct kvmops_migrate_opts o;

	o = live_opts();
	o.copy_storage = KVMOPS_COPY_ALL;
	refused(ctx, &o, "copies no disks", NULL);
	o = live_opts();
	o.copy_storage = KVMOPS_COPY_INC;
	refused(ctx, &o, "copies no disks", NULL);
	o = copy_opts(KVMOPS_COPY_NONE);
	refused(ctx, &o, "all of them or their tops", "=copy_storage", NULL);

	o = live_opts();
	o.postcopy_after_precopy = true;
	refused(ctx, &o, "after the first pass", "post-copy allowed",
		"=postcopy", NULL);

	o = live_opts();
	o.on_timeout = KVMOPS_ON_TIMEOUT_SUSPEND;
	refused(ctx, &o, "an action on timeout", "=timeout_s", NULL);
	o.on_timeout = KVMOPS_ON_TIMEOUT_POSTCOPY;
	refused(ctx, &o, "an action on timeout", "=timeout_s", NULL);
	o.timeout_s = 10;
	refused(ctx, &o, "post-copy on timeout", "=postcopy", NULL);
	o.postcopy = true;
	accepted(ctx, &o);
}

static void test_opts_compress(void **state)
{
	struct kvmops_ctx *ctx = *state;
	struct kvmops_migrate_opts o = live_opts();

	o.compress = "lz4";
	refused(ctx, &o, "compression", "'lz4'", "=compress", NULL);
	o.compress = "xbzrle,snappy";
	refused(ctx, &o, "compression", "'snappy'", "=compress", NULL);
	o.parallel = 2;
	refused(ctx, &o, "'snappy'", NULL);

	o = live_opts();
	o.compress = "zlib";
	refused(ctx, &o, "zlib", "parallel connections", "=parallel", NULL);
	o.compress = "zstd";
	refused(ctx, &o, "=parallel", NULL);
	o.compress = "xbzrle,zstd";
	refused(ctx, &o, "=parallel", NULL);
	o.parallel = 2;
	accepted(ctx, &o);
	o.compress = "zlib";
	accepted(ctx, &o);
	o.compress = "xbzrle";
	o.parallel = 0;
	accepted(ctx, &o);
}

static void test_opts_state_file(void **state)
{
	struct kvmops_ctx *ctx = *state;
	struct kvmops_migrate_opts o;

	/* Without a state file, the move finds one on shared storage. */
	o = offline_opts();
	o.keep_state = true;
	accepted(ctx, &o);
	o.state_file = "";
	refused(ctx, &o, "state file", "absolute", "=state_file", NULL);

	o = offline_opts();
	o.state_file = "/shared/g1.save";
	refused(ctx, &o, "state file", "memory is kept", "=keep_state", NULL);

	o = offline_opts();
	o.keep_state = true;
	o.state_file = "g1.save";
	refused(ctx, &o, "state file", "absolute", "'g1.save'", "=state_file",
		NULL);
	o.state_file = "./g1.save";
	refused(ctx, &o, "absolute", NULL);
}

static void test_opts_keep_state_conflicts(void **state)
{
	struct kvmops_ctx *ctx = *state;
	struct kvmops_migrate_opts base = offline_opts(), o;

	base.keep_state = true;
	base.state_file = "/shared/g1.save";
	accepted(ctx, &base);
	o = base;
	o.dname = "g2";
	refused(ctx, &o, "keeps its name", "=dname", NULL);
	o = base;
	o.shutdown = true;
	refused(ctx, &o, "memory is kept", "shutting it down", "=shutdown",
		NULL);
	o = base;
	o.start = true;
	refused(ctx, &o, "memory is kept", "starting it", "=start", NULL);
}

static void test_opts_offline_pairs(void **state)
{
	struct kvmops_ctx *ctx = *state;
	struct kvmops_migrate_opts o;

	o = offline_opts();
	o.force = true;
	refused(ctx, &o, "forcing a guest off", "shutting it down", "=shutdown",
		NULL);
	o.shutdown = true;
	accepted(ctx, &o);

	o = offline_opts();
	o.delete_source_disks = true;
	o.keep_source = true;
	refused(ctx, &o, "deleting the source disks",
		"keeping the source definition", "=delete_source_disks",
		"=keep_source", NULL);
	o.keep_source = false;
	accepted(ctx, &o);
}

static void test_opts_names_and_uris(void **state)
{
	struct kvmops_ctx *ctx = *state;
	struct kvmops_migrate_opts o;
	size_t k;

	for (k = 0; k < 2; k++) {
		o = k ? offline_opts() : live_opts();
		o.dname = "";
		refused(ctx, &o, "not a domain name", "=dname", NULL);
		o.dname = "web/1";
		refused(ctx, &o, "'web/1'", "=dname", NULL);
		o.dname = "web-1";
		accepted(ctx, &o);
	}
	o = live_opts();
	o.migrate_uri = "10.0.0.2:49152";
	refused(ctx, &o, "not a URI", "'10.0.0.2:49152'", "=migrate_uri", NULL);
	o.migrate_uri = "tcp://10.0.0.2:49152";
	accepted(ctx, &o);
	o = live_opts();
	o.listen_address = "";
	refused(ctx, &o, "listen address", "=listen_address", NULL);
}

static void test_opts_null_and_unsized(void **state)
{
	struct kvmops_ctx *ctx = *state;
	struct kvmops_migrate_opts o = live_opts();

	refused(ctx, NULL, ".size", NULL);
	o.size = 0;
	refused(ctx, &o, ".size", NULL);
	/* Short of even the fields every caller has. */
	o.size = offsetof(struct kvmops_migrate_opts, dname);
	refused(ctx, &o, ".size", NULL);
}

static void test_opts_unknown_kind(void **state)
{
	struct kvmops_ctx *ctx = *state;
	struct kvmops_migrate_opts o = live_opts();

	o.kind = (enum kvmops_migrate_kind)7;
	refused(ctx, &o, "kind", NULL);
}

/*
 * A program built against an older header passes a smaller struct: what
 * lies beyond its .size is not its, and counts as zero.
 */
static void test_opts_older_caller(void **state)
{
	struct kvmops_ctx *ctx = *state;
	const size_t old = offsetof(struct kvmops_migrate_opts, bandwidth_mib);
	struct kvmops_migrate_opts o;

	/* Garbage beyond .size that would be refused if it counted. */
	o = offline_opts();
	o.bandwidth_mib = 100;
	o.compress = "nonsense";
	o.tls = true;
	o.keep_state = true;
	o.state_file = "relative";
	o.force = true;
	refused(ctx, &o, "offline", NULL);
	o.size = old;
	accepted(ctx, &o);

	o = live_opts();
	o.postcopy_after_precopy = true;
	o.on_timeout = KVMOPS_ON_TIMEOUT_POSTCOPY;
	o.keep_state = true;
	o.pool = "big";
	refused(ctx, &o, NULL);
	o.size = old;
	accepted(ctx, &o);

	/* What lies within .size still counts. */
	o = live_opts();
	o.size = old;
	o.dname = "a/b";
	refused(ctx, &o, "=dname", NULL);
	o = live_opts();
	o.size = old;
	o.copy_storage = KVMOPS_COPY_ALL;
	refused(ctx, &o, "copies no disks", NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		PURE(test_opts_valid),
		PURE(test_opts_offline_only_refused_live),
		PURE(test_opts_live_only_refused_offline),
		PURE(test_opts_live_pairs),
		PURE(test_opts_compress),
		PURE(test_opts_state_file),
		PURE(test_opts_keep_state_conflicts),
		PURE(test_opts_offline_pairs),
		PURE(test_opts_names_and_uris),
		PURE(test_opts_null_and_unsized),
		PURE(test_opts_unknown_kind),
		PURE(test_opts_older_caller),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
