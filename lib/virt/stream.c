// SPDX-License-Identifier: LGPL-2.1-or-later
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "libkvmops-private.h"
#include "virt/stream.h"

#define CHUNK (256 * 1024)
#define PUMP_PROGRESS_MS 250

static const unsigned char zeros[CHUNK];

bool kvmops_have_sha256(void)
{
	return VIRT(nettle_sha256_init) != NULL;
}

static void hash_zeros(struct sha256_ctx *h, uint64_t len)
{
	while (len) {
		size_t n = len < sizeof(zeros) ? (size_t)len : sizeof(zeros);

		VIRT(nettle_sha256_update)(h, n, zeros);
		len -= n;
	}
}

static void hex(const uint8_t *digest, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < SHA256_DIGEST_SIZE; i++) {
		out[2 * i] = digits[digest[i] >> 4];
		out[2 * i + 1] = digits[digest[i] & 15];
	}
	out[2 * SHA256_DIGEST_SIZE] = '\0';
}

static int stream_error(struct kvmops_pump *p, const char *what)
{
	snprintf(p->error, sizeof(p->error), "%s: %s", what,
		 kvmops_virt_message());
	return -EIO;
}

static int send_all(struct kvmops_pump *p, const char *buf, size_t len)
{
	int n;

	while (len) {
		n = VIRT(virStreamSend)(p->to, buf, len);
		if (n <= 0)
			return stream_error(p, "sending");
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* A hole in the source: a hole in the copy, zeros in the hash. */
static int take_hole(struct kvmops_pump *p, struct sha256_ctx *h)
{
	long long len = 0;

	if (VIRT(virStreamRecvHole)(p->from, &len, 0) < 0 || len < 0)
		return stream_error(p, "reading a hole");
	if (p->to && VIRT(virStreamSendHole)(p->to, len, 0) < 0)
		return stream_error(p, "sending a hole");
	hash_zeros(h, (uint64_t)len);
	p->bytes += (uint64_t)len;
	p->hole_bytes += (uint64_t)len;
	return 0;
}

static int pump(struct kvmops_pump *p, char *buf, struct sha256_ctx *h)
{
	uint64_t last = kvmops_now_ms(), now;
	int n, rc = 0;

	while (!rc) {
		n = VIRT(virStreamRecvFlags)(p->from, buf, CHUNK,
					     VIR_STREAM_RECV_STOP_AT_HOLE);
		if (n == 0)
			break;
		if (n == -3) {
			rc = take_hole(p, h);
		} else if (n < 0) {
			rc = stream_error(p, "receiving");
		} else {
			VIRT(nettle_sha256_update)
			(h, (size_t)n, (const uint8_t *)buf);
			rc = p->to ? send_all(p, buf, (size_t)n) : 0;
			p->bytes += (uint64_t)n;
		}
		if (!rc && p->cancel && *p->cancel)
			rc = -ECANCELED;
		now = kvmops_now_ms();
		if (!rc && p->progress && now - last >= PUMP_PROGRESS_MS) {
			p->progress(p->userdata, p->bytes);
			last = now;
		}
	}
	return rc;
}

int kvmops_pump_run(struct kvmops_pump *p)
{
	uint8_t digest[SHA256_DIGEST_SIZE];
	struct sha256_ctx h;
	char *buf;
	int rc;

	p->bytes = p->hole_bytes = 0;
	p->sha256[0] = p->error[0] = '\0';
	if (!kvmops_have_sha256()) {
		snprintf(p->error, sizeof(p->error),
			 "no SHA-256: libnettle is not loaded");
		return -ENOSYS;
	}
	buf = malloc(CHUNK);
	if (!buf)
		return -ENOMEM;
	VIRT(nettle_sha256_init)(&h);
	rc = pump(p, buf, &h);
	free(buf);
	VIRT(nettle_sha256_digest)(&h, sizeof(digest), digest);
	if (!rc)
		hex(digest, p->sha256);
	return rc;
}

/* Opens the sparse streams of a volume's download and, with @to, upload. */
static int open_streams(struct kvmops_pump *p, virConnectPtr from_conn,
			virStorageVolPtr from, virConnectPtr to_conn,
			virStorageVolPtr to)
{
	const unsigned int down = VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM;
	const unsigned int up = VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM;

	p->from = VIRT(virStreamNew)(from_conn, 0);
	p->to = to ? VIRT(virStreamNew)(to_conn, 0) : NULL;
	if (!p->from || (to && !p->to) ||
	    VIRT(virStorageVolDownload)(from, p->from, 0, 0, down) ||
	    (to && VIRT(virStorageVolUpload)(to, p->to, 0, 0, up)))
		return stream_error(p, "opening the volume streams");
	return 0;
}

/* Finishes both streams after @rc 0, else aborts them; frees them. */
static int close_streams(struct kvmops_pump *p, int rc)
{
	if (!rc && (VIRT(virStreamFinish)(p->from) ||
		    (p->to && VIRT(virStreamFinish)(p->to))))
		rc = stream_error(p, "finishing");
	if (rc && p->from)
		VIRT(virStreamAbort)(p->from);
	if (rc && p->to)
		VIRT(virStreamAbort)(p->to);
	if (p->from)
		VIRT(virStreamFree)(p->from);
	if (p->to)
		VIRT(virStreamFree)(p->to);
	p->from = p->to = NULL;
	return rc;
}

int kvmops_pump_volume(struct kvmops_pump *p, virConnectPtr from_conn,
		       virStorageVolPtr from, virConnectPtr to_conn,
		       virStorageVolPtr to)
{
	int rc = open_streams(p, from_conn, from, to_conn, to);

	if (!rc)
		rc = kvmops_pump_run(p);
	return close_streams(p, rc);
}
