/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Helpers shared by the unit tests. Tests that write work on a temporary
 * copy of a fixture tree: the source tree is read-only under distcheck.
 */
#ifndef KVMOPS_TESTS_FIXTURE_H
#define KVMOPS_TESTS_FIXTURE_H

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libkvmops.h"

#define FIXTURES KVMOPS_SRCDIR "/tests/fixtures"
#define FIXTURE_KSM_DIR "/sys/kernel/mm/ksm"

/* A new empty directory under $TMPDIR or /tmp; NULL on failure. */
static inline char *fixture_mkdtemp(void)
{
	const char *tmp = getenv("TMPDIR");
	char *dir;

	if (!tmp || !*tmp)
		tmp = "/tmp";
	if (asprintf(&dir, "%s/kvmops-test-XXXXXX", tmp) < 0)
		return NULL;
	if (!mkdtemp(dir)) {
		free(dir);
		return NULL;
	}
	return dir;
}

/* Runs a program without a shell, so paths need no quoting. */
static inline int fixture_exec(const char *const argv[])
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -EIO;
}

static inline int fixture_remove_one(const char *path, const struct stat *st,
				     int flag, struct FTW *ftw)
{
	return remove(path) ? -1 : 0;
}

/* Removes a temporary tree and frees its name; NULL is fine. */
static inline void fixture_remove(char *dir)
{
	if (!dir)
		return;
	nftw(dir, fixture_remove_one, 16, FTW_DEPTH | FTW_PHYS);
	free(dir);
}

/*
 * Copies the fixture tree @name into a new temporary directory. The copy
 * is made writable: cp -a keeps the read-only modes of a distcheck tree.
 * Its symbolic links are made from their NAME.link files (see
 * tests/fixtures/materialize.sh).
 */
static inline char *fixture_copy(const char *name)
{
	const char *cp[] = { "cp", "-a", NULL, NULL, NULL };
	const char *mkrw[] = { "chmod", "-R", "u+w", NULL, NULL };
	const char *links[] = { "sh", FIXTURES "/materialize.sh", NULL, NULL };
	char src[PATH_MAX];
	char *dir = fixture_mkdtemp();

	if (!dir)
		return NULL;
	snprintf(src, sizeof(src), "%s/%s/.", FIXTURES, name);
	cp[2] = src;
	cp[3] = dir;
	mkrw[3] = dir;
	links[2] = dir;
	if (fixture_exec(cp) || fixture_exec(mkrw) || fixture_exec(links)) {
		fixture_remove(dir);
		return NULL;
	}
	return dir;
}

/* Creates the parent directories of @path, as mkdir -p. */
static inline int fixture_mkparents(char *path)
{
	char *slash;

	for (slash = strchr(path + 1, '/'); slash;
	     slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (mkdir(path, 0755) && errno != EEXIST) {
			*slash = '/';
			return -errno;
		}
		*slash = '/';
	}
	return 0;
}

/* Writes @len bytes to @dir/@rel (rel starts with '/'), making parents. */
static inline int fixture_write_bytes(const char *dir, const char *rel,
				      const char *data, size_t len)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd, rc;

	snprintf(path, sizeof(path), "%s%s", dir, rel);
	rc = fixture_mkparents(path);
	if (rc)
		return rc;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	n = write(fd, data, len);
	rc = n < 0 ? -errno : (size_t)n == len ? 0 : -EIO;
	close(fd);
	return rc;
}

static inline int fixture_write(const char *dir, const char *rel,
				const char *text)
{
	return fixture_write_bytes(dir, rel, text, strlen(text));
}

/* Reads @dir/@rel into @buf without its trailing newline: 0 or -errno. */
static inline int fixture_read(const char *dir, const char *rel, char *buf,
			       size_t len)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s%s", dir, rel);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	while (n > 0 && buf[n - 1] == '\n')
		n--;
	buf[n] = '\0';
	return 0;
}

/* A context per test, for cmocka_unit_test_setup_teardown(). */
static inline int ctx_setup(void **state)
{
	struct kvmops_ctx *ctx;

	if (kvmops_new(&ctx))
		return -1;
	*state = ctx;
	return 0;
}

static inline int ctx_teardown(void **state)
{
	kvmops_unref(*state);
	return 0;
}

/*
 * The last error holds @text; and @name is among the options that would
 * fix it. cmocka.h comes before this header.
 */
static inline void assert_in_error(struct kvmops_ctx *ctx, const char *text)
{
	const char *msg = kvmops_last_error(ctx);

	if (!strstr(msg, text))
		fail_msg("'%s' not in the error: %s", text, msg);
}

/* ---- kvmops_migrate_opts_check ------------------------------------------ */

/* @name is among the options that would fix the last failure. */
static inline void assert_in_remedy(struct kvmops_ctx *ctx, const char *name)
{
	const char *remedy = kvmops_last_remedy(ctx);
	size_t n = strlen(name);
	const char *p;

	for (p = remedy; (p = strstr(p, name)); p += n)
		if ((p == remedy || p[-1] == ',') && (!p[n] || p[n] == ','))
			return;
	fail_msg("'%s' not in the remedy '%s' of: %s", name, remedy,
		 kvmops_last_error(ctx));
}

#endif
