// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What kvm-balloon auto's policy (lib/policy/balloon-auto.c) is given
 * about the host: the budget its guests live in and its use, from
 * /proc/meminfo or a memory cgroup (v2 or v1), and memory PSI.
 */
#include "config.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libkvmops-private.h"
#include "virt/domain.h"

#define CGROUP_MOUNT "/sys/fs/cgroup"

/* A cgroup file's single number; "max" is UINT64_MAX. */
static int cgroup_u64(struct kvmops_ctx *ctx, const char *dir, const char *name,
		      uint64_t *value)
{
	char path[PATH_MAX], buf[64];
	int rc;

	kvmops_sys_path(ctx, path, sizeof(path), "%s/%s", dir, name);
	rc = kvmops_read_file_again(ctx, path, buf, sizeof(buf));
	if (rc < 0)
		return kvmops_fail(ctx, rc, "cannot read %s: %s", path,
				   strerror(-rc));
	buf[strcspn(buf, "\n")] = '\0';
	if (!strcmp(buf, "max")) {
		*value = UINT64_MAX;
		return 0;
	}
	if (kvmops_parse_u64(buf, value))
		return kvmops_fail(ctx, -EIO, "%s holds '%s', not a number",
				   path, buf);
	return 0;
}

static uint64_t stat_line(struct kvmops_ctx *ctx, const char *dir,
			  const char *key)
{
	char path[PATH_MAX], buf[8192];
	uint64_t v = 0;

	kvmops_sys_path(ctx, path, sizeof(path), "%s/memory.stat", dir);
	if (kvmops_read_file_again(ctx, path, buf, sizeof(buf)) >= 0)
		kvmops_line_u64(buf, key, &v);
	return v;
}

static void read_psi(struct kvmops_ctx *ctx, enum kvmops_root root,
		     const char *path, struct kvmops_balloon_auto_host *h)
{
	char full[PATH_MAX];

	kvmops_root_path(ctx, root, full, sizeof(full), "%s", path);
	h->have_psi =
		!kvmops_read_psi_some_avg10(ctx, full, &h->psi_some_avg10);
}

/* Which cgroup version is mounted, and @cgroup's directory under it. */
static int cgroup_dir(struct kvmops_ctx *ctx, const char *cgroup, char *dir,
		      size_t len, unsigned int *version)
{
	char probe[PATH_MAX];
	const char *rel = cgroup;

	if (!strncmp(rel, CGROUP_MOUNT "/", strlen(CGROUP_MOUNT "/")))
		rel += strlen(CGROUP_MOUNT "/");
	rel += strspn(rel, "/");
	kvmops_sys_path(ctx, probe, sizeof(probe),
			CGROUP_MOUNT "/cgroup.controllers");
	*version = access(probe, F_OK) ? 1 : 2;
	if (*version == 1 && !strncmp(rel, "memory/", strlen("memory/")))
		rel += strlen("memory/");
	snprintf(dir, len, "%s%s/%s", CGROUP_MOUNT,
		 *version == 1 ? "/memory" : "", rel);
	kvmops_sys_path(ctx, probe, sizeof(probe), "%s/%s", dir,
			*version == 2 ? "memory.current" :
					"memory.usage_in_bytes");
	if (access(probe, F_OK))
		return kvmops_fail_remedy(
			ctx, -ENOENT, "cgroup",
			"no memory cgroup %s: %s is not there; name a cgroup under %s%s, such as machine.slice",
			cgroup, probe, CGROUP_MOUNT,
			*version == 1 ? "/memory" : "");
	return 0;
}

/* Budget, usage and what of it is inactive page cache, in bytes. */
static int cgroup_figures(struct kvmops_ctx *ctx, const char *dir,
			  unsigned int version, uint64_t *limit,
			  uint64_t *usage, uint64_t *inactive)
{
	int rc;

	if (version == 2) {
		rc = cgroup_u64(ctx, dir, "memory.max", limit);
		if (!rc)
			rc = cgroup_u64(ctx, dir, "memory.current", usage);
		*inactive = stat_line(ctx, dir, "inactive_file ");
		return rc;
	}
	rc = cgroup_u64(ctx, dir, "memory.limit_in_bytes", limit);
	if (!rc)
		rc = cgroup_u64(ctx, dir, "memory.usage_in_bytes", usage);
	*inactive = stat_line(ctx, dir, "total_inactive_file ");
	return rc;
}

static int read_cgroup(struct kvmops_ctx *ctx, const char *cgroup,
		       uint64_t total_kib, struct kvmops_balloon_auto_host *h)
{
	char dir[PATH_MAX], psi[PATH_MAX + 32];
	uint64_t limit, usage, inactive;
	int rc = cgroup_dir(ctx, cgroup, dir, sizeof(dir), &h->cgroup_version);

	if (!rc)
		rc = cgroup_figures(ctx, dir, h->cgroup_version, &limit, &usage,
				    &inactive);
	if (rc)
		return rc;
	/* v1 says "no limit" with a number near 2^63. */
	h->unlimited = limit / 1024 >= total_kib;
	h->budget_kib = h->unlimited ? total_kib : limit / 1024;
	h->used_kib = (usage > inactive ? usage - inactive : 0) / 1024;
	if (h->cgroup_version == 2) {
		snprintf(psi, sizeof(psi), "%s/memory.pressure", dir);
		read_psi(ctx, KVMOPS_ROOT_SYS, psi, h);
	} else {
		read_psi(ctx, KVMOPS_ROOT_PROC, "/proc/pressure/memory", h);
	}
	return 0;
}

KVMOPS_EXPORT int
kvmops_balloon_auto_host_read(struct kvmops_ctx *ctx, const char *cgroup,
			      struct kvmops_balloon_auto_host *h)
{
	uint64_t total, available, elapsed = h->elapsed_ms,
				   last_used = h->last_used_kib;
	int rc;

	kvmops_clear_error(ctx);
	memset(h, 0, sizeof(*h));
	h->elapsed_ms = elapsed;
	h->last_used_kib = last_used;
	rc = kvmops_read_meminfo(ctx, &total, &available);
	if (rc)
		return rc;
	if (cgroup && *cgroup)
		return read_cgroup(ctx, cgroup, total, h);
	h->budget_kib = total;
	h->used_kib = total > available ? total - available : 0;
	read_psi(ctx, KVMOPS_ROOT_PROC, "/proc/pressure/memory", h);
	return 0;
}

/* ---- the guests ---------------------------------------------------------- */

/* In a libvirt job (a migration, a save, a backup): 1, 0, or -EIO. */
static int dom_in_job(virDomainPtr dom)
{
	struct kvmops_job job;
	int rc = kvmops_read_job(dom, 0, &job);

	return rc == -ENODATA ? 0 : rc ? rc : 1;
}

static int in_job(virConnectPtr conn, const char *name)
{
	virDomainPtr dom = VIRT(virDomainLookupByName)(conn, name);
	int rc;

	if (!dom)
		return -EIO;
	rc = dom_in_job(dom);
	VIRT(virDomainFree)(dom);
	return rc;
}

static const struct kvmops_balloon_auto_guest *
find_guest(const struct kvmops_balloon_auto_guest *guests, size_t count,
	   const char *name)
{
	size_t i;

	for (i = 0; i < count; i++)
		if (!strcmp(guests[i].balloon.name, name))
			return &guests[i];
	return NULL;
}

/*
 * A guest that cannot be judged for a reason that lasts (no balloon, no
 * stats period, no driver) is looked up (its sizes, its XML) once every
 * this many cycles, not every cycle: with many such guests the lookups
 * would cost more than the rest of the cycle.
 */
#define RECHECK_CYCLES 6
#define LASTING                                                \
	(KVMOPS_BALLOON_NO_DEVICE | KVMOPS_BALLOON_NO_PERIOD | \
	 KVMOPS_BALLOON_NO_DRIVER)

struct carried {
	const struct kvmops_balloon_auto_guest *guests;
	size_t count;
	bool *reused; /* per last guest: its figures stood in this cycle */
};

/* The last cycle's figures still stand for this guest. */
static bool still_known(const struct kvmops_balloon_auto_guest *last)
{
	return last && last->balloon.problems & LASTING && last->recheck_in;
}

static bool known_from_last(struct kvmops_balloon *b, void *data)
{
	const struct carried *c = data;
	const struct kvmops_balloon_auto_guest *last =
		find_guest(c->guests, c->count, b->name);

	if (!still_known(last) || !c->reused)
		return false;
	c->reused[last - c->guests] = true;
	b->current_kib = last->balloon.current_kib;
	b->max_kib = last->balloon.max_kib;
	b->stats_period = last->balloon.stats_period;
	b->min_guarantee_kib = last->balloon.min_guarantee_kib;
	b->problems = last->balloon.problems;
	return true;
}

static void carry_recheck(struct kvmops_balloon_auto_guest *g,
			  const struct kvmops_balloon_auto_guest *last,
			  const struct carried *c)
{
	if (last && c->reused && c->reused[last - c->guests])
		g->recheck_in = last->recheck_in - 1;
	else
		g->recheck_in = g->balloon.problems & LASTING ? RECHECK_CYCLES :
								0;
}

/* What the last cycle carried, and the figures of this one. */
static void refresh_guest(struct kvmops_ctx *ctx, virConnectPtr conn,
			  struct kvmops_balloon_auto_guest *g,
			  const struct kvmops_balloon_auto_guest *last,
			  const struct carried *c)
{
	carry_recheck(g, last, c);
	if (last) {
		g->share = last->share;
		g->seen = last->seen;
		g->last_swap_in_kib = last->last_swap_in_kib;
		g->last_major_faults = last->last_major_faults;
		g->last_in_use_kib = last->last_in_use_kib;
		g->skip_said = last->skip_said;
		/* A job seen before is asked after until it ends. */
		g->migrating = last->migrating &&
			       in_job(conn, g->balloon.name) != 0;
	}
	/* Without stats there is no floor: the guest is skipped anyway. */
	if (kvmops_balloon_floor(ctx, &g->balloon,
				 KVMOPS_BALLOON_DEFAULT_MARGIN, &g->floor_kib))
		g->floor_kib = g->balloon.current_kib;
}

KVMOPS_EXPORT int
kvmops_balloon_auto_gather(struct kvmops_ctx *ctx, virConnectPtr conn,
			   struct kvmops_balloon_auto_guest **guests,
			   size_t *count)
{
	struct carried carried = { .guests = *guests,
				   .count = *guests ? *count : 0 };
	struct kvmops_balloon_auto_guest *fresh;
	struct kvmops_balloon *list;
	size_t n, i;
	int rc;

	/* Without memory for the marks, every guest is looked up: slower. */
	carried.reused = calloc(carried.count ? carried.count : 1, 1);
	rc = kvmops_balloon_list_known(ctx, conn, KVMOPS_BALLOON_LIST_ACTIVE,
				       known_from_last, &carried, &list, &n);
	if (rc) {
		free(carried.reused);
		return rc;
	}
	fresh = calloc(n ? n : 1, sizeof(*fresh));
	if (!fresh) {
		free(carried.reused);
		free(list);
		return kvmops_fail(ctx, -ENOMEM, "out of memory");
	}
	for (i = 0; i < n; i++) {
		fresh[i].balloon = list[i];
		refresh_guest(ctx, conn, &fresh[i],
			      find_guest(carried.guests, carried.count,
					 list[i].name),
			      &carried);
	}
	kvmops_clear_error(ctx);
	free(carried.reused);
	free(list);
	free(*guests);
	*guests = fresh;
	*count = n;
	return 0;
}

/*
 * One guest's change, one lookup for both questions: 1 when it is in a
 * job (nothing set), 0 when set, or -EIO said.
 */
static int change_live(struct kvmops_ctx *ctx, virConnectPtr conn,
		       const char *name, uint64_t kib)
{
	virDomainPtr dom = VIRT(virDomainLookupByName)(conn, name);
	int rc;

	if (!dom)
		return kvmops_fail(ctx, -EIO,
				   "cannot set the balloon of %s: %s", name,
				   kvmops_virt_message());
	rc = dom_in_job(dom) > 0;
	if (!rc &&
	    VIRT(virDomainSetMemoryFlags)(dom, kib, VIR_DOMAIN_AFFECT_LIVE) < 0)
		rc = kvmops_fail(ctx, -EIO, "cannot set the balloon of %s: %s",
				 name, kvmops_virt_message());
	VIRT(virDomainFree)(dom);
	return rc;
}

static void turn_into_skip(struct kvmops_balloon_auto_guest *g,
			   struct kvmops_balloon_auto_decision *d)
{
	g->migrating = true;
	d->action = KVMOPS_BALLOON_AUTO_SKIP;
	d->skip = KVMOPS_BALLOON_AUTO_MIGRATING;
	d->to_kib = d->from_kib;
	snprintf(
		d->reason, sizeof(d->reason), "%s",
		"skip: in a libvirt job (a migration, a save, a backup); left alone");
}

KVMOPS_EXPORT int
kvmops_balloon_auto_apply(struct kvmops_ctx *ctx, virConnectPtr conn,
			  struct kvmops_balloon_auto_guest *guests,
			  struct kvmops_balloon_auto_decision *decisions,
			  size_t count, unsigned int *changed)
{
	size_t i;
	int rc = 0;

	kvmops_clear_error(ctx);
	*changed = 0;
	for (i = 0; i < count; i++) {
		struct kvmops_balloon_auto_decision *d = &decisions[i];
		const char *name = guests[i].balloon.name;

		if (d->action != KVMOPS_BALLOON_AUTO_SHRINK &&
		    d->action != KVMOPS_BALLOON_AUTO_GROW)
			continue;
		switch (change_live(ctx, conn, name, d->to_kib)) {
		case 0:
			(*changed)++;
			guests[i].recheck_in = 0; /* its figures changed */
			break;
		case 1:
			turn_into_skip(&guests[i], d);
			break;
		default:
			snprintf(d->reason, sizeof(d->reason), "%s",
				 kvmops_last_error(ctx));
			rc = -EIO;
		}
	}
	return rc;
}
