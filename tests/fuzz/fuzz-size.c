// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Sizes (lib/core/size.c): the input's first line is a size as a user
 * writes it ("512M", "-25%", "1.5G"); an optional second line holds the
 * current and maximum sizes in KiB it resolves against ("1048576
 * 2097152" when absent). Each parse is tried with every set of flags,
 * checked against the exact figure (size-oracle.h), resolved and
 * formatted back.
 */
#include "config.h"

#include <inttypes.h>

#include "libkvmops-private.h"
#include "fuzz/fuzz.h"
#include "fuzz/size-oracle.h"

static struct kvmops_ctx *ctx;

static void setup(void)
{
	if (ctx)
		return;
	fuzz_quiet();
	if (kvmops_new(&ctx))
		abort();
	kvmops_set_log_fn(ctx, NULL);
}

/* "CURRENT MAX" in KiB, either may be left out. */
static void read_sizes(const char *line, uint64_t *current, uint64_t *max)
{
	char *end;

	*current = 1048576;
	*max = 2097152;
	if (!line)
		return;
	*current = strtoull(line, &end, 10);
	if (end != line)
		*max = strtoull(end, NULL, 10);
}

/* Formats @bytes into buffers from too small to roomy. */
static void format_all(uint64_t bytes)
{
	char buf[64];
	size_t len;

	for (len = 1; len <= sizeof(buf); len *= 2)
		if (!kvmops_size_format(bytes, buf, len) &&
		    !memchr(buf, 0, len))
			fuzz_fail("size_format(%" PRIu64 ") is not terminated",
				  bytes);
}

static void try_flags(const char *text, unsigned int flags, uint64_t current,
		      uint64_t max)
{
	struct kvmops_size size;
	uint64_t kib;

	if (kvmops_size_parse(ctx, text, flags, &size))
		return;
	if ((size.kind == KVMOPS_SIZE_DELTA ||
	     size.kind == KVMOPS_SIZE_DELTA_PERCENT) &&
	    !(flags & KVMOPS_SIZE_ALLOW_DELTA))
		fuzz_fail("size '%s' accepted with a sign not allowed", text);
	if ((size.kind == KVMOPS_SIZE_PERCENT ||
	     size.kind == KVMOPS_SIZE_DELTA_PERCENT) &&
	    !(flags & KVMOPS_SIZE_ALLOW_PERCENT))
		fuzz_fail("size '%s' accepted as a percent not allowed", text);
	fuzz_check_size(text, &size);
	fuzz_check_resolve(ctx, &size, current, max);
	if (!kvmops_size_resolve(ctx, &size, current, max, &kib) &&
	    kib <= UINT64_MAX / 1024)
		format_all(kib * 1024);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text, *nl;
	uint64_t current, max;
	unsigned int flags;

	setup();
	text = fuzz_text(data, size);
	nl = strchr(text, '\n');
	if (nl)
		*nl = '\0';
	read_sizes(nl ? nl + 1 : NULL, &current, &max);
	for (flags = 0; flags < 4; flags++)
		try_flags(text, flags, current, max);
	format_all(current);
	format_all(max);
	free(text);
	return 0;
}
