// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The I/O seam: every /sys and /proc file is reached through a root the
 * tests can point at a fixture tree, and read or written through
 * struct kvmops_io, so a test can make the kernel say EBUSY or EPERM.
 */
#include "config.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libkvmops-private.h"

int kvmops_root_path(struct kvmops_ctx *ctx, enum kvmops_root root, char *buf,
		     size_t len, const char *fmt, ...)
{
	const char *prefix = kvmops_ctx_root(ctx, root);
	char tail[PATH_MAX];
	va_list args;
	int n;

	va_start(args, fmt);
	n = vsnprintf(tail, sizeof(tail), fmt, args);
	va_end(args);
	if (n < 0 || (size_t)n >= sizeof(tail))
		return -ENAMETOOLONG;
	if (!strcmp(prefix, "/"))
		prefix = "";
	n = snprintf(buf, len, "%s%s", prefix, tail);
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return 0;
}

/* Up to len - 1 bytes from @fd at @offset on; NUL-terminated. */
static int read_from(int fd, off_t offset, char *buf, size_t len)
{
	size_t n = 0;
	ssize_t got;

	while (n < len - 1) {
		got = pread(fd, buf + n, len - 1 - n, offset + (off_t)n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -errno;
		if (got == 0)
			break;
		n += (size_t)got;
	}
	buf[n] = '\0';
	return (int)n;
}

/* Reads at most len - 1 bytes and NUL-terminates; returns the length. */
static int default_read(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0)
		return -errno;
	rc = read_from(fd, 0, buf, len);
	close(fd);
	return rc;
}

/*
 * Files read again and again (a tuner's every cycle): kept open, and read
 * from the start each time, which makes sysfs and seq files produce their
 * contents afresh. Shared by the process, as file descriptors are.
 */
static struct kept_file {
	char *path;
	int fd;
} kept[48];
static size_t kept_count;
static pthread_mutex_t kept_lock = PTHREAD_MUTEX_INITIALIZER;

static int kept_fd(const char *path)
{
	size_t i;
	int fd;

	for (i = 0; i < kept_count; i++)
		if (!strcmp(kept[i].path, path))
			return kept[i].fd;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || kept_count == ARRAY_SIZE(kept))
		return fd < 0 ? -errno : fd;
	kept[kept_count].path = strdup(path);
	if (!kept[kept_count].path)
		return fd;
	kept[kept_count++].fd = fd;
	return fd;
}

static bool is_kept(int fd)
{
	size_t i;

	for (i = 0; i < kept_count; i++)
		if (kept[i].fd == fd)
			return true;
	return false;
}

/* A generated file comes whole in one read that has room for it. */
static int read_once(int fd, char *buf, size_t len)
{
	ssize_t got;

	do
		got = pread(fd, buf, len - 1, 0);
	while (got < 0 && errno == EINTR);
	if (got < 0)
		return -errno;
	buf[got] = '\0';
	return (int)got;
}

static int read_kept(const char *path, char *buf, size_t len)
{
	int fd, rc;

	pthread_mutex_lock(&kept_lock);
	fd = kept_fd(path);
	rc = fd < 0 ? fd : read_once(fd, buf, len);
	if (fd >= 0 && !is_kept(fd))
		close(fd);
	pthread_mutex_unlock(&kept_lock);
	return rc;
}

/* sysfs takes one write(2); its errno is the kernel's answer. */
static int default_write(const char *path, const char *value)
{
	size_t len = strlen(value);
	FILE *f;
	int rc = 0;

	f = fopen(path, "we");
	if (!f)
		return -errno;
	setvbuf(f, NULL, _IONBF, 0);
	if (fwrite(value, 1, len, f) != len)
		rc = -errno;
	if (fclose(f) && !rc)
		rc = -errno;
	return rc;
}

static const struct kvmops_io default_io = {
	.read_file = default_read,
	.write_file = default_write,
};

void kvmops_set_io(struct kvmops_ctx *ctx, const struct kvmops_io *io)
{
	*kvmops_ctx_io_slot(ctx) = io;
}

static const struct kvmops_io *io_of(struct kvmops_ctx *ctx)
{
	const struct kvmops_io *io = *kvmops_ctx_io_slot(ctx);

	return io ? io : &default_io;
}

int kvmops_read_file(struct kvmops_ctx *ctx, const char *path, char *buf,
		     size_t len)
{
	int rc = io_of(ctx)->read_file(path, buf, len);

	dbg(ctx, "read %s: %d", path, rc);
	return rc;
}

int kvmops_read_file_again(struct kvmops_ctx *ctx, const char *path, char *buf,
			   size_t len)
{
	int rc;

	if (io_of(ctx) != &default_io)
		return kvmops_read_file(ctx, path, buf, len);
	rc = read_kept(path, buf, len);
	dbg(ctx, "read %s (kept open): %d", path, rc);
	return rc;
}

int kvmops_write_file(struct kvmops_ctx *ctx, const char *path,
		      const char *value)
{
	int rc = io_of(ctx)->write_file(path, value);

	info(ctx, "write %s = %s: %d", path, value, rc);
	return rc;
}
