// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ksm-pages MIB: maps MIB MiB of identical pages, marks them mergeable,
 * prints "ready" and waits for a signal: real work for the real ksmd.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 16;
	size_t len = mib << 20, off;
	char *mem;

	if (!mib) {
		fprintf(stderr, "usage: ksm-pages MIB\n");
		return 2;
	}
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	/* Not zero: zero pages take another path when use_zero_pages=1. */
	for (off = 0; off < len; off += (size_t)page)
		memset(mem + off, 0x5a, (size_t)page);
	if (madvise(mem, len, MADV_MERGEABLE)) {
		perror("madvise(MADV_MERGEABLE)");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	pause();
	return 0;
}
