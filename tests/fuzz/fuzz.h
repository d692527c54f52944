/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the fuzz harnesses share: the entry point libFuzzer (or
 * tests/fuzz/replay.c) calls, quiet output, the input as text, and inputs
 * that stand for a tree of files:
 *
 *     == NAME
 *     the file's bytes, up to the next line that starts with "== "
 *     == NAME !13
 *     (reading NAME fails with errno 13, EACCES)
 *
 * Each harness is deterministic and frees all it allocates per input.
 */
#ifndef KVMOPS_TESTS_FUZZ_H
#define KVMOPS_TESTS_FUZZ_H

#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_FIXTURES KVMOPS_SRCDIR "/tests/fixtures"

/*
 * A finding the sanitizers cannot see (a wrapped unsigned figure): said on
 * file descriptor 2, which the sanitizers write to as well, then abort()
 * so that libFuzzer and the replay count it as a crash.
 */
static inline void fuzz_fail(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));
static inline void fuzz_fail(const char *fmt, ...)
{
	va_list args;

	dprintf(STDERR_FILENO, "fuzz: finding: ");
	va_start(args, fmt);
	vdprintf(STDERR_FILENO, fmt, args);
	va_end(args);
	dprintf(STDERR_FILENO, "\n");
	abort();
}

static inline void *fuzz_alloc(size_t size)
{
	void *p = calloc(1, size ? size : 1);

	if (!p)
		abort();
	return p;
}

/*
 * What the code under test prints goes to /dev/null: stdout reopened,
 * stderr (the FILE) replaced. Sanitizer reports and libFuzzer's own lines
 * still reach file descriptor 2.
 */
static inline void fuzz_quiet(void)
{
	FILE *null = fopen("/dev/null", "we");

	if (!null || !freopen("/dev/null", "w", stdout))
		abort();
	stderr = null;
	/* What the environment says must not steer a run. */
	unsetenv("KVMOPS_DEFAULT_URI");
	unsetenv("LIBVIRT_DEFAULT_URI");
	unsetenv("KVMOPS_LOG");
}

/* The input as a C string (it ends at its first NUL, as a file read would). */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
	char *s = fuzz_alloc(size + 1);

	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* ---- inputs that stand for files ----------------------------------------- */

#define FUZZ_FILES_MAX 64

struct fuzz_file {
	const char *name;
	const char *data; /* not NUL-terminated */
	size_t len;
	int err; /* reading it fails so (a positive errno), 0: it reads */
};

struct fuzz_files {
	struct fuzz_file files[FUZZ_FILES_MAX];
	size_t count;
	char *buf; /* the input's copy, which the files point into */
};

/* "NAME" or "NAME !ERRNO", in place; false for no name. */
static inline bool fuzz_file_header(char *line, struct fuzz_file *f)
{
	char *bang = strstr(line, " !");

	f->err = 0;
	if (bang) {
		*bang = '\0';
		f->err = atoi(bang + 2);
		if (f->err <= 0 || f->err > 4095)
			f->err = EIO;
	}
	f->name = line;
	return *line != '\0';
}

/* Splits the input into its files; bytes before the first header are none. */
static inline void fuzz_files_parse(const uint8_t *data, size_t size,
				    struct fuzz_files *out)
{
	char *p, *end, *nl;
	struct fuzz_file *cur = NULL;

	memset(out, 0, sizeof(*out));
	out->buf = fuzz_text(data, size);
	end = out->buf + size;
	for (p = out->buf; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		if (end - p >= 3 && !memcmp(p, "== ", 3)) {
			*nl = '\0';
			cur = out->count < FUZZ_FILES_MAX ?
				      &out->files[out->count] :
				      NULL;
			if (cur && fuzz_file_header(p + 3, cur)) {
				cur->data = nl + 1 < end ? nl + 1 : end;
				out->count++;
			} else {
				cur = NULL;
			}
			continue;
		}
		if (cur)
			cur->len =
				(size_t)((nl < end ? nl + 1 : end) - cur->data);
	}
}

static inline void fuzz_files_free(struct fuzz_files *files)
{
	free(files->buf);
	files->buf = NULL;
	files->count = 0;
}

static inline const struct fuzz_file *
fuzz_file_find(const struct fuzz_files *fs, const char *name)
{
	size_t i;

	for (i = 0; i < fs->count; i++)
		if (!strcmp(fs->files[i].name, name))
			return &fs->files[i];
	return NULL;
}

/* A read as struct kvmops_io's read_file makes it: NUL-terminated. */
static inline int fuzz_file_read(const struct fuzz_file *f, char *buf,
				 size_t len)
{
	size_t n;

	if (!f)
		return -ENOENT;
	if (f->err)
		return -f->err;
	n = f->len < len - 1 ? f->len : len - 1;
	memcpy(buf, f->data, n);
	buf[n] = '\0';
	return (int)n;
}

/* A file name the harness may make in a directory of its own. */
static inline bool fuzz_plain_name(const char *name, size_t max)
{
	size_t n = strlen(name);

	return n && n <= max && !strchr(name, '/') && strcmp(name, ".") &&
	       strcmp(name, "..");
}

/* ---- a temporary tree, made once per process ------------------------------ */

static inline int fuzz_remove_one(const char *path, const struct stat *st,
				  int flag, struct FTW *ftw)
{
	return ftw->level ? remove(path) : 0;
}

static inline int fuzz_remove_any(const char *path, const struct stat *st,
				  int flag, struct FTW *ftw)
{
	return remove(path);
}

/* Empties @dir, keeping it. */
static inline void fuzz_empty_dir(const char *dir)
{
	nftw(dir, fuzz_remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Removes @dir and all under it. */
static inline void fuzz_remove_tree(const char *dir)
{
	nftw(dir, fuzz_remove_any, 16, FTW_DEPTH | FTW_PHYS);
}

/* mkdir -p @path: 0 or -errno. */
static inline int fuzz_mkdirs(const char *path)
{
	char buf[4096], *slash;

	if (snprintf(buf, sizeof(buf), "%s/", path) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	for (slash = strchr(buf + 1, '/'); slash;
	     slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -errno;
		*slash = '/';
	}
	return 0;
}

/* A new directory under $TMPDIR or /tmp, for the process's lifetime. */
static inline char *fuzz_tmpdir(void)
{
	const char *tmp = getenv("TMPDIR");
	char *dir;

	if (!tmp || !*tmp)
		tmp = "/tmp";
	if (asprintf(&dir, "%s/kvmops-fuzz-XXXXXX", tmp) < 0 || !mkdtemp(dir))
		abort();
	return dir;
}

#endif
