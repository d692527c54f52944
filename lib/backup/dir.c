// SPDX-License-Identifier: LGPL-2.1-or-later
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backup/dir.h"

#define MANIFEST_MAX (16 << 20) /* far past any real directory's */

int kvmops_backup_path(struct kvmops_ctx *ctx, char *path, size_t len,
		       const char *dir, const char *backup, const char *file)
{
	int n = backup ? snprintf(path, len, "%s/%s%s%s", dir, backup,
				  file ? "/" : "", file ? file : "") :
			 snprintf(path, len, "%s/%s", dir, file);

	if (n < 0 || (size_t)n >= len)
		return kvmops_fail(ctx, -ENAMETOOLONG,
				   "the path under %s is too long", dir);
	return 0;
}

/* The whole of @path, NUL-terminated, into *@text: 0, 1 (none), -EIO. */
static int slurp(struct kvmops_ctx *ctx, const char *path, char **text)
{
	FILE *f = fopen(path, "r");
	char *buf;
	size_t n;

	if (!f)
		return errno == ENOENT ?
			       1 :
			       kvmops_fail(ctx, -EIO, "cannot read %s: %s",
					   path, strerror(errno));
	buf = malloc(MANIFEST_MAX + 1);
	n = buf ? fread(buf, 1, MANIFEST_MAX + 1, f) : 0;
	fclose(f);
	if (!buf)
		return kvmops_fail(ctx, -ENOMEM, "out of memory");
	if (n > MANIFEST_MAX) {
		free(buf);
		return kvmops_fail(ctx, -EINVAL, "%s: larger than %d MiB", path,
				   MANIFEST_MAX >> 20);
	}
	buf[n] = '\0';
	*text = buf;
	return 0;
}

int kvmops_backup_dir_read(struct kvmops_ctx *ctx, const char *dir,
			   struct kvmops_manifest *m)
{
	char path[PATH_MAX], *text = NULL;
	struct stat st;
	int rc;

	memset(m, 0, sizeof(*m));
	if (stat(dir, &st) || !S_ISDIR(st.st_mode))
		return kvmops_fail(ctx, -EINVAL, "%s is not a directory%s%s",
				   dir, errno == ENOENT ? "" : ": ",
				   errno == ENOENT ? "" : strerror(errno));
	rc = kvmops_backup_path(ctx, path, sizeof(path), dir, NULL,
				KVMOPS_MANIFEST_FILE);
	if (!rc)
		rc = slurp(ctx, path, &text);
	if (rc)
		return rc;
	rc = kvmops_manifest_parse(ctx, text, path, m);
	free(text);
	return rc;
}

static int write_all(int fd, const char *text)
{
	size_t len = strlen(text), done = 0;

	while (done < len) {
		ssize_t n = write(fd, text + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	return 0;
}

int kvmops_backup_dir_open(struct kvmops_ctx *ctx, const char *dir,
			   struct kvmops_manifest *m)
{
	int rc = kvmops_backup_dir_read(ctx, dir, m);

	if (rc == 1)
		rc = kvmops_fail(
			ctx, -EINVAL,
			"%s is not a kvmops backup directory: it has no %s",
			dir, KVMOPS_MANIFEST_FILE);
	return rc;
}

int kvmops_backup_dir_write(struct kvmops_ctx *ctx, const char *dir,
			    const struct kvmops_manifest *m)
{
	char path[PATH_MAX], tmp[PATH_MAX + 8];
	char *text = kvmops_manifest_format(m);
	int fd, rc;

	if (!text)
		return kvmops_fail(ctx, -ENOMEM, "out of memory");
	rc = kvmops_backup_path(ctx, path, sizeof(path), dir, NULL,
				KVMOPS_MANIFEST_FILE);
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	fd = rc ? -1 :
		  open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (!rc && (fd < 0 || write_all(fd, text) || fsync(fd)))
		rc = kvmops_fail(ctx, -EIO, "cannot write %s: %s", tmp,
				 strerror(errno));
	if (fd >= 0 && close(fd) && !rc)
		rc = kvmops_fail(ctx, -EIO, "cannot write %s: %s", tmp,
				 strerror(errno));
	if (!rc && rename(tmp, path))
		rc = kvmops_fail(ctx, -EIO, "cannot replace %s: %s", path,
				 strerror(errno));
	if (rc && fd >= 0)
		unlink(tmp);
	free(text);
	return rc;
}

int kvmops_backup_hash_file(struct kvmops_ctx *ctx, const char *path,
			    const volatile int *cancel,
			    void (*progress)(void *, uint64_t), void *userdata,
			    char sha256[KVMOPS_SHA256_HEX], uint64_t *bytes)
{
	struct kvmops_pump p = { .from_file = true,
				 .cancel = cancel,
				 .progress = progress,
				 .userdata = userdata };
	int rc;

	p.from_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (p.from_fd < 0)
		return kvmops_fail(ctx, -EIO, "cannot read %s: %s", path,
				   strerror(errno));
	rc = kvmops_pump_run(&p);
	close(p.from_fd);
	if (rc == -ECANCELED)
		return kvmops_fail(ctx, rc, "interrupted while reading %s",
				   path);
	if (rc)
		return kvmops_fail(ctx, rc, "reading %s failed: %s", path,
				   p.error);
	memcpy(sha256, p.sha256, KVMOPS_SHA256_HEX);
	if (bytes)
		*bytes = p.bytes;
	return 0;
}

uint64_t kvmops_backup_file_bytes(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : (uint64_t)st.st_blocks * 512;
}

void kvmops_backup_remove_folder(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			unlinkat(dirfd(d), e->d_name, 0);
	closedir(d);
	rmdir(path);
}

bool kvmops_dir_is_empty(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	bool empty = d != NULL;

	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			empty = false;
	if (d)
		closedir(d);
	return empty;
}
