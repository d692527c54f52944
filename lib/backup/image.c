// SPDX-License-Identifier: LGPL-2.1-or-later
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backup/dir.h"
#include "backup/image.h"

#include <json-c/json.h>

extern char **environ;

/* A file's node; @backing NULL: none (a qcow2 says so, or its own would be read). */
static json_object *file_json(const char *path, const char *format,
			      json_object *backing)
{
	json_object *o = json_object_new_object();
	json_object *file = json_object_new_object();

	if (!o || !file) {
		json_object_put(o);
		json_object_put(file);
		json_object_put(backing);
		return NULL;
	}
	json_object_object_add(file, "driver", json_object_new_string("file"));
	json_object_object_add(file, "filename", json_object_new_string(path));
	json_object_object_add(o, "driver", json_object_new_string(format));
	json_object_object_add(o, "file", file);
	if (backing || !strcmp(format, "qcow2"))
		json_object_object_add(o, "backing", backing);
	return o;
}

static json_object *image_json(struct kvmops_ctx *ctx, const char *dir,
			       const struct kvmops_manifest *m,
			       const struct kvmops_manifest_backup *b,
			       const char *target)
{
	const struct kvmops_manifest_disk *d = kvmops_manifest_disk(b, target);
	const struct kvmops_manifest_backup *up =
		b->parent[0] ? kvmops_manifest_find(m, b->parent) : NULL;
	json_object *backing = NULL;
	char path[PATH_MAX];

	if (!d ||
	    kvmops_backup_path(ctx, path, sizeof(path), dir, b->name, d->file))
		return NULL;
	if (up) {
		backing = image_json(ctx, dir, m, up, target);
		if (!backing)
			return NULL;
	}
	return file_json(path, d->format, backing);
}

/* "json:{...}" for qemu-img, @node released; NULL without memory. Free it. */
static char *spec_of(json_object *node)
{
	const char *text =
		node ? json_object_to_json_string_ext(
			       node, JSON_C_TO_STRING_PLAIN |
					     JSON_C_TO_STRING_NOSLASHESCAPE) :
		       NULL;
	char *spec = NULL;

	if (text && asprintf(&spec, "json:%s", text) < 0)
		spec = NULL;
	json_object_put(node);
	return spec;
}

char *kvmops_backup_image_spec(struct kvmops_ctx *ctx, const char *dir,
			       const struct kvmops_manifest *m,
			       const struct kvmops_manifest_backup *b,
			       const char *target)
{
	json_object *node = image_json(ctx, dir, m, b, target);

	return node ? spec_of(node) : NULL;
}

/* ---- running qemu-img ---------------------------------------------------- */

/* Its standard error, for the message: the last line that says something. */
static void last_line(char *buf, size_t len)
{
	char *end = buf + len;

	while (end > buf && (end[-1] == '\n' || end[-1] == '\r'))
		*--end = '\0';
	char *nl = strrchr(buf, '\n');

	if (nl)
		memmove(buf, nl + 1, strlen(nl + 1) + 1);
}

static int spawn(const char *const argv[], int err_fd, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	int rc = posix_spawn_file_actions_init(&fa);

	if (rc)
		return rc;
	rc = posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	if (!rc)
		rc = posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
	/* posix_spawn takes argv as execv does, unqualified; it is not written */
	if (!rc)
		rc = posix_spawnp(pid, "qemu-img", &fa, NULL,
				  (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	return rc;
}

/* Keeps the tail of what @fd says (the error is at the end), ending
 * @pid with SIGTERM once *@cancel turns non-zero; true if it did. */
static bool drain(int fd, pid_t pid, const volatile int *cancel, char *err,
		  size_t size, size_t *len)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	bool ended = false;
	ssize_t n;

	for (;;) {
		if (!ended && cancel && *cancel) {
			kill(pid, SIGTERM);
			ended = true;
		}
		if (poll(&p, 1, 250) <= 0)
			continue; /* a timeout, or a signal: look at @cancel */
		n = read(fd, err + *len, size - 1 - *len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return ended;
		*len += (size_t)n;
		if (*len == size - 1) {
			memmove(err, err + *len / 2, *len - *len / 2);
			*len -= *len / 2;
		}
	}
}

int kvmops_qemu_img(struct kvmops_ctx *ctx, const char *const argv[],
		    const char *doing, const volatile int *cancel)
{
	char err[512] = "";
	size_t len = 0;
	int fds[2], status, rc;
	bool ended;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC))
		return kvmops_fail(ctx, -EIO, "cannot run qemu-img: %s",
				   strerror(errno));
	rc = spawn(argv, fds[1], &pid);
	close(fds[1]);
	if (rc) {
		close(fds[0]);
		return kvmops_fail(ctx, -EIO, "cannot run qemu-img: %s",
				   strerror(rc));
	}
	ended = drain(fds[0], pid, cancel, err, sizeof(err), &len);
	err[len] = '\0';
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	last_line(err, len);
	if (ended)
		return kvmops_fail(ctx, -ECANCELED, "interrupted trying to %s",
				   doing);
	if (!WIFEXITED(status))
		return kvmops_fail(ctx, -EIO,
				   "qemu-img was killed trying to %s", doing);
	if (WEXITSTATUS(status))
		kvmops_fail(ctx, -EIO, "qemu-img could not %s%s%s", doing,
			    err[0] ? ": " : "", err);
	return WEXITSTATUS(status);
}

/* ---- compressing ---------------------------------------------------------- */

static json_object *parent_json(struct kvmops_ctx *ctx,
				const struct kvmops_compress *c)
{
	return c->parent ? image_json(ctx, c->dir, c->m, c->parent, c->target) :
			   NULL;
}

#define ZSTD "compression_type=zstd"

/* qemu-img convert -c; an incremental's output on its parent (-B). */
static int convert(struct kvmops_ctx *ctx, const struct kvmops_compress *c,
		   const char *source)
{
	const struct kvmops_manifest_disk *pd =
		c->parent ? kvmops_manifest_disk(c->parent, c->target) : NULL;
	char base[PATH_MAX];
	int rc;

	if (c->parent && !pd)
		return kvmops_fail(ctx, -EIO,
				   "backup %s has no image of disk %s",
				   c->parent->name, c->target);
	if (pd) /* the output's folder is the parent's sibling */
		snprintf(base, sizeof(base), "../%s/%s", c->parent->name,
			 pd->file);
	/* zstd, written out of order: five times zlib's pace, as small */
	const char *argv[16] = { "qemu-img", "convert", "-q", "-W", "-c",
				 "-O",	     "qcow2",	"-o", ZSTD };
	size_t n = 9;

	if (pd) {
		argv[n++] = "-B";
		argv[n++] = base;
		argv[n++] = "-F";
		argv[n++] = pd->format;
	}
	argv[n++] = source;
	argv[n++] = c->output;
	rc = kvmops_qemu_img(ctx, argv, "compress the image", c->cancel);
	if (!rc && pd) { /* stored images name no backing file */
		const char *const alone[] = { "qemu-img", "rebase", "-q",
					      "-u",	  "-b",	    "",
					      c->output,  NULL };
		rc = kvmops_qemu_img(ctx, alone, "make the image standalone",
				     c->cancel);
	}
	return rc > 0 ? -EIO : rc; /* -ECANCELED or -EIO as it is */
}

static int compare(struct kvmops_ctx *ctx, const struct kvmops_compress *c,
		   const char *source)
{
	char *output =
		spec_of(file_json(c->output, "qcow2", parent_json(ctx, c)));
	int rc = output ? 0 : -ENOMEM;

	if (!rc) {
		const char *const argv[] = { "qemu-img", "compare", "-q",
					     source,	 output,    NULL };
		rc = kvmops_qemu_img(ctx, argv, "compare the images",
				     c->cancel);
	}
	if (rc == 1)
		kvmops_fail(ctx, -EIO,
			    "the compressed image %s does not read as %s does",
			    c->output, c->source);
	free(output);
	if (rc == -ENOMEM)
		return kvmops_fail(ctx, rc, "out of memory");
	return rc > 0 ? -EIO : rc;
}

int kvmops_backup_compress(struct kvmops_ctx *ctx,
			   const struct kvmops_compress *c)
{
	json_object *parent = parent_json(ctx, c);
	char *source = NULL;
	int rc = 0;

	if (c->parent && !parent)
		return kvmops_fail(
			ctx, -EIO,
			"the chain of backup %s has no image of disk %s",
			c->parent->name, c->target);
	source = spec_of(file_json(c->source, c->source_format, parent));
	rc = source ? convert(ctx, c, source) :
		      kvmops_fail(ctx, -ENOMEM, "out of memory");
	if (!rc && c->verify)
		rc = compare(ctx, c, source);
	if (rc)
		unlink(c->output);
	free(source);
	return rc;
}
