// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kvmops-guest: what a lab guest runs after its init, statically linked.
 *
 *   kvmops-guest WORKLOAD [WSS_MIB]
 *
 * The main thread prints "kvmops-heartbeat N" on the console every 100 ms,
 * N counting from boot: a counter that goes on rising after a migration,
 * instead of starting again near 0, proves the guest moved without a
 * reboot. A second thread runs the workload over WSS_MIB MiB:
 *   idle        nothing
 *   dirty:RATE  rewrites RATE MiB/s across the working set, so a live
 *               migration has something hard to converge on; each page
 *               carries its index, a sequence number and a checksum of
 *               the rest, and is verified before it is rewritten: a page
 *               that no longer holds what was last written there (a
 *               write a migration lost) prints a "kvmops-corrupt" line
 *   same        content identical in every guest, so KSM can merge it
 *   unique      random content, so KSM finds nothing to merge
 *   grow:RATE[:HOLD]
 *               takes memory, touching it, at RATE MiB/s up to the working
 *               set, holds it HOLD seconds (without HOLD: for good), then
 *               gives it all back and idles: a guest whose need rises
 *
 * A third thread serves the second serial port, when the guest has one
 * (lab guest --writer): a line "write MIB" there writes MIB MiB of fresh
 * data to the disk, /dev/vda, where the last write ended (wrapping at
 * its end), flushes it, and prints "kvmops-disk wrote MIB MiB at OFF MiB
 * (N)" on the console, N counting the writes, and "done N" on the port:
 * a known change for a backup to find.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define HEARTBEAT_NS 100000000L
#define PAGE 4096
#define MAX_RATE_MIB 4096

struct workload {
	char kind[16];
	unsigned long rate_mib; /* dirty:RATE, grow:RATE */
	unsigned long hold_s; /* grow:RATE:HOLD; 0: for good */
	size_t wss; /* bytes */
	unsigned char *mem;
};

static void add_ns(struct timespec *t, long ns)
{
	t->tv_nsec += ns;
	while (t->tv_nsec >= 1000000000L) {
		t->tv_nsec -= 1000000000L;
		t->tv_sec++;
	}
}

/*
 * Sleeps until the next period. After a stall (a paused or migrating
 * guest), it starts again from now rather than catching up in a burst.
 */
static void next_period(struct timespec *next)
{
	struct timespec now;

	add_ns(next, HEARTBEAT_NS);
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec > next->tv_sec + 1) {
		*next = now;
		return;
	}
	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, next, NULL);
}

/* Touches every page now, so the guest really holds the working set. */
static unsigned char *map_wss(size_t bytes)
{
	unsigned char *m = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1,
				0);

	return m == MAP_FAILED ? NULL : m;
}

/* Page i holds its index and a fixed pattern: the same in every guest. */
static void fill_same(unsigned char *m, size_t bytes)
{
	for (size_t off = 0; off < bytes; off += PAGE) {
		uint64_t index = off / PAGE;

		memset(m + off, 0xa5, PAGE);
		memcpy(m + off, &index, sizeof(index));
	}
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static uint64_t random_start(void)
{
	struct timespec t;
	uint64_t start = 0;
	FILE *f = fopen("/dev/urandom", "r");

	if (!f || fread(&start, sizeof(start), 1, f) != 1) {
		clock_gettime(CLOCK_REALTIME, &t);
		start = (uint64_t)t.tv_nsec ^ ((uint64_t)getpid() << 32);
	}
	if (f)
		fclose(f);
	return start | 1;
}

static void fill_unique(unsigned char *m, size_t bytes)
{
	uint64_t s = random_start();

	for (size_t off = 0; off + 8 <= bytes; off += 8) {
		uint64_t v = xorshift(&s);

		memcpy(m + off, &v, sizeof(v));
	}
}

/* ---- dirty, self-checking ----------------------------------------------- */

#define PAGE_WORDS (PAGE / 8)
#define HEAD_WORDS 3 /* index, sequence number, checksum */
#define CORRUPT_SHOWN 20 /* lines at most; then a count every 1000 */

/* FNV-1a over 64-bit words: cheap enough for TCG at 64 MiB/s. */
static uint64_t body_sum(const uint64_t *w)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = HEAD_WORDS; i < PAGE_WORDS; i++)
		h = (h ^ w[i]) * 1099511628211ull;
	return h;
}

static void write_page(uint64_t *w, uint64_t index, uint64_t seq)
{
	uint64_t v = seq * 0x9e3779b97f4a7c15ull ^ index << 20;

	for (size_t i = HEAD_WORDS; i < PAGE_WORDS; i++)
		w[i] = v ^ i;
	w[0] = index;
	w[1] = seq;
	w[2] = body_sum(w);
}

/* Whether page @index still holds write @seq; says so once if not. */
static void verify_page(const uint64_t *w, uint64_t index, uint64_t seq,
			unsigned long *corrupt)
{
	uint64_t sum = body_sum(w);

	if (w[0] == index && w[1] == seq && w[2] == sum)
		return;
	++*corrupt;
	if (*corrupt <= CORRUPT_SHOWN)
		printf("kvmops-corrupt page %llu: holds index %llu seq %llu "
		       "sum %016llx (body %016llx), last written seq %llu\n",
		       (unsigned long long)index, (unsigned long long)w[0],
		       (unsigned long long)w[1], (unsigned long long)w[2],
		       (unsigned long long)sum, (unsigned long long)seq);
	else if (*corrupt % 1000 == 0)
		printf("kvmops-corrupt %lu pages so far\n", *corrupt);
}

/* Writes rate_mib MiB per second, 10 slices a second, round the set. */
static void dirty_forever(struct workload *w)
{
	size_t slice = (w->rate_mib << 20) / 10, pages = w->wss / PAGE, pos = 0;
	uint64_t *seqs = calloc(pages, sizeof(*seqs));
	unsigned long corrupt = 0;
	struct timespec next;

	if (!seqs) {
		printf("kvmops-guest: no memory for the sequence numbers\n");
		return;
	}
	slice = (slice + PAGE - 1) / PAGE;
	if (slice > pages)
		slice = pages;
	printf("kvmops-workload dirty self-checking %zu pages\n", pages);
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (;;) {
		for (size_t done = 0; done < slice; done++) {
			uint64_t *page = (uint64_t *)(w->mem + pos * PAGE);

			if (seqs[pos])
				verify_page(page, pos, seqs[pos], &corrupt);
			write_page(page, pos, ++seqs[pos]);
			pos = (pos + 1) % pages;
		}
		next_period(&next);
	}
}

/* Touches rate_mib MiB a second of fresh memory, 10 slices a second. */
static void grow(struct workload *w)
{
	size_t slice = (w->rate_mib << 20) / 10, done = 0;
	struct timespec next;
	unsigned char *m = mmap(NULL, w->wss, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (m == MAP_FAILED) {
		printf("kvmops-guest: cannot map %zu MiB: %s\n", w->wss >> 20,
		       strerror(errno));
		return;
	}
	slice = (slice + PAGE - 1) / PAGE * PAGE;
	clock_gettime(CLOCK_MONOTONIC, &next);
	while (done < w->wss) {
		for (size_t end = done + slice; done < end && done < w->wss;
		     done += PAGE)
			memset(m + done, (int)(done / PAGE) | 1, PAGE);
		next_period(&next);
	}
	printf("kvmops-workload grow full %zu MiB\n", w->wss >> 20);
	if (!w->hold_s)
		return;
	sleep((unsigned int)w->hold_s);
	munmap(m, w->wss);
	printf("kvmops-workload grow freed %zu MiB\n", w->wss >> 20);
}

static void *run_workload(void *arg)
{
	struct workload *w = arg;

	if (!strcmp(w->kind, "grow")) {
		grow(w);
		fflush(stdout);
		return NULL;
	}
	w->mem = map_wss(w->wss);
	if (!w->mem) {
		printf("kvmops-guest: cannot map %zu MiB: %s\n", w->wss >> 20,
		       strerror(errno));
		return NULL;
	}
	if (!strcmp(w->kind, "same"))
		fill_same(w->mem, w->wss);
	else if (!strcmp(w->kind, "unique"))
		fill_unique(w->mem, w->wss);
	else if (!strcmp(w->kind, "dirty"))
		dirty_forever(w);
	printf("kvmops-workload %s ready\n", w->kind);
	fflush(stdout);
	return NULL;
}

/* MIB MiB at the disk's cursor, each block unlike any other write's. */
static int write_disk(int disk, unsigned long mib, uint64_t *cursor,
		      uint64_t round)
{
	static uint64_t block[PAGE / 8];
	off_t size = lseek(disk, 0, SEEK_END);

	if (size < PAGE)
		return -1;
	for (uint64_t n = 0; n < (uint64_t)mib << 8; n++) {
		if (*cursor + PAGE > (uint64_t)size)
			*cursor = 0;
		for (size_t i = 0; i < PAGE / 8; i++)
			block[i] = (round << 40) ^ (*cursor + i) ^
				   0x6b766d6f7073ULL;
		if (pwrite(disk, block, PAGE, (off_t)*cursor) != PAGE)
			return -1;
		*cursor += PAGE;
	}
	return fsync(disk);
}

static void *serve_writes(void *arg)
{
	FILE *port = fopen("/dev/ttyS1", "r+");
	struct termios t;
	char line[64];
	uint64_t cursor = 0, round = 0;
	int disk;

	(void)arg;
	if (!port)
		return NULL; /* no second port: no writer */
	printf("kvmops-disk writer ready\n");
	if (!tcgetattr(fileno(port), &t)) {
		t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
		tcsetattr(fileno(port), TCSANOW, &t);
	}
	while (fgets(line, sizeof(line), port)) {
		unsigned long mib;
		uint64_t at = cursor;

		if (sscanf(line, "write %lu", &mib) != 1 || !mib)
			continue;
		disk = open("/dev/vda", O_WRONLY);
		if (disk < 0 || write_disk(disk, mib, &cursor, ++round))
			printf("kvmops-disk cannot write %lu MiB: %s\n", mib,
			       strerror(errno));
		else
			printf("kvmops-disk wrote %lu MiB at %llu MiB (%llu)\n",
			       mib, (unsigned long long)(at >> 20),
			       (unsigned long long)round);
		if (disk >= 0)
			close(disk);
		/* the answer lab-send waits for: QEMU drops a line whose
		   sender has gone before the guest read it */
		fprintf(port, "done %llu\n", (unsigned long long)round);
		fflush(port);
	}
	return NULL;
}

static int parse_workload(const char *text, const char *wss, struct workload *w)
{
	unsigned long mib = strtoul(wss ? wss : "64", NULL, 10);

	memset(w, 0, sizeof(*w));
	if (!mib || mib > (SIZE_MAX >> 21))
		return -1;
	w->wss = (size_t)mib << 20;
	if (!strncmp(text, "grow:", 5)) {
		char *end;

		strcpy(w->kind, "grow");
		w->rate_mib = strtoul(text + 5, &end, 10);
		if (*end == ':')
			w->hold_s = strtoul(end + 1, &end, 10);
		return *end || !w->rate_mib || w->rate_mib > MAX_RATE_MIB ? -1 :
									    0;
	}
	if (!strncmp(text, "dirty:", 6)) {
		strcpy(w->kind, "dirty");
		w->rate_mib = strtoul(text + 6, NULL, 10);
		return w->rate_mib && w->rate_mib <= MAX_RATE_MIB ? 0 : -1;
	}
	if (strcmp(text, "idle") && strcmp(text, "same") &&
	    strcmp(text, "unique"))
		return -1;
	snprintf(w->kind, sizeof(w->kind), "%s", text);
	return 0;
}

int main(int argc, char **argv)
{
	static struct workload w;
	struct timespec next;
	unsigned long long beat = 0;
	pthread_t thread, writer;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2 ||
	    parse_workload(argv[1], argc > 2 ? argv[2] : NULL, &w)) {
		printf("kvmops-guest: bad workload '%s'; running idle\n",
		       argc > 1 ? argv[1] : "");
		parse_workload("idle", NULL, &w);
	}
	if (strcmp(w.kind, "idle") &&
	    pthread_create(&thread, NULL, run_workload, &w))
		printf("kvmops-guest: cannot start the workload\n");
	if (pthread_create(&writer, NULL, serve_writes, NULL))
		printf("kvmops-guest: cannot serve disk writes\n");
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (;;) {
		printf("kvmops-heartbeat %llu\n", beat++);
		next_period(&next);
	}
}
