// SPDX-License-Identifier: LGPL-2.1-or-later
/* The library context: refcounts, logging, roots, errors, libvirt URIs. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "libkvmops-private.h"

static const char *const env_names[] = {
	"KVMOPS_LOG",	      "KVMOPS_SYSFS_ROOT",   "KVMOPS_PROC_ROOT",
	"KVMOPS_DEFAULT_URI", "LIBVIRT_DEFAULT_URI",
};

/* The environment a test sets must not leak into the next one. */
static int clear_env(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(env_names); i++)
		unsetenv(env_names[i]);
	return 0;
}

static struct kvmops_ctx *new_ctx(void)
{
	struct kvmops_ctx *ctx = NULL;

	assert_int_equal(kvmops_new(&ctx), 0);
	assert_non_null(ctx);
	return ctx;
}

/* ---- refcounting ------------------------------------------------------- */

static void test_new_then_unref_frees(void **state)
{
	struct kvmops_ctx *ctx = new_ctx();

	assert_null(kvmops_unref(ctx));
}

static void test_ref_keeps_ctx_until_last_unref(void **state)
{
	struct kvmops_ctx *ctx = new_ctx();

	assert_ptr_equal(kvmops_ref(ctx), ctx);
	assert_ptr_equal(kvmops_ref(ctx), ctx);
	assert_ptr_equal(kvmops_unref(ctx), ctx);
	assert_ptr_equal(kvmops_unref(ctx), ctx);
	/* Still usable: valgrind would flag a use after free. */
	assert_string_equal(kvmops_last_error(ctx), "");
	assert_null(kvmops_unref(ctx));
}

static void test_ref_unref_null_is_harmless(void **state)
{
	assert_null(kvmops_ref(NULL));
	assert_null(kvmops_unref(NULL));
}

static void test_userdata_round_trips(void **state)
{
	struct kvmops_ctx *ctx = new_ctx();
	int marker;

	assert_null(kvmops_get_userdata(ctx));
	kvmops_set_userdata(ctx, &marker);
	assert_ptr_equal(kvmops_get_userdata(ctx), &marker);
	kvmops_unref(ctx);
}

static void test_version_is_package_version(void **state)
{
	assert_string_equal(kvmops_version(), PACKAGE_VERSION);
}

/* ---- logging ----------------------------------------------------------- */

struct captured_log {
	int calls;
	int min_priority;
	int max_priority;
	char last[1024];
};

/* Records what the library logs, found through the context's userdata. */
static void capture_log(struct kvmops_ctx *ctx, int priority, const char *file,
			int line, const char *fn, const char *format,
			va_list args)
{
	struct captured_log *log = kvmops_get_userdata(ctx);

	if (!log->calls || priority < log->min_priority)
		log->min_priority = priority;
	if (!log->calls || priority > log->max_priority)
		log->max_priority = priority;
	log->calls++;
	vsnprintf(log->last, sizeof(log->last), format, args);
}

/* A failed parse logs its message at debug priority, and nothing else. */
static void log_one_failure(struct kvmops_ctx *ctx, struct captured_log *log)
{
	struct kvmops_size size;

	memset(log, 0, sizeof(*log));
	kvmops_set_userdata(ctx, log);
	kvmops_set_log_fn(ctx, capture_log);
	assert_int_equal(kvmops_size_parse(ctx, "abc", 0, &size), -EINVAL);
}

static void test_log_fn_gets_debug_messages_at_debug(void **state)
{
	struct kvmops_ctx *ctx = new_ctx();
	struct captured_log log;

	kvmops_set_log_priority(ctx, KVMOPS_LOG_DEBUG);
	assert_int_equal(kvmops_get_log_priority(ctx), KVMOPS_LOG_DEBUG);
	log_one_failure(ctx, &log);
	assert_true(log.calls > 0);
	assert_int_equal(log.min_priority, KVMOPS_LOG_DEBUG);
	assert_int_equal(log.max_priority, KVMOPS_LOG_DEBUG);
	assert_non_null(strstr(log.last, "abc"));
	kvmops_unref(ctx);
}

static void test_log_fn_silent_at_err(void **state)
{
	struct kvmops_ctx *ctx = new_ctx();
	struct captured_log log;

	kvmops_set_log_priority(ctx, KVMOPS_LOG_ERR);
	log_one_failure(ctx, &log);
	assert_int_equal(log.calls, 0);
	kvmops_unref(ctx);
}

static void test_log_priority_defaults_to_err(void **state)
{
	struct kvmops_ctx *ctx = new_ctx();

	assert_int_equal(kvmops_get_log_priority(ctx), KVMOPS_LOG_ERR);
	kvmops_unref(ctx);
}

static void check_env_log(const char *value, int expected)
{
	struct kvmops_ctx *ctx;

	setenv("KVMOPS_LOG", value, 1);
	ctx = new_ctx();
	assert_int_equal(kvmops_get_log_priority(ctx), expected);
	kvmops_set_log_fn(ctx, NULL);
	kvmops_unref(ctx);
}

static void test_env_log_debug(void **state)
{
	check_env_log("debug", KVMOPS_LOG_DEBUG);
}

static void test_env_log_info(void **state)
{
	check_env_log("info", KVMOPS_LOG_INFO);
}

static void test_env_log_err(void **state)
{
	check_env_log("err", KVMOPS_LOG_ERR);
}

static void test_env_log_junk_keeps_default(void **state)
{
	check_env_log("loud", KVMOPS_LOG_ERR);
}

/* ---- sysfs and proc roots ---------------------------------------------- */

static void test_roots_default_to_slash(void **state)
{
	struct kvmops_ctx *ctx = new_ctx();

	assert_string_equal(kvmops_get_sysfs_root(ctx), "/");
	assert_string_equal(kvmops_get_proc_root(ctx), "/");
	kvmops_unref(ctx);
}

static void test_roots_from_env_drop_trailing_slashes(void **state)
{
	struct kvmops_ctx *ctx;

	setenv("KVMOPS_SYSFS_ROOT", "/tmp/fake-sys//", 1);
	setenv("KVMOPS_PROC_ROOT", "/tmp/fake-proc/", 1);
	ctx = new_ctx();
	assert_string_equal(kvmops_get_sysfs_root(ctx), "/tmp/fake-sys");
	assert_string_equal(kvmops_get_proc_root(ctx), "/tmp/fake-proc");
	kvmops_unref(ctx);
}

static void test_empty_env_root_means_slash(void **state)
{
	struct kvmops_ctx *ctx;

	setenv("KVMOPS_SYSFS_ROOT", "", 1);
	ctx = new_ctx();
	assert_string_equal(kvmops_get_sysfs_root(ctx), "/");
	kvmops_unref(ctx);
}

static void test_set_roots_drop_trailing_slashes(void **state)
{
	struct kvmops_ctx *ctx = new_ctx();

	assert_int_equal(kvmops_set_sysfs_root(ctx, "/srv/sys/"), 0);
	assert_int_equal(kvmops_set_proc_root(ctx, "/srv/proc///"), 0);
	assert_string_equal(kvmops_get_sysfs_root(ctx), "/srv/sys");
	assert_string_equal(kvmops_get_proc_root(ctx), "/srv/proc");
	kvmops_unref(ctx);
}

static void test_set_root_keeps_lone_slash(void **state)
{
	struct kvmops_ctx *ctx = new_ctx();

	assert_int_equal(kvmops_set_sysfs_root(ctx, "///"), 0);
	assert_string_equal(kvmops_get_sysfs_root(ctx), "/");
	kvmops_unref(ctx);
}

static void test_set_root_null_or_empty_means_slash(void **state)
{
	struct kvmops_ctx *ctx = new_ctx();

	assert_int_equal(kvmops_set_sysfs_root(ctx, "/srv/sys"), 0);
	assert_int_equal(kvmops_set_sysfs_root(ctx, NULL), 0);
	assert_string_equal(kvmops_get_sysfs_root(ctx), "/");
	assert_int_equal(kvmops_set_proc_root(ctx, "/srv/proc"), 0);
	assert_int_equal(kvmops_set_proc_root(ctx, ""), 0);
	assert_string_equal(kvmops_get_proc_root(ctx), "/");
	kvmops_unref(ctx);
}

static void test_set_root_overrides_env(void **state)
{
	struct kvmops_ctx *ctx;

	setenv("KVMOPS_PROC_ROOT", "/from/env", 1);
	ctx = new_ctx();
	assert_string_equal(kvmops_get_proc_root(ctx), "/from/env");
	assert_int_equal(kvmops_set_proc_root(ctx, "/from/api"), 0);
	assert_string_equal(kvmops_get_proc_root(ctx), "/from/api");
	kvmops_unref(ctx);
}

/* The roots are joined, not concatenated with a doubled slash. */
static void test_paths_join_root_and_absolute_path(void **state)
{
	struct kvmops_ctx *ctx = new_ctx();
	char path[PATH_MAX];

	assert_int_equal(
		kvmops_sys_path(ctx, path, sizeof(path), "/sys/%s", "x"), 0);
	assert_string_equal(path, "/sys/x");
	assert_int_equal(kvmops_set_proc_root(ctx, "/fx/"), 0);
	assert_int_equal(kvmops_proc_path(ctx, path, sizeof(path), "/proc/1"),
			 0);
	assert_string_equal(path, "/fx/proc/1");
	assert_int_equal(kvmops_proc_path(ctx, path, 8, "/proc/1"),
			 -ENAMETOOLONG);
	kvmops_unref(ctx);
}

/* ---- errors ------------------------------------------------------------ */

static void test_last_error_empty_initially(void **state)
{
	struct kvmops_ctx *ctx = new_ctx();

	assert_string_equal(kvmops_last_error(ctx), "");
	kvmops_unref(ctx);
}

static void test_last_error_set_after_failure(void **state)
{
	struct kvmops_ctx *ctx = new_ctx();
	struct kvmops_size size;

	assert_int_equal(kvmops_size_parse(ctx, "12Q", 0, &size), -EINVAL);
	assert_non_null(strstr(kvmops_last_error(ctx), "'12Q'"));
	kvmops_unref(ctx);
}

static void test_fail_returns_err_and_formats(void **state)
{
	struct kvmops_ctx *ctx = new_ctx();

	assert_int_equal(kvmops_fail(ctx, -EBUSY, "knob %s is %d", "x", 7),
			 -EBUSY);
	assert_string_equal(kvmops_last_error(ctx), "knob x is 7");
	kvmops_clear_error(ctx);
	assert_string_equal(kvmops_last_error(ctx), "");
	kvmops_unref(ctx);
}

/* ---- parsing helpers --------------------------------------------------- */

static void test_parse_u64(void **state)
{
	uint64_t v = 0;

	assert_int_equal(kvmops_parse_u64("18446744073709551615", &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(kvmops_parse_u64("18446744073709551616", &v), -ERANGE);
	assert_int_equal(kvmops_parse_u64("-1", &v), -EINVAL);
	assert_int_equal(kvmops_parse_u64(" 1", &v), -EINVAL);
	assert_int_equal(kvmops_parse_u64("1x", &v), -EINVAL);
	assert_int_equal(kvmops_parse_u64("", &v), -EINVAL);
}

static void test_parse_s64(void **state)
{
	int64_t v = 0;

	assert_int_equal(kvmops_parse_s64("-42", &v), 0);
	assert_true(v == -42);
	assert_int_equal(kvmops_parse_s64("-", &v), -EINVAL);
	assert_int_equal(kvmops_parse_s64("+1", &v), -EINVAL);
	assert_int_equal(kvmops_parse_s64("9223372036854775808", &v), -ERANGE);
	assert_int_equal(kvmops_parse_s64("", &v), -EINVAL);
}

/* ---- libvirt URIs ------------------------------------------------------ */

static void test_pick_uri_null_without_env(void **state)
{
	assert_null(kvmops_pick_uri(NULL));
	assert_null(kvmops_pick_uri(""));
}

static void test_pick_uri_explicit_wins(void **state)
{
	setenv("KVMOPS_DEFAULT_URI", "test:///kvmops", 1);
	setenv("LIBVIRT_DEFAULT_URI", "test:///libvirt", 1);
	assert_string_equal(kvmops_pick_uri("qemu:///system"),
			    "qemu:///system");
}

static void test_pick_uri_kvmops_env_beats_libvirt_env(void **state)
{
	setenv("KVMOPS_DEFAULT_URI", "test:///kvmops", 1);
	setenv("LIBVIRT_DEFAULT_URI", "test:///libvirt", 1);
	assert_string_equal(kvmops_pick_uri(NULL), "test:///kvmops");
	assert_string_equal(kvmops_pick_uri(""), "test:///kvmops");
}

static void test_pick_uri_libvirt_env_last(void **state)
{
	setenv("KVMOPS_DEFAULT_URI", "", 1);
	setenv("LIBVIRT_DEFAULT_URI", "test:///libvirt", 1);
	assert_string_equal(kvmops_pick_uri(NULL), "test:///libvirt");
}

/*
 * libvirt's test driver needs no daemon. Tests pass NO_EVENT_LOOP except
 * one: the loop thread, once started, runs until the process exits.
 */
static void test_connect_test_driver(void **state)
{
	struct kvmops_ctx *ctx = new_ctx();
	virConnectPtr conn = NULL;

	assert_int_equal(kvmops_connect(ctx, "test:///default",
					KVMOPS_CONNECT_NO_EVENT_LOOP, &conn),
			 0);
	assert_non_null(conn);
	assert_string_equal(kvmops_last_error(ctx), "");
	kvmops_disconnect(conn);
	kvmops_unref(ctx);
}

/*
 * Valgrind reports the stack of a thread still running at exit as possibly
 * lost; the event loop thread runs for the life of the process by design.
 */
static bool under_valgrind(void)
{
	const char *preload = getenv("LD_PRELOAD");

	return preload && strstr(preload, "vgpreload");
}

static void test_connect_with_event_loop(void **state)
{
	struct kvmops_ctx *ctx;
	virConnectPtr conn = NULL;

	if (under_valgrind())
		skip();
	ctx = new_ctx();
	assert_int_equal(kvmops_connect(ctx, "test:///default", 0, &conn), 0);
	assert_non_null(conn);
	kvmops_disconnect(conn);
	kvmops_unref(ctx);
}

static void test_connect_readonly(void **state)
{
	struct kvmops_ctx *ctx = new_ctx();
	virConnectPtr conn = NULL;

	assert_int_equal(kvmops_connect(ctx, "test:///default",
					KVMOPS_CONNECT_READONLY |
						KVMOPS_CONNECT_NO_EVENT_LOOP,
					&conn),
			 0);
	assert_non_null(conn);
	kvmops_disconnect(conn);
	kvmops_unref(ctx);
}

static void test_disconnect_null_is_harmless(void **state)
{
	kvmops_disconnect(NULL);
}

static void test_connect_uses_env_uri(void **state)
{
	struct kvmops_ctx *ctx = new_ctx();
	virConnectPtr conn = NULL;

	setenv("KVMOPS_DEFAULT_URI", "test:///default", 1);
	assert_int_equal(kvmops_connect(ctx, NULL, KVMOPS_CONNECT_NO_EVENT_LOOP,
					&conn),
			 0);
	assert_non_null(conn);
	kvmops_disconnect(conn);
	/* The picked URI is the one tried: its failure names it. */
	setenv("KVMOPS_DEFAULT_URI", "bogus:///from-env", 1);
	conn = NULL;
	assert_true(kvmops_connect(ctx, NULL, KVMOPS_CONNECT_NO_EVENT_LOOP,
				   &conn) < 0);
	assert_null(conn);
	assert_non_null(strstr(kvmops_last_error(ctx), "bogus:///from-env"));
	kvmops_unref(ctx);
}

static void test_connect_bogus_uri_fails_naming_it(void **state)
{
	struct kvmops_ctx *ctx = new_ctx();
	virConnectPtr conn = NULL;
	int rc;

	rc = kvmops_connect(ctx, "bogus:///nowhere",
			    KVMOPS_CONNECT_NO_EVENT_LOOP, &conn);
	assert_true(rc < 0);
	assert_null(conn);
	assert_non_null(strstr(kvmops_last_error(ctx), "bogus:///nowhere"));
	kvmops_unref(ctx);
}

/* A new connect clears the previous failure's message. */
static void test_connect_success_clears_last_error(void **state)
{
	struct kvmops_ctx *ctx = new_ctx();
	virConnectPtr conn = NULL;

	assert_true(kvmops_connect(ctx, "bogus:///nowhere",
				   KVMOPS_CONNECT_NO_EVENT_LOOP, &conn) < 0);
	assert_string_not_equal(kvmops_last_error(ctx), "");
	assert_int_equal(kvmops_connect(ctx, "test:///default",
					KVMOPS_CONNECT_NO_EVENT_LOOP, &conn),
			 0);
	assert_string_equal(kvmops_last_error(ctx), "");
	kvmops_disconnect(conn);
	kvmops_unref(ctx);
}

/* Each test starts from a clean environment. */
#define TEST(f) cmocka_unit_test_setup(f, clear_env)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_new_then_unref_frees),
		TEST(test_ref_keeps_ctx_until_last_unref),
		TEST(test_ref_unref_null_is_harmless),
		TEST(test_userdata_round_trips),
		TEST(test_version_is_package_version),
		TEST(test_log_fn_gets_debug_messages_at_debug),
		TEST(test_log_fn_silent_at_err),
		TEST(test_log_priority_defaults_to_err),
		TEST(test_env_log_debug),
		TEST(test_env_log_info),
		TEST(test_env_log_err),
		TEST(test_env_log_junk_keeps_default),
		TEST(test_roots_default_to_slash),
		TEST(test_roots_from_env_drop_trailing_slashes),
		TEST(test_empty_env_root_means_slash),
		TEST(test_set_roots_drop_trailing_slashes),
		TEST(test_set_root_keeps_lone_slash),
		TEST(test_set_root_null_or_empty_means_slash),
		TEST(test_set_root_overrides_env),
		TEST(test_paths_join_root_and_absolute_path),
		TEST(test_last_error_empty_initially),
		TEST(test_last_error_set_after_failure),
		TEST(test_fail_returns_err_and_formats),
		TEST(test_parse_u64),
		TEST(test_parse_s64),
		TEST(test_pick_uri_null_without_env),
		TEST(test_pick_uri_explicit_wins),
		TEST(test_pick_uri_kvmops_env_beats_libvirt_env),
		TEST(test_pick_uri_libvirt_env_last),
		TEST(test_connect_test_driver),
		TEST(test_connect_with_event_loop),
		TEST(test_connect_readonly),
		TEST(test_disconnect_null_is_harmless),
		TEST(test_connect_uses_env_uri),
		TEST(test_connect_bogus_uri_fails_naming_it),
		TEST(test_connect_success_clears_last_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
