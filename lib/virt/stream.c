// SPDX-License-Identifier: LGPL-2.1-or-later
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

static int file_error(struct kvmops_pump *p, const char *what)
{
	snprintf(p->error, sizeof(p->error), "%s: %s", what, strerror(errno));
	return -EIO;
}

/* ---- sinks: a stream, a file, or none ---------------------------------- */

static int put_data(struct kvmops_pump *p, const char *buf, size_t len)
{
	ssize_t n;

	while (len) {
		if (p->to_file)
			n = write(p->to_fd, buf, len);
		else if (p->to)
			n = VIRT(virStreamSend)(p->to, buf, len);
		else
			return 0;
		if (n < 0 && p->to_file && errno == EINTR)
			continue;
		if (n <= 0)
			return p->to_file ? file_error(p, "writing") :
					    stream_error(p, "sending");
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int put_hole(struct kvmops_pump *p, uint64_t len)
{
	if (p->to_file && lseek(p->to_fd, (off_t)len, SEEK_CUR) < 0)
		return file_error(p, "leaving a hole");
	if (!p->to_file && p->to &&
	    VIRT(virStreamSendHole)(p->to, (long long)len, 0) < 0)
		return stream_error(p, "sending a hole");
	return 0;
}

/* A hole: a hole in the copy, zeros in the hash. */
static int take_hole(struct kvmops_pump *p, struct sha256_ctx *h, uint64_t len)
{
	int rc = put_hole(p, len);

	hash_zeros(h, len);
	p->bytes += len;
	p->hole_bytes += len;
	return rc;
}

static int take_data(struct kvmops_pump *p, struct sha256_ctx *h,
		     const char *buf, size_t len)
{
	VIRT(nettle_sha256_update)(h, len, (const uint8_t *)buf);
	p->bytes += len;
	return put_data(p, buf, len);
}

/* ---- sources ----------------------------------------------------------- */

/* What a source's next piece returns: 1 taken, or a negative errno. */
static int taken(int rc)
{
	return rc ? rc : 1;
}

/* The next piece of a stream: 1 data or a hole taken, 0 at its end. */
static int next_from_stream(struct kvmops_pump *p, char *buf,
			    struct sha256_ctx *h)
{
	long long len = 0;
	int n = VIRT(virStreamRecvFlags)(p->from, buf, CHUNK,
					 VIR_STREAM_RECV_STOP_AT_HOLE);

	if (n == 0)
		return 0;
	if (n == -3) {
		if (VIRT(virStreamRecvHole)(p->from, &len, 0) < 0 || len < 0)
			return stream_error(p, "reading a hole");
		return taken(take_hole(p, h, (uint64_t)len));
	}
	if (n < 0)
		return stream_error(p, "receiving");
	return taken(take_data(p, h, buf, (size_t)n));
}

/*
 * The next piece of a file, at p->bytes: the hole before its next data
 * (SEEK_DATA), or up to a chunk of data; the rest of the file a hole
 * when no data follows.
 */
static int next_from_file(struct kvmops_pump *p, char *buf,
			  struct sha256_ctx *h, uint64_t size)
{
	off_t at = (off_t)p->bytes, data;
	ssize_t n;

	if (p->bytes >= size)
		return 0;
	data = lseek(p->from_fd, at, SEEK_DATA);
	if (data < 0 && errno != ENXIO)
		return file_error(p, "finding data");
	if (data < 0 || data > at) {
		if (data < 0)
			data = (off_t)size;
		return taken(take_hole(p, h, (uint64_t)(data - at)));
	}
	n = pread(p->from_fd, buf,
		  size - p->bytes < CHUNK ? (size_t)(size - p->bytes) : CHUNK,
		  at);
	if (n < 0 && errno == EINTR)
		return 1;
	if (n < 0)
		return file_error(p, "reading");
	if (n == 0) {
		snprintf(p->error, sizeof(p->error), "the file ended early");
		return -EIO;
	}
	return taken(take_data(p, h, buf, (size_t)n));
}

static int pump(struct kvmops_pump *p, char *buf, struct sha256_ctx *h)
{
	uint64_t last = kvmops_now_ms(), now, size = 0;
	struct stat st;
	int rc = 1;

	if (p->from_file) {
		if (fstat(p->from_fd, &st))
			return file_error(p, "reading the file's size");
		size = (uint64_t)st.st_size;
	}
	while (rc > 0) {
		rc = p->from_file ? next_from_file(p, buf, h, size) :
				    next_from_stream(p, buf, h);
		if (rc > 0 && p->cancel && *p->cancel)
			rc = -ECANCELED;
		now = kvmops_now_ms();
		if (rc > 0 && p->progress && now - last >= PUMP_PROGRESS_MS) {
			p->progress(p->userdata, p->bytes);
			last = now;
		}
	}
	/* A trailing hole is a seek past the end: the file must reach it. */
	if (!rc && p->to_file && ftruncate(p->to_fd, (off_t)p->bytes))
		rc = file_error(p, "setting the file's size");
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
