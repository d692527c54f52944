// SPDX-License-Identifier: LGPL-2.1-or-later
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libkvmops-private.h"

struct kvmops_ctx {
	int refcount;
	kvmops_log_fn log_fn;
	int log_priority;
	void *userdata;
	char *sysfs_root;
	char *proc_root;
	const struct kvmops_io *io;
	char last_error[1024];
};

static void log_stderr(struct kvmops_ctx *ctx, int priority, const char *file,
		       int line, const char *fn, const char *format,
		       va_list args)
{
	fprintf(stderr, "libkvmops: %s: ", fn);
	vfprintf(stderr, format, args);
	fputc('\n', stderr);
}

static int log_priority_from_text(const char *text)
{
	if (!strcmp(text, "debug"))
		return LOG_DEBUG;
	if (!strcmp(text, "info"))
		return LOG_INFO;
	if (!strcmp(text, "err") || !strcmp(text, "error"))
		return LOG_ERR;
	return -1;
}

static int default_read(const char *path, char *buf, size_t len);
static int default_write(const char *path, const char *value);

static const struct kvmops_io default_io = {
	.read_file = default_read,
	.write_file = default_write,
};

static int set_root(char **slot, const char *root)
{
	char *copy;
	size_t n;

	if (!root || !*root)
		root = "/";
	copy = strdup(root);
	if (!copy)
		return -ENOMEM;
	/* Keep "/" as is, drop a trailing slash elsewhere, so joins are clean. */
	n = strlen(copy);
	while (n > 1 && copy[n - 1] == '/')
		copy[--n] = '\0';
	free(*slot);
	*slot = copy;
	return 0;
}

KVMOPS_EXPORT int kvmops_new(struct kvmops_ctx **out)
{
	struct kvmops_ctx *ctx;
	const char *env;
	int rc;

	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;
	ctx->refcount = 1;
	ctx->log_fn = log_stderr;
	ctx->log_priority = LOG_ERR;
	ctx->io = &default_io;

	env = getenv("KVMOPS_LOG");
	if (env && log_priority_from_text(env) >= 0)
		ctx->log_priority = log_priority_from_text(env);

	rc = set_root(&ctx->sysfs_root, getenv("KVMOPS_SYSFS_ROOT"));
	if (!rc)
		rc = set_root(&ctx->proc_root, getenv("KVMOPS_PROC_ROOT"));
	if (rc) {
		kvmops_unref(ctx);
		return rc;
	}
	dbg(ctx, "context %p: sysfs root %s, proc root %s", (void *)ctx,
	    ctx->sysfs_root, ctx->proc_root);
	*out = ctx;
	return 0;
}

KVMOPS_EXPORT struct kvmops_ctx *kvmops_ref(struct kvmops_ctx *ctx)
{
	if (ctx)
		ctx->refcount++;
	return ctx;
}

KVMOPS_EXPORT struct kvmops_ctx *kvmops_unref(struct kvmops_ctx *ctx)
{
	if (!ctx)
		return NULL;
	if (--ctx->refcount > 0)
		return ctx;
	free(ctx->sysfs_root);
	free(ctx->proc_root);
	free(ctx);
	return NULL;
}

KVMOPS_EXPORT void kvmops_set_log_fn(struct kvmops_ctx *ctx,
				     kvmops_log_fn log_fn)
{
	ctx->log_fn = log_fn;
}

KVMOPS_EXPORT int kvmops_get_log_priority(struct kvmops_ctx *ctx)
{
	return ctx->log_priority;
}

KVMOPS_EXPORT void kvmops_set_log_priority(struct kvmops_ctx *ctx,
					   int priority)
{
	ctx->log_priority = priority;
}

KVMOPS_EXPORT void kvmops_set_userdata(struct kvmops_ctx *ctx, void *userdata)
{
	ctx->userdata = userdata;
}

KVMOPS_EXPORT void *kvmops_get_userdata(struct kvmops_ctx *ctx)
{
	return ctx->userdata;
}

KVMOPS_EXPORT const char *kvmops_last_error(struct kvmops_ctx *ctx)
{
	return ctx->last_error;
}

KVMOPS_EXPORT const char *kvmops_version(void)
{
	return PACKAGE_VERSION;
}

KVMOPS_EXPORT int kvmops_set_sysfs_root(struct kvmops_ctx *ctx,
					const char *root)
{
	return set_root(&ctx->sysfs_root, root);
}

KVMOPS_EXPORT int kvmops_set_proc_root(struct kvmops_ctx *ctx,
				       const char *root)
{
	return set_root(&ctx->proc_root, root);
}

KVMOPS_EXPORT const char *kvmops_get_sysfs_root(struct kvmops_ctx *ctx)
{
	return ctx->sysfs_root;
}

KVMOPS_EXPORT const char *kvmops_get_proc_root(struct kvmops_ctx *ctx)
{
	return ctx->proc_root;
}

void kvmops_log(struct kvmops_ctx *ctx, int priority, const char *file,
		int line, const char *fn, const char *fmt, ...)
{
	va_list args;

	if (!ctx->log_fn)
		return;
	va_start(args, fmt);
	ctx->log_fn(ctx, priority, file, line, fn, fmt, args);
	va_end(args);
}

int kvmops_fail(struct kvmops_ctx *ctx, int err, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vsnprintf(ctx->last_error, sizeof(ctx->last_error), fmt, args);
	va_end(args);
	/* The caller shows the message; the log only traces it. */
	dbg(ctx, "failing with %d: %s", err, ctx->last_error);
	return err;
}

void kvmops_clear_error(struct kvmops_ctx *ctx)
{
	ctx->last_error[0] = '\0';
}

/* ---- paths and file I/O ------------------------------------------------ */

static int join_root(const char *root, char *buf, size_t len, const char *fmt,
		     va_list args)
{
	char tail[PATH_MAX];
	int n;

	n = vsnprintf(tail, sizeof(tail), fmt, args);
	if (n < 0 || (size_t)n >= sizeof(tail))
		return -ENAMETOOLONG;
	if (!strcmp(root, "/"))
		root = "";
	n = snprintf(buf, len, "%s%s", root, tail);
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return 0;
}

int kvmops_sys_path(struct kvmops_ctx *ctx, char *buf, size_t len,
		    const char *fmt, ...)
{
	va_list args;
	int rc;

	va_start(args, fmt);
	rc = join_root(ctx->sysfs_root, buf, len, fmt, args);
	va_end(args);
	return rc;
}

int kvmops_proc_path(struct kvmops_ctx *ctx, char *buf, size_t len,
		     const char *fmt, ...)
{
	va_list args;
	int rc;

	va_start(args, fmt);
	rc = join_root(ctx->proc_root, buf, len, fmt, args);
	va_end(args);
	return rc;
}

void kvmops_set_io(struct kvmops_ctx *ctx, const struct kvmops_io *io)
{
	ctx->io = io ? io : &default_io;
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

int kvmops_read_file(struct kvmops_ctx *ctx, const char *path, char *buf,
		     size_t len)
{
	int rc = ctx->io->read_file(path, buf, len);

	dbg(ctx, "read %s: %d", path, rc);
	return rc;
}

int kvmops_write_file(struct kvmops_ctx *ctx, const char *path,
		      const char *value)
{
	int rc = ctx->io->write_file(path, value);

	info(ctx, "write %s = %s: %d", path, value, rc);
	return rc;
}

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
