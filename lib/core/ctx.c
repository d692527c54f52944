// SPDX-License-Identifier: LGPL-2.1-or-later
/* The library context: references, logging, and the last error. */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "libkvmops-private.h"

struct kvmops_ctx {
	int refcount;
	kvmops_log_fn log_fn;
	int log_priority;
	void *userdata;
	char *roots[KVMOPS_ROOT_COUNT];
	const struct kvmops_io *io; /* NULL: core/io.c's own */
	char last_error[1024];
	const char *last_remedy; /* a string constant, or NULL */
	bool last_from_system; /* a figure the system gave was out of range */
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
	static const struct {
		const char *name;
		int priority;
	} names[] = {
		{ .name = "debug", .priority = LOG_DEBUG },
		{ .name = "info", .priority = LOG_INFO },
		{ .name = "notice", .priority = LOG_NOTICE },
		{ .name = "err", .priority = LOG_ERR },
		{ .name = "error", .priority = LOG_ERR },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(text, names[i].name))
			return names[i].priority;
	return -1;
}

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

	env = getenv("KVMOPS_LOG");
	if (env && log_priority_from_text(env) >= 0)
		ctx->log_priority = log_priority_from_text(env);

	rc = set_root(&ctx->roots[KVMOPS_ROOT_SYS],
		      getenv("KVMOPS_SYSFS_ROOT"));
	if (!rc)
		rc = set_root(&ctx->roots[KVMOPS_ROOT_PROC],
			      getenv("KVMOPS_PROC_ROOT"));
	if (rc) {
		kvmops_unref(ctx);
		return rc;
	}
	dbg(ctx, "context %p: sysfs root %s, proc root %s", (void *)ctx,
	    ctx->roots[KVMOPS_ROOT_SYS], ctx->roots[KVMOPS_ROOT_PROC]);
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
	size_t i;

	if (!ctx)
		return NULL;
	if (--ctx->refcount > 0)
		return ctx;
	for (i = 0; i < KVMOPS_ROOT_COUNT; i++)
		free(ctx->roots[i]);
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

KVMOPS_EXPORT void kvmops_set_log_priority(struct kvmops_ctx *ctx, int priority)
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

KVMOPS_EXPORT bool kvmops_last_error_from_system(struct kvmops_ctx *ctx)
{
	return ctx->last_from_system;
}

KVMOPS_EXPORT const char *kvmops_last_remedy(struct kvmops_ctx *ctx)
{
	return ctx->last_remedy ? ctx->last_remedy : "";
}

KVMOPS_EXPORT const char *kvmops_version(void)
{
	return PACKAGE_VERSION;
}

KVMOPS_EXPORT int kvmops_set_sysfs_root(struct kvmops_ctx *ctx,
					const char *root)
{
	return set_root(&ctx->roots[KVMOPS_ROOT_SYS], root);
}

KVMOPS_EXPORT int kvmops_set_proc_root(struct kvmops_ctx *ctx, const char *root)
{
	return set_root(&ctx->roots[KVMOPS_ROOT_PROC], root);
}

KVMOPS_EXPORT const char *kvmops_get_sysfs_root(struct kvmops_ctx *ctx)
{
	return ctx->roots[KVMOPS_ROOT_SYS];
}

KVMOPS_EXPORT const char *kvmops_get_proc_root(struct kvmops_ctx *ctx)
{
	return ctx->roots[KVMOPS_ROOT_PROC];
}

const char *kvmops_ctx_root(struct kvmops_ctx *ctx, enum kvmops_root root)
{
	return ctx->roots[root];
}

const struct kvmops_io **kvmops_ctx_io_slot(struct kvmops_ctx *ctx)
{
	return &ctx->io;
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

static int vfail(struct kvmops_ctx *ctx, int err, const char *remedy,
		 const char *fmt, va_list args)
{
	vsnprintf(ctx->last_error, sizeof(ctx->last_error), fmt, args);
	ctx->last_remedy = remedy;
	ctx->last_from_system = false;
	/* The caller shows the message; the log only traces it. */
	dbg(ctx, "failing with %d: %s", err, ctx->last_error);
	return err;
}

int kvmops_fail(struct kvmops_ctx *ctx, int err, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	err = vfail(ctx, err, NULL, fmt, args);
	va_end(args);
	return err;
}

int kvmops_fail_remedy(struct kvmops_ctx *ctx, int err, const char *remedy,
		       const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	err = vfail(ctx, err, remedy, fmt, args);
	va_end(args);
	return err;
}

int kvmops_fail_figure(struct kvmops_ctx *ctx, const char *fmt, ...)
{
	va_list args;
	int err;

	va_start(args, fmt);
	err = vfail(ctx, -ERANGE, NULL, fmt, args);
	va_end(args);
	ctx->last_from_system = true;
	return err;
}

void kvmops_clear_error(struct kvmops_ctx *ctx)
{
	ctx->last_error[0] = '\0';
	ctx->last_remedy = NULL;
	ctx->last_from_system = false;
}
