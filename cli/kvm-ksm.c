// SPDX-License-Identifier: GPL-2.0-or-later
/* kvm-ksm: Kernel Samepage Merging, its knobs, counters and guests. */
#include "config.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ksm/tune.h"
#include "shell/shell.h"

static const char *const run_names[] = { "stopped", "running", "unmerging" };

static const char *size_text(uint64_t bytes, char *buf, size_t len)
{
	kvmops_size_format(bytes, buf, len);
	return buf;
}

static const char *profit_text(int64_t bytes, char *buf, size_t len)
{
	/* Negated as unsigned: -INT64_MIN does not fit in an int64_t. */
	uint64_t magnitude = bytes < 0 ? 0 - (uint64_t)bytes : (uint64_t)bytes;
	char tmp[24];

	kvmops_size_format(magnitude, tmp, sizeof(tmp));
	snprintf(buf, len, "%s%s", bytes < 0 ? "-" : "", tmp);
	return buf;
}

/* Reads the entries or prints why not, with its exit status. */
static int read_ksm(struct kvs_call *call, struct kvmops_ksm **ksm)
{
	int rc = kvmops_ksm_read(call->st->ctx, ksm);

	return rc ? kvs_lib_error(call, rc) : KVS_OK;
}

static int64_t scan_age(struct kvs_call *call, const struct kvmops_ksm *ksm)
{
	char *path = kvs_state_file("ksm_scans");
	int64_t age = -1;

	if (path)
		kvmops_ksm_scan_age(call->st->ctx, ksm, path, &age);
	free(path);
	return age;
}

/* ---- status ------------------------------------------------------------ */

static json_object *entry_json(const struct kvmops_ksm *ksm, size_t i)
{
	const char *name = kvmops_ksm_name(ksm, i), *word;
	uint64_t u;
	int64_t s;

	switch (kvmops_ksm_type(ksm, i)) {
	case KVMOPS_KSM_CHOICE:
		if (!kvmops_ksm_get_choice(ksm, name, &word))
			return json_object_new_string(word);
		break;
	case KVMOPS_KSM_INT:
		if (!kvmops_ksm_get_s64(ksm, name, &s))
			return json_object_new_int64(s);
		break;
	default:
		if (!kvmops_ksm_get_u64(ksm, name, &u))
			return json_object_new_uint64(u);
		break;
	}
	return json_object_new_string(kvmops_ksm_text(ksm, i));
}

static json_object *figures_json(const struct kvmops_ksm_figures *f,
				 int64_t age)
{
	json_object *d = json_object_new_object();

	json_object_object_add(d, "state",
			       json_object_new_string(run_names[f->run]));
	json_object_object_add(d, "page_size",
			       json_object_new_uint64(f->page_size));
	json_object_object_add(d, "saved_bytes",
			       json_object_new_uint64(f->saved_bytes));
	json_object_object_add(d, "sharing_ratio",
			       json_object_new_double(f->sharing_ratio));
	json_object_object_add(d, "profit_bytes",
			       json_object_new_int64(f->profit_bytes));
	json_object_object_add(d, "profit_source",
			       json_object_new_string(f->profit_from_kernel ?
							      "general_profit" :
							      "formula"));
	json_object_object_add(d, "full_scans",
			       json_object_new_uint64(f->full_scans));
	json_object_object_add(d, "seconds_since_full_scan",
			       age < 0 ? NULL : json_object_new_int64(age));
	return d;
}

static void print_status_json(const struct kvmops_ksm *ksm,
			      const struct kvmops_ksm_figures *f, int64_t age)
{
	json_object *root = json_object_new_object();
	json_object *entries = json_object_new_object();
	json_object *knobs = json_object_new_array();
	size_t i;

	for (i = 0; i < kvmops_ksm_count(ksm); i++) {
		json_object_object_add(entries, kvmops_ksm_name(ksm, i),
				       entry_json(ksm, i));
		if (kvmops_ksm_is_knob(ksm, i))
			json_object_array_add(knobs,
					      json_object_new_string(
						      kvmops_ksm_name(ksm, i)));
	}
	json_object_object_add(root, "entries", entries);
	json_object_object_add(root, "knobs", knobs);
	json_object_object_add(root, "derived", figures_json(f, age));
	kvs_print_json(root);
}

static void print_summary(const struct kvmops_ksm_figures *f, int64_t age)
{
	char a[32], b[32];

	printf("KSM is %s (run=%d)\n", run_names[f->run], (int)f->run);
	printf("  memory saved   %s (pages_sharing %" PRIu64 " x %s pages)\n",
	       size_text(f->saved_bytes, a, sizeof(a)), f->pages_sharing,
	       size_text(f->page_size, b, sizeof(b)));
	printf("  sharing ratio  %.2f (pages_sharing / pages_shared)\n",
	       f->sharing_ratio);
	printf("  profit         %s (%s)\n",
	       profit_text(f->profit_bytes, a, sizeof(a)),
	       f->profit_from_kernel ? "general_profit, from the kernel" :
				       "the kernel's formula");
	if (age >= 0)
		printf("  full scans     %" PRIu64
		       ", the last one at most %" PRId64 " s ago\n",
		       f->full_scans, age);
	else
		printf("  full scans     %" PRIu64
		       ", the last one not seen yet (status and watch notice it)\n",
		       f->full_scans);
}

static void print_entries(const struct kvmops_ksm *ksm)
{
	static const char *const heads[] = { "ENTRY", "VALUE", "KIND",
					     "MEANING" };
	struct kvs_table t;
	size_t i;

	kvs_table_init(&t, 4, heads, NULL);
	for (i = 0; i < kvmops_ksm_count(ksm); i++) {
		const char *help = kvmops_ksm_help(ksm, i);

		kvs_table_row(&t, kvmops_ksm_name(ksm, i),
			      kvmops_ksm_text(ksm, i),
			      kvmops_ksm_is_knob(ksm, i) ? "knob" : "",
			      help ? help : "(not known to kvmops)");
	}
	kvs_table_print(&t);
	kvs_table_free(&t);
}

/* Prometheus text format, for node_exporter's textfile collector. */
static void prom_metric(const char *name, const char *help, const char *type,
			const char *labels, const char *value)
{
	printf("# HELP kvmops_ksm_%s %s\n# TYPE kvmops_ksm_%s %s\n", name, help,
	       name, type);
	printf("kvmops_ksm_%s%s %s\n", name, labels ? labels : "", value);
}

static void prom_choice(const char *name, const char *help, const char *text)
{
	char copy[256], *word, *save = NULL;

	snprintf(copy, sizeof(copy), "%s", text);
	printf("# HELP kvmops_ksm_%s %s\n# TYPE kvmops_ksm_%s gauge\n", name,
	       help, name);
	for (word = strtok_r(copy, " ", &save); word;
	     word = strtok_r(NULL, " ", &save)) {
		bool chosen = word[0] == '[';
		size_t n = strlen(word);

		if (chosen)
			word[n - 1] = '\0';
		printf("kvmops_ksm_%s{mode=\"%s\"} %d\n", name,
		       word + (chosen ? 1 : 0), chosen);
	}
}

static bool is_counter(const char *name)
{
	return !strcmp(name, "full_scans") || !strcmp(name, "pages_scanned") ||
	       !strcmp(name, "pages_skipped");
}

static void prom_entry(const struct kvmops_ksm *ksm, size_t i)
{
	const char *name = kvmops_ksm_name(ksm, i),
		   *help = kvmops_ksm_help(ksm, i);
	char metric[128], fallback[160];
	int64_t s;

	if (!help) {
		snprintf(fallback, sizeof(fallback),
			 "/sys/kernel/mm/ksm/%s (not known to kvmops)", name);
		help = fallback;
	}
	if (kvmops_ksm_type(ksm, i) == KVMOPS_KSM_CHOICE) {
		prom_choice(name, help, kvmops_ksm_text(ksm, i));
		return;
	}
	if (kvmops_ksm_get_s64(ksm, name, &s) &&
	    kvmops_ksm_type(ksm, i) != KVMOPS_KSM_UINT)
		return; /* text we cannot express as a number */
	/* ksm_zero_pages: kvmops_ksm_zero_pages, not kvmops_ksm_ksm_... */
	snprintf(metric, sizeof(metric), "%s%s",
		 strncmp(name, "ksm_", 4) ? name : name + 4,
		 is_counter(name) ? "_total" : "");
	prom_metric(metric, help, is_counter(name) ? "counter" : "gauge", NULL,
		    kvmops_ksm_text(ksm, i));
}

static void print_prometheus(const struct kvmops_ksm *ksm,
			     const struct kvmops_ksm_figures *f)
{
	char v[64];
	size_t i;

	for (i = 0; i < kvmops_ksm_count(ksm); i++)
		prom_entry(ksm, i);
	snprintf(v, sizeof(v), "%" PRIu64, f->saved_bytes);
	prom_metric("saved_bytes",
		    "Memory KSM saves: pages_sharing x page size", "gauge",
		    NULL, v);
	snprintf(v, sizeof(v), "%.6f", f->sharing_ratio);
	prom_metric("sharing_ratio", "pages_sharing / pages_shared", "gauge",
		    NULL, v);
	snprintf(v, sizeof(v), "%" PRId64, f->profit_bytes);
	prom_metric(
		"profit_bytes",
		"Memory saved less KSM's metadata (general_profit or the kernel's formula)",
		"gauge", NULL, v);
	snprintf(v, sizeof(v), "%" PRIu64, f->page_size);
	prom_metric("page_size_bytes", "The page size KSM merges", "gauge",
		    NULL, v);
}

static int cmd_status(struct kvs_call *call)
{
	struct kvmops_ksm_figures f;
	struct kvmops_ksm *ksm;
	bool prom = kvs_flag(call, "prometheus");
	int64_t age;
	int rc;

	rc = read_ksm(call, &ksm);
	if (rc)
		return rc;
	rc = kvmops_ksm_figures(call->st->ctx, ksm, &f);
	if (rc) {
		kvmops_ksm_free(ksm);
		return kvs_lib_error(call, rc);
	}
	age = scan_age(call, ksm);
	if (call->json) {
		print_status_json(ksm, &f, age);
	} else if (prom) {
		print_prometheus(ksm, &f);
	} else {
		print_summary(&f, age);
		if (!call->quiet) {
			putchar('\n');
			print_entries(ksm);
		}
	}
	kvmops_ksm_free(ksm);
	return KVS_OK;
}

/* ---- set --------------------------------------------------------------- */

/* The value as a user would write it: the chosen word of a choice. */
static const char *knob_text(const struct kvmops_ksm *ksm, const char *name)
{
	ssize_t at = kvmops_ksm_find(ksm, name);
	const char *word;

	if (at < 0)
		return "";
	if (kvmops_ksm_type(ksm, (size_t)at) == KVMOPS_KSM_CHOICE &&
	    !kvmops_ksm_get_choice(ksm, name, &word))
		return word;
	return kvmops_ksm_text(ksm, (size_t)at);
}

struct pairs {
	size_t count;
	const char **names, **values;
	char **owned;
};

static void pairs_free(struct pairs *p)
{
	size_t i;

	for (i = 0; i < p->count; i++)
		free(p->owned[i]);
	free(p->owned);
	free(p->names);
	free(p->values);
}

static int split_pairs(struct kvs_call *call, struct pairs *p)
{
	int i;

	p->count = 0;
	p->names = calloc((size_t)call->argc, sizeof(char *));
	p->values = calloc((size_t)call->argc, sizeof(char *));
	p->owned = calloc((size_t)call->argc, sizeof(char *));
	if (!p->names || !p->values || !p->owned)
		abort();
	for (i = 0; i < call->argc; i++) {
		char *eq, *copy = strdup(call->argv[i]);

		if (!copy)
			abort();
		p->owned[p->count] = copy;
		p->names[p->count] = copy;
		p->count++;
		eq = strchr(copy, '=');
		if (!eq || eq == copy)
			return kvs_error(call, KVS_USAGE,
					 "expected KEY=VALUE, got '%s'",
					 call->argv[i]);
		*eq = '\0';
		p->values[p->count - 1] = eq + 1;
	}
	return KVS_OK;
}

static int check_pairs(struct kvs_call *call, const struct kvmops_ksm *ksm,
		       const struct pairs *p)
{
	size_t i, j;
	int rc;

	for (i = 0; i < p->count; i++) {
		rc = kvmops_ksm_check(call->st->ctx, ksm, p->names[i],
				      p->values[i]);
		if (rc)
			return kvs_lib_error(call, rc);
		for (j = 0; j < i; j++)
			if (!strcmp(p->names[i], p->names[j]))
				return kvs_error(call, KVS_USAGE,
						 "%s is given twice",
						 p->names[i]);
	}
	return KVS_OK;
}

static bool needs_unmerge(const struct pairs *p)
{
	size_t i;

	for (i = 0; i < p->count; i++)
		if (!strcmp(p->names[i], "merge_across_nodes") ||
		    !strcmp(p->names[i], "max_page_sharing"))
			return true;
	return false;
}

/* For --unmerge-first: unmerge, set, then bring ksmd back as it was. */
static int set_unmerged(struct kvs_call *call, const struct kvmops_ksm *ksm,
			const struct pairs *p)
{
	struct kvmops_ctx *ctx = call->st->ctx;
	uint64_t run = 0;
	int rc, status;

	kvmops_ksm_get_u64(ksm, "run", &run);
	rc = kvmops_ksm_set_run(ctx, KVMOPS_KSM_UNMERGE);
	if (rc)
		return kvs_lib_error(call, rc);
	rc = kvmops_ksm_set(ctx, p->names, p->values, p->count);
	status = rc ? kvs_lib_error(call, rc) : KVS_OK;
	rc = kvmops_ksm_set_run(ctx,
				run == 1 ? KVMOPS_KSM_START : KVMOPS_KSM_STOP);
	if (rc)
		return kvs_lib_error(call, rc);
	return status;
}

static void report_changes(struct kvs_call *call, const struct kvmops_ksm *old,
			   const struct pairs *p)
{
	json_object *root = json_object_new_object();
	size_t i;

	for (i = 0; i < p->count; i++) {
		const char *was = knob_text(old, p->names[i]);
		json_object *o = json_object_new_object();

		json_object_object_add(o, "old", json_object_new_string(was));
		json_object_object_add(o, "new",
				       json_object_new_string(p->values[i]));
		json_object_object_add(root, p->names[i], o);
		if (!call->json && !call->quiet)
			printf("%s: %s -> %s\n", p->names[i], was,
			       p->values[i]);
	}
	if (call->json)
		kvs_print_json(root);
	else
		json_object_put(root);
}

static int cmd_set(struct kvs_call *call)
{
	struct pairs p = { 0 };
	struct kvmops_ksm *ksm = NULL;
	int rc = split_pairs(call, &p);

	if (!rc)
		rc = read_ksm(call, &ksm);
	if (!rc)
		rc = check_pairs(call, ksm, &p);
	if (!rc && kvs_flag(call, "unmerge-first") && needs_unmerge(&p))
		rc = set_unmerged(call, ksm, &p);
	else if (!rc)
		rc = kvs_result(call, kvmops_ksm_set(call->st->ctx, p.names,
						     p.values, p.count));
	if (!rc)
		report_changes(call, ksm, &p);
	kvmops_ksm_free(ksm);
	pairs_free(&p);
	return rc;
}

/* ---- start, stop, unmerge ---------------------------------------------- */

static void add_entry(json_object *root, const struct kvmops_ksm *ksm,
		      const char *name)
{
	ssize_t at = kvmops_ksm_find(ksm, name);

	json_object_object_add(root, name,
			       at < 0 ? NULL : entry_json(ksm, (size_t)at));
}

static void report_run(struct kvs_call *call, const char *what)
{
	struct kvmops_ksm_figures f;
	struct kvmops_ksm *ksm;
	json_object *root;

	if (kvmops_ksm_read(call->st->ctx, &ksm))
		return;
	if (kvmops_ksm_figures(call->st->ctx, ksm, &f)) {
		kvmops_ksm_free(ksm);
		return;
	}
	if (call->json) {
		root = json_object_new_object();
		json_object_object_add(
			root, "state",
			json_object_new_string(run_names[f.run]));
		add_entry(root, ksm, "pages_to_scan");
		add_entry(root, ksm, "sleep_millisecs");
		json_object_object_add(root, "pages_sharing",
				       json_object_new_uint64(f.pages_sharing));
		kvs_print_json(root);
	} else if (!call->quiet) {
		printf("KSM %s (pages_to_scan=%s, sleep_millisecs=%s, pages_sharing=%" PRIu64
		       ")\n",
		       what, knob_text(ksm, "pages_to_scan"),
		       knob_text(ksm, "sleep_millisecs"), f.pages_sharing);
	}
	kvmops_ksm_free(ksm);
}

/* --pages and --sleep become knob pairs, checked like 'set'. */
static int start_pairs(struct kvs_call *call, const struct kvmops_ksm *ksm,
		       const char **names, const char **values, size_t *n)
{
	const char *pages = kvs_opt(call, "pages"),
		   *sleep = kvs_opt(call, "sleep");

	*n = 0;
	if (pages) {
		names[*n] = "pages_to_scan";
		values[(*n)++] = pages;
	}
	if (sleep) {
		names[*n] = "sleep_millisecs";
		values[(*n)++] = sleep;
	}
	for (size_t i = 0; i < *n; i++) {
		int rc = kvmops_ksm_check(call->st->ctx, ksm, names[i],
					  values[i]);

		if (rc)
			return kvs_lib_error(call, rc);
	}
	return KVS_OK;
}

static int cmd_start(struct kvs_call *call)
{
	const char *names[2], *values[2];
	struct kvmops_ksm *ksm;
	size_t n;
	int rc = read_ksm(call, &ksm);

	if (!rc)
		rc = start_pairs(call, ksm, names, values, &n);
	if (!rc && n)
		rc = kvs_result(call, kvmops_ksm_set(call->st->ctx, names,
						     values, n));
	if (!rc)
		rc = kvs_result(call, kvmops_ksm_set_run(call->st->ctx,
							 KVMOPS_KSM_START));
	kvmops_ksm_free(ksm);
	if (!rc)
		report_run(call, "started");
	return rc;
}

static int set_run(struct kvs_call *call, enum kvmops_ksm_run run,
		   const char *what)
{
	int rc = kvmops_ksm_set_run(call->st->ctx, run);

	if (rc)
		return kvs_lib_error(call, rc);
	report_run(call, what);
	return KVS_OK;
}

static int cmd_stop(struct kvs_call *call)
{
	return set_run(call, KVMOPS_KSM_STOP, "stopped");
}

static int cmd_unmerge(struct kvs_call *call)
{
	return set_run(call, KVMOPS_KSM_UNMERGE,
		       "unmerged every shared page and stopped");
}

/* ---- vms --------------------------------------------------------------- */

static int cmp_name(const void *a, const void *b)
{
	const struct kvmops_ksm_vm *x = a, *y = b;

	return strcmp(x->name, y->name);
}

static int cmp_pid(const void *a, const void *b)
{
	const struct kvmops_ksm_vm *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

static int cmp_rss(const void *a, const void *b)
{
	const struct kvmops_ksm_vm *x = a, *y = b;

	return (x->rss_bytes < y->rss_bytes) - (x->rss_bytes > y->rss_bytes);
}

static void sort_vms(struct kvmops_ksm_vm *vms, size_t n, const char *key)
{
	/* No guests come back as NULL, which qsort() must never be given. */
	if (n < 2 || !key || !strcmp(key, "saved"))
		return; /* the library's order */
	qsort(vms, n, sizeof(*vms),
	      !strcmp(key, "name") ? cmp_name :
	      !strcmp(key, "pid")  ? cmp_pid :
				     cmp_rss);
}

static json_object *vm_json(const struct kvmops_ksm_vm *vm)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "name", json_object_new_string(vm->name));
	json_object_object_add(o, "pid", json_object_new_int(vm->pid));
	json_object_object_add(o, "uuid",
			       vm->uuid[0] ? json_object_new_string(vm->uuid) :
					     NULL);
	json_object_object_add(o, "emulator",
			       json_object_new_string(vm->emulator));
	json_object_object_add(o, "have_ksm_stat",
			       json_object_new_boolean(vm->have_stat));
	json_object_object_add(o, "merging_pages",
			       json_object_new_uint64(vm->merging_pages));
	json_object_object_add(o, "merged_bytes",
			       json_object_new_uint64(vm->merged_bytes));
	json_object_object_add(o, "saved_bytes",
			       json_object_new_uint64(vm->saved_bytes));
	json_object_object_add(o, "profit_bytes",
			       json_object_new_int64(vm->profit_bytes));
	json_object_object_add(o, "rmap_items",
			       json_object_new_uint64(vm->rmap_items));
	json_object_object_add(o, "rss_bytes",
			       json_object_new_uint64(vm->rss_bytes));
	return o;
}

struct vm_total {
	uint64_t merging, merged, saved, rss;
	int64_t profit;
	bool saturated; /* a sum passed 64 bits and stopped at its limit */
};

static uint64_t clamp_u64(unsigned __int128 sum, bool *saturated)
{
	if (sum <= UINT64_MAX)
		return (uint64_t)sum;
	*saturated = true;
	return UINT64_MAX;
}

static int64_t clamp_s64(__int128 sum, bool *saturated)
{
	if (sum >= INT64_MIN && sum <= INT64_MAX)
		return (int64_t)sum;
	*saturated = true;
	return sum < 0 ? INT64_MIN : INT64_MAX;
}

/* Summed in 128 bits, which no count of 64-bit figures fills. */
static struct vm_total sum_vms(const struct kvmops_ksm_vm *vms, size_t n)
{
	unsigned __int128 merging = 0, merged = 0, saved = 0, rss = 0;
	struct vm_total t = { 0 };
	__int128 profit = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		merging += vms[i].merging_pages;
		merged += vms[i].merged_bytes;
		saved += vms[i].saved_bytes;
		rss += vms[i].rss_bytes;
		profit += vms[i].profit_bytes;
	}
	t.merging = clamp_u64(merging, &t.saturated);
	t.merged = clamp_u64(merged, &t.saturated);
	t.saved = clamp_u64(saved, &t.saturated);
	t.rss = clamp_u64(rss, &t.saturated);
	t.profit = clamp_s64(profit, &t.saturated);
	return t;
}

static void warn_saturated(const struct kvs_call *call,
			   const struct vm_total *t)
{
	if (t->saturated)
		kvs_warn(
			call,
			"a total passes what 64 bits hold; it is shown at that limit");
}

static void print_vms_json(const struct kvmops_ksm_vm *vms, size_t n,
			   const struct vm_total *sum)
{
	json_object *root = json_object_new_object();
	json_object *list = json_object_new_array(), *tot;
	struct vm_total t = *sum;
	size_t i;

	for (i = 0; i < n; i++)
		json_object_array_add(list, vm_json(&vms[i]));
	tot = json_object_new_object();
	json_object_object_add(tot, "vms", json_object_new_uint64(n));
	json_object_object_add(tot, "merging_pages",
			       json_object_new_uint64(t.merging));
	json_object_object_add(tot, "merged_bytes",
			       json_object_new_uint64(t.merged));
	json_object_object_add(tot, "saved_bytes",
			       json_object_new_uint64(t.saved));
	json_object_object_add(tot, "profit_bytes",
			       json_object_new_int64(t.profit));
	json_object_object_add(tot, "rss_bytes", json_object_new_uint64(t.rss));
	json_object_object_add(tot, "saturated",
			       json_object_new_boolean(t.saturated));
	json_object_object_add(root, "vms", list);
	json_object_object_add(root, "total", tot);
	kvs_print_json(root);
}

static void vm_row(struct kvs_table *t, const char *name, const char *pid,
		   uint64_t merged, uint64_t saved, int64_t profit,
		   uint64_t rss)
{
	char m[32], s[32], p[32], r[32];

	kvs_table_row(t, name, pid, size_text(merged, m, sizeof(m)),
		      size_text(saved, s, sizeof(s)),
		      profit_text(profit, p, sizeof(p)),
		      size_text(rss, r, sizeof(r)));
}

static void print_vms_table(const struct kvmops_ksm_vm *vms, size_t n,
			    const struct vm_total *sum)
{
	static const char *const heads[] = { "NAME",  "PID",	"MERGED",
					     "SAVED", "PROFIT", "RSS" };
	static const bool right[] = { false, true, true, true, true, true };
	const struct vm_total tot = *sum;
	struct kvs_table t;
	char pid[16], label[32];
	size_t i;

	kvs_table_init(&t, 6, heads, right);
	for (i = 0; i < n; i++) {
		snprintf(pid, sizeof(pid), "%d", (int)vms[i].pid);
		vm_row(&t, vms[i].name[0] ? vms[i].name : "(unnamed)", pid,
		       vms[i].merged_bytes, vms[i].saved_bytes,
		       vms[i].profit_bytes, vms[i].rss_bytes);
	}
	snprintf(label, sizeof(label), "total (%zu)", n);
	vm_row(&t, label, "", tot.merged, tot.saved, tot.profit, tot.rss);
	kvs_table_print(&t);
	kvs_table_free(&t);
}

/* Prometheus label values escape backslash, quote and newline. */
static void prom_label(char *buf, size_t len, const char *value)
{
	size_t n = 0;

	for (; *value && n + 3 < len; value++) {
		if (*value == '\\' || *value == '"' || *value == '\n') {
			buf[n++] = '\\';
			buf[n++] = *value == '\n' ? 'n' : *value;
		} else {
			buf[n++] = *value;
		}
	}
	buf[n] = '\0';
}

static void prom_vm_family(const struct kvmops_ksm_vm *vms, size_t n,
			   const char *name, const char *help, size_t offset,
			   bool is_signed)
{
	char label[600];
	size_t i;

	printf("# HELP kvmops_ksm_vm_%s %s\n# TYPE kvmops_ksm_vm_%s gauge\n",
	       name, help, name);
	for (i = 0; i < n; i++) {
		const char *field = (const char *)&vms[i] + offset;

		prom_label(label, sizeof(label),
			   vms[i].name[0] ? vms[i].name : "(unnamed)");
		if (is_signed)
			printf("kvmops_ksm_vm_%s{domain=\"%s\",pid=\"%d\"} %" PRId64
			       "\n",
			       name, label, (int)vms[i].pid,
			       *(const int64_t *)field);
		else
			printf("kvmops_ksm_vm_%s{domain=\"%s\",pid=\"%d\"} %" PRIu64
			       "\n",
			       name, label, (int)vms[i].pid,
			       *(const uint64_t *)field);
	}
}

static void print_vms_prometheus(const struct kvmops_ksm_vm *vms, size_t n)
{
	printf("# HELP kvmops_ksm_vms Running QEMU guests\n# TYPE kvmops_ksm_vms gauge\nkvmops_ksm_vms %zu\n",
	       n);
	prom_vm_family(
		vms, n, "merged_bytes",
		"The guest's memory mapped to KSM pages (ksm_merging_pages)",
		offsetof(struct kvmops_ksm_vm, merged_bytes), false);
	prom_vm_family(
		vms, n, "saved_bytes",
		"The guest's fair share of pages_sharing: the guests' shares add up to the saving",
		offsetof(struct kvmops_ksm_vm, saved_bytes), false);
	prom_vm_family(vms, n, "profit_bytes",
		       "The fair share less the guest's KSM metadata",
		       offsetof(struct kvmops_ksm_vm, profit_bytes), true);
	prom_vm_family(vms, n, "rss_bytes",
		       "The QEMU process's resident memory",
		       offsetof(struct kvmops_ksm_vm, rss_bytes), false);
}

static int cmd_vms(struct kvs_call *call)
{
	const char *sort = kvs_opt(call, "sort");
	struct kvmops_ksm_vm *vms = NULL;
	virConnectPtr conn = NULL;
	struct vm_total tot;
	size_t n;
	int rc;

	if (sort && strcmp(sort, "saved") && strcmp(sort, "name") &&
	    strcmp(sort, "pid") && strcmp(sort, "rss"))
		return kvs_error(
			call, KVS_USAGE,
			"invalid value '%s' for --sort: use saved, name, pid or rss",
			sort);
	if (kvs_have_uri(call)) {
		call->conn_flags = KVMOPS_CONNECT_READONLY; /* names only */
		conn = kvs_conn(call);
		if (!conn)
			return KVS_FAIL;
	}
	rc = kvmops_ksm_vms(call->st->ctx, conn, &vms, &n);
	if (rc)
		return kvs_lib_error(call, rc);
	sort_vms(vms, n, sort);
	tot = sum_vms(vms, n);
	if (call->json)
		print_vms_json(vms, n, &tot);
	else if (kvs_flag(call, "prometheus"))
		print_vms_prometheus(vms, n);
	else if (!n && !call->quiet)
		printf("no QEMU guests run on this host\n");
	else if (n)
		print_vms_table(vms, n, &tot);
	warn_saturated(call, &tot);
	free(vms);
	return KVS_OK;
}

/* ---- watch ------------------------------------------------------------- */

struct sample {
	double t;
	struct kvmops_ksm_figures f;
	int64_t age;
};

static void rates(const struct sample *prev, const struct sample *cur,
		  double *merged_per_s, double *scans_per_min)
{
	double dt = cur->t - prev->t;

	*merged_per_s = 0;
	*scans_per_min = 0;
	if (dt <= 0)
		return;
	*merged_per_s =
		((double)cur->f.pages_sharing - (double)prev->f.pages_sharing) /
		dt;
	*scans_per_min =
		((double)cur->f.full_scans - (double)prev->f.full_scans) *
		60.0 / dt;
}

static void watch_line(const struct kvs_call *call, const struct sample *s,
		       double merged, double scans)
{
	char stamp[32];
	time_t now = time(NULL);
	json_object *o;

	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S%z", localtime(&now));
	if (!call->json) {
		printf("%s state=%s shared=%" PRIu64 " sharing=%" PRIu64
		       " saved_bytes=%" PRIu64 " full_scans=%" PRIu64
		       " merged_per_s=%.1f scans_per_min=%.2f\n",
		       stamp, run_names[s->f.run], s->f.pages_shared,
		       s->f.pages_sharing, s->f.saved_bytes, s->f.full_scans,
		       merged, scans);
		return;
	}
	o = figures_json(&s->f, s->age);
	json_object_object_add(o, "time", json_object_new_string(stamp));
	json_object_object_add(o, "pages_shared",
			       json_object_new_uint64(s->f.pages_shared));
	json_object_object_add(o, "pages_sharing",
			       json_object_new_uint64(s->f.pages_sharing));
	json_object_object_add(o, "merged_per_second",
			       json_object_new_double(merged));
	json_object_object_add(o, "full_scans_per_minute",
			       json_object_new_double(scans));
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
}

static void watch_screen(const struct sample *s, double merged, double scans,
			 double interval)
{
	char when[32];
	time_t now = time(NULL);

	strftime(when, sizeof(when), "%H:%M:%S", localtime(&now));
	printf("\033[H\033[2J");
	printf("kvm-ksm watch, every %gs, %s  (Ctrl-C to stop)\n\n", interval,
	       when);
	print_summary(&s->f, s->age);
	printf("  pages merged   %.1f per second\n", merged);
	printf("  full scans     %.2f per minute\n", scans);
	printf("  pages shared   %" PRIu64 ", sharing %" PRIu64 "\n",
	       s->f.pages_shared, s->f.pages_sharing);
}

static int take_sample(struct kvs_call *call, struct sample *s)
{
	struct kvmops_ksm *ksm;
	int rc = kvmops_ksm_read(call->st->ctx, &ksm);

	if (rc)
		return rc;
	s->t = kvs_now_s();
	rc = kvmops_ksm_figures(call->st->ctx, ksm, &s->f);
	if (!rc)
		s->age = scan_age(call, ksm);
	kvmops_ksm_free(ksm);
	return rc;
}

static void sleep_interruptibly(double seconds)
{
	struct timespec ts = { .tv_sec = (time_t)seconds };

	ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
	while (!kvs_interrupted && nanosleep(&ts, &ts))
		;
}

static int cmd_watch(struct kvs_call *call)
{
	bool screen = isatty(STDOUT_FILENO) && !call->json;
	struct sample prev, cur;
	double interval, merged, scans;
	uint64_t count, taken = 0;
	int rc;

	rc = kvs_opt_double(call, "interval", 0.1, 86400, 2, &interval);
	if (!rc)
		rc = kvs_opt_u64(call, "count", 0, UINT32_MAX, 0, &count);
	if (rc)
		return rc;
	rc = take_sample(call, &prev);
	if (rc)
		return kvs_lib_error(call, rc);
	cur = prev;
	kvs_interrupted = 0;
	while (!kvs_interrupted) {
		rates(&prev, &cur, &merged, &scans);
		if (screen)
			watch_screen(&cur, merged, scans, interval);
		else
			watch_line(call, &cur, merged, scans);
		fflush(stdout);
		if (count && ++taken >= count)
			break;
		sleep_interruptibly(interval);
		prev = cur;
		if (!kvs_interrupted && (rc = take_sample(call, &cur)))
			return kvs_lib_error(call, rc);
	}
	kvs_interrupted = 0;
	return KVS_OK;
}

/* ---- completion -------------------------------------------------------- */

static void complete_knob_values(struct kvmops_ksm *ksm, const char *name,
				 struct kvs_list *out)
{
	ssize_t i = kvmops_ksm_find(ksm, name);
	const char *text;
	char copy[256], *w, *save = NULL;

	if (i < 0)
		return;
	text = kvmops_ksm_text(ksm, (size_t)i);
	switch (kvmops_ksm_type(ksm, (size_t)i)) {
	case KVMOPS_KSM_BOOL:
		kvs_list_addf(out, "%s=0", name);
		kvs_list_addf(out, "%s=1", name);
		break;
	case KVMOPS_KSM_CHOICE:
		snprintf(copy, sizeof(copy), "%s", text);
		for (w = strtok_r(copy, " []", &save); w;
		     w = strtok_r(NULL, " []", &save))
			kvs_list_addf(out, "%s=%s", name, w);
		break;
	default:
		kvs_list_addf(out, "%s=%s", name, text); /* the current value */
		break;
	}
}

static void complete_pairs(struct kvs_state *st, const char *prefix,
			   struct kvs_list *out)
{
	const char *const *k;
	const char *eq = strchr(prefix, '=');
	struct kvmops_ksm *ksm;
	char name[128];

	if (kvmops_ksm_read(st->ctx, &ksm))
		return;
	if (eq) {
		snprintf(name, sizeof(name), "%.*s", (int)(eq - prefix),
			 prefix);
		complete_knob_values(ksm, name, out);
	} else {
		for (k = kvmops_ksm_known_knobs(); *k; k++)
			if (kvmops_ksm_find(ksm, *k) >= 0)
				kvs_list_addf(out, "%s=", *k);
	}
	kvmops_ksm_free(ksm);
}

static void complete_sort(struct kvs_state *st, const char *prefix,
			  struct kvs_list *out)
{
	kvs_list_add(out, "saved");
	kvs_list_add(out, "name");
	kvs_list_add(out, "pid");
	kvs_list_add(out, "rss");
}

/* ---- the tables -------------------------------------------------------- */

static const struct kvs_opt status_opts[] = {
	{ .name = "prometheus",
	  .conflicts = "json",
	  .help = "print Prometheus text format (node_exporter textfile collector)" },
	{ 0 },
};

static const struct kvs_opt set_opts[] = {
	{ .name = "unmerge-first",
	  .field = "unmerge",
	  .help = "for merge_across_nodes and max_page_sharing: unmerge, set, then restore run" },
	{ 0 },
};

static const struct kvs_opt start_opts[] = {
	{ .name = "pages", .arg = "N", .help = "set pages_to_scan first" },
	{ .name = "sleep", .arg = "MS", .help = "set sleep_millisecs first" },
	{ 0 },
};

static const struct kvs_opt vms_opts[] = {
	{ .name = "sort",
	  .arg = "KEY",
	  .complete = complete_sort,
	  .help = "saved (default), name, pid or rss" },
	{ .name = "prometheus",
	  .conflicts = "json",
	  .help = "print Prometheus text format, a domain label per guest" },
	{ 0 },
};

static const struct kvs_opt watch_opts[] = {
	{ .name = "interval",
	  .arg = "S",
	  .help = "seconds between samples (default 2)" },
	{ .name = "count",
	  .arg = "N",
	  .help = "stop after N samples (default: until Ctrl-C)" },
	{ 0 },
};

static const struct kvs_cmd ksm_cmds[] = {
	{ .name = "status",
	  .run = cmd_status,
	  .opts = status_opts,
	  .summary = "Show every KSM counter and knob, and what they add up to",
	  .help = "Memory saved is pages_sharing x page size; the sharing ratio is\n"
		  "pages_sharing / pages_shared; profit is the kernel's general_profit\n"
		  "where it exists, else its documented formula." },
	{ .name = "set",
	  .args = "KEY=VALUE...",
	  .min_args = 1,
	  .max_args = -1,
	  .run = cmd_set,
	  .opts = set_opts,
	  .complete_arg = complete_pairs,
	  .summary = "Set KSM knobs, all or none",
	  .help = "Every pair is checked before any is written; if the kernel refuses\n"
		  "one, those already written get their old values back." },
	{ .name = "start",
	  .run = cmd_start,
	  .opts = start_opts,
	  .summary = "Start ksmd (run=1)" },
	{ .name = "stop",
	  .run = cmd_stop,
	  .summary = "Stop ksmd, keeping merged pages (run=0)" },
	{ .name = "unmerge",
	  .run = cmd_unmerge,
	  .summary = "Split every merged page and stop ksmd (run=2)",
	  .help = "Needs as much free memory as KSM saves now: see 'status'." },
	{ .name = "vms",
	  .run = cmd_vms,
	  .opts = vms_opts,
	  .summary = "Show what KSM saves for each QEMU guest",
	  .help = "Guests are found by their executable (qemu-system-*), so libvirt's\n"
		  "guests are found too. With -c URI, names come from libvirt." },
	{ .name = "tune",
	  .run = ksm_cmd_tune,
	  .opts = ksm_tune_opts,
	  .summary =
		  "Start, stop and pace ksmd as the guests need: a KSM tuner",
	  .help = "Each cycle judges by MemAvailable against the threshold and the guests'\n"
		  "memory, hands pages_to_scan to the kernel's advisor (or boosts and\n"
		  "decays it as ksmtuned does), holds ksmd to --max-cpu, and stops it\n"
		  "for --backoff cycles when two full scans save less than --min-gain.\n"
		  "A line per change; with --json an NDJSON object per cycle. SIGHUP\n"
		  "reloads the config, SIGUSR1 runs a cycle now, SIGTERM ends the loop\n"
		  "and leaves KSM as it is (unless --restore-on-exit)." },
	{ .name = "watch",
	  .run = cmd_watch,
	  .opts = watch_opts,
	  .summary = "Follow KSM as it works, with rates",
	  .help = "On a terminal the view refreshes; otherwise one line per sample\n"
		  "(a JSON object per line with --json)." },
	{ 0 },
};

/* What the library names that no option of a command covers. */
static const struct kvs_remedy ksm_remedies[] = {
	{ .name = "unmerge",
	  .hint = "'kvm-ksm unmerge', or 'kvm-ksm set --unmerge-first'" },
	{ 0 },
};

static const struct kvs_tool ksm_tool = {
	.name = "kvm-ksm",
	.summary = "See and steer Kernel Samepage Merging on this KVM host.",
	.cmds = ksm_cmds,
	.remedies = ksm_remedies,
};

int main(int argc, char **argv)
{
	return kvs_main(&ksm_tool, argc, argv);
}
