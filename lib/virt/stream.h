/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The stream pump: a volume's content from one libvirt stream into another
 * (or only read), holes kept as holes, and hashed with SHA-256 as the file
 * reads (holes as zeros), so an admin can check a copy with sha256sum.
 * Offline migration uses it; so will export and backup.
 */
#ifndef KVMOPS_VIRT_STREAM_H
#define KVMOPS_VIRT_STREAM_H

#include <stdbool.h>
#include <stdint.h>

#include "virt/virt.h"

#define KVMOPS_SHA256_HEX 65 /* 64 hex digits and the NUL */

struct kvmops_pump {
	/* in: one source and at most one sink */
	virStreamPtr from; /* opened sparse, as a download */
	virStreamPtr to; /* opened sparse, as an upload; NULL: read only */
	bool from_file; /* read from_fd instead, its holes (SEEK_HOLE) kept */
	int from_fd;
	bool to_file; /* write to_fd instead, holes left unwritten (sparse) */
	int to_fd;
	const volatile int *cancel; /* non-zero: stop (-ECANCELED) */
	/* called at most every PUMP_PROGRESS_MS with what passed so far */
	void (*progress)(void *userdata, uint64_t done);
	void *userdata;
	/* out */
	uint64_t bytes; /* data and holes */
	uint64_t hole_bytes;
	char sha256[KVMOPS_SHA256_HEX];
	char error[512]; /* why it failed */
};

/*
 * Runs the pump to the end of its source: 0, -ECANCELED, -ENOMEM, or -EIO
 * with p->error set. It neither finishes nor aborts the streams, nor
 * closes the files; a file written ends at the source's end (a trailing
 * hole included).
 */
int kvmops_pump_run(struct kvmops_pump *p);

/*
 * Streams volume @from (of @from_conn) into volume @to (of @to_conn), or
 * only reads it when @to is NULL: opens the sparse streams in @p, runs the
 * pump, then finishes them, or aborts them after a failure, and frees
 * them. Returns as kvmops_pump_run().
 */
int kvmops_pump_volume(struct kvmops_pump *p, virConnectPtr from_conn,
		       virStorageVolPtr from, virConnectPtr to_conn,
		       virStorageVolPtr to);

/* Whether the SHA-256 code (nettle, loaded with libvirt) is there. */
bool kvmops_have_sha256(void);

#endif
