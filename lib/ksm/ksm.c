// SPDX-License-Identifier: LGPL-2.1-or-later
#include "config.h"

#include <dirent.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ksm/ksm.h"

#define KSM_DIR "/sys/kernel/mm/ksm"

struct knob_def {
	const char *name;
	enum kvmops_ksm_type type;
	bool knob; /* settable with kvmops_ksm_set() */
	uint64_t min, max;
	const char *help;
};

#define COUNTER(n, h)                              \
	{                                          \
		n, KVMOPS_KSM_UINT, false, 0, 0, h \
	}
#define UKNOB(n, lo, hi, h)                         \
	{                                           \
		n, KVMOPS_KSM_UINT, true, lo, hi, h \
	}
#define BKNOB(n, h)                               \
	{                                         \
		n, KVMOPS_KSM_BOOL, true, 0, 1, h \
	}

/* Sorted by name. Meanings follow Documentation/admin-guide/mm/ksm.rst. */
static const struct knob_def known[] = {
	UKNOB("advisor_max_cpu", 1, 100,
	      "most CPU percent ksmd may use under the scan-time advisor"),
	UKNOB("advisor_max_pages_to_scan", 1, UINT64_MAX,
	      "most pages the advisor lets ksmd scan per wake-up"),
	UKNOB("advisor_min_pages_to_scan", 1, UINT64_MAX,
	      "fewest pages the advisor lets ksmd scan per wake-up"),
	{ "advisor_mode", KVMOPS_KSM_CHOICE, true, 0, 0,
	  "who sets pages_to_scan: none (you) or scan-time (the advisor)" },
	UKNOB("advisor_target_scan_time", 1, UINT64_MAX,
	      "seconds the advisor aims for one full scan to take"),
	COUNTER("full_scans",
		"how many times ksmd has scanned all mergeable memory"),
	{ "general_profit", KVMOPS_KSM_INT, false, 0, 0,
	  "bytes KSM saves, less its own metadata (the kernel's figure)" },
	COUNTER("ksm_zero_pages",
		"empty pages merged into the zero page (use_zero_pages)"),
	UKNOB("max_page_sharing", 2, INT32_MAX,
	      "most pages that may share one KSM page"),
	BKNOB("merge_across_nodes", "1: merge pages across NUMA nodes"),
	COUNTER("pages_scanned", "pages ksmd has scanned in all"),
	COUNTER("pages_shared", "KSM pages in use: one copy each"),
	COUNTER("pages_sharing",
		"page mappings that share a KSM page: the saving"),
	COUNTER("pages_skipped", "pages smart_scan skipped"),
	UKNOB("pages_to_scan", 0, UINT32_MAX, "pages ksmd scans per wake-up"),
	COUNTER("pages_unshared", "pages unique but checked again and again"),
	COUNTER("pages_volatile", "pages changing too fast to merge"),
	{ "run", KVMOPS_KSM_UINT, false, 0, 2,
	  "0: ksmd stopped, 1: running, 2: unmerge all and stop" },
	UKNOB("sleep_millisecs", 0, UINT32_MAX,
	      "milliseconds ksmd sleeps between wake-ups"),
	BKNOB("smart_scan", "1: skip pages that failed to merge before"),
	COUNTER("stable_node_chains", "KSM pages that hit max_page_sharing"),
	UKNOB("stable_node_chains_prune_millisecs", 0, UINT32_MAX,
	      "how often stale stable node chains are pruned"),
	COUNTER("stable_node_dups", "duplicated KSM pages in chains"),
	BKNOB("use_zero_pages", "1: merge empty pages with the zero page"),
};

static const char *const known_knobs[] = {
	"pages_to_scan",
	"sleep_millisecs",
	"merge_across_nodes",
	"max_page_sharing",
	"use_zero_pages",
	"smart_scan",
	"stable_node_chains_prune_millisecs",
	"advisor_mode",
	"advisor_max_cpu",
	"advisor_min_pages_to_scan",
	"advisor_max_pages_to_scan",
	"advisor_target_scan_time",
	NULL,
};

struct ksm_entry {
	char *name;
	char *text;
	const struct knob_def *def;
};

struct kvmops_ksm {
	size_t count;
	struct ksm_entry *entries;
	uint64_t page_size;
};

static const struct knob_def *find_def(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(known); i++)
		if (!strcmp(known[i].name, name))
			return &known[i];
	return NULL;
}

KVMOPS_EXPORT const char *const *kvmops_ksm_known_knobs(void)
{
	return known_knobs;
}

/* ---- reading ----------------------------------------------------------- */

static int open_ksm_dir(struct kvmops_ctx *ctx, char *path, size_t len,
			DIR **dir)
{
	int rc = kvmops_sys_path(ctx, path, len, KSM_DIR);

	if (rc)
		return kvmops_fail(ctx, rc, "KSM path too long");
	*dir = opendir(path);
	if (*dir)
		return 0;
	rc = -errno;
	if (rc == -ENOENT)
		return kvmops_fail(
			ctx, -EOPNOTSUPP,
			"%s does not exist: this kernel was built without CONFIG_KSM, so KSM is not available on this host",
			path);
	return kvmops_fail(ctx, rc, "cannot open %s: %s", path, strerror(-rc));
}

static int cmp_entry(const void *a, const void *b)
{
	const struct ksm_entry *x = a, *y = b;

	return strcmp(x->name, y->name);
}

static int read_entry(struct kvmops_ctx *ctx, const char *dir,
		      struct ksm_entry *e)
{
	char path[PATH_MAX + NAME_MAX + 2], buf[256];
	size_t n;
	int rc;

	snprintf(path, sizeof(path), "%s/%s", dir, e->name);
	rc = kvmops_read_file_again(ctx, path, buf, sizeof(buf));
	if (rc < 0) {
		if (rc == -EACCES || rc == -EPERM)
			return kvmops_fail(
				ctx, rc,
				"cannot read %s: permission denied (reading KSM state may need root)",
				path);
		return kvmops_fail(ctx, rc, "cannot read %s: %s", path,
				   strerror(-rc));
	}
	n = strlen(buf);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	e->text = strdup(buf);
	e->def = find_def(e->name);
	return e->text ? 0 : -ENOMEM;
}

static int add_name(struct kvmops_ksm *ksm, size_t *cap, const char *name)
{
	struct ksm_entry *grown;

	if (ksm->count == *cap) {
		*cap = *cap ? *cap * 2 : 32;
		grown = realloc(ksm->entries, *cap * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		ksm->entries = grown;
	}
	ksm->entries[ksm->count] = (struct ksm_entry){ .name = strdup(name) };
	if (!ksm->entries[ksm->count].name)
		return -ENOMEM;
	ksm->count++;
	return 0;
}

static int list_entries(struct kvmops_ctx *ctx, DIR *dir,
			struct kvmops_ksm *ksm)
{
	struct dirent *de;
	size_t cap = 0;
	int rc;

	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		rc = add_name(ksm, &cap, de->d_name);
		if (rc)
			return kvmops_fail(ctx, rc, "out of memory");
	}
	if (ksm->count)
		qsort(ksm->entries, ksm->count, sizeof(*ksm->entries),
		      cmp_entry);
	return 0;
}

KVMOPS_EXPORT int kvmops_ksm_read(struct kvmops_ctx *ctx,
				  struct kvmops_ksm **out)
{
	struct kvmops_ksm *ksm;
	char dirpath[PATH_MAX];
	DIR *dir;
	size_t i;
	int rc;

	kvmops_clear_error(ctx);
	rc = open_ksm_dir(ctx, dirpath, sizeof(dirpath), &dir);
	if (rc)
		return rc;
	ksm = calloc(1, sizeof(*ksm));
	if (!ksm) {
		closedir(dir);
		return -ENOMEM;
	}
	ksm->page_size = kvmops_page_size();
	rc = list_entries(ctx, dir, ksm);
	closedir(dir);
	for (i = 0; !rc && i < ksm->count; i++)
		rc = read_entry(ctx, dirpath, &ksm->entries[i]);
	if (!rc && kvmops_ksm_find(ksm, "run") < 0)
		rc = kvmops_fail(
			ctx, -EOPNOTSUPP,
			"%s has no 'run' entry: it does not look like the kernel's KSM directory",
			dirpath);
	if (rc) {
		kvmops_ksm_free(ksm);
		return rc;
	}
	*out = ksm;
	return 0;
}

KVMOPS_EXPORT void kvmops_ksm_free(struct kvmops_ksm *ksm)
{
	size_t i;

	if (!ksm)
		return;
	for (i = 0; i < ksm->count; i++) {
		free(ksm->entries[i].name);
		free(ksm->entries[i].text);
	}
	free(ksm->entries);
	free(ksm);
}

KVMOPS_EXPORT size_t kvmops_ksm_count(const struct kvmops_ksm *ksm)
{
	return ksm->count;
}

KVMOPS_EXPORT const char *kvmops_ksm_name(const struct kvmops_ksm *ksm,
					  size_t i)
{
	return i < ksm->count ? ksm->entries[i].name : NULL;
}

KVMOPS_EXPORT const char *kvmops_ksm_text(const struct kvmops_ksm *ksm,
					  size_t i)
{
	return i < ksm->count ? ksm->entries[i].text : NULL;
}

KVMOPS_EXPORT enum kvmops_ksm_type kvmops_ksm_type(const struct kvmops_ksm *ksm,
						   size_t i)
{
	if (i >= ksm->count || !ksm->entries[i].def)
		return KVMOPS_KSM_TEXT;
	return ksm->entries[i].def->type;
}

KVMOPS_EXPORT bool kvmops_ksm_is_knob(const struct kvmops_ksm *ksm, size_t i)
{
	return i < ksm->count && ksm->entries[i].def &&
	       ksm->entries[i].def->knob;
}

KVMOPS_EXPORT const char *kvmops_ksm_help(const struct kvmops_ksm *ksm,
					  size_t i)
{
	if (i >= ksm->count || !ksm->entries[i].def)
		return NULL;
	return ksm->entries[i].def->help;
}

KVMOPS_EXPORT ssize_t kvmops_ksm_find(const struct kvmops_ksm *ksm,
				      const char *name)
{
	size_t i;

	for (i = 0; i < ksm->count; i++)
		if (!strcmp(ksm->entries[i].name, name))
			return (ssize_t)i;
	return -ENOENT;
}

KVMOPS_EXPORT int kvmops_ksm_get_u64(const struct kvmops_ksm *ksm,
				     const char *name, uint64_t *value)
{
	ssize_t i = kvmops_ksm_find(ksm, name);

	if (i < 0)
		return (int)i;
	return kvmops_parse_u64(ksm->entries[i].text, value);
}

KVMOPS_EXPORT int kvmops_ksm_get_s64(const struct kvmops_ksm *ksm,
				     const char *name, int64_t *value)
{
	ssize_t i = kvmops_ksm_find(ksm, name);

	if (i < 0)
		return (int)i;
	return kvmops_parse_s64(ksm->entries[i].text, value);
}

/* "[none] scan-time" -> "none"; the word is kept in a static buffer copy. */
static int chosen_word(const char *text, char *word, size_t len)
{
	const char *open = strchr(text, '['), *close;

	if (!open)
		return -EINVAL;
	close = strchr(open, ']');
	if (!close || (size_t)(close - open - 1) >= len)
		return -EINVAL;
	memcpy(word, open + 1, (size_t)(close - open - 1));
	word[close - open - 1] = '\0';
	return 0;
}

KVMOPS_EXPORT int kvmops_ksm_get_choice(const struct kvmops_ksm *ksm,
					const char *name, const char **value)
{
	static __thread char word[64];
	ssize_t i = kvmops_ksm_find(ksm, name);
	int rc;

	if (i < 0)
		return (int)i;
	rc = chosen_word(ksm->entries[i].text, word, sizeof(word));
	if (!rc)
		*value = word;
	return rc;
}

/* ---- derived figures --------------------------------------------------- */

static uint64_t u64_or_zero(const struct kvmops_ksm *ksm, const char *name)
{
	uint64_t v = 0;

	kvmops_ksm_get_u64(ksm, name, &v);
	return v;
}

/* Documentation/admin-guide/mm/ksm.rst, "Monitoring KSM profit" */
int kvmops_ksm_profit_formula(struct kvmops_ctx *ctx,
			      const struct kvmops_ksm_pages *pages,
			      uint64_t page_size, int64_t *profit)
{
	/*
	 * With counts below 2^61 and a page size below 2^32, every sum and
	 * product fits in 128 bits; a kernel's are far below. Larger ones are
	 * refused before any arithmetic.
	 */
	const uint64_t most = INT64_MAX / 4;
	__int128 saved, rmap, p;

	if (pages->shared > most || pages->sharing > most ||
	    pages->unshared > most || pages->volatile_pages > most ||
	    pages->zero > most || page_size > UINT32_MAX)
		goto out_of_range;
	saved = ((__int128)pages->sharing + pages->zero) * page_size;
	rmap = ((__int128)pages->shared + pages->sharing + pages->unshared +
		pages->volatile_pages) *
	       KSM_RMAP_ITEM_BYTES;
	p = saved - rmap;
	if (p > INT64_MAX || p < INT64_MIN)
		goto out_of_range;
	*profit = (int64_t)p;
	return 0;
out_of_range:
	return kvmops_fail_figure(
		ctx,
		"KSM's profit from pages_sharing %" PRIu64
		", ksm_zero_pages %" PRIu64 ", pages_shared %" PRIu64
		", pages_unshared %" PRIu64 " and pages_volatile %" PRIu64
		" does not fit in 64 bits",
		pages->sharing, pages->zero, pages->shared, pages->unshared,
		pages->volatile_pages);
}

int kvmops_ksm_page_bytes(struct kvmops_ctx *ctx, const char *where,
			  uint64_t pages, uint64_t page_size, uint64_t *bytes)
{
	if (__builtin_mul_overflow(pages, page_size, bytes))
		return kvmops_fail_figure(
			ctx,
			"%s: %" PRIu64 " pages of %" PRIu64
			" bytes is more memory than 64 bits count",
			where, pages, page_size);
	return 0;
}

static struct kvmops_ksm_pages page_counts(const struct kvmops_ksm *ksm)
{
	return (struct kvmops_ksm_pages){
		.shared = u64_or_zero(ksm, "pages_shared"),
		.sharing = u64_or_zero(ksm, "pages_sharing"),
		.unshared = u64_or_zero(ksm, "pages_unshared"),
		.volatile_pages = u64_or_zero(ksm, "pages_volatile"),
		.zero = u64_or_zero(ksm, "ksm_zero_pages"),
	};
}

KVMOPS_EXPORT int kvmops_ksm_figures(struct kvmops_ctx *ctx,
				     const struct kvmops_ksm *ksm,
				     struct kvmops_ksm_figures *f)
{
	struct kvmops_ksm_pages pages = page_counts(ksm);
	uint64_t run = 0;
	int rc;

	memset(f, 0, sizeof(*f));
	kvmops_ksm_get_u64(ksm, "run", &run);
	f->run = run <= 2 ? (enum kvmops_ksm_run)run : KVMOPS_KSM_STOP;
	f->page_size = ksm->page_size;
	f->pages_shared = pages.shared;
	f->pages_sharing = pages.sharing;
	rc = kvmops_ksm_page_bytes(ctx, KSM_DIR "/pages_sharing", pages.sharing,
				   ksm->page_size, &f->saved_bytes);
	if (rc)
		return rc;
	if (f->pages_shared)
		f->sharing_ratio =
			(double)f->pages_sharing / (double)f->pages_shared;
	f->profit_from_kernel =
		!kvmops_ksm_get_s64(ksm, "general_profit", &f->profit_bytes);
	if (!f->profit_from_kernel) {
		rc = kvmops_ksm_profit_formula(ctx, &pages, ksm->page_size,
					       &f->profit_bytes);
		if (rc)
			return rc;
	}
	f->full_scans = u64_or_zero(ksm, "full_scans");
	return 0;
}

int kvmops_ksm_counter(struct kvmops_ctx *ctx, const char *name,
		       uint64_t *value)
{
	char path[PATH_MAX], buf[64];
	int rc = kvmops_sys_path(ctx, path, sizeof(path), KSM_DIR "/%s", name);

	if (!rc)
		rc = kvmops_read_file_again(ctx, path, buf, sizeof(buf));
	if (rc < 0)
		return rc;
	buf[strcspn(buf, "\n")] = '\0';
	return kvmops_parse_u64(buf, value);
}

/* ---- checking and writing ---------------------------------------------- */

static int check_uint(struct kvmops_ctx *ctx, const struct knob_def *def,
		      const char *value)
{
	uint64_t v;
	int rc = kvmops_parse_u64(value, &v);

	if (!rc && v >= def->min && v <= def->max)
		return 0;
	return kvmops_fail(
		ctx, -EINVAL,
		"invalid value '%s' for %s: expected a whole number from %" PRIu64
		" to %" PRIu64,
		value, def->name, def->min, def->max);
}

static int check_choice(struct kvmops_ctx *ctx, const char *name,
			const char *text, const char *value)
{
	char choices[256], *word, *save = NULL;

	snprintf(choices, sizeof(choices), "%s", text);
	for (word = strtok_r(choices, " []", &save); word;
	     word = strtok_r(NULL, " []", &save))
		if (!strcmp(word, value))
			return 0;
	/* Show the kernel's list without the brackets. */
	{
		size_t n = 0;

		for (const char *t = text; *t && n + 1 < sizeof(choices); t++)
			if (*t != '[' && *t != ']')
				choices[n++] = *t;
		choices[n] = '\0';
	}
	return kvmops_fail(
		ctx, -EINVAL,
		"invalid value '%s' for %s: this kernel accepts one of: %s",
		value, name, choices);
}

static void join_present_knobs(const struct kvmops_ksm *ksm, char *buf,
			       size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (const char *const *k = known_knobs; *k; k++) {
		if (kvmops_ksm_find(ksm, *k) < 0)
			continue;
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
					 used ? ", " : "", *k);
		if (used >= len)
			break;
	}
}

static int check_name(struct kvmops_ctx *ctx, const struct kvmops_ksm *ksm,
		      const char *name, const struct knob_def **def)
{
	char list[1024];

	*def = find_def(name);
	if (!strcmp(name, "run"))
		return kvmops_fail(
			ctx, -EINVAL,
			"'run' is not a knob: KSM is started, stopped or unmerged on its own");
	if (*def && !(*def)->knob)
		return kvmops_fail(ctx, -EINVAL,
				   "'%s' is a read-only counter, not a knob",
				   name);
	if (*def && kvmops_ksm_find(ksm, name) < 0)
		return kvmops_fail(
			ctx, -ENOENT,
			"this kernel has no KSM knob '%s' (it is newer than this kernel)",
			name);
	if (*def)
		return 0;
	join_present_knobs(ksm, list, sizeof(list));
	return kvmops_fail(ctx, -EINVAL,
			   "unknown KSM knob '%s'; this kernel's knobs are: %s",
			   name, list);
}

KVMOPS_EXPORT int kvmops_ksm_check(struct kvmops_ctx *ctx,
				   const struct kvmops_ksm *ksm,
				   const char *name, const char *value)
{
	const struct knob_def *def;
	int rc = check_name(ctx, ksm, name, &def);

	if (rc)
		return rc;
	if (!*value)
		return kvmops_fail(ctx, -EINVAL, "no value given for %s", name);
	switch (def->type) {
	case KVMOPS_KSM_CHOICE:
		return check_choice(
			ctx, name,
			ksm->entries[kvmops_ksm_find(ksm, name)].text, value);
	default:
		return check_uint(ctx, def, value);
	}
}

/* Turns the kernel's errno into a sentence that says what to do. */
static int explain_write_error(struct kvmops_ctx *ctx,
			       const struct kvmops_ksm *ksm, const char *path,
			       const char *name, const char *value, int rc)
{
	const char *mode = NULL;

	if (rc == -EBUSY && (!strcmp(name, "merge_across_nodes") ||
			     !strcmp(name, "max_page_sharing")))
		return kvmops_fail_remedy(
			ctx, rc, "unmerge",
			"cannot change %s while KSM pages are still shared (pages_shared=%" PRIu64
			"): unmerge them first",
			name, u64_or_zero(ksm, "pages_shared"));
	if (rc == -EPERM || rc == -EACCES)
		return kvmops_fail(
			ctx, rc,
			"cannot write %s: permission denied; changing KSM needs root (try sudo)",
			path);
	if (rc == -EINVAL && !strcmp(name, "pages_to_scan") &&
	    !kvmops_ksm_get_choice(ksm, "advisor_mode", &mode) &&
	    !strcmp(mode, "scan-time"))
		return kvmops_fail(
			ctx, rc,
			"the KSM advisor owns pages_to_scan while advisor_mode is scan-time: set advisor_mode=none first, or tune advisor_min_pages_to_scan and advisor_max_pages_to_scan instead");
	return kvmops_fail(ctx, rc, "the kernel refused %s=%s: %s", name, value,
			   strerror(-rc));
}

static int write_knob(struct kvmops_ctx *ctx, const char *name,
		      const char *value)
{
	char path[PATH_MAX];
	int rc = kvmops_sys_path(ctx, path, sizeof(path), KSM_DIR "/%s", name);

	return rc ? rc : kvmops_write_file(ctx, path, value);
}

/* The value to write back on rollback: the chosen word of a choice. */
static const char *restore_value(const struct kvmops_ksm *ksm, const char *name,
				 char *buf, size_t len)
{
	const char *text = ksm->entries[kvmops_ksm_find(ksm, name)].text;

	if (!chosen_word(text, buf, len))
		return buf;
	return text;
}

static void roll_back(struct kvmops_ctx *ctx, const struct kvmops_ksm *old,
		      const char *const *names, size_t written)
{
	char buf[64];

	while (written-- > 0) {
		const char *v =
			restore_value(old, names[written], buf, sizeof(buf));
		int rc = write_knob(ctx, names[written], v);

		if (rc)
			err(ctx, "could not restore %s=%s: %s", names[written],
			    v, strerror(-rc));
	}
}

static int write_all(struct kvmops_ctx *ctx, const struct kvmops_ksm *old,
		     const char *const *names, const char *const *values,
		     size_t count)
{
	char path[PATH_MAX], msg[1024];
	size_t i;
	int rc;

	for (i = 0; i < count; i++) {
		rc = write_knob(ctx, names[i], values[i]);
		if (!rc)
			continue;
		kvmops_sys_path(ctx, path, sizeof(path), KSM_DIR "/%s",
				names[i]);
		explain_write_error(ctx, old, path, names[i], values[i], rc);
		/* Keep the first error's message through the rollback. */
		snprintf(msg, sizeof(msg), "%s", kvmops_last_error(ctx));
		roll_back(ctx, old, names, i);
		kvmops_fail(ctx, rc, "%s%s", msg,
			    i ? " (the knobs set before it were restored)" :
				"");
		return rc;
	}
	return 0;
}

KVMOPS_EXPORT int kvmops_ksm_set(struct kvmops_ctx *ctx,
				 const char *const *names,
				 const char *const *values, size_t count)
{
	struct kvmops_ksm *ksm;
	size_t i, j;
	int rc;

	rc = kvmops_ksm_read(ctx, &ksm);
	if (rc)
		return rc;
	for (i = 0; !rc && i < count; i++) {
		rc = kvmops_ksm_check(ctx, ksm, names[i], values[i]);
		for (j = 0; !rc && j < i; j++)
			if (!strcmp(names[i], names[j]))
				rc = kvmops_fail(ctx, -EINVAL,
						 "%s is given twice", names[i]);
	}
	if (!rc)
		rc = write_all(ctx, ksm, names, values, count);
	kvmops_ksm_free(ksm);
	return rc;
}

KVMOPS_EXPORT int kvmops_ksm_set_run(struct kvmops_ctx *ctx,
				     enum kvmops_ksm_run run)
{
	char path[PATH_MAX], value[4];
	struct kvmops_ksm *ksm;
	int rc;

	if (run > KVMOPS_KSM_UNMERGE)
		return kvmops_fail(ctx, -EINVAL, "invalid KSM run mode %d",
				   (int)run);
	rc = kvmops_ksm_read(ctx, &ksm);
	if (rc)
		return rc;
	snprintf(value, sizeof(value), "%d", (int)run);
	rc = write_knob(ctx, "run", value);
	if (rc) {
		kvmops_sys_path(ctx, path, sizeof(path), KSM_DIR "/run");
		explain_write_error(ctx, ksm, path, "run", value, rc);
	}
	kvmops_ksm_free(ksm);
	return rc;
}

/* ---- time since the last full scan ------------------------------------- */

struct scan_state {
	char boot_id[64];
	uint64_t full_scans;
	int64_t seen_at; /* CLOCK_BOOTTIME seconds of the last look */
	int64_t changed_at; /* the scan ended after this; -1: never seen */
};

void kvmops_ksm_boot_id(struct kvmops_ctx *ctx, char *buf, size_t len)
{
	char path[PATH_MAX];

	buf[0] = '\0';
	if (kvmops_proc_path(ctx, path, sizeof(path),
			     "/proc/sys/kernel/random/boot_id") ||
	    kvmops_read_file_again(ctx, path, buf, len) < 0)
		snprintf(buf, len, "unknown");
	buf[strcspn(buf, "\n")] = '\0';
}

static bool load_state(const char *path, struct scan_state *st)
{
	FILE *f = fopen(path, "re");
	bool ok;

	if (!f)
		return false;
	ok = fscanf(f, "%63s %" SCNu64 " %" SCNd64 " %" SCNd64, st->boot_id,
		    &st->full_scans, &st->seen_at, &st->changed_at) == 4;
	fclose(f);
	return ok;
}

static int save_state(const char *path, const struct scan_state *st)
{
	char tmp[PATH_MAX];
	FILE *f;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	f = fopen(tmp, "we");
	if (!f)
		return -errno;
	fprintf(f, "%s %" PRIu64 " %" PRId64 " %" PRId64 "\n", st->boot_id,
		st->full_scans, st->seen_at, st->changed_at);
	if (fclose(f) || rename(tmp, path)) {
		int rc = -errno;

		unlink(tmp);
		return rc;
	}
	return 0;
}

/*
 * The kernel counts full scans but keeps no time. When the count moves
 * between two looks, the scan ended after the earlier look: the age is an
 * upper bound, as tight as the looks are frequent (watch looks often).
 */
KVMOPS_EXPORT int kvmops_ksm_scan_age(struct kvmops_ctx *ctx,
				      const struct kvmops_ksm *ksm,
				      const char *state_path,
				      int64_t *age_seconds)
{
	struct scan_state old = { .changed_at = -1 };
	struct scan_state now = { .changed_at = -1 };
	struct timespec ts;
	int rc;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	kvmops_ksm_boot_id(ctx, now.boot_id, sizeof(now.boot_id));
	now.full_scans = u64_or_zero(ksm, "full_scans");
	now.seen_at = ts.tv_sec;
	if (load_state(state_path, &old) && !strcmp(old.boot_id, now.boot_id) &&
	    old.full_scans <= now.full_scans) {
		now.changed_at = old.changed_at;
		if (old.full_scans != now.full_scans)
			now.changed_at = old.seen_at;
	}
	*age_seconds = now.changed_at < 0 ? -1 : ts.tv_sec - now.changed_at;
	rc = save_state(state_path, &now);
	if (rc)
		return kvmops_fail(ctx, rc,
				   "cannot save KSM scan state to %s: %s",
				   state_path, strerror(-rc));
	return 0;
}
