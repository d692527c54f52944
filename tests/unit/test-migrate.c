// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Migration: the options' checks, the flags and parameters handed to
 * virDomainMigrate3, the pre-flight check against two fake hosts answering
 * from tables, and the XML helpers. Nothing here talks to a hypervisor:
 * libvirt and libxml2 are only loaded (and libvirt initialized, through a
 * connection to its in-process test driver), because the library reaches
 * both through VIRT().
 *
 * Some tests were written as failing proofs of bugs, fixed since; their
 * comments still tell what went wrong.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "migrate.h"
#include "fixture.h"

#define KIB_PER_GIB (1024ull * 1024)
#define GIB (1024ull * 1024 * 1024)

static void assert_in_error(struct kvmops_ctx *ctx, const char *text)
{
	const char *msg = kvmops_last_error(ctx);

	if (!strstr(msg, text))
		fail_msg("'%s' not in the error: %s", text, msg);
}

/* ---- kvmops_migrate_opts_check ------------------------------------------ */

static struct kvmops_migrate_opts live_opts(void)
{
	struct kvmops_migrate_opts o;

	memset(&o, 0, sizeof(o));
	o.size = sizeof(o);
	o.kind = KVMOPS_MIGRATE_LIVE;
	return o;
}

static struct kvmops_migrate_opts copy_opts(enum kvmops_copy_storage how)
{
	struct kvmops_migrate_opts o = live_opts();

	o.kind = KVMOPS_MIGRATE_COPY_STORAGE;
	o.copy_storage = how;
	return o;
}

static struct kvmops_migrate_opts offline_opts(void)
{
	struct kvmops_migrate_opts o = live_opts();

	o.kind = KVMOPS_MIGRATE_OFFLINE;
	return o;
}

/* -EINVAL, with each of the NULL-terminated words in the message. */
static void refused(struct kvmops_ctx *ctx, const struct kvmops_migrate_opts *o,
		    ...)
{
	const char *word;
	va_list ap;

	kvmops_clear_error(ctx);
	assert_int_equal(kvmops_migrate_opts_check(ctx, o), -EINVAL);
	va_start(ap, o);
	while ((word = va_arg(ap, const char *)))
		assert_in_error(ctx, word);
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
		refused(ctx, &o, "--keep-state", "offline", NULL);
		o = base;
		o.state_file = "/shared/g1.save";
		refused(ctx, &o, "--state-file", NULL);
		o = base;
		o.shutdown = true;
		refused(ctx, &o, "--shutdown", NULL);
		o = base;
		o.force = true;
		refused(ctx, &o, "--force", NULL);
		o = base;
		o.start = true;
		refused(ctx, &o, "--start", NULL);
		o = base;
		o.delete_source_disks = true;
		refused(ctx, &o, "--delete-source-disks", NULL);
		o = base;
		o.pool = "big";
		refused(ctx, &o, "--pool", NULL);
	}
}

static void test_opts_live_only_refused_offline(void **state)
{
	struct kvmops_ctx *ctx = *state;
	const struct kvmops_migrate_opts base = offline_opts();
	struct kvmops_migrate_opts o;

	o = base;
	o.bandwidth_mib = 10;
	refused(ctx, &o, "--bandwidth", "offline", NULL);
	o = base;
	o.compress = "xbzrle";
	refused(ctx, &o, "--compress", NULL);
	o = base;
	o.compress = ""; /* the default methods are still compression */
	refused(ctx, &o, "--compress", NULL);
	o = base;
	o.postcopy = true;
	refused(ctx, &o, "--postcopy", NULL);
	o = base;
	o.postcopy_after_precopy = true;
	refused(ctx, &o, "--postcopy", NULL);
	o = base;
	o.tls = true;
	refused(ctx, &o, "--tls", NULL);
	o = base;
	o.timeout_s = 30;
	refused(ctx, &o, "--timeout", NULL);
	o = base;
	o.migrate_uri = "tcp://10.0.0.2";
	refused(ctx, &o, "--migrateuri", NULL);
	o = base;
	o.listen_address = "10.0.0.2";
	refused(ctx, &o, "--listen-address", NULL);
	o = base;
	o.max_downtime_ms = 100;
	refused(ctx, &o, "--max-downtime", NULL);
	o = base;
	o.parallel = 2;
	refused(ctx, &o, "--parallel", NULL);
	o = base;
	o.auto_converge = true;
	refused(ctx, &o, "--auto-converge", NULL);
	o = base;
	o.copy_storage = KVMOPS_COPY_ALL;
	refused(ctx, &o, "--copy-storage", NULL);
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
	refused(ctx, &o, "--copy-storage", NULL);

	o = live_opts();
	o.postcopy_after_precopy = true;
	refused(ctx, &o, "--postcopy-after-precopy", "--postcopy", NULL);

	o = live_opts();
	o.on_timeout = KVMOPS_ON_TIMEOUT_SUSPEND;
	refused(ctx, &o, "--on-timeout", "--timeout", NULL);
	o.on_timeout = KVMOPS_ON_TIMEOUT_POSTCOPY;
	refused(ctx, &o, "--on-timeout", "--timeout", NULL);
	o.timeout_s = 10;
	refused(ctx, &o, "--on-timeout postcopy", "--postcopy", NULL);
	o.postcopy = true;
	accepted(ctx, &o);
}

static void test_opts_compress(void **state)
{
	struct kvmops_ctx *ctx = *state;
	struct kvmops_migrate_opts o = live_opts();

	o.compress = "lz4";
	refused(ctx, &o, "--compress", "'lz4'", NULL);
	o.compress = "xbzrle,snappy";
	refused(ctx, &o, "--compress", "'snappy'", NULL);
	o.parallel = 2;
	refused(ctx, &o, "'snappy'", NULL);

	o = live_opts();
	o.compress = "zlib";
	refused(ctx, &o, "--compress", "zlib", "--parallel", NULL);
	o.compress = "zstd";
	refused(ctx, &o, "--parallel", NULL);
	o.compress = "xbzrle,zstd";
	refused(ctx, &o, "--parallel", NULL);
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

	o = offline_opts();
	o.keep_state = true;
	refused(ctx, &o, "--keep-state", "--state-file", NULL);
	o.state_file = "";
	refused(ctx, &o, "--keep-state", "--state-file", NULL);

	o = offline_opts();
	o.state_file = "/shared/g1.save";
	refused(ctx, &o, "--state-file", "--keep-state", NULL);

	o = offline_opts();
	o.keep_state = true;
	o.state_file = "g1.save";
	refused(ctx, &o, "--state-file", "absolute", "'g1.save'", NULL);
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
	refused(ctx, &o, "--dname", NULL);
	o = base;
	o.shutdown = true;
	refused(ctx, &o, "--keep-state", "--shutdown", NULL);
	o = base;
	o.start = true;
	refused(ctx, &o, "--keep-state", "--start", NULL);
}

static void test_opts_offline_pairs(void **state)
{
	struct kvmops_ctx *ctx = *state;
	struct kvmops_migrate_opts o;

	o = offline_opts();
	o.force = true;
	refused(ctx, &o, "--force", "--shutdown", NULL);
	o.shutdown = true;
	accepted(ctx, &o);

	o = offline_opts();
	o.delete_source_disks = true;
	o.keep_source = true;
	refused(ctx, &o, "--delete-source-disks", "--keep-source", NULL);
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
		refused(ctx, &o, "--dname", NULL);
		o.dname = "web/1";
		refused(ctx, &o, "--dname", "'web/1'", NULL);
		o.dname = "web-1";
		accepted(ctx, &o);
	}
	o = live_opts();
	o.migrate_uri = "10.0.0.2:49152";
	refused(ctx, &o, "--migrateuri", "'10.0.0.2:49152'", NULL);
	o.migrate_uri = "tcp://10.0.0.2:49152";
	accepted(ctx, &o);
	o = live_opts();
	o.listen_address = "";
	refused(ctx, &o, "--listen-address", NULL);
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
	refused(ctx, &o, "--dname", NULL);
	o = live_opts();
	o.size = old;
	o.copy_storage = KVMOPS_COPY_ALL;
	refused(ctx, &o, "copies no disks", NULL);
}

/* ---- the live plan ------------------------------------------------------ */

/*
 * A context with libvirt and libxml2 loaded and libvirt initialized: a
 * connection to the in-process test driver, closed at once, does both.
 * kvmops_virt_load() alone is not enough here: it does not initialize
 * libvirt, and virTypedParamsAdd*() then reset an error through a
 * thread-local key never created (an invalid free under valgrind).
 */
static int virt_setup(void **state)
{
	struct kvmops_ctx *ctx;
	virConnectPtr conn;

	if (kvmops_new(&ctx))
		return -1;
	/* No event loop: its thread would outlive the test (see test-ctx.c). */
	if (kvmops_connect(ctx, "test:///default", KVMOPS_CONNECT_NO_EVENT_LOOP,
			   &conn)) {
		fprintf(stderr, "cannot connect: %s\n", kvmops_last_error(ctx));
		kvmops_unref(ctx);
		return -1;
	}
	kvmops_disconnect(conn);
	*state = ctx;
	return 0;
}

/* The @nth (from 0) parameter named @field, or NULL. */
static const virTypedParameter *param(const virTypedParameter *p, int n,
				      const char *field, int nth)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(p[i].field, field) && nth-- == 0)
			return &p[i];
	return NULL;
}

static int param_count(const virTypedParameter *p, int n, const char *field)
{
	int i, count = 0;

	for (i = 0; i < n; i++)
		count += !strcmp(p[i].field, field);
	return count;
}

/* The @nth parameter named @field, which must be there. */
static const virTypedParameter *param_must(const virTypedParameter *p, int n,
					   const char *field, int nth)
{
	static const virTypedParameter none;
	const virTypedParameter *t = param(p, n, field, nth);

	if (!t) {
		fail_msg("no parameter %s #%d", field, nth);
		return &none; /* not reached */
	}
	return t;
}

static const char *param_string(const virTypedParameter *p, int n,
				const char *field, int nth)
{
	const virTypedParameter *t = param_must(p, n, field, nth);

	assert_int_equal(t->type, VIR_TYPED_PARAM_STRING);
	return t->value.s;
}

struct plan {
	unsigned long flags;
	virTypedParameterPtr params;
	int n;
};

static struct plan plan_of(struct kvmops_ctx *ctx,
			   const struct kvmops_migrate_opts *o)
{
	struct plan pl = { 0, NULL, -1 };

	pl.flags = 0xdead0000;
	if (kvmops_live_plan(ctx, o, &pl.flags, &pl.params, &pl.n))
		fail_msg("no plan: %s", kvmops_last_error(ctx));
	return pl;
}

static void plan_free(struct plan *pl)
{
	VIRT(virTypedParamsFree)(pl->params, pl->n);
}

#define ALWAYS                                         \
	(VIR_MIGRATE_LIVE | VIR_MIGRATE_PERSIST_DEST | \
	 VIR_MIGRATE_ABORT_ON_ERROR)

static void test_plan_minimal(void **state)
{
	struct kvmops_migrate_opts o = live_opts();
	struct plan pl = plan_of(*state, &o);

	assert_true(pl.flags == ALWAYS);
	assert_int_equal(pl.n, 0);
	plan_free(&pl);
}

static void test_plan_flags(void **state)
{
	struct kvmops_migrate_opts o;
	struct plan pl;

	o = copy_opts(KVMOPS_COPY_ALL);
	pl = plan_of(*state, &o);
	assert_true(pl.flags == (ALWAYS | VIR_MIGRATE_NON_SHARED_DISK));
	plan_free(&pl);

	o = copy_opts(KVMOPS_COPY_INC);
	pl = plan_of(*state, &o);
	assert_true(pl.flags == (ALWAYS | VIR_MIGRATE_NON_SHARED_INC));
	plan_free(&pl);

	o = live_opts();
	o.unsafe = true;
	pl = plan_of(*state, &o);
	assert_true(pl.flags == (ALWAYS | VIR_MIGRATE_UNSAFE));
	plan_free(&pl);

	o = live_opts();
	o.auto_converge = true;
	pl = plan_of(*state, &o);
	assert_true(pl.flags == (ALWAYS | VIR_MIGRATE_AUTO_CONVERGE));
	plan_free(&pl);

	o = live_opts();
	o.postcopy = true;
	pl = plan_of(*state, &o);
	assert_true(pl.flags == (ALWAYS | VIR_MIGRATE_POSTCOPY));
	plan_free(&pl);

	o = live_opts();
	o.tls = true;
	pl = plan_of(*state, &o);
	assert_true(pl.flags == (ALWAYS | VIR_MIGRATE_TLS));
	plan_free(&pl);

	/* "": compression with the hypervisor's default methods. */
	o = live_opts();
	o.compress = "";
	pl = plan_of(*state, &o);
	assert_true(pl.flags == (ALWAYS | VIR_MIGRATE_COMPRESSED));
	assert_int_equal(
		param_count(pl.params, pl.n, VIR_MIGRATE_PARAM_COMPRESSION), 0);
	plan_free(&pl);

	o = live_opts();
	o.parallel = 3;
	pl = plan_of(*state, &o);
	assert_true(pl.flags == (ALWAYS | VIR_MIGRATE_PARALLEL));
	plan_free(&pl);

	/* Options the flags do not carry. */
	o = live_opts();
	o.max_downtime_ms = 500;
	o.timeout_s = 9;
	o.keep_source = true;
	o.postcopy_after_precopy = false;
	pl = plan_of(*state, &o);
	assert_true(pl.flags == ALWAYS);
	assert_int_equal(pl.n, 0);
	plan_free(&pl);
}

static void test_plan_params(void **state)
{
	struct kvmops_migrate_opts o = copy_opts(KVMOPS_COPY_ALL);
	const virTypedParameter *t;
	struct plan pl;

	o.migrate_uri = "tcp://10.0.0.2:49152";
	o.dname = "g2";
	o.listen_address = "10.0.0.2";
	o.bandwidth_mib = 5ull << 32; /* beyond an int */
	o.parallel = 4;
	o.compress = "xbzrle,zstd";
	o.unsafe = o.auto_converge = o.postcopy = o.tls = true;
	pl = plan_of(*state, &o);
	assert_true(pl.flags ==
		    (ALWAYS | VIR_MIGRATE_NON_SHARED_DISK | VIR_MIGRATE_UNSAFE |
		     VIR_MIGRATE_AUTO_CONVERGE | VIR_MIGRATE_POSTCOPY |
		     VIR_MIGRATE_TLS | VIR_MIGRATE_COMPRESSED |
		     VIR_MIGRATE_PARALLEL));
	assert_string_equal(param_string(pl.params, pl.n, VIR_MIGRATE_PARAM_URI,
					 0),
			    "tcp://10.0.0.2:49152");
	assert_string_equal(param_string(pl.params, pl.n,
					 VIR_MIGRATE_PARAM_DEST_NAME, 0),
			    "g2");
	assert_string_equal(param_string(pl.params, pl.n,
					 VIR_MIGRATE_PARAM_LISTEN_ADDRESS, 0),
			    "10.0.0.2");
	t = param_must(pl.params, pl.n, VIR_MIGRATE_PARAM_BANDWIDTH, 0);
	assert_int_equal(t->type, VIR_TYPED_PARAM_ULLONG);
	assert_true(t->value.ul == 5ull << 32);
	t = param_must(pl.params, pl.n, VIR_MIGRATE_PARAM_PARALLEL_CONNECTIONS,
		       0);
	assert_int_equal(t->type, VIR_TYPED_PARAM_INT);
	assert_int_equal(t->value.i, 4);
	/* One COMPRESSION parameter per method, in order. */
	assert_int_equal(
		param_count(pl.params, pl.n, VIR_MIGRATE_PARAM_COMPRESSION), 2);
	assert_string_equal(param_string(pl.params, pl.n,
					 VIR_MIGRATE_PARAM_COMPRESSION, 0),
			    "xbzrle");
	assert_string_equal(param_string(pl.params, pl.n,
					 VIR_MIGRATE_PARAM_COMPRESSION, 1),
			    "zstd");
	assert_int_equal(pl.n, 7);
	plan_free(&pl);
}

/* Nothing set, nothing sent: libvirt takes absent as "its default". */
static void test_plan_params_absent(void **state)
{
	struct kvmops_migrate_opts o = copy_opts(KVMOPS_COPY_INC);
	struct plan pl;

	o.compress = "mt";
	pl = plan_of(*state, &o);
	assert_null(param(pl.params, pl.n, VIR_MIGRATE_PARAM_URI, 0));
	assert_null(param(pl.params, pl.n, VIR_MIGRATE_PARAM_DEST_NAME, 0));
	assert_null(
		param(pl.params, pl.n, VIR_MIGRATE_PARAM_LISTEN_ADDRESS, 0));
	assert_null(param(pl.params, pl.n, VIR_MIGRATE_PARAM_BANDWIDTH, 0));
	assert_null(param(pl.params, pl.n,
			  VIR_MIGRATE_PARAM_PARALLEL_CONNECTIONS, 0));
	assert_string_equal(param_string(pl.params, pl.n,
					 VIR_MIGRATE_PARAM_COMPRESSION, 0),
			    "mt");
	assert_int_equal(pl.n, 1);
	plan_free(&pl);
}

/* An older caller's plan: fields beyond .size are not read. */
static void test_plan_older_caller(void **state)
{
	struct kvmops_migrate_opts o = live_opts();
	struct plan pl;

	o.size = offsetof(struct kvmops_migrate_opts, bandwidth_mib);
	o.dname = "g2";
	o.unsafe = true;
	o.bandwidth_mib = 100;
	o.compress = "xbzrle";
	o.parallel = 2;
	o.tls = true;
	pl = plan_of(*state, &o);
	assert_true(pl.flags == (ALWAYS | VIR_MIGRATE_UNSAFE));
	assert_int_equal(pl.n, 1);
	assert_string_equal(param_string(pl.params, pl.n,
					 VIR_MIGRATE_PARAM_DEST_NAME, 0),
			    "g2");
	plan_free(&pl);
}

/* ---- the check against two fake hosts ----------------------------------- */

struct fake_vol {
	const char *path;
	uint64_t capacity;
	const char *backing;
};

struct fake_pool {
	const char *name, *target;
	uint64_t available;
};

struct fake_net {
	const char *name;
	bool active;
};

#define FAKE_MAX 8

/* What one host answers. Lists end at the first NULL name. */
struct fake_host {
	const char *domains[FAKE_MAX];
	int domains_err;
	struct fake_vol vols[FAKE_MAX];
	struct fake_pool pools[FAKE_MAX];
	struct fake_net nets[FAKE_MAX];
	int net_err;
	const char *bridges[FAKE_MAX];
	int bridge_err;
	const char *cpu_model, *cpu_vendor;
	const char *uuid; /* the host's, in its capabilities */
	bool kvm; /* the capabilities offer x86_64 under KVM */
	bool no_caps;
	bool no_domcaps;
	bool nx_off;
	uint64_t free_kib;
	int free_err;
	int compare; /* virCPUCompareResult or -errno */
	/* what the check asked */
	unsigned int compares;
};

static struct fake_host *host_of(struct kvmops_probe *p)
{
	return p->data;
}

static int fake_domain_exists(struct kvmops_probe *p, const char *name)
{
	struct fake_host *h = host_of(p);
	size_t i;

	if (h->domains_err) {
		snprintf(p->error, sizeof(p->error),
			 "fake: cannot list domains");
		return h->domains_err;
	}
	for (i = 0; i < FAKE_MAX && h->domains[i]; i++)
		if (!strcmp(h->domains[i], name))
			return 1;
	return 0;
}

static int fake_volume(struct kvmops_probe *p, const char *path,
		       struct kvmops_vol_info *vi)
{
	struct fake_host *h = host_of(p);
	size_t i;

	memset(vi, 0, sizeof(*vi));
	for (i = 0; i < FAKE_MAX && h->vols[i].path; i++) {
		if (strcmp(h->vols[i].path, path))
			continue;
		vi->capacity = h->vols[i].capacity;
		vi->allocation = h->vols[i].capacity / 2;
		snprintf(vi->format, sizeof(vi->format), "qcow2");
		if (h->vols[i].backing) {
			snprintf(vi->backing, sizeof(vi->backing), "%s",
				 h->vols[i].backing);
			snprintf(vi->backing_format, sizeof(vi->backing_format),
				 "qcow2");
		}
		return 0;
	}
	snprintf(p->error, sizeof(p->error), "fake: no volume %s", path);
	return -ENOENT;
}

static int fake_pool(struct kvmops_probe *p, const char *pool, const char *dir,
		     char *name, size_t name_len, char *target,
		     size_t target_len, uint64_t *available)
{
	struct fake_host *h = host_of(p);
	size_t i;

	for (i = 0; i < FAKE_MAX && h->pools[i].name; i++) {
		const struct fake_pool *fp = &h->pools[i];

		if (pool ? strcmp(fp->name, pool) : strcmp(fp->target, dir))
			continue;
		snprintf(name, name_len, "%s", fp->name);
		snprintf(target, target_len, "%s", fp->target);
		*available = fp->available;
		return 0;
	}
	return -ENOENT;
}

static int fake_network(struct kvmops_probe *p, const char *name)
{
	struct fake_host *h = host_of(p);
	size_t i;

	if (h->net_err) {
		snprintf(p->error, sizeof(p->error),
			 "fake: networks unreadable");
		return h->net_err;
	}
	for (i = 0; i < FAKE_MAX && h->nets[i].name; i++)
		if (!strcmp(h->nets[i].name, name))
			return h->nets[i].active ? 1 : 0;
	return -ENOENT;
}

static int fake_bridge(struct kvmops_probe *p, const char *name)
{
	struct fake_host *h = host_of(p);
	size_t i;

	if (h->bridge_err) {
		snprintf(p->error, sizeof(p->error),
			 "fake: interfaces unreadable");
		return h->bridge_err;
	}
	for (i = 0; i < FAKE_MAX && h->bridges[i]; i++)
		if (!strcmp(h->bridges[i], name))
			return 1;
	return 0;
}

static char *fake_capabilities(struct kvmops_probe *p)
{
	struct fake_host *h = host_of(p);
	char *caps;

	if (h->no_caps) {
		snprintf(p->error, sizeof(p->error), "fake: no capabilities");
		return NULL;
	}
	if (asprintf(&caps,
		     "<capabilities>\n"
		     "  <host>\n"
		     "    <uuid>%s</uuid>\n"
		     "    <cpu>\n"
		     "      <arch>x86_64</arch>\n"
		     "      <model>%s</model>\n"
		     "      <vendor>%s</vendor>\n"
		     "    </cpu>\n"
		     "  </host>\n"
		     "  <guest>\n"
		     "    <os_type>hvm</os_type>\n"
		     "    <arch name='x86_64'>\n"
		     "      <wordsize>64</wordsize>\n"
		     "      <emulator>/usr/bin/qemu-system-x86_64</emulator>\n"
		     "      <machine>pc-q35-8.2</machine>\n"
		     "      <domain type='qemu'/>\n"
		     "      %s\n"
		     "    </arch>\n"
		     "  </guest>\n"
		     "  <guest>\n"
		     "    <os_type>hvm</os_type>\n"
		     "    <arch name='aarch64'>\n"
		     "      <wordsize>64</wordsize>\n"
		     "      <domain type='qemu'/>\n"
		     "      <domain type='kvm'/>\n"
		     "    </arch>\n"
		     "  </guest>\n"
		     "</capabilities>\n",
		     h->uuid, h->cpu_model, h->cpu_vendor,
		     h->kvm ? "<domain type='kvm'/>" : "") < 0)
		return NULL;
	return caps;
}

static char *fake_domcaps(struct kvmops_probe *p, const char *emulator,
			  const char *arch, const char *machine,
			  const char *virttype)
{
	struct fake_host *h = host_of(p);
	char *caps;

	if (h->no_domcaps) {
		snprintf(p->error, sizeof(p->error), "fake: no such emulator");
		return NULL;
	}
	if (asprintf(&caps,
		     "<domainCapabilities>\n"
		     "  <path>%s</path>\n"
		     "  <domain>%s</domain>\n"
		     "  <machine>%s</machine>\n"
		     "  <arch>%s</arch>\n"
		     "  <cpu>\n"
		     "    <mode name='host-passthrough' supported='yes'/>\n"
		     "    <mode name='host-model' supported='yes'>\n"
		     "      <model fallback='forbid'>%s</model>\n"
		     "      <vendor>%s</vendor>\n"
		     "      <feature policy='require' name='ssbd'/>\n"
		     "      %s\n"
		     "    </mode>\n"
		     "  </cpu>\n"
		     "</domainCapabilities>\n",
		     emulator, virttype, machine, arch, h->cpu_model,
		     h->cpu_vendor,
		     h->nx_off ? "<feature policy='disable' name='nx'/>" : "") <
	    0)
		return NULL;
	return caps;
}

static int fake_free_kib(struct kvmops_probe *p, uint64_t *kib)
{
	struct fake_host *h = host_of(p);

	if (h->free_err) {
		snprintf(p->error, sizeof(p->error), "fake: no memory figures");
		return h->free_err;
	}
	*kib = h->free_kib;
	return 0;
}

static int fake_compare_cpu(struct kvmops_probe *p, const char *emulator,
			    const char *arch, const char *machine,
			    const char *virttype, const char *cpu_xml)
{
	struct fake_host *h = host_of(p);

	h->compares++;
	if (h->compare < 0)
		snprintf(p->error, sizeof(p->error), "fake: cannot compare");
	return h->compare;
}

static const struct kvmops_probe_ops fake_ops = {
	.domain_exists = fake_domain_exists,
	.volume = fake_volume,
	.pool = fake_pool,
	.network = fake_network,
	.bridge = fake_bridge,
	.capabilities = fake_capabilities,
	.domcaps = fake_domcaps,
	.free_kib = fake_free_kib,
	.compare_cpu = fake_compare_cpu,
};

/*
 * Two hosts alike: Intel Skylake under KVM, 8 GiB free, network 'default'
 * and bridge br0, /shared/g1.qcow2 (10 GiB) on both, and a pool over
 * /var/lib/libvirt/images on each with 100 GiB free.
 */
static void fake_default(struct fake_host *h, bool source)
{
	memset(h, 0, sizeof(*h));
	if (source)
		h->domains[0] = "g1";
	h->vols[0] = (struct fake_vol){ "/shared/g1.qcow2", 10 * GIB, NULL };
	h->pools[0] = (struct fake_pool){ "shared", "/shared", 500 * GIB };
	h->pools[1] = (struct fake_pool){ "default", "/var/lib/libvirt/images",
					  100 * GIB };
	h->nets[0] = (struct fake_net){ "default", true };
	h->bridges[0] = "br0";
	h->cpu_model = "Skylake-Client-IBRS";
	h->cpu_vendor = "Intel";
	h->uuid = source ? "11111111-2222-3333-4444-555555555555" :
			   "22222222-3333-4444-5555-666666666666";
	h->kvm = true;
	h->free_kib = 8 * KIB_PER_GIB;
	h->compare = VIR_CPU_COMPARE_IDENTICAL;
}

struct check_env {
	struct kvmops_ctx *ctx;
	struct fake_host src, dst;
	struct kvmops_probe sp, dp;
	struct kvmops_check_item *items;
	size_t count;
};

static int check_setup(void **state)
{
	struct check_env *env = calloc(1, sizeof(*env));

	if (!env || virt_setup((void **)&env->ctx)) {
		free(env);
		return -1;
	}
	fake_default(&env->src, true);
	fake_default(&env->dst, false);
	env->sp.ops = &fake_ops;
	env->sp.data = &env->src;
	env->dp.ops = &fake_ops;
	env->dp.data = &env->dst;
	*state = env;
	return 0;
}

static int check_teardown(void **state)
{
	struct check_env *env = *state;

	free(env->items);
	kvmops_unref(env->ctx);
	free(env);
	return 0;
}

#define DISK_SHARED                          \
	"<disk type='file' device='disk'>"   \
	"<driver name='qemu' type='qcow2'/>" \
	"<source file='/shared/g1.qcow2'/>"  \
	"<target dev='vda' bus='virtio'/></disk>"
#define DISK_LOCAL                                          \
	"<disk type='file' device='disk'>"                  \
	"<driver name='qemu' type='qcow2'/>"                \
	"<source file='/var/lib/libvirt/images/g1.qcow2'/>" \
	"<target dev='vda' bus='virtio'/></disk>"
#define NIC_DEFAULT \
	"<interface type='network'><source network='default'/><model type='virtio'/></interface>"
#define CPU_HOST_MODEL "<cpu mode='host-model' check='partial'/>"

/* A 1 GiB x86_64 guest g1 of domain type @type. */
static char *guest_xml(const char *type, const char *cpu, const char *disks,
		       const char *devices)
{
	char *xml;

	if (asprintf(
		    &xml,
		    "<domain type='%s' id='3'>\n"
		    "  <name>g1</name>\n"
		    "  <uuid>6c1d3b8e-2f7a-4c1e-9a55-0d3f4b2a9e10</uuid>\n"
		    "  <memory unit='KiB'>1048576</memory>\n"
		    "  <currentMemory unit='KiB'>1048576</currentMemory>\n"
		    "  <vcpu placement='static'>2</vcpu>\n"
		    "  <os><type arch='x86_64' machine='pc-q35-8.2'>hvm</type></os>\n"
		    "  %s\n"
		    "  <devices>\n"
		    "    <emulator>/usr/bin/qemu-system-x86_64</emulator>\n"
		    "    %s\n"
		    "    %s\n"
		    "    <serial type='pty'><target port='0'/></serial>\n"
		    "    <console type='pty'><target type='serial' port='0'/></console>\n"
		    "  </devices>\n"
		    "</domain>\n",
		    type, cpu, disks, devices) < 0)
		return NULL;
	return xml;
}

static void dump_items(const struct check_env *env)
{
	static const char *const v[] = { "OK", "WARN", "FAIL" };
	size_t i;

	for (i = 0; i < env->count; i++)
		fprintf(stderr, "  %-4s %-20s %s | %s\n",
			(unsigned int)env->items[i].verdict < 3 ?
				v[env->items[i].verdict] :
				"?",
			env->items[i].id, env->items[i].text,
			env->items[i].fix);
}

static void run_xml(struct check_env *env, const char *xml, int state,
		    const struct kvmops_migrate_opts *o)
{
	int rc;

	free(env->items);
	env->items = NULL;
	env->count = 0;
	rc = kvmops_check_run(env->ctx, xml, state, o, &env->sp, &env->dp,
			      &env->items, &env->count);
	if (rc)
		fail_msg("the check did not run (%d): %s", rc,
			 kvmops_last_error(env->ctx));
}

/* The check of a guest made by guest_xml(). */
static void run(struct check_env *env, const char *type, const char *cpu,
		const char *disks, const char *devices, int state,
		const struct kvmops_migrate_opts *o)
{
	char *xml = guest_xml(type, cpu, disks, devices);

	assert_non_null(xml);
	run_xml(env, xml, state, o);
	free(xml);
}

/* The common case: a running KVM guest on shared storage, one NIC. */
static void run_live(struct check_env *env, const char *devices)
{
	struct kvmops_migrate_opts o = live_opts();

	run(env, "kvm", CPU_HOST_MODEL, DISK_SHARED, devices,
	    VIR_DOMAIN_RUNNING, &o);
}

static const struct kvmops_check_item *find(const struct check_env *env,
					    const char *id)
{
	static const struct kvmops_check_item none;
	size_t i;

	for (i = 0; i < env->count; i++)
		if (!strcmp(env->items[i].id, id))
			return &env->items[i];
	dump_items(env);
	fail_msg("no item '%s'", id);
	return &none; /* not reached */
}

static bool has_item(const struct check_env *env, const char *id)
{
	size_t i;

	for (i = 0; i < env->count; i++)
		if (!strcmp(env->items[i].id, id))
			return true;
	return false;
}

static void expect(const struct check_env *env, const char *id,
		   enum kvmops_verdict verdict, const char *text)
{
	const struct kvmops_check_item *it = find(env, id);

	if (it->verdict != verdict) {
		dump_items(env);
		fail_msg("'%s' is %d, wanted %d: %s", id, it->verdict, verdict,
			 it->text);
	}
	if (text && !strstr(it->text, text)) {
		dump_items(env);
		fail_msg("'%s': '%s' not in: %s", id, text, it->text);
	}
	/* A finding that is not OK says what to do about it. */
	if (verdict != KVMOPS_VERDICT_OK && !*it->fix)
		fail_msg("'%s' has no fix", id);
}

static void expect_count(const struct check_env *env, const char *id,
			 size_t want)
{
	size_t i, n = 0;

	for (i = 0; i < env->count; i++)
		n += !strcmp(env->items[i].id, id);
	if (n != want) {
		dump_items(env);
		fail_msg("%zu items '%s', wanted %zu", n, id, want);
	}
}

static void test_check_clean_live(void **state)
{
	struct check_env *env = *state;
	static const char *const ids[] = {
		"state",	   "name",    "memory", "arch",
		"emulator",	   "cpu",     "nx",	"devices",
		"network default", "disk vda"
	};
	size_t i;

	run_live(env, NIC_DEFAULT);
	for (i = 0; i < ARRAY_SIZE(ids); i++)
		expect(env, ids[i], KVMOPS_VERDICT_OK, NULL);
	if (kvmops_check_worst(env->items, env->count) != KVMOPS_VERDICT_OK) {
		dump_items(env);
		fail_msg("a clean guest is not all OK");
	}
	expect(env, "arch", KVMOPS_VERDICT_OK, "64-bit");
	expect(env, "disk vda", KVMOPS_VERDICT_OK, "shared");
	/* host-model is compared with the destination's CPU. */
	assert_int_equal(env->dst.compares, 1);
}

static void test_check_state_live(void **state)
{
	struct check_env *env = *state;
	struct kvmops_migrate_opts o = live_opts();

	run(env, "kvm", CPU_HOST_MODEL, DISK_SHARED, NIC_DEFAULT,
	    VIR_DOMAIN_SHUTOFF, &o);
	expect(env, "state", KVMOPS_VERDICT_FAIL, "not running");
	run(env, "kvm", CPU_HOST_MODEL, DISK_SHARED, NIC_DEFAULT,
	    VIR_DOMAIN_PAUSED, &o);
	expect(env, "state", KVMOPS_VERDICT_OK, NULL);
}

static void test_check_name_clash(void **state)
{
	struct check_env *env = *state;
	struct kvmops_migrate_opts o = live_opts();

	env->dst.domains[0] = "g1";
	run_live(env, NIC_DEFAULT);
	expect(env, "name", KVMOPS_VERDICT_FAIL, "g1");
	assert_true(kvmops_check_worst(env->items, env->count) ==
		    KVMOPS_VERDICT_FAIL);
	/* --dname steers clear of it, and is what is looked for. */
	o.dname = "g1-new";
	run(env, "kvm", CPU_HOST_MODEL, DISK_SHARED, NIC_DEFAULT,
	    VIR_DOMAIN_RUNNING, &o);
	expect(env, "name", KVMOPS_VERDICT_OK, "g1-new");
	env->dst.domains[1] = "g1-new";
	run(env, "kvm", CPU_HOST_MODEL, DISK_SHARED, NIC_DEFAULT,
	    VIR_DOMAIN_RUNNING, &o);
	expect(env, "name", KVMOPS_VERDICT_FAIL, "g1-new");
	env->dst.domains_err = -EIO;
	run_live(env, NIC_DEFAULT);
	expect(env, "name", KVMOPS_VERDICT_WARN, "fake: cannot list domains");
}

static void test_check_host(void **state)
{
	struct check_env *env = *state;

	run_live(env, NIC_DEFAULT);
	expect(env, "host", KVMOPS_VERDICT_OK, "22222222-3333");
	/* One host under two URIs, or a cloned machine. */
	env->dst.uuid = env->src.uuid;
	run_live(env, NIC_DEFAULT);
	expect(env, "host", KVMOPS_VERDICT_FAIL,
	       "this host's UUID 11111111-2222");
	assert_true(kvmops_check_worst(env->items, env->count) ==
		    KVMOPS_VERDICT_FAIL);
	env->dst.uuid = "";
	run_live(env, NIC_DEFAULT);
	expect(env, "host", KVMOPS_VERDICT_WARN, "does not give its UUID");
}

static void test_check_memory(void **state)
{
	struct check_env *env = *state;

	env->dst.free_kib = KIB_PER_GIB - 1;
	run_live(env, NIC_DEFAULT);
	expect(env, "memory", KVMOPS_VERDICT_FAIL, NULL);
	/* Enough for the guest, not for QEMU besides. */
	env->dst.free_kib = KIB_PER_GIB;
	run_live(env, NIC_DEFAULT);
	expect(env, "memory", KVMOPS_VERDICT_WARN, NULL);
	env->dst.free_kib = KIB_PER_GIB + KIB_PER_GIB / 20;
	run_live(env, NIC_DEFAULT);
	expect(env, "memory", KVMOPS_VERDICT_WARN, NULL);
	env->dst.free_kib = KIB_PER_GIB + KIB_PER_GIB / 10;
	run_live(env, NIC_DEFAULT);
	expect(env, "memory", KVMOPS_VERDICT_OK, NULL);
	env->dst.free_err = -EIO;
	run_live(env, NIC_DEFAULT);
	expect(env, "memory", KVMOPS_VERDICT_WARN, "fake: no memory figures");
}

static void test_check_arch(void **state)
{
	struct check_env *env = *state;
	struct kvmops_migrate_opts o = live_opts();

	env->dst.kvm = false;
	run_live(env, NIC_DEFAULT);
	expect(env, "arch", KVMOPS_VERDICT_FAIL, "x86_64");
	/* TCG needs only the architecture. */
	run(env, "qemu", "", DISK_SHARED, NIC_DEFAULT, VIR_DOMAIN_RUNNING, &o);
	expect(env, "arch", KVMOPS_VERDICT_OK, NULL);
}

static void test_check_arch_other(void **state)
{
	struct check_env *env = *state;
	char *xml = guest_xml("kvm", "", DISK_SHARED, NIC_DEFAULT);
	char *at = strstr(xml, "arch='x86_64'");
	struct kvmops_migrate_opts o = live_opts();
	char *riscv;

	/* A guest of an architecture the destination does not offer. */
	assert_non_null(at);
	*at = '\0';
	assert_true(asprintf(&riscv, "%sarch='riscv64'%s", xml,
			     at + strlen("arch='x86_64'")) > 0);
	run_xml(env, riscv, VIR_DOMAIN_RUNNING, &o);
	expect(env, "arch", KVMOPS_VERDICT_FAIL, "riscv64");
	/* No NX on riscv64. */
	expect(env, "nx", KVMOPS_VERDICT_OK, NULL);
	free(riscv);
	free(xml);
}

static void test_check_caps_unreadable(void **state)
{
	struct check_env *env = *state;
	struct kvmops_migrate_opts o = live_opts();
	char *xml = guest_xml("kvm", CPU_HOST_MODEL, DISK_SHARED, NIC_DEFAULT);

	env->dst.no_caps = true;
	assert_int_equal(kvmops_check_run(env->ctx, xml, VIR_DOMAIN_RUNNING, &o,
					  &env->sp, &env->dp, &env->items,
					  &env->count),
			 -EIO);
	assert_in_error(env->ctx, "destination");
	assert_in_error(env->ctx, "fake: no capabilities");
	env->dst.no_caps = false;
	env->src.no_caps = true;
	assert_int_equal(kvmops_check_run(env->ctx, xml, VIR_DOMAIN_RUNNING, &o,
					  &env->sp, &env->dp, &env->items,
					  &env->count),
			 -EIO);
	assert_in_error(env->ctx, "this host");
	assert_int_equal(kvmops_check_run(env->ctx, "<domain",
					  VIR_DOMAIN_RUNNING, &o, &env->sp,
					  &env->dp, &env->items, &env->count),
			 -EINVAL);
	assert_null(env->items);
	free(xml);
}

static void test_check_emulator(void **state)
{
	struct check_env *env = *state;

	env->dst.no_domcaps = true;
	run_live(env, NIC_DEFAULT);
	expect(env, "emulator", KVMOPS_VERDICT_FAIL, "pc-q35-8.2");
	expect(env, "emulator", KVMOPS_VERDICT_FAIL, "fake: no such emulator");
	/* Without the destination's domain capabilities NX is unknown. */
	expect(env, "nx", KVMOPS_VERDICT_WARN, NULL);
}

static void test_check_cpu_passthrough(void **state)
{
	struct check_env *env = *state;
	struct kvmops_migrate_opts o = live_opts();
	const char *cpu =
		"<cpu mode='host-passthrough' check='none' migratable='on'/>";

	run(env, "kvm", cpu, DISK_SHARED, NIC_DEFAULT, VIR_DOMAIN_RUNNING, &o);
	expect(env, "cpu", KVMOPS_VERDICT_OK, "Skylake-Client-IBRS");
	env->dst.cpu_model = "Cascadelake-Server";
	run(env, "kvm", cpu, DISK_SHARED, NIC_DEFAULT, VIR_DOMAIN_RUNNING, &o);
	expect(env, "cpu", KVMOPS_VERDICT_FAIL, "Cascadelake-Server");
	env->dst.cpu_model = env->src.cpu_model;
	env->dst.cpu_vendor = "AMD";
	run(env, "kvm", cpu, DISK_SHARED, NIC_DEFAULT, VIR_DOMAIN_RUNNING, &o);
	expect(env, "cpu", KVMOPS_VERDICT_FAIL, "AMD");
	/* A passed-through CPU is not compared: it is the host's. */
	assert_int_equal(env->dst.compares, 0);
}

static void test_check_cpu_compare(void **state)
{
	struct check_env *env = *state;
	struct kvmops_migrate_opts o = live_opts();
	const char *custom =
		"<cpu mode='custom' match='exact'><model>Haswell</model>"
		"<feature policy='require' name='avx2'/></cpu>";

	env->dst.compare = VIR_CPU_COMPARE_INCOMPATIBLE;
	run_live(env, NIC_DEFAULT);
	expect(env, "cpu", KVMOPS_VERDICT_FAIL, NULL);
	run(env, "kvm", custom, DISK_SHARED, NIC_DEFAULT, VIR_DOMAIN_RUNNING,
	    &o);
	expect(env, "cpu", KVMOPS_VERDICT_FAIL, NULL);
	env->dst.compare = VIR_CPU_COMPARE_SUPERSET;
	run(env, "kvm", custom, DISK_SHARED, NIC_DEFAULT, VIR_DOMAIN_RUNNING,
	    &o);
	expect(env, "cpu", KVMOPS_VERDICT_OK, NULL);
	env->dst.compare = -EIO;
	run(env, "kvm", custom, DISK_SHARED, NIC_DEFAULT, VIR_DOMAIN_RUNNING,
	    &o);
	expect(env, "cpu", KVMOPS_VERDICT_WARN, "fake: cannot compare");
	/* Even the hosts being alike does not spare a custom model the compare. */
	assert_int_equal(env->dst.compares, 4);
}

static void test_check_cpu_default(void **state)
{
	struct check_env *env = *state;
	struct kvmops_migrate_opts o = live_opts();

	/* TCG emulates the CPU: the hosts may differ. */
	env->dst.cpu_model = "EPYC-Rome";
	env->dst.cpu_vendor = "AMD";
	run(env, "qemu", "", DISK_SHARED, NIC_DEFAULT, VIR_DOMAIN_RUNNING, &o);
	expect(env, "cpu", KVMOPS_VERDICT_OK, "TCG");
	/* KVM with the hypervisor's default CPU on different hosts: doubtful. */
	run(env, "kvm", "", DISK_SHARED, NIC_DEFAULT, VIR_DOMAIN_RUNNING, &o);
	expect(env, "cpu", KVMOPS_VERDICT_WARN, NULL);
	/* ... and fine on alike hosts. */
	fake_default(&env->dst, false);
	run(env, "kvm", "", DISK_SHARED, NIC_DEFAULT, VIR_DOMAIN_RUNNING, &o);
	expect(env, "cpu", KVMOPS_VERDICT_OK, NULL);
	assert_int_equal(env->dst.compares, 0);
}

static void test_check_nx(void **state)
{
	struct check_env *env = *state;

	env->dst.nx_off = true;
	run_live(env, NIC_DEFAULT);
	expect(env, "nx", KVMOPS_VERDICT_FAIL,
	       "on here and off on the destination");
	env->dst.nx_off = false;
	env->src.nx_off = true;
	run_live(env, NIC_DEFAULT);
	expect(env, "nx", KVMOPS_VERDICT_FAIL,
	       "off here and on on the destination");
	env->dst.nx_off = true;
	run_live(env, NIC_DEFAULT);
	expect(env, "nx", KVMOPS_VERDICT_OK, "off on both");
	env->src.no_domcaps = true;
	run_live(env, NIC_DEFAULT);
	expect(env, "nx", KVMOPS_VERDICT_WARN, "this host");
}

#define HOSTDEV                                                            \
	"<hostdev mode='subsystem' type='pci' managed='yes'><source>"      \
	"<address domain='0x0000' bus='0x03' slot='0x00' function='0x0'/>" \
	"</source></hostdev>"

static void test_check_hostdev(void **state)
{
	struct check_env *env = *state;
	struct kvmops_migrate_opts o = offline_opts();

	run_live(env, NIC_DEFAULT HOSTDEV);
	expect(env, "devices", KVMOPS_VERDICT_FAIL, "pci");
	expect_count(env, "devices", 1);
	run(env, "kvm", CPU_HOST_MODEL, DISK_SHARED, NIC_DEFAULT HOSTDEV,
	    VIR_DOMAIN_SHUTOFF, &o);
	expect(env, "devices", KVMOPS_VERDICT_WARN, "pci");
}

static void test_check_chardevs(void **state)
{
	struct check_env *env = *state;

	run_live(env,
		 NIC_DEFAULT "<serial type='dev'><source path='/dev/ttyS1'/>"
			     "<target port='1'/></serial>");
	expect(env, "devices", KVMOPS_VERDICT_FAIL, "/dev/ttyS1");
	expect_count(env, "devices", 1);
	run_live(env, NIC_DEFAULT
		 "<channel type='pipe'><source path='/tmp/g1.pipe'/>"
		 "<target type='virtio' name='org.example.0'/></channel>");
	expect(env, "devices", KVMOPS_VERDICT_FAIL, "/tmp/g1.pipe");
	run_live(env, NIC_DEFAULT HOSTDEV
		 "<parallel type='dev'><source path='/dev/parport0'/>"
		 "<target port='0'/></parallel>");
	expect_count(env, "devices", 2);
	/* What is made afresh wherever the guest runs is no tie. */
	run_live(env, NIC_DEFAULT
		 "<channel type='unix'><source mode='connect' "
		 "path='/run/g1.sock'/><target type='virtio' "
		 "name='org.example.1'/></channel>"
		 "<serial type='file'><source path='/var/log/g1.log'/>"
		 "<target port='1'/></serial>"
		 "<channel type='spicevmc'><target type='virtio' "
		 "name='com.redhat.spice.0'/></channel>");
	expect(env, "devices", KVMOPS_VERDICT_OK, NULL);
}

/*
 * Once a bug: the guest agent channel virt-install adds
 * to every guest. libvirt makes its socket in its own channel directory
 * on whichever host runs the guest, shows that path in the live XML (the
 * check reads the live XML), and leaves it out of the XML it migrates.
 * check_devices' "unix and source/@mode='bind'" calls it "local to this
 * host" and FAILs the live migration of nearly every guest.
 */
static void test_check_guest_agent_channel(void **state)
{
	struct check_env *env = *state;

	run_live(
		env, NIC_DEFAULT
		"<channel type='unix'><source mode='bind' "
		"path='/var/lib/libvirt/qemu/channel/target/domain-3-g1/org.qemu.guest_agent.0'/>"
		"<target type='virtio' name='org.qemu.guest_agent.0' state='connected'/>"
		"<alias name='channel0'/>"
		"<address type='virtio-serial' controller='0' bus='0' port='1'/></channel>");
	expect(env, "devices", KVMOPS_VERDICT_OK, NULL);
	/* As a shut-off guest's XML has it, without a path. */
	run_live(env, NIC_DEFAULT
		 "<channel type='unix'><source mode='bind'/>"
		 "<target type='virtio' name='org.qemu.guest_agent.0'/>"
		 "</channel>");
	expect(env, "devices", KVMOPS_VERDICT_OK, NULL);
}

static void test_check_networks(void **state)
{
	struct check_env *env = *state;

	env->dst.nets[0].name = "other";
	run_live(env, NIC_DEFAULT);
	expect(env, "network default", KVMOPS_VERDICT_FAIL,
	       "no network default");
	env->dst.nets[1] = (struct fake_net){ "default", false };
	run_live(env, NIC_DEFAULT);
	expect(env, "network default", KVMOPS_VERDICT_FAIL, "not active");
	env->dst.nets[1].active = true;
	run_live(env, NIC_DEFAULT);
	expect(env, "network default", KVMOPS_VERDICT_OK, NULL);
	env->dst.net_err = -EIO;
	run_live(env, NIC_DEFAULT);
	expect(env, "network default", KVMOPS_VERDICT_WARN,
	       "fake: networks unreadable");
}

static void test_check_bridges(void **state)
{
	struct check_env *env = *state;
	const char *nics =
		"<interface type='bridge'><source bridge='br0'/></interface>"
		"<interface type='bridge'><source bridge='br1'/></interface>"
		"<interface type='user'/>";

	run_live(env, nics);
	expect(env, "bridge br0", KVMOPS_VERDICT_OK, NULL);
	expect(env, "bridge br1", KVMOPS_VERDICT_FAIL, "br1");
	/* A user-mode NIC needs nothing on the host. */
	assert_false(has_item(env, "networks"));
	env->dst.bridge_err = -EIO;
	run_live(env, nics);
	expect(env, "bridge br1", KVMOPS_VERDICT_WARN,
	       "fake: interfaces unreadable");
	/* No NIC at all says so. */
	run_live(env, "");
	expect(env, "networks", KVMOPS_VERDICT_OK, NULL);
}

static void test_check_live_disks(void **state)
{
	struct check_env *env = *state;

	env->dst.vols[0].path = "/shared/other.qcow2";
	run_live(env, NIC_DEFAULT);
	expect(env, "disk vda", KVMOPS_VERDICT_FAIL, "/shared/g1.qcow2");
	/* The same path, but not the same disk. */
	env->dst.vols[0] =
		(struct fake_vol){ "/shared/g1.qcow2", 20 * GIB, NULL };
	run_live(env, NIC_DEFAULT);
	expect(env, "disk vda", KVMOPS_VERDICT_FAIL, "not this disk");
}

static void test_check_live_disk_kinds(void **state)
{
	struct check_env *env = *state;
	const char *disks = DISK_SHARED
		"<disk type='network' device='disk'><driver name='qemu' type='raw'/>"
		"<source protocol='rbd' name='pool/g1-data'><host name='ceph1'/></source>"
		"<target dev='vdb' bus='virtio'/></disk>"
		"<disk type='file' device='cdrom'><driver name='qemu' type='raw'/>"
		"<target dev='sda' bus='sata'/><readonly/></disk>";
	struct kvmops_migrate_opts o = live_opts();

	run(env, "kvm", CPU_HOST_MODEL, disks, NIC_DEFAULT, VIR_DOMAIN_RUNNING,
	    &o);
	expect(env, "disk vda", KVMOPS_VERDICT_OK, NULL);
	expect(env, "disk vdb", KVMOPS_VERDICT_OK, "network");
	/* An empty drive has nothing to move. */
	assert_false(has_item(env, "disk sda"));
	assert_true(kvmops_check_worst(env->items, env->count) ==
		    KVMOPS_VERDICT_OK);
	/* No disks at all says so. */
	run(env, "kvm", CPU_HOST_MODEL, "", NIC_DEFAULT, VIR_DOMAIN_RUNNING,
	    &o);
	expect(env, "disks", KVMOPS_VERDICT_OK, NULL);
}

/*
 * Once a bug: a disk given as a pool volume
 * (<disk type='volume'><source pool= volume=/>) has no source/@file or
 * @dev, so kvmops_domain_disks gives it an empty path and check_disks
 * skips it without a word, as it does an empty cdrom: the check passes
 * whether or not the destination has that pool and volume. (plan() in
 * migrate-offline.c skips it the same way, so an offline move neither
 * checks nor copies it.) The check should at least say something of it.
 */
static void test_check_volume_disk(void **state)
{
	struct check_env *env = *state;
	struct kvmops_migrate_opts o = live_opts();

	run(env, "kvm", CPU_HOST_MODEL,
	    "<disk type='volume' device='disk'><driver name='qemu' type='qcow2'/>"
	    "<source pool='default' volume='g1.qcow2'/>"
	    "<target dev='vda' bus='virtio'/></disk>",
	    NIC_DEFAULT, VIR_DOMAIN_RUNNING, &o);
	if (!has_item(env, "disk vda") && !has_item(env, "disks")) {
		dump_items(env);
		fail_msg("the volume disk vda is not in the check");
	}
}

/* --copy-storage: the disk is only here, a pool there has room. */
static void copy_setup(struct check_env *env)
{
	env->src.vols[1] =
		(struct fake_vol){ "/var/lib/libvirt/images/g1.qcow2", 20 * GIB,
				   "/var/lib/libvirt/images/base.qcow2" };
	env->src.vols[2] =
		(struct fake_vol){ "/var/lib/libvirt/images/base.qcow2",
				   20 * GIB, NULL };
}

static void run_copy(struct check_env *env, enum kvmops_copy_storage how)
{
	struct kvmops_migrate_opts o = copy_opts(how);

	run(env, "kvm", CPU_HOST_MODEL, DISK_LOCAL, NIC_DEFAULT,
	    VIR_DOMAIN_RUNNING, &o);
}

static void test_check_copy_storage(void **state)
{
	struct check_env *env = *state;

	copy_setup(env);
	run_copy(env, KVMOPS_COPY_ALL);
	expect(env, "disk vda", KVMOPS_VERDICT_OK, "default");
	/* A whole copy needs no backing image there. */
	assert_false(has_item(env, "backing vda"));
	assert_true(kvmops_check_worst(env->items, env->count) ==
		    KVMOPS_VERDICT_OK);

	env->dst.vols[1] =
		(struct fake_vol){ "/var/lib/libvirt/images/g1.qcow2", 20 * GIB,
				   NULL };
	run_copy(env, KVMOPS_COPY_ALL);
	expect(env, "disk vda", KVMOPS_VERDICT_FAIL, "overwrite");
}

static void test_check_copy_storage_pool(void **state)
{
	struct check_env *env = *state;

	copy_setup(env);
	env->dst.pools[1].target = "/srv/images";
	run_copy(env, KVMOPS_COPY_ALL);
	expect(env, "disk vda", KVMOPS_VERDICT_FAIL, "/var/lib/libvirt/images");
	env->dst.pools[1].target = "/var/lib/libvirt/images";
	env->dst.pools[1].available = 20 * GIB - 1;
	run_copy(env, KVMOPS_COPY_ALL);
	expect(env, "disk vda", KVMOPS_VERDICT_FAIL, "pool default");
	env->dst.pools[1].available = 20 * GIB;
	run_copy(env, KVMOPS_COPY_ALL);
	expect(env, "disk vda", KVMOPS_VERDICT_OK, NULL);
}

static void test_check_copy_storage_inc(void **state)
{
	struct check_env *env = *state;

	copy_setup(env);
	run_copy(env, KVMOPS_COPY_INC);
	expect(env, "disk vda", KVMOPS_VERDICT_OK, NULL);
	expect(env, "backing vda", KVMOPS_VERDICT_FAIL,
	       "/var/lib/libvirt/images/base.qcow2");
	env->dst.vols[1] =
		(struct fake_vol){ "/var/lib/libvirt/images/base.qcow2",
				   20 * GIB, NULL };
	run_copy(env, KVMOPS_COPY_INC);
	expect(env, "backing vda", KVMOPS_VERDICT_OK, NULL);
	assert_true(kvmops_check_worst(env->items, env->count) ==
		    KVMOPS_VERDICT_OK);
}

/* A readonly disk is not copied by libvirt: it must be there already. */
static void test_check_copy_storage_readonly(void **state)
{
	struct check_env *env = *state;
	const char *disks = DISK_LOCAL
		"<disk type='file' device='cdrom'><driver name='qemu' type='raw'/>"
		"<source file='/var/lib/libvirt/images/install.iso'/>"
		"<target dev='sda' bus='sata'/><readonly/></disk>";
	struct kvmops_migrate_opts o = copy_opts(KVMOPS_COPY_ALL);

	copy_setup(env);
	env->src.vols[3] =
		(struct fake_vol){ "/var/lib/libvirt/images/install.iso", GIB,
				   NULL };
	run(env, "kvm", CPU_HOST_MODEL, disks, NIC_DEFAULT, VIR_DOMAIN_RUNNING,
	    &o);
	expect(env, "disk vda", KVMOPS_VERDICT_OK, NULL);
	expect(env, "disk sda", KVMOPS_VERDICT_FAIL, "install.iso");
	env->dst.vols[1] = env->src.vols[3];
	run(env, "kvm", CPU_HOST_MODEL, disks, NIC_DEFAULT, VIR_DOMAIN_RUNNING,
	    &o);
	expect(env, "disk sda", KVMOPS_VERDICT_OK, NULL);
}

static void run_offline(struct check_env *env, int state,
			const struct kvmops_migrate_opts *o)
{
	run(env, "kvm", CPU_HOST_MODEL, DISK_LOCAL, NIC_DEFAULT, state, o);
}

static void test_check_offline_state(void **state)
{
	struct check_env *env = *state;
	struct kvmops_migrate_opts o = offline_opts();

	copy_setup(env);
	env->dst.vols[1] = env->src.vols[2]; /* the backing image */
	run_offline(env, VIR_DOMAIN_SHUTOFF, &o);
	expect(env, "state", KVMOPS_VERDICT_OK, "shut off");
	expect(env, "disk vda", KVMOPS_VERDICT_OK, NULL);
	expect(env, "backing vda", KVMOPS_VERDICT_OK, NULL);
	assert_true(kvmops_check_worst(env->items, env->count) ==
		    KVMOPS_VERDICT_OK);

	run_offline(env, VIR_DOMAIN_RUNNING, &o);
	expect(env, "state", KVMOPS_VERDICT_FAIL, "running");
	o.shutdown = true;
	run_offline(env, VIR_DOMAIN_RUNNING, &o);
	expect(env, "state", KVMOPS_VERDICT_OK, "--shutdown");

	o = offline_opts();
	o.keep_state = true;
	o.state_file = "/shared/g1.save";
	run_offline(env, VIR_DOMAIN_SHUTOFF, &o);
	expect(env, "state", KVMOPS_VERDICT_FAIL, "--keep-state");
	run_offline(env, VIR_DOMAIN_RUNNING, &o);
	expect(env, "state", KVMOPS_VERDICT_OK, NULL);
}

static void test_check_offline_disks(void **state)
{
	struct check_env *env = *state;
	struct kvmops_migrate_opts o = offline_opts();

	/* Only in no pool of this host: it cannot be read through libvirt. */
	run_offline(env, VIR_DOMAIN_SHUTOFF, &o);
	expect(env, "disk vda", KVMOPS_VERDICT_FAIL, "no active storage pool");

	/* Seen on the destination: shared, not copied. */
	env->dst.vols[1] =
		(struct fake_vol){ "/var/lib/libvirt/images/g1.qcow2", 20 * GIB,
				   NULL };
	run_offline(env, VIR_DOMAIN_SHUTOFF, &o);
	expect(env, "disk vda", KVMOPS_VERDICT_WARN, "shared");
	copy_setup(env);
	run_offline(env, VIR_DOMAIN_SHUTOFF, &o);
	expect(env, "disk vda", KVMOPS_VERDICT_WARN, "shared");
	assert_false(has_item(env, "backing vda"));

	/* No pool over its directory there. */
	fake_default(&env->dst, false);
	env->dst.pools[1].target = "/srv/images";
	run_offline(env, VIR_DOMAIN_SHUTOFF, &o);
	expect(env, "disk vda", KVMOPS_VERDICT_FAIL, "/var/lib/libvirt/images");
	/* A pool with too little room. */
	env->dst.pools[1] =
		(struct fake_pool){ "default", "/var/lib/libvirt/images", GIB };
	run_offline(env, VIR_DOMAIN_SHUTOFF, &o);
	expect(env, "disk vda", KVMOPS_VERDICT_FAIL, "pool default");
}

static void test_check_offline_pool(void **state)
{
	struct check_env *env = *state;
	struct kvmops_migrate_opts o = offline_opts();

	copy_setup(env);
	env->dst.pools[2] = (struct fake_pool){ "big", "/data", 1000 * GIB };
	env->dst.vols[1] = env->src.vols[2]; /* the backing image */
	o.pool = "big";
	run_offline(env, VIR_DOMAIN_SHUTOFF, &o);
	expect(env, "disk vda", KVMOPS_VERDICT_OK, "/data/g1.qcow2");
	o.pool = "nope";
	run_offline(env, VIR_DOMAIN_SHUTOFF, &o);
	expect(env, "disk vda", KVMOPS_VERDICT_FAIL, "nope");
	/* The copy's path is taken there. */
	o.pool = "big";
	env->dst.vols[2] = (struct fake_vol){ "/data/g1.qcow2", GIB, NULL };
	run_offline(env, VIR_DOMAIN_SHUTOFF, &o);
	expect(env, "disk vda", KVMOPS_VERDICT_FAIL, "/data/g1.qcow2");
	expect_count(env, "disk vda", 1);
	/* With --pool a disk seen on both hosts is copied all the same. */
	env->dst.vols[2].path = "/var/lib/libvirt/images/g1.qcow2";
	run_offline(env, VIR_DOMAIN_SHUTOFF, &o);
	expect(env, "disk vda", KVMOPS_VERDICT_OK, "/data/g1.qcow2");
}

/*
 * Once a bug: with --pool, kvmops_migrate_offline copies
 * every disk (plan_disk in migrate-offline.c treats no disk as shared), so
 * a disk it cannot read through a pool of the source stops the move with
 * "is in no active storage pool here". The check calls the same disk
 * "taken as shared storage and not copied" (WARN), since
 * check_offline_disk tests (!have_src || !opts->pool): a check that passes
 * for a move that will fail.
 */
static void test_check_offline_pool_unreadable_disk(void **state)
{
	struct check_env *env = *state;
	struct kvmops_migrate_opts o = offline_opts();

	env->dst.pools[2] = (struct fake_pool){ "big", "/data", 1000 * GIB };
	env->dst.vols[1] =
		(struct fake_vol){ "/var/lib/libvirt/images/g1.qcow2", 20 * GIB,
				   NULL };
	o.pool = "big";
	run_offline(env, VIR_DOMAIN_SHUTOFF, &o);
	expect(env, "disk vda", KVMOPS_VERDICT_FAIL, "no active storage pool");
}

/*
 * Once a bug: with --pool, every disk goes to
 * POOL_TARGET/BASENAME, so two disks of the same file name in different
 * directories are bound for the same path. Each is checked alone (is that
 * path free there? yes) and both pass; the move then copies the first and
 * fails creating the second ("volume already exists"), after copying a
 * whole disk for nothing. plan() in migrate-offline.c does not see it
 * either. The check should FAIL the second one.
 */
static void test_check_offline_pool_same_name(void **state)
{
	struct check_env *env = *state;
	const char *disks =
		"<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
		"<source file='/vm/a/disk0.qcow2'/><target dev='vda' bus='virtio'/></disk>"
		"<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
		"<source file='/vm/b/disk0.qcow2'/><target dev='vdb' bus='virtio'/></disk>";
	struct kvmops_migrate_opts o = offline_opts();

	env->src.vols[1] = (struct fake_vol){ "/vm/a/disk0.qcow2", GIB, NULL };
	env->src.vols[2] = (struct fake_vol){ "/vm/b/disk0.qcow2", GIB, NULL };
	env->dst.pools[2] = (struct fake_pool){ "big", "/data", 1000 * GIB };
	o.pool = "big";
	run(env, "kvm", CPU_HOST_MODEL, disks, NIC_DEFAULT, VIR_DOMAIN_SHUTOFF,
	    &o);
	expect(env, "disk vda", KVMOPS_VERDICT_OK, "/data/disk0.qcow2");
	expect(env, "disk vdb", KVMOPS_VERDICT_FAIL, "/data/disk0.qcow2");
}

static void test_check_worst(void **state)
{
	struct kvmops_check_item items[3];

	memset(items, 0, sizeof(items));
	assert_true(kvmops_check_worst(NULL, 0) == KVMOPS_VERDICT_OK);
	assert_true(kvmops_check_worst(items, 3) == KVMOPS_VERDICT_OK);
	items[2].verdict = KVMOPS_VERDICT_WARN;
	assert_true(kvmops_check_worst(items, 3) == KVMOPS_VERDICT_WARN);
	items[0].verdict = KVMOPS_VERDICT_FAIL;
	assert_true(kvmops_check_worst(items, 3) == KVMOPS_VERDICT_FAIL);
	/* Only @count items are looked at. */
	assert_true(kvmops_check_worst(items + 1, 2) == KVMOPS_VERDICT_WARN);
	assert_true(kvmops_check_worst(items + 1, 1) == KVMOPS_VERDICT_OK);
}

/* ---- the domain XML ----------------------------------------------------- */

static const char disks_xml[] =
	"<domain type='kvm'>\n"
	"  <name>g1</name>\n"
	"  <uuid>6c1d3b8e-2f7a-4c1e-9a55-0d3f4b2a9e10</uuid>\n"
	"  <memory unit='KiB'>1048576</memory>\n"
	"  <devices>\n"
	"    <emulator>/usr/bin/qemu-system-x86_64</emulator>\n"
	"    <disk type='file' device='disk'>\n"
	"      <driver name='qemu' type='qcow2'/>\n"
	"      <source file='/var/lib/libvirt/images/g1.qcow2'/>\n"
	"      <backingStore type='file'><format type='qcow2'/>"
	"<source file='/var/lib/libvirt/images/base.qcow2'/></backingStore>\n"
	"      <target dev='vda' bus='virtio'/>\n"
	"    </disk>\n"
	"    <disk type='block' device='disk'>\n"
	"      <driver name='qemu' type='raw' cache='none'/>\n"
	"      <source dev='/dev/vg0/g1-data'/>\n"
	"      <target dev='vdb' bus='virtio'/>\n"
	"      <shareable/>\n"
	"    </disk>\n"
	"    <disk type='network' device='disk'>\n"
	"      <driver name='qemu' type='raw'/>\n"
	"      <source protocol='rbd' name='rbd/g1-logs'><host name='ceph1' port='6789'/></source>\n"
	"      <target dev='vdc' bus='virtio'/>\n"
	"    </disk>\n"
	"    <disk type='file' device='cdrom'>\n"
	"      <driver name='qemu' type='raw'/>\n"
	"      <target dev='sda' bus='sata'/>\n"
	"      <readonly/>\n"
	"    </disk>\n"
	"    <disk type='file' device='disk'>\n"
	"      <driver name='qemu' type='raw'/>\n"
	"      <source file='/srv/iso/tools.img'/>\n"
	"      <target dev='vdd' bus='virtio'/>\n"
	"      <readonly/>\n"
	"    </disk>\n"
	"    <interface type='network'><source network='default'/></interface>\n"
	"  </devices>\n"
	"</domain>\n";

static void test_domain_disks(void **state)
{
	struct kvmops_disk *d = NULL;
	size_t n = 0;

	assert_int_equal(kvmops_domain_disks(disks_xml, &d, &n), 0);
	assert_int_equal(n, 5);

	assert_string_equal(d[0].target, "vda");
	assert_string_equal(d[0].device, "disk");
	assert_string_equal(d[0].type, "file");
	assert_string_equal(d[0].path, "/var/lib/libvirt/images/g1.qcow2");
	assert_string_equal(d[0].format, "qcow2");
	assert_false(d[0].readonly);
	assert_false(d[0].shareable);

	assert_string_equal(d[1].target, "vdb");
	assert_string_equal(d[1].type, "block");
	assert_string_equal(d[1].path, "/dev/vg0/g1-data");
	assert_string_equal(d[1].format, "raw");
	assert_false(d[1].readonly);
	assert_true(d[1].shareable);

	assert_string_equal(d[2].target, "vdc");
	assert_string_equal(d[2].type, "network");
	assert_string_equal(d[2].path, "");

	/* An empty cdrom: no path, and a cdrom is read-only. */
	assert_string_equal(d[3].target, "sda");
	assert_string_equal(d[3].device, "cdrom");
	assert_string_equal(d[3].path, "");
	assert_true(d[3].readonly);

	assert_string_equal(d[4].target, "vdd");
	assert_string_equal(d[4].path, "/srv/iso/tools.img");
	assert_true(d[4].readonly);
	free(d);
}

static void test_domain_disks_none_and_junk(void **state)
{
	struct kvmops_disk *d = (struct kvmops_disk *)&d;
	size_t n = 99;

	assert_int_equal(
		kvmops_domain_disks("<domain><name>x</name><devices/></domain>",
				    &d, &n),
		0);
	assert_null(d);
	assert_int_equal(n, 0);
	n = 99;
	assert_int_equal(kvmops_domain_disks("<domain><devices>", &d, &n),
			 -EINVAL);
	assert_null(d);
	assert_int_equal(n, 0);
}

static void test_rewrite_domain(void **state)
{
	struct kvmops_ctx *ctx = *state;
	const char *from[] = { "/var/lib/libvirt/images/g1.qcow2",
			       "/dev/vg0/g1-data", "/not/a/disk.img" };
	const char *to[] = { "/data/g1.qcow2", "/dev/vg1/g1-data",
			     "/elsewhere.img" };
	struct kvmops_disk *d = NULL;
	char *out = NULL;
	size_t n = 0;

	assert_int_equal(kvmops_rewrite_domain(ctx, disks_xml, "g2", from, to,
					       3, &out),
			 0);
	assert_non_null(out);
	assert_non_null(strstr(out, "<name>g2</name>"));
	assert_null(strstr(out, "<name>g1</name>"));

	assert_int_equal(kvmops_domain_disks(out, &d, &n), 0);
	assert_int_equal(n, 5);
	assert_string_equal(d[0].path, "/data/g1.qcow2");
	assert_string_equal(d[1].path, "/dev/vg1/g1-data");
	assert_string_equal(d[2].path, "");
	assert_string_equal(d[4].path, "/srv/iso/tools.img");
	assert_string_equal(d[0].format, "qcow2");
	assert_true(d[1].shareable);
	assert_true(d[4].readonly);
	free(d);

	/* The rest as it was: the backing image, the network disk, the NIC. */
	assert_non_null(strstr(
		out, "<source file=\"/var/lib/libvirt/images/base.qcow2\"/>"));
	assert_non_null(strstr(out, "name=\"rbd/g1-logs\""));
	assert_non_null(strstr(
		out, "<uuid>6c1d3b8e-2f7a-4c1e-9a55-0d3f4b2a9e10</uuid>"));
	assert_non_null(strstr(out, "<memory unit=\"KiB\">1048576</memory>"));
	assert_non_null(strstr(out, "<source network=\"default\"/>"));
	assert_non_null(strstr(
		out, "<emulator>/usr/bin/qemu-system-x86_64</emulator>"));
	assert_null(strstr(out, "/elsewhere.img"));
	assert_null(strstr(out, "/var/lib/libvirt/images/g1.qcow2"));
	free(out);
}

static void test_rewrite_domain_nothing(void **state)
{
	struct kvmops_ctx *ctx = *state;
	struct kvmops_disk *a = NULL, *b = NULL;
	char *out = NULL;
	size_t na = 0, nb = 0, i;

	/* No name, no moves: the same domain, re-serialized. */
	assert_int_equal(kvmops_rewrite_domain(ctx, disks_xml, NULL, NULL, NULL,
					       0, &out),
			 0);
	assert_non_null(strstr(out, "<name>g1</name>"));
	assert_int_equal(kvmops_domain_disks(disks_xml, &a, &na), 0);
	assert_int_equal(kvmops_domain_disks(out, &b, &nb), 0);
	assert_int_equal(na, nb);
	for (i = 0; i < na; i++)
		assert_memory_equal(&a[i], &b[i], sizeof(a[i]));
	free(a);
	free(b);
	free(out);

	out = (char *)"untouched";
	assert_int_equal(kvmops_rewrite_domain(ctx, "not xml", "g2", NULL, NULL,
					       0, &out),
			 -EINVAL);
	assert_string_equal(out, "untouched");
	assert_in_error(ctx, "XML");
}

/*
 * Once a bug: each disk should move once, to its own
 * destination, as the header says ("each disk whose source is @from[i]
 * moved to @to[i]"). kvmops_rewrite_domain applies the moves one after
 * the other to the same node, so a disk moved to a path that is also a
 * later @from moves on again: here vda ends at /other/g1.qcow2. (Today
 * only reachable together with the destination-name clash below; a fix is
 * to stop at the first match in set_source's caller.)
 */
static void test_rewrite_domain_not_chained(void **state)
{
	struct kvmops_ctx *ctx = *state;
	const char *from[] = { "/var/lib/libvirt/images/g1.qcow2",
			       "/data/g1.qcow2" };
	const char *to[] = { "/data/g1.qcow2", "/other/g1.qcow2" };
	struct kvmops_disk *d = NULL;
	char *out = NULL, path[PATH_MAX] = "";
	size_t n = 0;

	assert_int_equal(kvmops_rewrite_domain(ctx, disks_xml, NULL, from, to,
					       2, &out),
			 0);
	if (!kvmops_domain_disks(out, &d, &n) && n)
		snprintf(path, sizeof(path), "%s", d[0].path);
	free(d);
	free(out);
	assert_string_equal(path, "/data/g1.qcow2");
}

/*
 * Once a bug: a domain name is text, and libvirt allows
 * '&' in it (only '/' and newlines are refused), as does
 * kvmops_migrate_opts_check for --dname. kvmops_rewrite_domain hands the
 * name to xmlNodeSetContent, which takes its argument as markup: "a&b"
 * becomes an empty <name/> (libxml2: "unterminated entity reference"),
 * and the offline move fails late, at virDomainDefineXML on the
 * destination. Escape it first (xmlEncodeSpecialChars), or set it with
 * xmlNodeAddContent on an emptied node.
 */
static void test_rewrite_domain_name_escaped(void **state)
{
	struct kvmops_ctx *ctx = *state;
	char *out = NULL, name[128] = "(none)";
	const char *at, *end;

	assert_int_equal(kvmops_rewrite_domain(ctx, disks_xml, "web&db", NULL,
					       NULL, 0, &out),
			 0);
	at = strstr(out, "<name");
	end = at ? strchr(at, '\n') : NULL;
	if (at && end)
		snprintf(name, sizeof(name), "%.*s", (int)(end - at), at);
	free(out);
	assert_string_equal(name, "<name>web&amp;db</name>");
}

/* ---- the rest ----------------------------------------------------------- */

static void test_fnv1a(void **state)
{
	uint64_t h;

	assert_true(KVMOPS_FNV_OFFSET == 0xcbf29ce484222325ULL);
	assert_true(kvmops_fnv1a(KVMOPS_FNV_OFFSET, "", 0) ==
		    0xcbf29ce484222325ULL);
	assert_true(kvmops_fnv1a(KVMOPS_FNV_OFFSET, "a", 1) ==
		    0xaf63dc4c8601ec8cULL);
	assert_true(kvmops_fnv1a(KVMOPS_FNV_OFFSET, "foobar", 6) ==
		    0x85944171f73967e8ULL);
	/* In pieces as in one go, as a stream hashes it. */
	h = kvmops_fnv1a(KVMOPS_FNV_OFFSET, "foo", 3);
	h = kvmops_fnv1a(h, "bar", 3);
	assert_true(h == 0x85944171f73967e8ULL);
	/* Bytes above 0x7f are not sign-extended. */
	assert_true(kvmops_fnv1a(KVMOPS_FNV_OFFSET, "\xff", 1) ==
		    ((0xcbf29ce484222325ULL ^ 0xffULL) * 0x100000001b3ULL));
}

static void test_job_from_params(void **state)
{
	virTypedParameter p[8];
	struct kvmops_job job;

	memset(p, 0, sizeof(p));
#define SET(i, name, t, member, v)                                    \
	do {                                                          \
		snprintf(p[i].field, sizeof(p[i].field), "%s", name); \
		p[i].type = t;                                        \
		p[i].value.member = v;                                \
	} while (0)
	SET(0, VIR_DOMAIN_JOB_TIME_ELAPSED, VIR_TYPED_PARAM_ULLONG, ul, 12345);
	SET(1, VIR_DOMAIN_JOB_MEMORY_PROCESSED, VIR_TYPED_PARAM_ULLONG, ul,
	    5ull << 32);
	SET(2, VIR_DOMAIN_JOB_MEMORY_DIRTY_RATE, VIR_TYPED_PARAM_ULLONG, ul,
	    2560);
	SET(3, VIR_DOMAIN_JOB_MEMORY_PAGE_SIZE, VIR_TYPED_PARAM_ULLONG, ul,
	    4096);
	SET(4, VIR_DOMAIN_JOB_MEMORY_ITERATION, VIR_TYPED_PARAM_ULLONG, ul, 3);
	SET(5, VIR_DOMAIN_JOB_AUTO_CONVERGE_THROTTLE, VIR_TYPED_PARAM_INT, i,
	    20);
	SET(6, "no.such.field", VIR_TYPED_PARAM_ULLONG, ul, 777);
	SET(7, VIR_DOMAIN_JOB_DISK_BPS, VIR_TYPED_PARAM_STRING, s,
	    (char *)"junk");

	memset(&job, 0, sizeof(job));
	kvmops_job_from_params(&job, p, 8);
	assert_true(job.elapsed_ms == 12345);
	assert_true(job.mem_processed == 5ull << 32);
	assert_true(job.dirty_rate == 2560);
	assert_true(job.page_size == 4096);
	assert_true(job.iteration == 3);
	assert_true(job.throttle_percent == 20);
	assert_true(job.disk_bps == 0);
	assert_false(job.have_downtime);
	assert_true(job.downtime_ms == 0);

	memset(p, 0, sizeof(p));
	SET(0, VIR_DOMAIN_JOB_DATA_TOTAL, VIR_TYPED_PARAM_ULLONG, ul, 1000);
	SET(1, VIR_DOMAIN_JOB_DATA_PROCESSED, VIR_TYPED_PARAM_ULLONG, ul, 600);
	SET(2, VIR_DOMAIN_JOB_DATA_REMAINING, VIR_TYPED_PARAM_ULLONG, ul, 400);
	SET(3, VIR_DOMAIN_JOB_DISK_TOTAL, VIR_TYPED_PARAM_ULLONG, ul, 300);
	SET(4, VIR_DOMAIN_JOB_DISK_PROCESSED, VIR_TYPED_PARAM_ULLONG, ul, 200);
	SET(5, VIR_DOMAIN_JOB_DISK_REMAINING, VIR_TYPED_PARAM_ULLONG, ul, 100);
	SET(6, VIR_DOMAIN_JOB_SETUP_TIME, VIR_TYPED_PARAM_ULLONG, ul, 15);
	SET(7, VIR_DOMAIN_JOB_MEMORY_BPS, VIR_TYPED_PARAM_ULLONG, ul, 1 << 20);
	memset(&job, 0, sizeof(job));
	kvmops_job_from_params(&job, p, 8);
	assert_true(job.data_total == 1000);
	assert_true(job.data_processed == 600);
	assert_true(job.data_remaining == 400);
	assert_true(job.disk_total == 300);
	assert_true(job.disk_processed == 200);
	assert_true(job.disk_remaining == 100);
	assert_true(job.setup_ms == 15);
	assert_true(job.mem_bps == 1 << 20);
	assert_false(job.have_downtime);

	/* A downtime, even of 0 ms, is a downtime; UINT fields count too. */
	memset(p, 0, sizeof(p));
	SET(0, VIR_DOMAIN_JOB_DOWNTIME, VIR_TYPED_PARAM_ULLONG, ul, 0);
	SET(1, VIR_DOMAIN_JOB_MEMORY_TOTAL, VIR_TYPED_PARAM_UINT, ui, 4096);
	SET(2, VIR_DOMAIN_JOB_MEMORY_REMAINING, VIR_TYPED_PARAM_INT, i, -5);
	memset(&job, 0, sizeof(job));
	kvmops_job_from_params(&job, p, 3);
	assert_true(job.have_downtime);
	assert_true(job.downtime_ms == 0);
	assert_true(job.mem_total == 4096);
	assert_true(job.mem_remaining == 0);
	SET(0, VIR_DOMAIN_JOB_DOWNTIME, VIR_TYPED_PARAM_ULLONG, ul, 42);
	kvmops_job_from_params(&job, p, 1);
	assert_true(job.downtime_ms == 42);
#undef SET
	/* Nothing at all: nothing changes. */
	memset(&job, 0, sizeof(job));
	kvmops_job_from_params(&job, NULL, 0);
	assert_false(job.have_downtime);
}

static void test_phase_name(void **state)
{
	static const struct {
		enum kvmops_migrate_phase phase;
		const char *name;
	} want[] = {
		{ KVMOPS_PHASE_SETUP, "setup" },
		{ KVMOPS_PHASE_DISKS, "disks" },
		{ KVMOPS_PHASE_MEMORY, "memory" },
		{ KVMOPS_PHASE_POSTCOPY, "postcopy" },
		{ KVMOPS_PHASE_FINISHING, "finishing" },
		{ KVMOPS_PHASE_SHUTDOWN, "shutdown" },
		{ KVMOPS_PHASE_SAVE, "save" },
		{ KVMOPS_PHASE_COPY, "copy" },
		{ KVMOPS_PHASE_VERIFY, "verify" },
		{ KVMOPS_PHASE_RESTORE, "restore" },
		{ KVMOPS_PHASE_DONE, "done" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(want); i++)
		assert_string_equal(kvmops_phase_name(want[i].phase),
				    want[i].name);
	assert_string_equal(kvmops_phase_name((enum kvmops_migrate_phase)(
				    KVMOPS_PHASE_DONE + 1)),
			    "unknown");
	assert_string_equal(kvmops_phase_name((enum kvmops_migrate_phase) - 1),
			    "unknown");
}

#define PURE(f) cmocka_unit_test_setup_teardown(f, ctx_setup, ctx_teardown)
#define VIRT_TEST(f) \
	cmocka_unit_test_setup_teardown(f, virt_setup, ctx_teardown)
#define CHECK(f) cmocka_unit_test_setup_teardown(f, check_setup, check_teardown)

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
		VIRT_TEST(test_plan_minimal),
		VIRT_TEST(test_plan_flags),
		VIRT_TEST(test_plan_params),
		VIRT_TEST(test_plan_params_absent),
		VIRT_TEST(test_plan_older_caller),
		CHECK(test_check_clean_live),
		CHECK(test_check_state_live),
		CHECK(test_check_host),
		CHECK(test_check_name_clash),
		CHECK(test_check_memory),
		CHECK(test_check_arch),
		CHECK(test_check_arch_other),
		CHECK(test_check_caps_unreadable),
		CHECK(test_check_emulator),
		CHECK(test_check_cpu_passthrough),
		CHECK(test_check_cpu_compare),
		CHECK(test_check_cpu_default),
		CHECK(test_check_nx),
		CHECK(test_check_hostdev),
		CHECK(test_check_chardevs),
		CHECK(test_check_guest_agent_channel),
		CHECK(test_check_networks),
		CHECK(test_check_bridges),
		CHECK(test_check_live_disks),
		CHECK(test_check_live_disk_kinds),
		CHECK(test_check_volume_disk),
		CHECK(test_check_copy_storage),
		CHECK(test_check_copy_storage_pool),
		CHECK(test_check_copy_storage_inc),
		CHECK(test_check_copy_storage_readonly),
		CHECK(test_check_offline_state),
		CHECK(test_check_offline_disks),
		CHECK(test_check_offline_pool),
		CHECK(test_check_offline_pool_unreadable_disk),
		CHECK(test_check_offline_pool_same_name),
		cmocka_unit_test(test_check_worst),
		VIRT_TEST(test_domain_disks),
		VIRT_TEST(test_domain_disks_none_and_junk),
		VIRT_TEST(test_rewrite_domain),
		VIRT_TEST(test_rewrite_domain_nothing),
		VIRT_TEST(test_rewrite_domain_not_chained),
		VIRT_TEST(test_rewrite_domain_name_escaped),
		cmocka_unit_test(test_fnv1a),
		cmocka_unit_test(test_job_from_params),
		cmocka_unit_test(test_phase_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
