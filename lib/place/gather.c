// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The figures placement plans from (kvmops_place_gather), across the
 * subsystems (HACKING, "Layout"): each host's
 * overcommit figures, its guests in one bulk call, their KSM fair shares
 * where the host is this machine, and the pre-flight check of each move
 * the plan may choose, with the mode it would take.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "place/place.h"
#include "virt/domain.h"

#define GUEST_STATS                                          \
	(VIR_DOMAIN_STATS_STATE | VIR_DOMAIN_STATS_BALLOON | \
	 VIR_DOMAIN_STATS_VCPU)

KVMOPS_EXPORT void kvmops_place_figures_free(struct kvmops_place_figures *f)
{
	free(f->hosts);
	free(f->guests);
	free(f->names);
	free(f->checks);
	free(f->whys);
	memset(f, 0, sizeof(*f));
}

/* ---- the hosts ------------------------------------------------------------ */

static void read_host(struct kvmops_ctx *ctx, virConnectPtr conn,
		      const char *uri, uint64_t mem_kib,
		      struct kvmops_place_host *h)
{
	struct kvmops_overcommit *oc = &h->oc;

	h->uri = uri;
	h->reachable = conn && !kvmops_overcommit(ctx, conn, oc);
	if (!h->reachable || !mem_kib)
		return;
	/* A budget of its own: what its guests are given comes out of it. */
	oc->host_mem_kib = mem_kib;
	oc->host_free_kib = mem_kib > oc->sum_current_kib ?
				    mem_kib - oc->sum_current_kib :
				    0;
	kvmops_overcommit_judge(oc);
}

/* ---- the guests ----------------------------------------------------------- */

static int grow_guests(struct kvmops_place_figures *f, size_t more)
{
	size_t n = f->nguests + more;
	void *g = realloc(f->guests, (n ? n : 1) * sizeof(*f->guests));

	if (g)
		f->guests = g;
	g = g ? realloc(f->names, (n ? n : 1) * sizeof(*f->names)) : NULL;
	if (g)
		f->names = g;
	return g ? 0 : -ENOMEM;
}

/* Active: running, paused, shutting down or suspended; not shut off. */
static bool active_state(uint64_t state)
{
	return state != VIR_DOMAIN_SHUTOFF && state != VIR_DOMAIN_CRASHED &&
	       state != VIR_DOMAIN_NOSTATE;
}

static void take_guest(struct kvmops_place_figures *f, size_t host,
		       const virDomainStatsRecord *rec)
{
	struct kvmops_place_guest *g = &f->guests[f->nguests];

	memset(g, 0, sizeof(*g));
	snprintf(f->names[f->nguests], sizeof(f->names[0]), "%s",
		 VIRT(virDomainGetName)(rec->dom));
	g->host = host;
	g->running = active_state(kvmops_stats_u64(rec, "state.state"));
	kvmops_stats_sizes(rec, &g->max_kib, &g->current_kib, &g->vcpus);
	f->nguests++;
}

static int read_guests(struct kvmops_ctx *ctx, virConnectPtr conn, size_t host,
		       unsigned int flags, struct kvmops_place_figures *f)
{
	virDomainStatsRecordPtr *recs = NULL;
	unsigned int which = VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE;
	int n, i, rc;

	/* ACTIVE and SHUTOFF are of different groups, which intersect. */
	if (flags & KVMOPS_PLACE_SHUTOFF)
		which |= VIR_CONNECT_GET_ALL_DOMAINS_STATS_INACTIVE;
	n = VIRT(virConnectGetAllDomainStats)(conn, GUEST_STATS, &recs, which);
	if (n < 0)
		return kvmops_fail(ctx, -EIO,
				   "cannot list the guests of %s: %s",
				   f->hosts[host].uri, kvmops_virt_message());
	rc = grow_guests(f, (size_t)n);
	for (i = 0; i < n && !rc; i++)
		take_guest(f, host, recs[i]);
	VIRT(virDomainStatsRecordListFree)(recs);
	return rc ? kvmops_fail(ctx, rc, "out of memory") : 0;
}

/* Each guest's fair share of KSM's saving, by name, where it is. */
static void read_ksm(struct kvmops_ctx *ctx, virConnectPtr conn, size_t host,
		     struct kvmops_place_figures *f)
{
	struct kvmops_ksm_vm *vms;
	size_t n, i, gi;

	if (!kvmops_conn_is_this_machine(conn) ||
	    kvmops_ksm_vms(ctx, conn, &vms, &n)) {
		kvmops_clear_error(ctx);
		return;
	}
	for (gi = 0; gi < f->nguests; gi++) {
		if (f->guests[gi].host != host)
			continue;
		for (i = 0; i < n; i++)
			if (!strcmp(vms[i].name, f->names[gi]))
				f->guests[gi].ksm_saved_kib =
					vms[i].saved_bytes / 1024;
	}
	free(vms);
}

/*
 * Under a budget of its own, a host's use is what its guests are given
 * less what KSM saves them: the saving a leaving guest takes with it
 * (placement's rule) must have been counted off the host's use first.
 */
static void budget_after_ksm(struct kvmops_place_figures *f, size_t host)
{
	struct kvmops_overcommit *oc = &f->hosts[host].oc;
	uint64_t saved = 0;
	size_t gi;

	for (gi = 0; gi < f->nguests; gi++)
		if (f->guests[gi].host == host)
			saved += f->guests[gi].ksm_saved_kib;
	if (!saved)
		return;
	oc->host_free_kib = oc->host_free_kib + saved < oc->host_mem_kib ?
				    oc->host_free_kib + saved :
				    oc->host_mem_kib;
	kvmops_overcommit_judge(oc);
}

/* ---- the checks ----------------------------------------------------------- */

/* The first FAIL's item and what it found, into @why. */
static void first_fail(const struct kvmops_check_item *items, size_t n,
		       char *why, size_t len)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (items[i].verdict == KVMOPS_VERDICT_FAIL) {
			snprintf(why, len, "%.47s: %.260s", items[i].id,
				 items[i].text);
			return;
		}
	snprintf(why, len, "%s", "the check failed");
}

/* Whether a FAIL is the storage's, which copying the disks would mend. */
static bool storage_fails(const struct kvmops_check_item *items, size_t n)
{
	size_t i;
	bool any = false;

	for (i = 0; i < n; i++) {
		if (items[i].verdict != KVMOPS_VERDICT_FAIL)
			continue;
		if (strncmp(items[i].id, "disk", 4) &&
		    strncmp(items[i].id, "storage", 7))
			return false;
		any = true;
	}
	return any;
}

static enum kvmops_verdict check_one(struct kvmops_ctx *ctx, virConnectPtr src,
				     virConnectPtr dst, const char *name,
				     const struct kvmops_migrate_opts *opts,
				     char *why, size_t len, bool *storage)
{
	struct kvmops_check_item *items = NULL;
	enum kvmops_verdict v;
	size_t n = 0;

	if (kvmops_migrate_check(ctx, src, dst, name, opts, &items, &n)) {
		snprintf(why, len, "the check could not run: %s",
			 kvmops_last_error(ctx));
		kvmops_clear_error(ctx);
		return KVMOPS_VERDICT_FAIL;
	}
	v = kvmops_check_worst(items, n);
	if (v == KVMOPS_VERDICT_FAIL)
		first_fail(items, n, why, len);
	*storage = v == KVMOPS_VERDICT_FAIL && storage_fails(items, n);
	free(items);
	return v;
}

void kvmops_place_offline_opts(struct kvmops_migrate_opts *o)
{
	o->kind = KVMOPS_MIGRATE_OFFLINE;
	o->copy_storage = KVMOPS_COPY_NONE;
	o->migrate_uri = o->listen_address = o->compress = NULL;
	o->bandwidth_mib = o->max_downtime_ms = 0;
	o->parallel = 0;
	o->auto_converge = o->postcopy = o->postcopy_after_precopy = false;
	o->tls = false;
	o->timeout_s = 0;
	o->on_timeout = KVMOPS_ON_TIMEOUT_ABORT;
	o->converge = NULL;
	o->on_converge = NULL;
}

/*
 * Moving guest @gi to host @h, checked as @opts says; with
 * KVMOPS_PLACE_AUTO_MODE a live move that FAILs only on storage is
 * checked again copying the disks, and takes that mode when it passes.
 */
static void check_move(struct kvmops_ctx *ctx, virConnectPtr *conns, size_t gi,
		       size_t h, unsigned int flags,
		       const struct kvmops_migrate_opts *opts,
		       struct kvmops_place_figures *f)
{
	const struct kvmops_place_guest *g = &f->guests[gi];
	struct kvmops_place_check *c = &f->checks[gi * f->nhosts + h];
	char *why = f->whys[gi * f->nhosts + h];
	struct kvmops_migrate_opts o = *opts;
	bool storage = false;

	if (!g->running)
		kvmops_place_offline_opts(&o);
	c->mode = o.kind == KVMOPS_MIGRATE_OFFLINE ? KVMOPS_PLACE_OFFLINE :
		  o.copy_storage		   ? KVMOPS_PLACE_COPY_STORAGE :
						     KVMOPS_PLACE_LIVE;
	c->verdict = check_one(ctx, conns[g->host], conns[h], f->names[gi], &o,
			       why, sizeof(f->whys[0]), &storage);
	if (storage && flags & KVMOPS_PLACE_AUTO_MODE &&
	    c->mode == KVMOPS_PLACE_LIVE) {
		o.copy_storage = KVMOPS_COPY_ALL;
		c->verdict = check_one(ctx, conns[g->host], conns[h],
				       f->names[gi], &o, why,
				       sizeof(f->whys[0]), &storage);
		c->mode = KVMOPS_PLACE_COPY_STORAGE;
	}
	c->why = c->verdict == KVMOPS_VERDICT_FAIL ? why : NULL;
}

static int check_moves(struct kvmops_ctx *ctx, virConnectPtr *conns,
		       unsigned int flags,
		       const struct kvmops_migrate_opts *opts,
		       struct kvmops_place_figures *f)
{
	bool any_source = false;
	size_t gi, h;

	f->checks = calloc(f->nguests * f->nhosts + 1, sizeof(*f->checks));
	f->whys = calloc(f->nguests * f->nhosts + 1, sizeof(*f->whys));
	if (!f->checks || !f->whys)
		return kvmops_fail(ctx, -ENOMEM, "out of memory");
	for (h = 0; h < f->nhosts; h++)
		any_source |= f->hosts[h].source;
	for (gi = 0; gi < f->nguests; gi++) {
		f->guests[gi].checks = &f->checks[gi * f->nhosts];
		if (any_source && !f->hosts[f->guests[gi].host].source)
			continue;
		for (h = 0; h < f->nhosts; h++)
			if (h != f->guests[gi].host && f->hosts[h].reachable &&
			    !f->hosts[h].source)
				check_move(ctx, conns, gi, h, flags, opts, f);
	}
	return 0;
}

/* ---- all of it ------------------------------------------------------------ */

KVMOPS_EXPORT int
kvmops_place_gather(struct kvmops_ctx *ctx, virConnectPtr *conns,
		    const char *const *uris, size_t nhosts, const bool *sources,
		    const uint64_t *mem_kib, unsigned int flags,
		    const struct kvmops_migrate_opts *opts,
		    struct kvmops_place_figures *f)
{
	size_t h, gi;
	int rc = 0;

	kvmops_clear_error(ctx);
	memset(f, 0, sizeof(*f));
	f->hosts = calloc(nhosts ? nhosts : 1, sizeof(*f->hosts));
	if (!f->hosts)
		return kvmops_fail(ctx, -ENOMEM, "out of memory");
	f->nhosts = nhosts;
	for (h = 0; h < nhosts; h++) {
		read_host(ctx, conns[h], uris[h], mem_kib ? mem_kib[h] : 0,
			  &f->hosts[h]);
		f->hosts[h].source = sources && sources[h];
		kvmops_clear_error(ctx);
	}
	for (h = 0; h < nhosts && !rc; h++) {
		if (!f->hosts[h].reachable)
			continue;
		rc = read_guests(ctx, conns[h], h, flags, f);
		if (!rc)
			read_ksm(ctx, conns[h], h, f);
		if (!rc && mem_kib && mem_kib[h])
			budget_after_ksm(f, h);
	}
	for (gi = 0; gi < f->nguests; gi++)
		f->guests[gi].name = f->names[gi];
	if (!rc && flags & KVMOPS_PLACE_CHECK)
		rc = check_moves(ctx, conns, flags, opts, f);
	if (rc)
		kvmops_place_figures_free(f);
	return rc;
}
