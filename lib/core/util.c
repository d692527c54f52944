// SPDX-License-Identifier: LGPL-2.1-or-later
/* Small helpers every subsystem uses: numbers, the page size, the clock. */
#include "config.h"

#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "libkvmops-private.h"

int kvmops_parse_u64(const char *text, uint64_t *value)
{
	unsigned long long v;
	char *end;

	if (!text || *text < '0' || *text > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	if (*end)
		return -EINVAL;
	*value = v;
	return 0;
}

int kvmops_parse_s64(const char *text, int64_t *value)
{
	long long v;
	char *end;

	if (!text || !*text || (*text != '-' && (*text < '0' || *text > '9')))
		return -EINVAL;
	errno = 0;
	v = strtoll(text, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	if (*end || end == text)
		return -EINVAL;
	*value = v;
	return 0;
}

uint64_t kvmops_page_size(void)
{
	long ps = sysconf(_SC_PAGESIZE);

	return ps > 0 ? (uint64_t)ps : 4096;
}

uint64_t kvmops_now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}
