// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The flags and typed parameters handed to virDomainMigrate3
 * (lib/migrate/plan.c).
 */
#include "fake-hosts.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		VIRT_TEST(test_plan_minimal),
		VIRT_TEST(test_plan_flags),
		VIRT_TEST(test_plan_params),
		VIRT_TEST(test_plan_params_absent),
		VIRT_TEST(test_plan_older_caller),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
