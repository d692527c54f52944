// SPDX-License-Identifier: LGPL-2.1-or-later
#include "config.h"

#include <ctype.h>
#include <inttypes.h>
#include <string.h>

#include "libkvmops-private.h"

/*
 * As virsh: a letter K, M, G or T (either case) alone or with "iB" is a
 * power of two, with "B" a power of ten; "B" alone is bytes; no unit is KiB.
 */
int kvmops_unit_bytes(const char *suffix, uint64_t *bytes)
{
	static const char letters[] = "kmgt";
	const char *letter;
	uint64_t binary = 1024, decimal = 1000;

	if (!*suffix) {
		*bytes = 1024;
		return 0;
	}
	if (!strcasecmp(suffix, "b")) {
		*bytes = 1;
		return 0;
	}
	letter = strchr(letters, tolower((unsigned char)suffix[0]));
	if (!letter || !*letter)
		return -EINVAL;
	for (int i = 0; i < letter - letters; i++) {
		binary *= 1024;
		decimal *= 1000;
	}
	if (!suffix[1] || !strcasecmp(suffix + 1, "ib"))
		*bytes = binary;
	else if (!strcasecmp(suffix + 1, "b"))
		*bytes = decimal;
	else
		return -EINVAL;
	return 0;
}

/*
 * Reads "123" or "1.5" into an integer mantissa and a count of decimal
 * digits, so "1.5" becomes 15 and 1: exact arithmetic, no floating point.
 */
static int read_decimal(const char **p, uint64_t *mantissa, int *decimals)
{
	const char *s = *p;
	uint64_t m = 0;
	int digits = 0, dec = -1;

	for (; isdigit((unsigned char)*s) || (*s == '.' && dec < 0); s++) {
		if (*s == '.') {
			dec = 0;
			continue;
		}
		if (m > (UINT64_MAX - 9) / 10)
			return -ERANGE;
		m = m * 10 + (uint64_t)(*s - '0');
		digits++;
		if (dec >= 0)
			dec++;
	}
	/* pow10u() overflows past 10^19. */
	if (!digits || dec == 0 || dec > 19)
		return -EINVAL;
	*p = s;
	*mantissa = m;
	*decimals = dec < 0 ? 0 : dec;
	return 0;
}

static uint64_t pow10u(int n)
{
	uint64_t v = 1;

	while (n-- > 0)
		v *= 10;
	return v;
}

static int parse_percent(struct kvmops_ctx *ctx, const char *text,
			 uint64_t mantissa, int decimals,
			 struct kvmops_size *size)
{
	/* Basis points: two decimals of a percent at most. */
	if (decimals > 2)
		return kvmops_fail(
			ctx, -EINVAL,
			"invalid size '%s': a percentage takes at most two decimals",
			text);
	/* Checked before the scaling, which could wrap a long mantissa. */
	if (mantissa > 100000 / pow10u(2 - decimals))
		return kvmops_fail(
			ctx, -ERANGE,
			"invalid size '%s': a percentage must be at most 1000%%",
			text);
	size->basis_points = (uint32_t)(mantissa * pow10u(2 - decimals));
	return 0;
}

static int parse_amount(struct kvmops_ctx *ctx, const char *text,
			const char *suffix, uint64_t mantissa, int decimals,
			struct kvmops_size *size)
{
	uint64_t unit, div = pow10u(decimals), bytes;
	unsigned __int128 wide;

	if (kvmops_unit_bytes(suffix, &unit))
		return kvmops_fail(
			ctx, -EINVAL,
			"invalid size '%s': unknown unit '%s' (use K, M, G, T, KiB, MiB, GiB, TiB, KB, MB, GB, TB or B)",
			text, suffix);
	wide = (unsigned __int128)mantissa * unit;
	/* Round up to whole bytes, then to whole KiB, as virsh does. */
	wide = (wide + div - 1) / div;
	if (wide > UINT64_MAX - 1023)
		return kvmops_fail(ctx, -ERANGE, "invalid size '%s': too large",
				   text);
	bytes = (uint64_t)wide;
	size->kib = (bytes + 1023) / 1024;
	return 0;
}

KVMOPS_EXPORT int kvmops_size_parse(struct kvmops_ctx *ctx, const char *text,
				    unsigned int flags,
				    struct kvmops_size *size)
{
	struct kvmops_size s = { .kind = KVMOPS_SIZE_ABSOLUTE, .sign = 1 };
	const char *p = text;
	uint64_t mantissa;
	int decimals, rc;

	if (!text || !*text)
		return kvmops_fail(ctx, -EINVAL,
				   "invalid size '': it is empty");
	if (*p == '+' || *p == '-') {
		if (!(flags & KVMOPS_SIZE_ALLOW_DELTA))
			return kvmops_fail(
				ctx, -EINVAL,
				"invalid size '%s': a sign is not allowed here; give an absolute size such as 512M",
				text);
		s.kind = KVMOPS_SIZE_DELTA;
		s.sign = *p == '-' ? -1 : 1;
		p++;
	}
	rc = read_decimal(&p, &mantissa, &decimals);
	if (rc == -ERANGE)
		return kvmops_fail(ctx, rc, "invalid size '%s': too large",
				   text);
	if (rc)
		return kvmops_fail(
			ctx, rc,
			"invalid size '%s': expected a number with an optional unit, such as 512M or 1.5G",
			text);
	if (!strcmp(p, "%")) {
		if (!(flags & KVMOPS_SIZE_ALLOW_PERCENT))
			return kvmops_fail(
				ctx, -EINVAL,
				"invalid size '%s': a percentage is not allowed here",
				text);
		s.kind = s.kind == KVMOPS_SIZE_DELTA ?
				 KVMOPS_SIZE_DELTA_PERCENT :
				 KVMOPS_SIZE_PERCENT;
		rc = parse_percent(ctx, text, mantissa, decimals, &s);
	} else {
		rc = parse_amount(ctx, text, p, mantissa, decimals, &s);
	}
	if (rc)
		return rc;
	*size = s;
	return 0;
}

/* @basis_points of @kib: -ERANGE when it passes 64 bits (above 100%). */
static int percent_of(struct kvmops_ctx *ctx, uint32_t basis_points,
		      uint64_t kib, const char *of, uint64_t *result)
{
	unsigned __int128 part = (unsigned __int128)kib * basis_points / 10000;

	if (part > UINT64_MAX)
		return kvmops_fail(ctx, -ERANGE,
				   "%u.%02u%% of the %s, %" PRIu64
				   " KiB, passes 64 bits",
				   basis_points / 100, basis_points % 100, of,
				   kib);
	*result = (uint64_t)part;
	return 0;
}

KVMOPS_EXPORT int kvmops_size_resolve(struct kvmops_ctx *ctx,
				      const struct kvmops_size *size,
				      uint64_t current_kib, uint64_t max_kib,
				      uint64_t *result_kib)
{
	uint64_t delta = 0;
	int rc;

	switch (size->kind) {
	case KVMOPS_SIZE_ABSOLUTE:
		*result_kib = size->kib;
		return 0;
	case KVMOPS_SIZE_PERCENT:
		return percent_of(ctx, size->basis_points, max_kib, "maximum",
				  result_kib);
	case KVMOPS_SIZE_DELTA_PERCENT:
		rc = percent_of(ctx, size->basis_points, current_kib,
				"current size", &delta);
		if (rc)
			return rc;
		break;
	case KVMOPS_SIZE_DELTA:
		delta = size->kib;
		break;
	default:
		return kvmops_fail(ctx, -EINVAL, "unknown size kind %d",
				   size->kind);
	}
	if (size->sign < 0) {
		if (delta > current_kib)
			return kvmops_fail(ctx, -ERANGE,
					   "size change -%" PRIu64
					   " KiB goes below zero from %" PRIu64
					   " KiB",
					   delta, current_kib);
		*result_kib = current_kib - delta;
	} else {
		if (delta > UINT64_MAX - current_kib)
			return kvmops_fail(ctx, -ERANGE,
					   "size change overflows");
		*result_kib = current_kib + delta;
	}
	return 0;
}

KVMOPS_EXPORT int kvmops_size_format(uint64_t bytes, char *buf, size_t len)
{
	static const char *const names[] = { "B",   "KiB", "MiB", "GiB",
					     "TiB", "PiB", "EiB" };
	unsigned int i = 0;
	double v = (double)bytes;
	int n;

	while (v >= 1024.0 && i < ARRAY_SIZE(names) - 1) {
		v /= 1024.0;
		i++;
	}
	if (i == 0 || v >= 100.0 || v == (double)(uint64_t)v)
		n = snprintf(buf, len, "%.0f %s", v, names[i]);
	else if (v >= 10.0)
		n = snprintf(buf, len, "%.1f %s", v, names[i]);
	else
		n = snprintf(buf, len, "%.2f %s", v, names[i]);
	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	return 0;
}
