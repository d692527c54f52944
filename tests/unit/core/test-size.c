// SPDX-License-Identifier: LGPL-2.1-or-later
/* Sizes as users type them: parsing, resolving and formatting. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "libkvmops-private.h"
#include "unit/fixture.h"

#define ALLOW_ALL (KVMOPS_SIZE_ALLOW_DELTA | KVMOPS_SIZE_ALLOW_PERCENT)
#define KIB_PER_MIB 1024ull
#define KIB_PER_GIB (1024ull * 1024)
#define KIB_PER_TIB (1024ull * 1024 * 1024)

static void parses_to(struct kvmops_ctx *ctx, const char *text,
		      unsigned int flags, enum kvmops_size_kind kind, int sign,
		      uint64_t kib, uint32_t basis_points)
{
	struct kvmops_size size;

	memset(&size, 0xa5, sizeof(size));
	assert_int_equal(kvmops_size_parse(ctx, text, flags, &size), 0);
	assert_int_equal(size.kind, kind);
	assert_int_equal(size.sign, sign);
	if (kind == KVMOPS_SIZE_ABSOLUTE || kind == KVMOPS_SIZE_DELTA)
		assert_true(size.kib == kib);
	else
		assert_int_equal(size.basis_points, basis_points);
}

static void absolute_is(struct kvmops_ctx *ctx, const char *text, uint64_t kib)
{
	parses_to(ctx, text, 0, KVMOPS_SIZE_ABSOLUTE, 1, kib, 0);
}

/* ---- absolute sizes ---------------------------------------------------- */

static void test_binary_units(void **state)
{
	absolute_is(*state, "512K", 512);
	absolute_is(*state, "512M", 512 * KIB_PER_MIB);
	absolute_is(*state, "1G", KIB_PER_GIB);
	absolute_is(*state, "1T", KIB_PER_TIB);
}

static void test_iec_units(void **state)
{
	absolute_is(*state, "1GiB", KIB_PER_GIB);
	absolute_is(*state, "1MiB", KIB_PER_MIB);
	absolute_is(*state, "4KiB", 4);
	absolute_is(*state, "2TiB", 2 * KIB_PER_TIB);
}

/* 2,000,000 bytes are 1953.125 KiB: a partial KiB rounds up. */
static void test_decimal_units_round_up(void **state)
{
	absolute_is(*state, "2000KB", 1954);
	absolute_is(*state, "1MB", 977);
	absolute_is(*state, "1GB", 976563);
}

static void test_fraction(void **state)
{
	absolute_is(*state, "1.5G", 1572864);
	absolute_is(*state, "0.5M", 512);
}

static void test_bytes_round_up_to_kib(void **state)
{
	absolute_is(*state, "100B", 1);
	absolute_is(*state, "1024B", 1);
	absolute_is(*state, "1025b", 2);
	absolute_is(*state, "0B", 0);
}

static void test_plain_number_is_kib(void **state)
{
	absolute_is(*state, "1024", 1024);
	absolute_is(*state, "0", 0);
}

static void test_units_ignore_case(void **state)
{
	absolute_is(*state, "512m", 512 * KIB_PER_MIB);
	absolute_is(*state, "1gib", KIB_PER_GIB);
	absolute_is(*state, "2000kb", 1954);
}

/* ---- relative sizes and percentages ------------------------------------ */

static void test_delta(void **state)
{
	parses_to(*state, "+256M", KVMOPS_SIZE_ALLOW_DELTA, KVMOPS_SIZE_DELTA,
		  1, 256 * KIB_PER_MIB, 0);
	parses_to(*state, "-1G", KVMOPS_SIZE_ALLOW_DELTA, KVMOPS_SIZE_DELTA, -1,
		  KIB_PER_GIB, 0);
}

static void test_delta_percent(void **state)
{
	parses_to(*state, "-25%", ALLOW_ALL, KVMOPS_SIZE_DELTA_PERCENT, -1, 0,
		  2500);
	parses_to(*state, "+10%", ALLOW_ALL, KVMOPS_SIZE_DELTA_PERCENT, 1, 0,
		  1000);
}

static void test_percent_in_basis_points(void **state)
{
	parses_to(*state, "50%", KVMOPS_SIZE_ALLOW_PERCENT, KVMOPS_SIZE_PERCENT,
		  1, 0, 5000);
	parses_to(*state, "12.5%", KVMOPS_SIZE_ALLOW_PERCENT,
		  KVMOPS_SIZE_PERCENT, 1, 0, 1250);
	parses_to(*state, "0.01%", KVMOPS_SIZE_ALLOW_PERCENT,
		  KVMOPS_SIZE_PERCENT, 1, 0, 1);
	parses_to(*state, "1000%", KVMOPS_SIZE_ALLOW_PERCENT,
		  KVMOPS_SIZE_PERCENT, 1, 0, 100000);
}

/* ---- rejections -------------------------------------------------------- */

/* Fails with @err, leaves *size alone, and the message quotes @text. */
static void rejects(struct kvmops_ctx *ctx, const char *text,
		    unsigned int flags, int err)
{
	struct kvmops_size size = { .kind = KVMOPS_SIZE_PERCENT, .kib = 77 };
	char quoted[128];

	snprintf(quoted, sizeof(quoted), "'%s'", text);
	assert_int_equal(kvmops_size_parse(ctx, text, flags, &size), err);
	assert_int_equal(size.kind, KVMOPS_SIZE_PERCENT);
	assert_int_equal(size.kib, 77);
	assert_non_null(strstr(kvmops_last_error(ctx), quoted));
}

static void test_rejects_empty(void **state)
{
	rejects(*state, "", ALLOW_ALL, -EINVAL);
}

static void test_rejects_words(void **state)
{
	rejects(*state, "abc", ALLOW_ALL, -EINVAL);
	rejects(*state, "M", ALLOW_ALL, -EINVAL);
	rejects(*state, "+", ALLOW_ALL, -EINVAL);
}

static void test_rejects_unknown_unit(void **state)
{
	rejects(*state, "12Q", ALLOW_ALL, -EINVAL);
	rejects(*state, "12MQ", ALLOW_ALL, -EINVAL);
	rejects(*state, "12 M", ALLOW_ALL, -EINVAL);
	rejects(*state, "1%%", ALLOW_ALL, -EINVAL);
}

static void test_unknown_unit_is_named(void **state)
{
	rejects(*state, "12Q", 0, -EINVAL);
	assert_non_null(strstr(kvmops_last_error(*state), "unit 'Q'"));
}

static void test_rejects_bad_decimals(void **state)
{
	rejects(*state, "1..5G", ALLOW_ALL, -EINVAL);
	rejects(*state, "0.01000000000000000000T", ALLOW_ALL, -EINVAL);
	rejects(*state, ".G", ALLOW_ALL, -EINVAL);
	rejects(*state, "1.G", ALLOW_ALL, -EINVAL);
}

static void test_rejects_sign_without_allow_delta(void **state)
{
	rejects(*state, "-5M", 0, -EINVAL);
	rejects(*state, "+5M", KVMOPS_SIZE_ALLOW_PERCENT, -EINVAL);
}

static void test_rejects_percent_without_allow_percent(void **state)
{
	rejects(*state, "50%", 0, -EINVAL);
	rejects(*state, "-25%", KVMOPS_SIZE_ALLOW_DELTA, -EINVAL);
}

static void test_rejects_too_many_digits(void **state)
{
	rejects(*state, "99999999999999999999999", ALLOW_ALL, -ERANGE);
}

/* 2^54 KiB is 2^64 bytes: one past what a uint64_t holds. */
static void test_rejects_byte_overflow(void **state)
{
	rejects(*state, "18014398509481984K", ALLOW_ALL, -ERANGE);
	rejects(*state, "16777216T", ALLOW_ALL, -ERANGE);
}

static void test_rejects_three_percent_decimals(void **state)
{
	rejects(*state, "1.234%", ALLOW_ALL, -EINVAL);
}

static void test_rejects_percent_over_1000(void **state)
{
	rejects(*state, "2000%", ALLOW_ALL, -ERANGE);
	rejects(*state, "1000.01%", ALLOW_ALL, -ERANGE);
	/* Once taken as 0.84%: the scaling by 100 wrapped the mantissa. */
	rejects(*state, "184467440737095517%", ALLOW_ALL, -ERANGE);
	/* The caller's figure: bad input. */
	assert_false(kvmops_last_error_from_system(*state));
	rejects(*state, "1844674407370955.17%", ALLOW_ALL, -ERANGE);
	rejects(*state, "100001%", ALLOW_ALL, -ERANGE);
	parses_to(*state, "1000%", ALLOW_ALL, KVMOPS_SIZE_PERCENT, 1, 0,
		  100000);
	parses_to(*state, "999.9%", ALLOW_ALL, KVMOPS_SIZE_PERCENT, 1, 0,
		  99990);
}

/* ---- resolving --------------------------------------------------------- */

static uint64_t resolve(struct kvmops_ctx *ctx, const char *text,
			uint64_t current_kib, uint64_t max_kib)
{
	struct kvmops_size size;
	uint64_t kib = 0;

	assert_int_equal(kvmops_size_parse(ctx, text, ALLOW_ALL, &size), 0);
	assert_int_equal(
		kvmops_size_resolve(ctx, &size, current_kib, max_kib, &kib), 0);
	return kib;
}

static void test_resolve_absolute_ignores_current(void **state)
{
	assert_true(resolve(*state, "512M", 7, 9) == 512 * KIB_PER_MIB);
}

static void test_resolve_percent_of_max(void **state)
{
	assert_true(resolve(*state, "50%", 1024, 4 * KIB_PER_GIB) ==
		    2 * KIB_PER_GIB);
	assert_true(resolve(*state, "12.5%", 0, 8000) == 1000);
}

static void test_resolve_delta_from_current(void **state)
{
	assert_true(resolve(*state, "+256M", 256 * KIB_PER_MIB, 0) ==
		    512 * KIB_PER_MIB);
	assert_true(resolve(*state, "-1G", 3 * KIB_PER_GIB, 0) ==
		    2 * KIB_PER_GIB);
}

static void test_resolve_delta_percent_of_current(void **state)
{
	assert_true(resolve(*state, "-25%", 4 * KIB_PER_GIB, 0) ==
		    3 * KIB_PER_GIB);
	assert_true(resolve(*state, "+10%", 1000000, 99) == 1100000);
}

static void test_resolve_below_zero_fails(void **state)
{
	struct kvmops_ctx *ctx = *state;
	struct kvmops_size size;
	uint64_t kib = 42;

	assert_int_equal(kvmops_size_parse(ctx, "-300M",
					   KVMOPS_SIZE_ALLOW_DELTA, &size),
			 0);
	assert_int_equal(kvmops_size_resolve(ctx, &size, 256 * KIB_PER_MIB, 0,
					     &kib),
			 -ERANGE);
	assert_int_equal(kib, 42);
	assert_non_null(strstr(kvmops_last_error(ctx), "below zero"));
}

static void test_resolve_to_exactly_zero(void **state)
{
	assert_true(resolve(*state, "-256M", 256 * KIB_PER_MIB, 0) == 0);
}

static void test_resolve_overflow_fails(void **state)
{
	struct kvmops_ctx *ctx = *state;
	struct kvmops_size size;
	uint64_t kib;

	assert_int_equal(kvmops_size_parse(ctx, "+1K", KVMOPS_SIZE_ALLOW_DELTA,
					   &size),
			 0);
	assert_int_equal(kvmops_size_resolve(ctx, &size, UINT64_MAX, 0, &kib),
			 -ERANGE);
}

/* Once cut to 64 bits: 1000% of a maximum past 2^64 / 10. */
static void test_resolve_percent_past_64_bits_fails(void **state)
{
	struct kvmops_ctx *ctx = *state;
	struct kvmops_size size;
	uint64_t kib = 7;

	assert_int_equal(kvmops_size_parse(ctx, "1000%", ALLOW_ALL, &size), 0);
	assert_int_equal(kvmops_size_resolve(ctx, &size, 0, UINT64_MAX / 2,
					     &kib),
			 -ERANGE);
	assert_in_error(ctx, "1000.00% of the maximum");
	assert_int_equal(kvmops_size_parse(ctx, "+1000%", ALLOW_ALL, &size), 0);
	assert_int_equal(kvmops_size_resolve(ctx, &size, UINT64_MAX / 2, 0,
					     &kib),
			 -ERANGE);
	assert_int_equal(kib, 7);
	assert_int_equal(kvmops_size_parse(ctx, "100%", ALLOW_ALL, &size), 0);
	assert_int_equal(kvmops_size_resolve(ctx, &size, 0, UINT64_MAX, &kib),
			 0);
	assert_true(kib == UINT64_MAX);
}

/* ---- formatting -------------------------------------------------------- */

static void formats_as(uint64_t bytes, const char *expected)
{
	char buf[32];

	assert_int_equal(kvmops_size_format(bytes, buf, sizeof(buf)), 0);
	assert_string_equal(buf, expected);
}

static void test_format_bytes(void **state)
{
	formats_as(0, "0 B");
	formats_as(1, "1 B");
	formats_as(1023, "1023 B");
}

static void test_format_whole_units(void **state)
{
	formats_as(1024, "1 KiB");
	formats_as(268435456, "256 MiB");
	formats_as(1ull << 40, "1 TiB");
}

static void test_format_fractions(void **state)
{
	formats_as(1536, "1.50 KiB");
	formats_as(1610612736, "1.50 GiB");
	formats_as(12800, "12.5 KiB");
}

static void test_format_largest(void **state)
{
	formats_as(UINT64_MAX, "16 EiB");
}

static void test_format_buffer_too_small(void **state)
{
	char buf[6];

	assert_int_equal(kvmops_size_format(1024, buf, 5), -ENOSPC);
	assert_int_equal(kvmops_size_format(1024, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "1 KiB");
}

#define TEST(f) cmocka_unit_test_setup_teardown(f, ctx_setup, ctx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_binary_units),
		TEST(test_iec_units),
		TEST(test_decimal_units_round_up),
		TEST(test_fraction),
		TEST(test_bytes_round_up_to_kib),
		TEST(test_plain_number_is_kib),
		TEST(test_units_ignore_case),
		TEST(test_delta),
		TEST(test_delta_percent),
		TEST(test_percent_in_basis_points),
		TEST(test_rejects_empty),
		TEST(test_rejects_words),
		TEST(test_rejects_unknown_unit),
		TEST(test_unknown_unit_is_named),
		TEST(test_rejects_bad_decimals),
		TEST(test_rejects_sign_without_allow_delta),
		TEST(test_rejects_percent_without_allow_percent),
		TEST(test_rejects_too_many_digits),
		TEST(test_rejects_byte_overflow),
		TEST(test_rejects_three_percent_decimals),
		TEST(test_rejects_percent_over_1000),
		TEST(test_resolve_absolute_ignores_current),
		TEST(test_resolve_percent_of_max),
		TEST(test_resolve_delta_from_current),
		TEST(test_resolve_delta_percent_of_current),
		TEST(test_resolve_below_zero_fails),
		TEST(test_resolve_to_exactly_zero),
		TEST(test_resolve_overflow_fails),
		TEST(test_resolve_percent_past_64_bits_fails),
		TEST(test_format_bytes),
		TEST(test_format_whole_units),
		TEST(test_format_fractions),
		TEST(test_format_largest),
		TEST(test_format_buffer_too_small),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
