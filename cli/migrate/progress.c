// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * How a migration shows itself: a progress line, NDJSON events, and the
 * closing summary. A live migration's "remaining" can grow when the guest
 * dirties memory faster than it is sent, so the line shows the pass and
 * what is left, never a percentage that would run backwards.
 */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include "migrate/progress.h"

/* "0:07", "12:34", "1:02:03" */
static const char *duration(uint64_t s, char *buf, size_t len)
{
	if (s >= 3600)
		snprintf(buf, len, "%" PRIu64 ":%02" PRIu64 ":%02" PRIu64,
			 s / 3600, s / 60 % 60, s % 60);
	else
		snprintf(buf, len, "%" PRIu64 ":%02" PRIu64, s / 60, s % 60);
	return buf;
}

/* Appends "  LEFT left  RATE/s  ETA M:SS" for @left bytes at @bps. */
static size_t add_rate(char *buf, size_t len, uint64_t left, uint64_t bps)
{
	char a[24], b[24], c[24];

	if (!bps)
		return (size_t)snprintf(buf, len, "  %s left",
					kvs_bytes(left, a, sizeof(a)));
	return (size_t)snprintf(buf, len, "  %s left  %s/s  ETA %s",
				kvs_bytes(left, a, sizeof(a)),
				kvs_bytes(bps, b, sizeof(b)),
				duration((left + bps - 1) / bps, c, sizeof(c)));
}

static size_t memory_part(const struct kvmops_job *j, char *buf, size_t len)
{
	char a[24], b[24];
	size_t n;

	n = (size_t)snprintf(buf, len, "  pass %" PRIu64 "  sent %s",
			     j->iteration ? j->iteration : 1,
			     kvs_bytes(j->mem_processed, a, sizeof(a)));
	if (n < len)
		n += add_rate(buf + n, len - n, j->mem_remaining, j->mem_bps);
	if (n < len && j->dirty_rate && j->page_size)
		n += (size_t)snprintf(buf + n, len - n, "  dirtied %s/s",
				      kvs_bytes(j->dirty_rate * j->page_size, b,
						sizeof(b)));
	if (n < len && j->throttle_percent)
		n += (size_t)snprintf(buf + n, len - n,
				      "  throttled %" PRIu64 "%%",
				      j->throttle_percent);
	return n;
}

/* A disk copy has a fixed size, so its share done can only grow. */
static size_t copy_part(const struct kvmops_job *j, char *buf, size_t len,
			uint64_t bps)
{
	char a[24], b[24];
	size_t n;
	unsigned int percent = j->disk_total ?
				       (unsigned int)(j->disk_processed * 100 /
						      j->disk_total) :
				       0;

	n = (size_t)snprintf(buf, len, "  %s of %s (%u%%)",
			     kvs_bytes(j->disk_processed, a, sizeof(a)),
			     kvs_bytes(j->disk_total, b, sizeof(b)), percent);
	if (n < len)
		n += add_rate(buf + n, len - n, j->disk_remaining, bps);
	return n;
}

/* The stream's own rate, else (a caller without one) the whole run's. */
static uint64_t copy_rate(const struct kvmops_job *j)
{
	if (j->disk_bps || !j->elapsed_ms)
		return j->disk_bps;
	return j->disk_processed * 1000 / j->elapsed_ms;
}

void job_line(const struct kvmops_job *j, char *buf, size_t len)
{
	char t[24];
	size_t n;

	n = (size_t)snprintf(buf, len, "%-9s %6.1fs",
			     kvmops_phase_name(j->phase),
			     (double)j->elapsed_ms / 1000.0);
	if (n >= len)
		return;
	switch (j->phase) {
	case KVMOPS_PHASE_DISKS:
		copy_part(j, buf + n, len - n, j->disk_bps);
		break;
	case KVMOPS_PHASE_MEMORY:
		memory_part(j, buf + n, len - n);
		break;
	case KVMOPS_PHASE_POSTCOPY:
		snprintf(buf + n, len - n,
			 "  %s left; the guest runs on the destination",
			 kvs_bytes(j->mem_remaining, t, sizeof(t)));
		break;
	case KVMOPS_PHASE_FINISHING:
		snprintf(buf + n, len - n, "  guest paused for the last %s",
			 kvs_bytes(j->mem_remaining, t, sizeof(t)));
		break;
	case KVMOPS_PHASE_COPY:
	case KVMOPS_PHASE_VERIFY:
		n += (size_t)snprintf(buf + n, len - n, "  %s", j->disk);
		if (n < len)
			copy_part(j, buf + n, len - n, copy_rate(j));
		break;
	default:
		break;
	}
}

json_object *job_json(const struct kvmops_job *j, const char *event)
{
	json_object *o = json_object_new_object();

#define U64(key, v) json_object_object_add(o, key, json_object_new_uint64(v))
	json_object_object_add(o, "event", json_object_new_string(event));
	json_object_object_add(
		o, "phase",
		json_object_new_string(kvmops_phase_name(j->phase)));
	U64("elapsed_ms", j->elapsed_ms);
	U64("data_total", j->data_total);
	U64("data_processed", j->data_processed);
	U64("data_remaining", j->data_remaining);
	U64("memory_total", j->mem_total);
	U64("memory_processed", j->mem_processed);
	U64("memory_remaining", j->mem_remaining);
	U64("memory_bps", j->mem_bps);
	U64("disk_total", j->disk_total);
	U64("disk_processed", j->disk_processed);
	U64("disk_remaining", j->disk_remaining);
	U64("disk_bps", j->disk_bps);
	U64("iteration", j->iteration);
	U64("dirty_rate_pages", j->dirty_rate);
	U64("page_size", j->page_size);
	json_object_object_add(o, "downtime_ms",
			       j->have_downtime ?
				       json_object_new_uint64(j->downtime_ms) :
				       NULL);
	U64("setup_ms", j->setup_ms);
	U64("throughput_bps",
	    j->elapsed_ms ? j->data_processed * 1000 / j->elapsed_ms : 0);
	if (*j->disk)
		json_object_object_add(o, "disk",
				       json_object_new_string(j->disk));
	if (*j->dest_path)
		json_object_object_add(o, "dest_path",
				       json_object_new_string(j->dest_path));
	if (*j->sha256)
		json_object_object_add(o, "sha256",
				       json_object_new_string(j->sha256));
#undef U64
	return o;
}

json_object *policy_json(const struct kvmops_converge_decision *d)
{
	json_object *o = json_object_new_object();

#define ADD(key, v) json_object_object_add(o, key, v)
	ADD("event", json_object_new_string("policy"));
	ADD("action",
	    json_object_new_string(kvmops_converge_action_name(d->action)));
	ADD("pass", json_object_new_uint64(d->pass));
	ADD("stalled", json_object_new_boolean(d->stalled));
	ADD("slow", json_object_new_boolean(d->slow));
	ADD("remaining", json_object_new_uint64(d->remaining));
	ADD("best",
	    d->stalled || d->slow ? json_object_new_uint64(d->best) : NULL);
	ADD("implied_downtime_ms", json_object_new_uint64(d->implied_ms));
	ADD("memory_bps", json_object_new_uint64(d->bps));
	ADD("dirty_bps", json_object_new_uint64(d->dirty_bps));
	ADD("throttle_percent", json_object_new_uint64(d->throttle_percent));
	ADD("old_limit_ms", json_object_new_uint64(d->old_limit_ms));
	ADD("limit_ms", json_object_new_uint64(d->limit_ms));
	ADD("reason", json_object_new_string(d->reason));
#undef ADD
	return o;
}

void job_summary(FILE *out, const struct kvmops_job *j)
{
	char a[24], b[24], c[24];
	uint64_t bps =
		j->elapsed_ms ? j->data_processed * 1000 / j->elapsed_ms : 0;

	fprintf(out, "  total time     %.2f s\n",
		(double)j->elapsed_ms / 1000.0);
	if (j->have_downtime)
		fprintf(out, "  downtime       %" PRIu64 " ms\n",
			j->downtime_ms);
	if (j->setup_ms)
		fprintf(out, "  setup time     %" PRIu64 " ms\n", j->setup_ms);
	fprintf(out, "  data sent      %s",
		kvs_bytes(j->data_processed, a, sizeof(a)));
	if (j->mem_processed && j->disk_processed)
		fprintf(out, " (memory %s, disks %s)",
			kvs_bytes(j->mem_processed, b, sizeof(b)),
			kvs_bytes(j->disk_processed, c, sizeof(c)));
	fprintf(out, "\n  throughput     %s/s\n", kvs_bytes(bps, a, sizeof(a)));
	if (j->iteration)
		fprintf(out, "  memory passes  %" PRIu64 "\n", j->iteration);
}
