/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What kvmops_size_parse() and kvmops_size_resolve() must give, worked out
 * again in 128 bits from the text: a wrapped unsigned figure is no
 * undefined behaviour, so no sanitizer would see one. Shared by the size
 * harness and the kvm-balloon one (its set and --margin).
 */
#ifndef KVMOPS_TESTS_FUZZ_SIZE_ORACLE_H
#define KVMOPS_TESTS_FUZZ_SIZE_ORACLE_H

#include <ctype.h>
#include <inttypes.h>

#include "libkvmops-private.h"
#include "fuzz/fuzz.h"

typedef unsigned __int128 fuzz_u128;

/* The number of @text: its digits as one integer, and how many are decimals. */
struct fuzz_decimal {
	fuzz_u128 digits; /* saturated at 2^100: far above any accepted */
	int decimals;
	const char *suffix; /* what follows the number */
};

static inline void fuzz_read_decimal(const char *text, struct fuzz_decimal *d)
{
	const char *p = text + (*text == '+' || *text == '-');
	bool dot = false;

	d->digits = 0;
	d->decimals = 0;
	for (; isdigit((unsigned char)*p) || (*p == '.' && !dot); p++) {
		if (*p == '.') {
			dot = true;
			continue;
		}
		if (d->digits < ((fuzz_u128)1 << 100))
			d->digits = d->digits * 10 + (unsigned)(*p - '0');
		d->decimals += dot;
	}
	d->suffix = p;
}

static inline fuzz_u128 fuzz_pow10(int n)
{
	fuzz_u128 v = 1;

	while (n-- > 0)
		v *= 10;
	return v;
}

/* An accepted percentage is the text's, at most 1000%, in basis points. */
static inline void fuzz_check_percent(const char *text,
				      const struct fuzz_decimal *d,
				      const struct kvmops_size *size)
{
	fuzz_u128 bp;

	if (d->decimals > 2)
		fuzz_fail("size '%s' accepted with %d decimals of a percent",
			  text, d->decimals);
	bp = d->digits * fuzz_pow10(2 - d->decimals);
	if (bp > 100000)
		fuzz_fail("size '%s' accepted: above 1000%%", text);
	if (bp != size->basis_points)
		fuzz_fail("size '%s' read as %u basis points, not %u", text,
			  size->basis_points, (unsigned)bp);
}

/* An accepted amount is the text's, rounded up to whole KiB. */
static inline void fuzz_check_amount(const char *text,
				     const struct fuzz_decimal *d,
				     const struct kvmops_size *size)
{
	uint64_t unit;
	fuzz_u128 bytes, div = fuzz_pow10(d->decimals);

	if (kvmops_unit_bytes(d->suffix, &unit))
		fuzz_fail("size '%s' accepted with unit '%s'", text, d->suffix);
	bytes = (d->digits * unit + div - 1) / div;
	if ((bytes + 1023) / 1024 != size->kib)
		fuzz_fail("size '%s' read as %" PRIu64 " KiB", text, size->kib);
}

/* Checks what kvmops_size_parse(@text) accepted into @size. */
static inline void fuzz_check_size(const char *text,
				   const struct kvmops_size *size)
{
	struct fuzz_decimal d;
	bool signed_text = *text == '+' || *text == '-';
	bool percent;

	fuzz_read_decimal(text, &d);
	percent = !strcmp(d.suffix, "%");
	if (signed_text != (size->kind == KVMOPS_SIZE_DELTA ||
			    size->kind == KVMOPS_SIZE_DELTA_PERCENT))
		fuzz_fail("size '%s' read as kind %d", text, size->kind);
	if (percent != (size->kind == KVMOPS_SIZE_PERCENT ||
			size->kind == KVMOPS_SIZE_DELTA_PERCENT))
		fuzz_fail("size '%s' read as kind %d", text, size->kind);
	if (percent)
		fuzz_check_percent(text, &d, size);
	else
		fuzz_check_amount(text, &d, size);
}

/* What resolving @size against @current and @max is, exactly; <0: below 0. */
static inline __int128 fuzz_exact_resolve(const struct kvmops_size *size,
					  uint64_t current, uint64_t max)
{
	__int128 delta;

	switch (size->kind) {
	case KVMOPS_SIZE_ABSOLUTE:
		return size->kib;
	case KVMOPS_SIZE_PERCENT:
		return (__int128)((fuzz_u128)max * size->basis_points / 10000);
	case KVMOPS_SIZE_DELTA_PERCENT:
		delta = (__int128)((fuzz_u128)current * size->basis_points /
				   10000);
		break;
	default:
		delta = size->kib;
		break;
	}
	return (__int128)current + (size->sign < 0 ? -delta : delta);
}

/* A resolved size is the exact one; one that does not fit is refused. */
static inline void fuzz_check_resolve(struct kvmops_ctx *ctx,
				      const struct kvmops_size *size,
				      uint64_t current, uint64_t max)
{
	__int128 exact = fuzz_exact_resolve(size, current, max);
	uint64_t kib;

	if (kvmops_size_resolve(ctx, size, current, max, &kib))
		return;
	if (exact < 0 || exact > (__int128)UINT64_MAX)
		fuzz_fail("size of kind %d resolved against %" PRIu64
			  " and %" PRIu64 " KiB to %" PRIu64
			  " KiB: it does not fit in 64 bits",
			  size->kind, current, max, kib);
	if ((__int128)kib != exact)
		fuzz_fail("size of kind %d resolved to %" PRIu64
			  " KiB, not the exact figure",
			  size->kind, kib);
}

#endif
