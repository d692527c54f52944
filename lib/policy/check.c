// SPDX-License-Identifier: LGPL-2.1-or-later
/* The pre-flight check's verdict: the worst of its items. */
#include "config.h"

#include "libkvmops-private.h"

KVMOPS_EXPORT enum kvmops_verdict
kvmops_check_worst(const struct kvmops_check_item *items, size_t count)
{
	enum kvmops_verdict worst = KVMOPS_VERDICT_PASS;
	size_t i;

	for (i = 0; i < count; i++)
		if (items[i].verdict > worst)
			worst = items[i].verdict;
	return worst;
}

KVMOPS_EXPORT const char *kvmops_verdict_name(enum kvmops_verdict verdict)
{
	static const char *const names[] = {
		[KVMOPS_VERDICT_PASS] = "PASS",
		[KVMOPS_VERDICT_WARN] = "WARN",
		[KVMOPS_VERDICT_FAIL] = "FAIL",
	};

	return (size_t)verdict < ARRAY_SIZE(names) ? names[verdict] : "FAIL";
}
