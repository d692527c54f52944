// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Each guest's fair share of what KSM saves. A KSM page merged by n
 * guests is counted once in pages_shared and n - 1 times in
 * pages_sharing, but once in each guest's ksm_merging_pages: summed as
 * they are, the guests' figures claim pages_shared + pages_sharing pages
 * saved. Each guest is given merging x pages_sharing / (pages_sharing +
 * pages_shared) instead, in whole pages by largest remainders, so that
 * the shares add up to the saving.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "libkvmops-private.h"

struct share {
	size_t index;
	uint64_t pages;
	uint64_t remainder; /* of merging x sharing, over the whole */
};

static int by_remainder(const void *a, const void *b)
{
	const struct share *x = a, *y = b;

	if (x->remainder != y->remainder)
		return x->remainder < y->remainder ? 1 : -1;
	return (x->index > y->index) - (x->index < y->index);
}

/* Floors of each share, and the pages left to hand out. */
static uint64_t floor_shares(const struct kvmops_ksm_vm *vms, size_t count,
			     uint64_t sharing, uint64_t whole,
			     struct share *shares)
{
	unsigned __int128 exact_sum = 0;
	uint64_t floors = 0;
	size_t i;

	for (i = 0; i < count; i++) {
		unsigned __int128 exact =
			(unsigned __int128)vms[i].merging_pages * sharing;

		shares[i] = (struct share){
			.index = i,
			.pages = (uint64_t)(exact / whole),
			.remainder = (uint64_t)(exact % whole),
		};
		floors += shares[i].pages;
		exact_sum += exact;
	}
	/* The guests' part of the saving, rounded to the nearest page. */
	return (uint64_t)((exact_sum + whole / 2) / whole) - floors;
}

/* Figures that would pass 64 bits stop at its limit. */
static uint64_t bytes_of(uint64_t pages, uint64_t page_size)
{
	uint64_t bytes;

	return __builtin_mul_overflow(pages, page_size, &bytes) ? UINT64_MAX :
								  bytes;
}

static int64_t profit_of(const struct kvmops_ksm_vm *vm, uint64_t page_size)
{
	__int128 p = (__int128)vm->saved_bytes +
		     bytes_of(vm->zero_pages, page_size) -
		     (__int128)bytes_of(vm->rmap_items, KSM_RMAP_ITEM_BYTES);

	return p > INT64_MAX ? INT64_MAX :
	       p < INT64_MIN ? INT64_MIN :
			       (int64_t)p;
}

KVMOPS_EXPORT void kvmops_ksm_fair_shares(struct kvmops_ksm_vm *vms,
					  size_t count, uint64_t pages_shared,
					  uint64_t pages_sharing,
					  uint64_t page_size)
{
	uint64_t whole = pages_shared + pages_sharing, left;
	struct share *shares;
	size_t i;

	for (i = 0; i < count; i++) {
		vms[i].merged_bytes = bytes_of(vms[i].merging_pages, page_size);
		vms[i].saved_bytes = 0;
	}
	shares = whole && count ? calloc(count, sizeof(*shares)) : NULL;
	if (shares) {
		left = floor_shares(vms, count, pages_sharing, whole, shares);
		qsort(shares, count, sizeof(*shares), by_remainder);
		for (i = 0; i < count && left; i++, left--)
			shares[i].pages++;
		for (i = 0; i < count; i++)
			vms[shares[i].index].saved_bytes =
				bytes_of(shares[i].pages, page_size);
		free(shares);
	}
	for (i = 0; i < count; i++)
		vms[i].profit_bytes = profit_of(&vms[i], page_size);
}
