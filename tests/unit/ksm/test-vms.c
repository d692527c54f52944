// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * KSM per guest: QEMU processes found in a fake /proc. The fixture has two
 * guests (pids 100 and 200), a bash whose command line merely mentions
 * qemu (300) and a kernel thread without an executable (400). KSM's
 * counters are the ksm-6.18 fixture's: the guests' 15000 + 20162 merging
 * pages are its pages_shared 4000 + pages_sharing 31162.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "libkvmops-private.h"
#include "unit/fixture.h"

#define WEB1_UUID "6a1d3f2e-8f55-4d0b-9a8e-2c7b1f0e4d21"

struct env {
	struct kvmops_ctx *ctx;
	struct kvmops_ksm_vm *vms;
	size_t count;
	char *tmp; /* a writable copy of the proc tree, or NULL */
};

static uint64_t page_size(void)
{
	return (uint64_t)sysconf(_SC_PAGESIZE);
}

static struct env *new_env(const char *proc_root)
{
	struct env *e = calloc(1, sizeof(*e));

	assert_non_null(e);
	assert_int_equal(kvmops_new(&e->ctx), 0);
	assert_int_equal(kvmops_set_proc_root(e->ctx, proc_root), 0);
	assert_int_equal(kvmops_set_sysfs_root(e->ctx, FIXTURES "/ksm-6.18"),
			 0);
	return e;
}

static int list_vms(struct env *e, virConnectPtr conn)
{
	free(e->vms);
	e->vms = NULL;
	e->count = 0;
	return kvmops_ksm_vms(e->ctx, conn, &e->vms, &e->count);
}

/* A writable copy, for tests that change a process first. */
static int setup_copy(void **state)
{
	char *tmp = fixture_copy("proc");
	struct env *e;

	if (!tmp)
		return -1;
	e = new_env(tmp);
	e->tmp = tmp;
	*state = e;
	return 0;
}

/* The fixture as it is, listed without libvirt. */
static int setup_listed(void **state)
{
	if (setup_copy(state))
		return -1;
	return list_vms(*state, NULL);
}

static int teardown(void **state)
{
	struct env *e = *state;

	free(e->vms);
	kvmops_unref(e->ctx);
	fixture_remove(e->tmp);
	free(e);
	return 0;
}

static const struct kvmops_ksm_vm *vm_by_pid(const struct env *e, pid_t pid)
{
	size_t i = 0;

	while (i < e->count && e->vms[i].pid != pid)
		i++;
	if (i == e->count)
		fail_msg("pid %d not listed", (int)pid);
	return &e->vms[i];
}

static void write_cmdline(struct env *e, const char *pid, const char *args,
			  size_t len)
{
	char rel[64];

	snprintf(rel, sizeof(rel), "/proc/%s/cmdline", pid);
	assert_int_equal(fixture_write_bytes(e->tmp, rel, args, len), 0);
}

/* ---- the fixture ------------------------------------------------------- */

static void test_finds_exactly_two_vms(void **state)
{
	struct env *e = *state;

	assert_int_equal(e->count, 2);
	assert_string_equal(kvmops_last_error(e->ctx), "");
}

static void test_sorted_by_saved_bytes_descending(void **state)
{
	struct env *e = *state;

	assert_int_equal(e->vms[0].pid, 200);
	assert_int_equal(e->vms[1].pid, 100);
	assert_true(e->vms[0].saved_bytes > e->vms[1].saved_bytes);
}

static void test_merging_pages_from_ksm_stat(void **state)
{
	const struct kvmops_ksm_vm *vm = vm_by_pid(*state, 100);

	assert_true(vm->have_stat);
	assert_int_equal(vm->merging_pages, 15000);
	assert_int_equal(vm->merged_bytes, 15000 * page_size());
	assert_int_equal(vm->rmap_items, 20000);
}

static void test_merging_pages_from_ksm_merging_pages(void **state)
{
	const struct kvmops_ksm_vm *vm = vm_by_pid(*state, 200);

	assert_true(vm->have_stat);
	assert_int_equal(vm->merging_pages, 20162);
	assert_int_equal(vm->merged_bytes, 20162 * page_size());
	assert_int_equal(vm->rmap_items, 0);
}

/*
 * 15000 x 31162 / 35162 = 13293.61 and 20162 x 31162 / 35162 = 17868.39:
 * the larger remainder takes the page left over.
 */
static void test_saved_is_fair_share(void **state)
{
	assert_int_equal(vm_by_pid(*state, 100)->saved_bytes,
			 13294 * page_size());
	assert_int_equal(vm_by_pid(*state, 200)->saved_bytes,
			 17868 * page_size());
}

/* Guests that hold every merged page save pages_sharing between them. */
static void test_shares_add_up_to_pages_sharing(void **state)
{
	struct env *e = *state;

	assert_int_equal(e->vms[0].saved_bytes + e->vms[1].saved_bytes,
			 31162 * page_size());
}

/* Without KSM's counters there is no saving to share. */
static void test_no_ksm_no_shares(void **state)
{
	struct env *e = *state;

	assert_int_equal(kvmops_set_sysfs_root(e->ctx, e->tmp), 0);
	assert_int_equal(list_vms(e, NULL), 0);
	assert_int_equal(vm_by_pid(e, 100)->saved_bytes, 0);
	assert_int_equal(vm_by_pid(e, 100)->merged_bytes, 15000 * page_size());
}

static void test_name_from_guest_option(void **state)
{
	assert_string_equal(vm_by_pid(*state, 100)->name, "web1");
}

static void test_name_unescapes_double_comma(void **state)
{
	assert_string_equal(vm_by_pid(*state, 200)->name, "db,two");
}

static void test_uuid_parsed_or_empty(void **state)
{
	assert_string_equal(vm_by_pid(*state, 100)->uuid, WEB1_UUID);
	assert_string_equal(vm_by_pid(*state, 200)->uuid, "");
}

/* A binary replaced by a package upgrade reads "... (deleted)". */
static void test_emulator_is_exe_basename(void **state)
{
	assert_string_equal(vm_by_pid(*state, 100)->emulator,
			    "qemu-system-x86_64");
	assert_string_equal(vm_by_pid(*state, 200)->emulator, "qemu-kvm");
}

/* The fair share less the metadata: 13294 pages less 20000 rmap items. */
static void test_profit_is_fair_share_less_metadata(void **state)
{
	assert_int_equal(vm_by_pid(*state, 100)->profit_bytes,
			 (int64_t)(13294 * page_size()) - 20000 * 64);
}

/* No ksm_stat: no rmap items known, so the profit is the saving. */
static void test_profit_formula_without_ksm_stat(void **state)
{
	const struct kvmops_ksm_vm *vm = vm_by_pid(*state, 200);

	assert_true(vm->profit_bytes == (int64_t)vm->saved_bytes);
}

static void test_rss_from_vmrss(void **state)
{
	assert_int_equal(vm_by_pid(*state, 100)->rss_bytes, 262144ull * 1024);
	assert_int_equal(vm_by_pid(*state, 200)->rss_bytes, 524288ull * 1024);
}

/* ksmtuned matched "-enable-kvm" on command lines; we go by executable. */
static void test_decoy_and_kernel_thread_never_reported(void **state)
{
	struct env *e = *state;

	for (size_t i = 0; i < e->count; i++) {
		assert_int_not_equal(e->vms[i].pid, 300);
		assert_int_not_equal(e->vms[i].pid, 400);
		assert_string_not_equal(e->vms[i].name, "decoy");
	}
}

/* ---- other process trees ----------------------------------------------- */

static void test_missing_proc_root_fails(void **state)
{
	struct env *e = *state;
	char missing[PATH_MAX];

	snprintf(missing, sizeof(missing), "%s/nowhere", e->tmp);
	assert_int_equal(kvmops_set_proc_root(e->ctx, missing), 0);
	assert_int_equal(list_vms(e, NULL), -ENOENT);
	assert_null(e->vms);
	assert_non_null(strstr(kvmops_last_error(e->ctx), missing));
}

static void test_no_qemu_means_empty_list(void **state)
{
	struct env *e = *state;
	char *empty = fixture_mkdtemp();

	assert_non_null(empty);
	assert_int_equal(fixture_write(empty, "/proc/1/comm", "init\n"), 0);
	assert_int_equal(kvmops_set_proc_root(e->ctx, empty), 0);
	assert_int_equal(list_vms(e, NULL), 0);
	assert_int_equal(e->count, 0);
	fixture_remove(empty);
}

static void test_no_ksm_files_means_no_stat(void **state)
{
	struct env *e = *state;
	const struct kvmops_ksm_vm *vm;
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/proc/200/ksm_merging_pages", e->tmp);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(list_vms(e, NULL), 0);
	vm = vm_by_pid(e, 200);
	assert_false(vm->have_stat);
	assert_int_equal(vm->merging_pages, 0);
	assert_int_equal(vm->saved_bytes, 0);
	/* The other guest holds all that is merged now, by the counters. */
	assert_int_equal(vm_by_pid(e, 100)->saved_bytes, 13294 * page_size());
	/* Now the smaller one: pid 100 comes first. */
	assert_int_equal(e->vms[0].pid, 100);
}

static void test_guest_option_anywhere_in_name(void **state)
{
	static const char args[] =
		"/usr/bin/qemu-system-x86_64\0-name\0"
		"process=qemu,,x,guest=a,,b,debug-threads=on";
	struct env *e = *state;

	write_cmdline(e, "100", args, sizeof(args));
	assert_int_equal(list_vms(e, NULL), 0);
	assert_string_equal(vm_by_pid(e, 100)->name, "a,b");
}

/* ---- names from libvirt ------------------------------------------------ */

/* The domain "test" that libvirt's test:///default driver always has. */
#define TEST_DOMAIN_UUID "6695eb01-f6a4-8304-79aa-97f2502e193f"

static virConnectPtr open_test_driver(struct env *e)
{
	virConnectPtr conn = NULL;

	assert_int_equal(kvmops_connect(e->ctx, "test:///default",
					KVMOPS_CONNECT_READONLY |
						KVMOPS_CONNECT_NO_EVENT_LOOP,
					&conn),
			 0);
	return conn;
}

static void test_libvirt_unknown_uuid_keeps_cmdline_name(void **state)
{
	struct env *e = *state;
	virConnectPtr conn = open_test_driver(e);

	assert_int_equal(list_vms(e, conn), 0);
	assert_string_equal(vm_by_pid(e, 100)->name, "web1");
	assert_string_equal(vm_by_pid(e, 200)->name, "db,two");
	kvmops_disconnect(conn);
}

/* Give web1 the UUID of the test driver's guest: libvirt's name wins. */
static void test_libvirt_names_guest_by_uuid(void **state)
{
	static const char args[] = "/usr/bin/qemu-system-x86_64\0-name\0"
				   "guest=web1\0-uuid\0" TEST_DOMAIN_UUID;
	struct env *e = *state;
	virConnectPtr conn = open_test_driver(e);

	write_cmdline(e, "100", args, sizeof(args));
	assert_int_equal(list_vms(e, conn), 0);
	assert_string_equal(vm_by_pid(e, 100)->name, "test");
	assert_string_equal(vm_by_pid(e, 100)->uuid, TEST_DOMAIN_UUID);
	assert_string_equal(vm_by_pid(e, 200)->name, "db,two");
	kvmops_disconnect(conn);
}

/* ---- figures out of range ---------------------------------------------- */

static void write_stat(struct env *e, const char *pid, const char *text)
{
	char rel[64];

	snprintf(rel, sizeof(rel), "/proc/%s/ksm_stat", pid);
	assert_int_equal(fixture_write(e->tmp, rel, text), 0);
}

/* rmap items x 64 bytes would pass 64 bits: refused, naming the file. */
static void test_rmap_items_out_of_range_refused(void **state)
{
	struct env *e = *state;

	write_stat(e, "100",
		   "ksm_rmap_items 9223372036854775807\nksm_merging_pages 1\n");
	assert_int_equal(list_vms(e, NULL), -ERANGE);
	assert_null(e->vms);
	assert_in_error(e->ctx, "/proc/100/ksm_stat");
	assert_in_error(e->ctx, "ksm_rmap_items 9223372036854775807");
}

static void test_negative_count_refused(void **state)
{
	struct env *e = *state;

	write_stat(e, "100", "ksm_merging_pages -5\n");
	assert_int_equal(list_vms(e, NULL), -ERANGE);
	assert_in_error(e->ctx, "ksm_merging_pages -5");
}

static void test_rss_out_of_range_refused(void **state)
{
	struct env *e = *state;

	assert_int_equal(
		fixture_write(e->tmp, "/proc/200/status",
			      "Name:\tqemu\nVmRSS:\t18446744073709551615 kB\n"),
		0);
	assert_int_equal(list_vms(e, NULL), -ERANGE);
	assert_in_error(e->ctx, "VmRSS");
}

/* The largest counts kvmops_ksm_vms() lets through: a profit near 2^63. */
static void test_profit_near_64_bits_is_exact(void **state)
{
	struct env *e = *state;
	int64_t want;

	write_stat(e, "100",
		   "ksm_rmap_items 0\nksm_zero_pages 2251799813685247\n"
		   "ksm_merging_pages 0\n");
	if (page_size() != 4096)
		skip();
	assert_int_equal(list_vms(e, NULL), 0);
	want = (int64_t)(2251799813685247ull * 4096);
	assert_true(vm_by_pid(e, 100)->profit_bytes == want);
}

/* A caller's own figures past 64 bits stop at the limits. */
static void test_fair_shares_saturate(void **state)
{
	struct kvmops_ksm_vm vms[2] = {
		{ .merging_pages = UINT64_MAX, .zero_pages = UINT64_MAX },
		{ .merging_pages = 1, .rmap_items = UINT64_MAX },
	};

	(void)state;
	kvmops_ksm_fair_shares(vms, 2, 1, UINT64_MAX - 1, 4096);
	assert_true(vms[0].merged_bytes == UINT64_MAX);
	assert_true(vms[0].profit_bytes == INT64_MAX);
	assert_true(vms[1].profit_bytes < 0);
}

#define TEST(f) cmocka_unit_test_setup_teardown(f, setup_listed, teardown)
#define TEST_COPY(f) cmocka_unit_test_setup_teardown(f, setup_copy, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_finds_exactly_two_vms),
		TEST(test_sorted_by_saved_bytes_descending),
		TEST(test_merging_pages_from_ksm_stat),
		TEST(test_merging_pages_from_ksm_merging_pages),
		TEST(test_name_from_guest_option),
		TEST(test_name_unescapes_double_comma),
		TEST(test_uuid_parsed_or_empty),
		TEST(test_emulator_is_exe_basename),
		TEST(test_saved_is_fair_share),
		TEST(test_shares_add_up_to_pages_sharing),
		TEST_COPY(test_no_ksm_no_shares),
		TEST(test_profit_is_fair_share_less_metadata),
		TEST(test_profit_formula_without_ksm_stat),
		TEST(test_rss_from_vmrss),
		TEST(test_decoy_and_kernel_thread_never_reported),
		TEST_COPY(test_missing_proc_root_fails),
		TEST_COPY(test_no_qemu_means_empty_list),
		TEST_COPY(test_no_ksm_files_means_no_stat),
		TEST_COPY(test_guest_option_anywhere_in_name),
		TEST(test_libvirt_unknown_uuid_keeps_cmdline_name),
		TEST_COPY(test_libvirt_names_guest_by_uuid),
		TEST_COPY(test_rmap_items_out_of_range_refused),
		TEST_COPY(test_negative_count_refused),
		TEST_COPY(test_rss_out_of_range_refused),
		TEST_COPY(test_profit_near_64_bits_is_exact),
		cmocka_unit_test(test_fair_shares_saturate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
