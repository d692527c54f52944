// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * /sys/kernel/mm/ksm: reading, figures, checking and writing knobs. Tests
 * that write use a temporary copy of a fixture tree; kernel refusals
 * (EBUSY, EPERM, EINVAL) come through the I/O seam.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "libkvmops-private.h"
#include "unit/fixture.h"

#define KSM_618 FIXTURES "/ksm-6.18"
#define KSM_OLD FIXTURES "/ksm-old"
#define STATE_FILE "/ksm-scan-state"
#define BOOT_ID "/proc/sys/kernel/random/boot_id"

struct env {
	struct kvmops_ctx *ctx;
	struct kvmops_ksm *ksm;
	char *tmp; /* a writable copy of the tree, or NULL */
};

/* ---- the I/O seam ------------------------------------------------------ */

/* The callbacks get no context, so the injected failure lives here. */
struct injected {
	const char *suffix; /* fail paths ending with this */
	int err; /* negative errno */
};

static struct injected fail_read, fail_write;

/* Successful writes through the seam, as "name=value;" in order. */
static char write_log[1024];

static void log_write(const char *path, const char *value)
{
	const char *name = strrchr(path, '/');
	size_t used = strlen(write_log);

	snprintf(write_log + used, sizeof(write_log) - used, "%s=%s;",
		 name ? name + 1 : path, value);
}

static bool path_matches(const char *path, const struct injected *inj)
{
	size_t n = strlen(path), m;

	if (!inj->suffix)
		return false;
	m = strlen(inj->suffix);
	return n >= m && !strcmp(path + n - m, inj->suffix);
}

/* Reads the real file, as the default does, unless told to fail. */
static int seam_read(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd, rc;

	if (path_matches(path, &fail_read))
		return fail_read.err;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	rc = n < 0 ? -errno : (int)n;
	close(fd);
	buf[n < 0 ? 0 : n] = '\0';
	return rc;
}

static int seam_write(const char *path, const char *value)
{
	size_t len = strlen(value);
	ssize_t n;
	int fd, rc;

	if (path_matches(path, &fail_write))
		return fail_write.err;
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, value, len);
	rc = n < 0 ? -errno : (size_t)n == len ? 0 : -EIO;
	close(fd);
	if (!rc)
		log_write(path, value);
	return rc;
}

static const struct kvmops_io seam = {
	.read_file = seam_read,
	.write_file = seam_write,
};

static void inject_read_error(const char *suffix, int err)
{
	fail_read = (struct injected){ suffix, err };
}

static void inject_write_error(const char *suffix, int err)
{
	fail_write = (struct injected){ suffix, err };
}

/* ---- setups ------------------------------------------------------------ */

static struct env *new_env(const char *root)
{
	struct env *e = calloc(1, sizeof(*e));

	assert_non_null(e);
	assert_int_equal(kvmops_new(&e->ctx), 0);
	assert_int_equal(kvmops_set_sysfs_root(e->ctx, root), 0);
	return e;
}

static int setup_618(void **state)
{
	struct env *e = new_env(KSM_618);

	*state = e;
	return kvmops_ksm_read(e->ctx, &e->ksm);
}

static int setup_old(void **state)
{
	struct env *e = new_env(KSM_OLD);

	*state = e;
	return kvmops_ksm_read(e->ctx, &e->ksm);
}

/* A writable copy of the 6.18 tree, read through the seam. */
static int setup_copy(void **state)
{
	char *tmp = fixture_copy("ksm-6.18");
	struct env *e;

	if (!tmp)
		return -1;
	e = new_env(tmp);
	e->tmp = tmp;
	kvmops_set_io(e->ctx, &seam);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;

	inject_read_error(NULL, 0);
	inject_write_error(NULL, 0);
	write_log[0] = '\0';
	if (!e)
		return 0;
	kvmops_ksm_free(e->ksm);
	kvmops_unref(e->ctx);
	fixture_remove(e->tmp);
	free(e);
	return 0;
}

/* ---- helpers ----------------------------------------------------------- */

static ssize_t find(const struct kvmops_ksm *ksm, const char *name)
{
	ssize_t i = kvmops_ksm_find(ksm, name);

	if (i < 0)
		fail_msg("no entry %s", name);
	return i;
}

/* The content of a knob file in the copy, without its newline. */
static const char *knob_file(struct env *e, const char *name)
{
	static char buf[256];
	char rel[PATH_MAX];

	snprintf(rel, sizeof(rel), FIXTURE_KSM_DIR "/%s", name);
	assert_int_equal(fixture_read(e->tmp, rel, buf, sizeof(buf)), 0);
	return buf;
}

static void write_knob_file(struct env *e, const char *name, const char *text)
{
	char rel[PATH_MAX];

	snprintf(rel, sizeof(rel), FIXTURE_KSM_DIR "/%s", name);
	assert_int_equal(fixture_write(e->tmp, rel, text), 0);
}

/* Every file of the copied KSM directory as "name=text;", in order. */
static void snapshot(struct env *e, char *buf, size_t len)
{
	size_t used = 0;

	kvmops_ksm_free(e->ksm);
	e->ksm = NULL;
	assert_int_equal(kvmops_ksm_read(e->ctx, &e->ksm), 0);
	buf[0] = '\0';
	for (size_t i = 0; i < kvmops_ksm_count(e->ksm); i++) {
		const char *name = kvmops_ksm_name(e->ksm, i);

		used += (size_t)snprintf(buf + used, len - used, "%s=%s;", name,
					 knob_file(e, name));
		assert_true(used < len);
	}
}

static int set(struct env *e, const char *const *names,
	       const char *const *values, size_t count)
{
	return kvmops_ksm_set(e->ctx, names, values, count);
}

static int check(struct env *e, const char *name, const char *value)
{
	return kvmops_ksm_check(e->ctx, e->ksm, name, value);
}

/* ---- reading the 6.18 tree --------------------------------------------- */

static void test_read_lists_all_24_entries(void **state)
{
	struct env *e = *state;

	assert_int_equal(kvmops_ksm_count(e->ksm), 24);
	assert_string_equal(kvmops_last_error(e->ctx), "");
}

static void test_entries_in_alphabetical_order(void **state)
{
	struct env *e = *state;
	size_t n = kvmops_ksm_count(e->ksm);

	for (size_t i = 1; i < n; i++)
		assert_true(strcmp(kvmops_ksm_name(e->ksm, i - 1),
				   kvmops_ksm_name(e->ksm, i)) < 0);
	assert_string_equal(kvmops_ksm_name(e->ksm, 0), "advisor_max_cpu");
	assert_string_equal(kvmops_ksm_name(e->ksm, n - 1), "use_zero_pages");
}

static void test_text_drops_trailing_newline(void **state)
{
	struct env *e = *state;

	assert_string_equal(kvmops_ksm_text(e->ksm, find(e->ksm, "run")), "1");
	assert_string_equal(kvmops_ksm_text(e->ksm,
					    find(e->ksm, "advisor_mode")),
			    "[none] scan-time");
}

static void test_get_u64_pages_sharing(void **state)
{
	struct env *e = *state;
	uint64_t v = 0;

	assert_int_equal(kvmops_ksm_get_u64(e->ksm, "pages_sharing", &v), 0);
	assert_int_equal(v, 31162);
}

static void test_get_s64_general_profit(void **state)
{
	struct env *e = *state;
	int64_t v = 0;

	assert_int_equal(kvmops_ksm_get_s64(e->ksm, "general_profit", &v), 0);
	assert_int_equal(v, 124589184);
}

static void test_get_choice_advisor_mode(void **state)
{
	struct env *e = *state;
	const char *mode = NULL;

	assert_int_equal(kvmops_ksm_get_choice(e->ksm, "advisor_mode", &mode),
			 0);
	assert_string_equal(mode, "none");
}

static void test_get_missing_entry_is_enoent(void **state)
{
	struct env *e = *state;
	const char *word;
	uint64_t u;
	int64_t s;

	assert_int_equal(kvmops_ksm_find(e->ksm, "no_such_entry"), -ENOENT);
	assert_int_equal(kvmops_ksm_get_u64(e->ksm, "no_such_entry", &u),
			 -ENOENT);
	assert_int_equal(kvmops_ksm_get_s64(e->ksm, "no_such_entry", &s),
			 -ENOENT);
	assert_int_equal(kvmops_ksm_get_choice(e->ksm, "no_such_entry", &word),
			 -ENOENT);
}

static void test_get_wrong_type_is_einval(void **state)
{
	struct env *e = *state;
	const char *word;
	uint64_t u;

	assert_int_equal(kvmops_ksm_get_u64(e->ksm, "advisor_mode", &u),
			 -EINVAL);
	assert_int_equal(kvmops_ksm_get_choice(e->ksm, "pages_to_scan", &word),
			 -EINVAL);
}

static void test_types_of_known_entries(void **state)
{
	struct env *e = *state;
	const struct kvmops_ksm *k = e->ksm;

	assert_int_equal(kvmops_ksm_type(k, find(k, "pages_sharing")),
			 KVMOPS_KSM_UINT);
	assert_int_equal(kvmops_ksm_type(k, find(k, "general_profit")),
			 KVMOPS_KSM_INT);
	assert_int_equal(kvmops_ksm_type(k, find(k, "merge_across_nodes")),
			 KVMOPS_KSM_BOOL);
	assert_int_equal(kvmops_ksm_type(k, find(k, "advisor_mode")),
			 KVMOPS_KSM_CHOICE);
}

static void test_knob_or_counter(void **state)
{
	struct env *e = *state;

	assert_true(kvmops_ksm_is_knob(e->ksm, find(e->ksm, "pages_to_scan")));
	assert_false(kvmops_ksm_is_knob(e->ksm, find(e->ksm, "pages_shared")));
	assert_false(kvmops_ksm_is_knob(e->ksm, find(e->ksm, "run")));
}

static void test_help_for_every_known_entry(void **state)
{
	struct env *e = *state;

	for (size_t i = 0; i < kvmops_ksm_count(e->ksm); i++)
		if (!kvmops_ksm_help(e->ksm, i))
			fail_msg("no help for %s", kvmops_ksm_name(e->ksm, i));
}

static void test_index_past_end(void **state)
{
	struct env *e = *state;
	size_t n = kvmops_ksm_count(e->ksm);

	assert_null(kvmops_ksm_name(e->ksm, n));
	assert_null(kvmops_ksm_text(e->ksm, n));
	assert_null(kvmops_ksm_help(e->ksm, n));
	assert_int_equal(kvmops_ksm_type(e->ksm, n), KVMOPS_KSM_TEXT);
	assert_false(kvmops_ksm_is_knob(e->ksm, n));
}

/* Every settable knob is a knob entry, and 'run' is not among them. */
static void test_known_knobs_are_knobs(void **state)
{
	struct env *e = *state;
	const char *const *k = kvmops_ksm_known_knobs();
	size_t n = 0;

	for (; *k; k++, n++) {
		assert_string_not_equal(*k, "run");
		assert_true(kvmops_ksm_is_knob(e->ksm, find(e->ksm, *k)));
	}
	assert_true(n > 0);
}

static void test_unknown_entry_is_text_without_help(void **state)
{
	struct env *e = *state;
	ssize_t i;

	write_knob_file(e, "future_knob", "5\n");
	assert_int_equal(kvmops_ksm_read(e->ctx, &e->ksm), 0);
	assert_int_equal(kvmops_ksm_count(e->ksm), 25);
	i = find(e->ksm, "future_knob");
	assert_string_equal(kvmops_ksm_text(e->ksm, i), "5");
	assert_int_equal(kvmops_ksm_type(e->ksm, i), KVMOPS_KSM_TEXT);
	assert_null(kvmops_ksm_help(e->ksm, i));
	assert_false(kvmops_ksm_is_knob(e->ksm, i));
}

static void test_read_old_kernel_has_9_entries(void **state)
{
	struct env *e = *state;

	assert_int_equal(kvmops_ksm_count(e->ksm), 9);
	assert_int_equal(kvmops_ksm_find(e->ksm, "general_profit"), -ENOENT);
}

/* ---- figures ----------------------------------------------------------- */

static uint64_t page_size(void)
{
	return (uint64_t)sysconf(_SC_PAGESIZE);
}

static void test_figures_618(void **state)
{
	struct env *e = *state;
	struct kvmops_ksm_figures f;
	double off;

	assert_int_equal(kvmops_ksm_figures(e->ctx, e->ksm, &f), 0);
	assert_int_equal(f.run, KVMOPS_KSM_START);
	assert_int_equal(f.page_size, page_size());
	assert_int_equal(f.pages_shared, 4000);
	assert_int_equal(f.pages_sharing, 31162);
	assert_int_equal(f.saved_bytes, 31162 * page_size());
	off = f.sharing_ratio - 31162.0 / 4000.0;
	assert_true(off < 1e-9 && off > -1e-9);
	assert_true(f.profit_from_kernel);
	assert_int_equal(f.profit_bytes, 124589184);
	assert_int_equal(f.full_scans, 7);
}

/* Without general_profit: saved bytes less one rmap item per page. */
static void test_figures_old_use_formula(void **state)
{
	struct env *e = *state;
	struct kvmops_ksm_figures f;
	int64_t expected =
		900 * (int64_t)page_size() - (100 + 900 + 50 + 10) * 64;

	assert_int_equal(kvmops_ksm_figures(e->ctx, e->ksm, &f), 0);
	assert_false(f.profit_from_kernel);
	assert_true(f.profit_bytes == expected);
	assert_int_equal(f.saved_bytes, 900 * page_size());
	assert_int_equal(f.full_scans, 3);
}

static void test_figures_ratio_zero_without_shared_pages(void **state)
{
	struct env *e = *state;
	struct kvmops_ksm_figures f;

	write_knob_file(e, "pages_shared", "0\n");
	write_knob_file(e, "pages_sharing", "0\n");
	assert_int_equal(kvmops_ksm_read(e->ctx, &e->ksm), 0);
	assert_int_equal(kvmops_ksm_figures(e->ctx, e->ksm, &f), 0);
	assert_true(f.sharing_ratio == 0.0);
	assert_int_equal(f.saved_bytes, 0);
}

/* Counts as the kernel could never hold them: input all the same. */
static void drop_general_profit(struct env *e)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s" FIXTURE_KSM_DIR "/general_profit",
		 e->tmp);
	assert_int_equal(unlink(path), 0);
	write_knob_file(e, "pages_shared", "0\n");
	write_knob_file(e, "pages_unshared", "0\n");
	write_knob_file(e, "pages_volatile", "0\n");
	write_knob_file(e, "ksm_zero_pages", "0\n");
}

/* 2^51 pages of 4 KiB are 2^63 bytes: past int64, though the profit fits. */
static void test_figures_formula_near_64_bits(void **state)
{
	struct env *e = *state;
	struct kvmops_ksm_figures f;
	uint64_t sharing = 2251799813685248ull;

	drop_general_profit(e);
	write_knob_file(e, "pages_sharing", "2251799813685248\n");
	assert_int_equal(kvmops_ksm_read(e->ctx, &e->ksm), 0);
	if (page_size() != 4096)
		skip();
	assert_int_equal(kvmops_ksm_figures(e->ctx, e->ksm, &f), 0);
	assert_false(f.profit_from_kernel);
	assert_true(f.saved_bytes == sharing * 4096);
	assert_true(f.profit_bytes == (int64_t)(sharing * (4096 - 64)));
}

static void test_figures_refuse_bytes_past_64_bits(void **state)
{
	struct env *e = *state;
	struct kvmops_ksm_figures f;

	write_knob_file(e, "pages_sharing", "4503599627370496\n");
	assert_int_equal(kvmops_ksm_read(e->ctx, &e->ksm), 0);
	assert_int_equal(kvmops_ksm_figures(e->ctx, e->ksm, &f), -ERANGE);
	assert_in_error(e->ctx, "pages_sharing");
	assert_in_error(e->ctx, "4503599627370496");
	/* The system's figure, not the caller's: a failure, not bad input. */
	assert_true(kvmops_last_error_from_system(e->ctx));
	kvmops_clear_error(e->ctx);
	assert_false(kvmops_last_error_from_system(e->ctx));
}

static void test_figures_refuse_profit_past_64_bits(void **state)
{
	struct env *e = *state;
	struct kvmops_ksm_figures f;

	drop_general_profit(e);
	/* Bytes that fit in 64 bits unsigned, a profit that does not signed. */
	write_knob_file(e, "pages_sharing", "3377699720527872\n");
	assert_int_equal(kvmops_ksm_read(e->ctx, &e->ksm), 0);
	if (page_size() != 4096)
		skip();
	assert_int_equal(kvmops_ksm_figures(e->ctx, e->ksm, &f), -ERANGE);
	assert_in_error(e->ctx, "profit");
	assert_in_error(e->ctx, "3377699720527872");
}

/* ---- read failures ----------------------------------------------------- */

static void test_missing_dir_mentions_config_ksm(void **state)
{
	struct env *e = *state;
	struct kvmops_ksm *ksm = NULL;
	char *empty = fixture_mkdtemp();

	assert_non_null(empty);
	assert_int_equal(kvmops_set_sysfs_root(e->ctx, empty), 0);
	/* Not a name the caller got wrong (-ENOENT): KSM is not there. */
	assert_int_equal(kvmops_ksm_read(e->ctx, &ksm), -EOPNOTSUPP);
	assert_null(ksm);
	assert_in_error(e->ctx, "CONFIG_KSM");
	assert_in_error(e->ctx, empty);
	fixture_remove(empty);
}

static void test_dir_without_run_is_refused(void **state)
{
	struct env *e = *state;
	struct kvmops_ksm *ksm = NULL;
	char *tmp = fixture_mkdtemp();

	assert_non_null(tmp);
	assert_int_equal(
		fixture_write(tmp, FIXTURE_KSM_DIR "/pages_shared", "1\n"), 0);
	assert_int_equal(kvmops_set_sysfs_root(e->ctx, tmp), 0);
	assert_int_equal(kvmops_ksm_read(e->ctx, &ksm), -EOPNOTSUPP);
	assert_null(ksm);
	assert_in_error(e->ctx, "'run'");
	fixture_remove(tmp);
}

static void test_unreadable_file_names_it_and_root(void **state)
{
	struct env *e = *state;

	inject_read_error("/pages_sharing", -EACCES);
	assert_int_equal(kvmops_ksm_read(e->ctx, &e->ksm), -EACCES);
	assert_null(e->ksm);
	assert_in_error(e->ctx, FIXTURE_KSM_DIR "/pages_sharing");
	assert_in_error(e->ctx, "root");
}

static void test_read_io_error_names_file(void **state)
{
	struct env *e = *state;

	inject_read_error("/full_scans", -EIO);
	assert_int_equal(kvmops_ksm_read(e->ctx, &e->ksm), -EIO);
	assert_in_error(e->ctx, "full_scans");
	assert_in_error(e->ctx, strerror(EIO));
}

static void test_set_io_null_restores_default(void **state)
{
	struct env *e = *state;

	inject_read_error("/run", -EACCES);
	assert_int_equal(kvmops_ksm_read(e->ctx, &e->ksm), -EACCES);
	kvmops_set_io(e->ctx, NULL);
	assert_int_equal(kvmops_ksm_read(e->ctx, &e->ksm), 0);
}

/* ---- checking values --------------------------------------------------- */

static void test_check_accepts_valid_values(void **state)
{
	struct env *e = *state;

	assert_int_equal(check(e, "pages_to_scan", "4294967295"), 0);
	assert_int_equal(check(e, "pages_to_scan", "0"), 0);
	assert_int_equal(check(e, "max_page_sharing", "2"), 0);
	assert_int_equal(check(e, "merge_across_nodes", "0"), 0);
	assert_int_equal(check(e, "advisor_max_cpu", "100"), 0);
	assert_int_equal(check(e, "advisor_mode", "scan-time"), 0);
	assert_int_equal(check(e, "advisor_mode", "none"), 0);
}

static void test_check_unknown_key_lists_knobs(void **state)
{
	struct env *e = *state;

	assert_int_equal(check(e, "pages_to_scna", "100"), -EINVAL);
	assert_in_error(e->ctx, "'pages_to_scna'");
	assert_in_error(e->ctx, "pages_to_scan, sleep_millisecs");
	assert_in_error(e->ctx, "advisor_target_scan_time");
}

/* On an old kernel the list holds only the knobs it has. */
static void test_check_unknown_key_lists_only_present_knobs(void **state)
{
	struct env *e = *state;

	assert_int_equal(check(e, "bogus", "1"), -EINVAL);
	assert_in_error(e->ctx,
			"pages_to_scan, sleep_millisecs, merge_across_nodes");
	assert_null(strstr(kvmops_last_error(e->ctx), "advisor"));
}

static void test_check_refuses_counter(void **state)
{
	struct env *e = *state;

	assert_int_equal(check(e, "pages_shared", "5"), -EINVAL);
	assert_in_error(e->ctx, "pages_shared");
	assert_in_error(e->ctx, "read-only");
}

static void test_check_refuses_general_profit(void **state)
{
	struct env *e = *state;

	assert_int_equal(check(e, "general_profit", "5"), -EINVAL);
	assert_in_error(e->ctx, "read-only");
}

static void test_check_refuses_run(void **state)
{
	struct env *e = *state;

	assert_int_equal(check(e, "run", "1"), -EINVAL);
	assert_in_error(e->ctx, "'run'");
}

static void test_check_refuses_non_numeric(void **state)
{
	struct env *e = *state;

	assert_int_equal(check(e, "pages_to_scan", "lots"), -EINVAL);
	assert_in_error(e->ctx, "'lots'");
	assert_in_error(e->ctx, "pages_to_scan");
	assert_int_equal(check(e, "sleep_millisecs", "20ms"), -EINVAL);
	assert_int_equal(check(e, "sleep_millisecs", " 20"), -EINVAL);
}

static void test_check_refuses_negative(void **state)
{
	struct env *e = *state;

	assert_int_equal(check(e, "sleep_millisecs", "-5"), -EINVAL);
	assert_in_error(e->ctx, "'-5'");
}

static void test_check_refuses_empty_value(void **state)
{
	struct env *e = *state;

	assert_int_equal(check(e, "pages_to_scan", ""), -EINVAL);
	assert_in_error(e->ctx, "pages_to_scan");
}

static void refuses_out_of_range(struct env *e, const char *name,
				 const char *value, const char *range)
{
	assert_int_equal(check(e, name, value), -EINVAL);
	assert_in_error(e->ctx, name);
	assert_in_error(e->ctx, range);
}

static void test_check_refuses_out_of_range(void **state)
{
	struct env *e = *state;

	refuses_out_of_range(e, "pages_to_scan", "4294967296",
			     "from 0 to 4294967295");
	refuses_out_of_range(e, "max_page_sharing", "1",
			     "from 2 to 2147483647");
	refuses_out_of_range(e, "merge_across_nodes", "2", "from 0 to 1");
	refuses_out_of_range(e, "advisor_max_cpu", "0", "from 1 to 100");
	refuses_out_of_range(e, "advisor_max_cpu", "101", "from 1 to 100");
	refuses_out_of_range(e, "pages_to_scan", "18446744073709551616",
			     "from 0 to 4294967295");
}

static void test_check_knob_newer_than_kernel(void **state)
{
	struct env *e = *state;

	assert_int_equal(check(e, "smart_scan", "1"), -ENOENT);
	assert_in_error(e->ctx, "smart_scan");
	assert_in_error(e->ctx, "newer");
}

static void test_check_bad_choice_lists_choices(void **state)
{
	struct env *e = *state;

	assert_int_equal(check(e, "advisor_mode", "bogus"), -EINVAL);
	assert_in_error(e->ctx, "'bogus'");
	assert_in_error(e->ctx, "none");
	assert_in_error(e->ctx, "scan-time");
	assert_null(strstr(kvmops_last_error(e->ctx), "["));
}

/* ---- setting knobs ----------------------------------------------------- */

static void test_set_writes_all_values(void **state)
{
	static const char *const names[] = { "pages_to_scan", "sleep_millisecs",
					     "merge_across_nodes",
					     "advisor_mode" };
	static const char *const values[] = { "2000", "50", "0", "scan-time" };
	struct env *e = *state;

	/* The library's own file writer, not the seam. */
	kvmops_set_io(e->ctx, NULL);
	assert_int_equal(set(e, names, values, 4), 0);
	for (size_t i = 0; i < 4; i++)
		assert_string_equal(knob_file(e, names[i]), values[i]);
	assert_string_equal(knob_file(e, "max_page_sharing"), "256");
}

static void test_set_nothing_is_fine(void **state)
{
	struct env *e = *state;
	char before[4096], after[4096];

	snapshot(e, before, sizeof(before));
	assert_int_equal(set(e, NULL, NULL, 0), 0);
	snapshot(e, after, sizeof(after));
	assert_string_equal(before, after);
}

static void test_set_duplicate_key_refused(void **state)
{
	static const char *const names[] = { "pages_to_scan", "sleep_millisecs",
					     "pages_to_scan" };
	static const char *const values[] = { "2000", "50", "3000" };
	struct env *e = *state;
	char before[4096], after[4096];

	snapshot(e, before, sizeof(before));
	assert_int_equal(set(e, names, values, 3), -EINVAL);
	assert_in_error(e->ctx, "pages_to_scan is given twice");
	assert_string_equal(write_log, "");
	snapshot(e, after, sizeof(after));
	assert_string_equal(before, after);
}

/* Checks come first: one bad pair, last in line, stops every write. */
static void test_set_one_bad_pair_writes_nothing(void **state)
{
	static const char *const names[] = { "pages_to_scan", "sleep_millisecs",
					     "max_page_sharing" };
	static const char *const values[] = { "2000", "50", "1" };
	struct env *e = *state;
	char before[4096], after[4096];

	snapshot(e, before, sizeof(before));
	assert_int_equal(set(e, names, values, 3), -EINVAL);
	assert_in_error(e->ctx, "max_page_sharing");
	assert_string_equal(write_log, "");
	snapshot(e, after, sizeof(after));
	assert_string_equal(before, after);
}

static void test_set_without_ksm_dir_fails(void **state)
{
	static const char *const names[] = { "pages_to_scan" };
	static const char *const values[] = { "2000" };
	struct env *e = *state;
	char *empty = fixture_mkdtemp();

	assert_non_null(empty);
	assert_int_equal(kvmops_set_sysfs_root(e->ctx, empty), 0);
	assert_int_equal(set(e, names, values, 1), -EOPNOTSUPP);
	assert_in_error(e->ctx, "CONFIG_KSM");
	fixture_remove(empty);
}

/* merge_across_nodes fails last: the two before it get their values back. */
static void test_set_ebusy_explains_and_rolls_back(void **state)
{
	static const char *const names[] = { "pages_to_scan", "sleep_millisecs",
					     "merge_across_nodes" };
	static const char *const values[] = { "2000", "50", "0" };
	struct env *e = *state;

	inject_write_error("/merge_across_nodes", -EBUSY);
	assert_int_equal(set(e, names, values, 3), -EBUSY);
	assert_in_error(e->ctx, "still shared");
	assert_in_error(e->ctx, "pages_shared=4000");
	assert_in_error(e->ctx, "unmerge");
	assert_in_error(e->ctx, "restored");
	/* Written in order, then restored newest first. */
	assert_string_equal(write_log,
			    "pages_to_scan=2000;sleep_millisecs=50;"
			    "sleep_millisecs=20;pages_to_scan=1000;");
	assert_string_equal(knob_file(e, "pages_to_scan"), "1000");
	assert_string_equal(knob_file(e, "sleep_millisecs"), "20");
	assert_string_equal(knob_file(e, "merge_across_nodes"), "1");
}

/* A choice is restored as its chosen word, which the kernel accepts. */
static void test_rollback_restores_choice_word(void **state)
{
	static const char *const names[] = { "advisor_mode",
					     "max_page_sharing" };
	static const char *const values[] = { "scan-time", "512" };
	struct env *e = *state;

	inject_write_error("/max_page_sharing", -EBUSY);
	assert_int_equal(set(e, names, values, 2), -EBUSY);
	assert_in_error(e->ctx, "max_page_sharing");
	assert_string_equal(write_log,
			    "advisor_mode=scan-time;advisor_mode=none;");
	assert_string_equal(knob_file(e, "advisor_mode"), "none");
	assert_string_equal(knob_file(e, "max_page_sharing"), "256");
}

static void test_first_write_failing_restores_nothing(void **state)
{
	static const char *const names[] = { "merge_across_nodes",
					     "pages_to_scan" };
	static const char *const values[] = { "0", "2000" };
	struct env *e = *state;

	inject_write_error("/merge_across_nodes", -EBUSY);
	assert_int_equal(set(e, names, values, 2), -EBUSY);
	assert_null(strstr(kvmops_last_error(e->ctx), "restored"));
	assert_string_equal(write_log, "");
	assert_string_equal(knob_file(e, "pages_to_scan"), "1000");
}

static void test_set_eperm_mentions_root(void **state)
{
	static const char *const names[] = { "sleep_millisecs",
					     "pages_to_scan" };
	static const char *const values[] = { "50", "2000" };
	struct env *e = *state;

	inject_write_error("/pages_to_scan", -EPERM);
	assert_int_equal(set(e, names, values, 2), -EPERM);
	assert_in_error(e->ctx, FIXTURE_KSM_DIR "/pages_to_scan");
	assert_in_error(e->ctx, "root");
	assert_string_equal(knob_file(e, "sleep_millisecs"), "20");
}

static void test_set_einval_under_advisor_names_it(void **state)
{
	static const char *const names[] = { "pages_to_scan" };
	static const char *const values[] = { "2000" };
	struct env *e = *state;

	write_knob_file(e, "advisor_mode", "none [scan-time]\n");
	inject_write_error("/pages_to_scan", -EINVAL);
	assert_int_equal(set(e, names, values, 1), -EINVAL);
	assert_in_error(e->ctx, "advisor");
	assert_in_error(e->ctx, "advisor_mode=none");
}

/* Without the advisor, the kernel's EINVAL is reported as it is. */
static void test_set_einval_without_advisor_is_plain(void **state)
{
	static const char *const names[] = { "pages_to_scan" };
	static const char *const values[] = { "2000" };
	struct env *e = *state;

	inject_write_error("/pages_to_scan", -EINVAL);
	assert_int_equal(set(e, names, values, 1), -EINVAL);
	assert_in_error(e->ctx, "pages_to_scan=2000");
	assert_null(strstr(kvmops_last_error(e->ctx), "advisor"));
}

/* ---- run --------------------------------------------------------------- */

static void test_set_run_writes_each_mode(void **state)
{
	struct env *e = *state;

	assert_int_equal(kvmops_ksm_set_run(e->ctx, KVMOPS_KSM_STOP), 0);
	assert_string_equal(knob_file(e, "run"), "0");
	assert_int_equal(kvmops_ksm_set_run(e->ctx, KVMOPS_KSM_START), 0);
	assert_string_equal(knob_file(e, "run"), "1");
	assert_int_equal(kvmops_ksm_set_run(e->ctx, KVMOPS_KSM_UNMERGE), 0);
	assert_string_equal(knob_file(e, "run"), "2");
}

static void test_set_run_rejects_5(void **state)
{
	struct env *e = *state;

	assert_int_equal(kvmops_ksm_set_run(e->ctx, (enum kvmops_ksm_run)5),
			 -EINVAL);
	assert_in_error(e->ctx, "5");
	assert_string_equal(knob_file(e, "run"), "1");
}

static void test_set_run_eperm_mentions_root(void **state)
{
	struct env *e = *state;

	inject_write_error("/run", -EPERM);
	assert_int_equal(kvmops_ksm_set_run(e->ctx, KVMOPS_KSM_STOP), -EPERM);
	assert_in_error(e->ctx, "root");
}

/* ---- age of the last full scan ----------------------------------------- */

/* The copy doubles as the proc root, so the boot id is ours to change. */
static int setup_scan(void **state)
{
	struct env *e;

	if (setup_copy(state))
		return -1;
	e = *state;
	if (fixture_write(e->tmp, BOOT_ID,
			  "3f1c2a9e-0d1b-4c55-9a51-7d0f2f3e8b10\n"))
		return -1;
	return kvmops_set_proc_root(e->ctx, e->tmp);
}

static int64_t scan_age(struct env *e)
{
	char path[PATH_MAX];
	int64_t age = -42;

	kvmops_ksm_free(e->ksm);
	e->ksm = NULL;
	assert_int_equal(kvmops_ksm_read(e->ctx, &e->ksm), 0);
	snprintf(path, sizeof(path), "%s" STATE_FILE, e->tmp);
	assert_int_equal(kvmops_ksm_scan_age(e->ctx, e->ksm, path, &age), 0);
	return age;
}

static void test_scan_age_unknown_at_first(void **state)
{
	assert_int_equal(scan_age(*state), -1);
}

static void test_scan_age_unknown_while_count_stays(void **state)
{
	struct env *e = *state;

	assert_int_equal(scan_age(e), -1);
	assert_int_equal(scan_age(e), -1);
}

static void test_scan_age_known_after_count_moves(void **state)
{
	struct env *e = *state;
	int64_t age;

	assert_int_equal(scan_age(e), -1);
	write_knob_file(e, "full_scans", "8\n");
	age = scan_age(e);
	assert_in_range(age, 0, 60);
	/* The count stays: still the same scan, still known. */
	assert_in_range(scan_age(e), age, 60);
}

static void test_scan_age_resets_on_new_boot(void **state)
{
	struct env *e = *state;

	assert_int_equal(scan_age(e), -1);
	write_knob_file(e, "full_scans", "8\n");
	assert_true(scan_age(e) >= 0);
	assert_int_equal(
		fixture_write(e->tmp, BOOT_ID,
			      "0badb007-0000-4000-8000-000000000000\n"),
		0);
	assert_int_equal(scan_age(e), -1);
}

/* A count going down means ksmd restarted its count: start over. */
static void test_scan_age_resets_when_count_drops(void **state)
{
	struct env *e = *state;

	assert_int_equal(scan_age(e), -1);
	write_knob_file(e, "full_scans", "8\n");
	assert_true(scan_age(e) >= 0);
	write_knob_file(e, "full_scans", "2\n");
	assert_int_equal(scan_age(e), -1);
}

static void test_scan_age_unwritable_state_fails(void **state)
{
	struct env *e = *state;
	char path[PATH_MAX];
	int64_t age;

	assert_int_equal(kvmops_ksm_read(e->ctx, &e->ksm), 0);
	snprintf(path, sizeof(path), "%s/no/such/dir/state", e->tmp);
	assert_int_equal(kvmops_ksm_scan_age(e->ctx, e->ksm, path, &age),
			 -ENOENT);
	assert_in_error(e->ctx, path);
}

#define TEST_618(f) cmocka_unit_test_setup_teardown(f, setup_618, teardown)
#define TEST_OLD(f) cmocka_unit_test_setup_teardown(f, setup_old, teardown)
#define TEST_COPY(f) cmocka_unit_test_setup_teardown(f, setup_copy, teardown)
#define TEST_SCAN(f) cmocka_unit_test_setup_teardown(f, setup_scan, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST_618(test_read_lists_all_24_entries),
		TEST_618(test_entries_in_alphabetical_order),
		TEST_618(test_text_drops_trailing_newline),
		TEST_618(test_get_u64_pages_sharing),
		TEST_618(test_get_s64_general_profit),
		TEST_618(test_get_choice_advisor_mode),
		TEST_618(test_get_missing_entry_is_enoent),
		TEST_618(test_get_wrong_type_is_einval),
		TEST_618(test_types_of_known_entries),
		TEST_618(test_knob_or_counter),
		TEST_618(test_help_for_every_known_entry),
		TEST_618(test_index_past_end),
		TEST_618(test_known_knobs_are_knobs),
		TEST_COPY(test_unknown_entry_is_text_without_help),
		TEST_OLD(test_read_old_kernel_has_9_entries),
		TEST_618(test_figures_618),
		TEST_OLD(test_figures_old_use_formula),
		TEST_COPY(test_figures_ratio_zero_without_shared_pages),
		TEST_COPY(test_figures_formula_near_64_bits),
		TEST_COPY(test_figures_refuse_bytes_past_64_bits),
		TEST_COPY(test_figures_refuse_profit_past_64_bits),
		TEST_COPY(test_missing_dir_mentions_config_ksm),
		TEST_COPY(test_dir_without_run_is_refused),
		TEST_COPY(test_unreadable_file_names_it_and_root),
		TEST_COPY(test_read_io_error_names_file),
		TEST_COPY(test_set_io_null_restores_default),
		TEST_618(test_check_accepts_valid_values),
		TEST_618(test_check_unknown_key_lists_knobs),
		TEST_OLD(test_check_unknown_key_lists_only_present_knobs),
		TEST_618(test_check_refuses_counter),
		TEST_618(test_check_refuses_general_profit),
		TEST_618(test_check_refuses_run),
		TEST_618(test_check_refuses_non_numeric),
		TEST_618(test_check_refuses_negative),
		TEST_618(test_check_refuses_empty_value),
		TEST_618(test_check_refuses_out_of_range),
		TEST_OLD(test_check_knob_newer_than_kernel),
		TEST_618(test_check_bad_choice_lists_choices),
		TEST_COPY(test_set_writes_all_values),
		TEST_COPY(test_set_nothing_is_fine),
		TEST_COPY(test_set_duplicate_key_refused),
		TEST_COPY(test_set_one_bad_pair_writes_nothing),
		TEST_COPY(test_set_without_ksm_dir_fails),
		TEST_COPY(test_set_ebusy_explains_and_rolls_back),
		TEST_COPY(test_rollback_restores_choice_word),
		TEST_COPY(test_first_write_failing_restores_nothing),
		TEST_COPY(test_set_eperm_mentions_root),
		TEST_COPY(test_set_einval_under_advisor_names_it),
		TEST_COPY(test_set_einval_without_advisor_is_plain),
		TEST_COPY(test_set_run_writes_each_mode),
		TEST_COPY(test_set_run_rejects_5),
		TEST_COPY(test_set_run_eperm_mentions_root),
		TEST_SCAN(test_scan_age_unknown_at_first),
		TEST_SCAN(test_scan_age_unknown_while_count_stays),
		TEST_SCAN(test_scan_age_known_after_count_moves),
		TEST_SCAN(test_scan_age_resets_on_new_boot),
		TEST_SCAN(test_scan_age_resets_when_count_drops),
		TEST_SCAN(test_scan_age_unwritable_state_fails),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
