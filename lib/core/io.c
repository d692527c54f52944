// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The I/O seam: every /sys and /proc file is reached through a root the
 * tests can point at a fixture tree, and read or written through
 * struct kvmops_io, so a test can make the kernel say EBUSY or EPERM.
 */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

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

/* Reads at most len - 1 bytes and NUL-terminates; returns the length. */
static int default_read(const char *path, char *buf, size_t len)
{
	FILE *f;
	size_t n;
	int rc = 0;

	f = fopen(path, "re");
	if (!f)
		return -errno;
	n = fread(buf, 1, len - 1, f);
	if (ferror(f))
		rc = -errno ? -errno : -EIO;
	fclose(f);
	buf[n] = '\0';
	return rc ? rc : (int)n;
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

int kvmops_write_file(struct kvmops_ctx *ctx, const char *path,
		      const char *value)
{
	int rc = io_of(ctx)->write_file(path, value);

	info(ctx, "write %s = %s: %d", path, value, rc);
	return rc;
}
