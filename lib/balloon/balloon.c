// SPDX-License-Identifier: LGPL-2.1-or-later
/* The virtio balloon: figures for every guest at once, and safe changes. */
#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "libkvmops-private.h"
#include "virt/domain.h"
#include "virt/xml.h"

/* Stats older than this many periods (and at least STALE_MIN_S) are stale. */
#define STALE_PERIODS 3
#define STALE_MIN_S 10
#define WAIT_POLL_MS 250
#define FRESH_STATS_MS 5000
/*
 * list reads at most this many domain XMLs to say why stats are missing;
 * past it, such guests are flagged no-stats without the cause, so a host
 * of many silent guests still costs one bulk call (stats DOMAIN tells).
 */
#define MAX_DIAGNOSED 16

static const char *conn_uri(virConnectPtr conn)
{
	static __thread char uri[512];
	char *u = VIRT(virConnectGetURI)(conn);

	snprintf(uri, sizeof(uri), "%s", u ? u : "this connection");
	free(u);
	return uri;
}

/* ---- the stats record ------------------------------------------------- */

struct field {
	const char *name;
	size_t offset;
	unsigned int have;
};

#define FIELD(n, member, h)                                   \
	{                                                     \
		n, offsetof(struct kvmops_balloon, member), h \
	}

static const struct field fields[] = {
	FIELD("balloon.current", current_kib, 0),
	FIELD("balloon.maximum", max_kib, 0),
	FIELD("balloon.usable", usable_kib, KVMOPS_BALLOON_HAVE_USABLE),
	FIELD("balloon.unused", unused_kib, KVMOPS_BALLOON_HAVE_UNUSED),
	FIELD("balloon.available", available_kib,
	      KVMOPS_BALLOON_HAVE_AVAILABLE),
	FIELD("balloon.disk_caches", disk_caches_kib,
	      KVMOPS_BALLOON_HAVE_DISK_CACHES),
	FIELD("balloon.rss", rss_kib, KVMOPS_BALLOON_HAVE_RSS),
	FIELD("balloon.swap_in", swap_in_kib, KVMOPS_BALLOON_HAVE_SWAP),
	FIELD("balloon.swap_out", swap_out_kib, KVMOPS_BALLOON_HAVE_SWAP),
	FIELD("balloon.major_fault", major_faults, KVMOPS_BALLOON_HAVE_FAULTS),
	FIELD("balloon.minor_fault", minor_faults, KVMOPS_BALLOON_HAVE_FAULTS),
};

static void take_param(struct kvmops_balloon *b, const virTypedParameter *p,
		       time_t now)
{
	size_t i;

	if (!strcmp(p->field, "state.state")) {
		b->state = (int)kvmops_param_u64(p);
		return;
	}
	if (!strcmp(p->field, "balloon.last-update")) {
		b->have |= KVMOPS_BALLOON_HAVE_LAST_UPDATE;
		b->stats_age = (int64_t)now - (int64_t)kvmops_param_u64(p);
		return;
	}
	for (i = 0; i < ARRAY_SIZE(fields); i++) {
		if (strcmp(p->field, fields[i].name))
			continue;
		*(uint64_t *)((char *)b + fields[i].offset) =
			kvmops_param_u64(p);
		b->have |= fields[i].have;
		return;
	}
}

/* The record's own figures: no call to libvirt. */
static void from_record(const virDomainStatsRecord *rec,
			struct kvmops_balloon *b)
{
	time_t now = time(NULL);
	int i;

	memset(b, 0, sizeof(*b));
	b->stats_period = -1;
	snprintf(b->name, sizeof(b->name), "%s",
		 VIRT(virDomainGetName)(rec->dom));
	for (i = 0; i < rec->nparams; i++)
		take_param(b, &rec->params[i], now);
}

/* Drivers without balloon stats (test:///) still know the sizes. */
static void sizes_from_info(const virDomainStatsRecord *rec,
			    struct kvmops_balloon *b)
{
	virDomainInfo info;

	if (!b->max_kib && !VIRT(virDomainGetInfo)(rec->dom, &info)) {
		b->max_kib = info.maxMem;
		b->current_kib = info.memory;
	}
}

/* ---- the domain XML ---------------------------------------------------- */

/* <min_guarantee unit='...'>: libvirt writes KiB, but accepts others. */
static int min_guarantee_kib(struct kvmops_ctx *ctx, struct kvmops_xml *x,
			     uint64_t *kib)
{
	char *unit = kvmops_xml_string(
		x, NULL, "string(/domain/memtune/min_guarantee/@unit)");
	uint64_t unit_bytes = 1024, value;
	int rc;

	if (!unit)
		return -ENOMEM;
	if (kvmops_unit_bytes(strcmp(unit, "bytes") ? unit : "B", &unit_bytes))
		unit_bytes = 0; /* a unit libvirt would refuse: unknown */
	free(unit);
	/* Whatever the unit, the bytes must fit in 64 bits. */
	rc = kvmops_xml_u64(ctx, x, NULL,
			    "string(/domain/memtune/min_guarantee)",
			    "<memtune><min_guarantee>",
			    unit_bytes ? UINT64_MAX / unit_bytes : 0, &value);
	*kib = rc ? 0 : value * unit_bytes / 1024;
	return rc;
}

int kvmops_balloon_xml_details(struct kvmops_ctx *ctx, const char *xml,
			       struct kvmops_balloon *b, bool *has_device)
{
	struct kvmops_xml x;
	uint64_t period;
	char *model;
	int rc;

	*has_device = true;
	if (kvmops_xml_parse(xml, &x))
		return kvmops_fail(ctx, -EINVAL,
				   "cannot read the domain's XML");
	model = kvmops_xml_string(&x, NULL,
				  "string(/domain/devices/memballoon/@model)");
	*has_device = model && *model && strcmp(model, "none");
	free(model);
	rc = kvmops_xml_u64(ctx, &x, NULL,
			    "string(/domain/devices/memballoon/stats/@period)",
			    "<memballoon><stats period>", INT_MAX, &period);
	b->stats_period = (int)period;
	if (!rc)
		rc = min_guarantee_kib(ctx, &x, &b->min_guarantee_kib);
	kvmops_xml_close(&x);
	return rc;
}

/* The domain's XML (@xml_flags as virDomainGetXMLDesc takes them). */
static char *domain_xml(virDomainPtr dom, unsigned int xml_flags)
{
	return VIRT(virDomainGetXMLDesc)(dom, xml_flags);
}

/* Without the XML the details stay unknown, as for a device that has none. */
static int read_xml_details(struct kvmops_ctx *ctx, virDomainPtr dom,
			    struct kvmops_balloon *b, bool *has_device)
{
	char *xml = domain_xml(dom, 0);
	int rc = 0;

	*has_device = true;
	if (xml)
		rc = kvmops_balloon_xml_details(ctx, xml, b, has_device);
	free(xml);
	return rc;
}

int kvmops_balloon_xml_sizes(struct kvmops_ctx *ctx, const char *xml,
			     struct kvmops_balloon *b)
{
	/* libvirt writes both in KiB, which must fit in 64 bits as bytes. */
	static const uint64_t max_kib = UINT64_MAX / 1024;
	uint64_t max = 0, current = 0;
	struct kvmops_xml x;
	int rc;

	if (kvmops_xml_parse(xml, &x))
		return kvmops_fail(ctx, -EINVAL,
				   "cannot read the domain's XML");
	rc = kvmops_xml_u64(ctx, &x, NULL, "string(/domain/memory)", "<memory>",
			    max_kib, &max);
	if (!rc)
		rc = kvmops_xml_u64(ctx, &x, NULL,
				    "string(/domain/currentMemory)",
				    "<currentMemory>", max_kib, &current);
	kvmops_xml_close(&x);
	if (rc)
		return rc;
	if (max)
		b->max_kib = max;
	if (current)
		b->current_kib = current;
	return 0;
}

/*
 * The sizes in the persistent config, which may differ from the running
 * guest's: a config-only change is judged against them.
 */
static int read_config_sizes(struct kvmops_ctx *ctx, virDomainPtr dom,
			     struct kvmops_balloon *b)
{
	char *xml = domain_xml(dom, VIR_DOMAIN_XML_INACTIVE);
	int rc;

	if (!xml)
		return kvmops_fail(ctx, -EIO,
				   "cannot read the config of %s: %s", b->name,
				   kvmops_virt_message());
	rc = kvmops_balloon_xml_sizes(ctx, xml, b);
	free(xml);
	return rc;
}

/*
 * Why a running guest's stats are missing or old, from its XML. *@budget
 * counts the XML reads left; with none left, the cause stays unknown.
 * -ERANGE for a figure of the XML out of range (see read_xml_details).
 */
static int diagnose(struct kvmops_ctx *ctx, virDomainPtr dom,
		    struct kvmops_balloon *b, bool always, int *budget)
{
	bool device, have = b->have & KVMOPS_BALLOON_HAVE_LAST_UPDATE;
	int stale_after, rc;

	if (!always && b->state == VIR_DOMAIN_RUNNING && have &&
	    b->stats_age <= STALE_MIN_S)
		return 0;
	if (!always && b->state != VIR_DOMAIN_RUNNING)
		return 0;
	if (!always && (*budget)-- <= 0) {
		b->problems |= have ? KVMOPS_BALLOON_STALE :
				      KVMOPS_BALLOON_NO_DRIVER;
		return 0;
	}
	rc = read_xml_details(ctx, dom, b, &device);
	if (rc)
		return rc;
	if (!device) {
		b->problems |= KVMOPS_BALLOON_NO_DEVICE;
		return 0;
	}
	if (b->state != VIR_DOMAIN_RUNNING)
		return 0;
	stale_after = b->stats_period * STALE_PERIODS;
	if (stale_after < STALE_MIN_S)
		stale_after = STALE_MIN_S;
	if (b->stats_period <= 0)
		b->problems |= KVMOPS_BALLOON_NO_PERIOD;
	else if (!have)
		b->problems |= KVMOPS_BALLOON_NO_DRIVER;
	else if (b->stats_age > stale_after)
		b->problems |= KVMOPS_BALLOON_STALE;
	return 0;
}

/* ---- listing ----------------------------------------------------------- */

#define BALLOON_STATS (VIR_DOMAIN_STATS_STATE | VIR_DOMAIN_STATS_BALLOON)

static unsigned int list_flags(unsigned int flags)
{
	unsigned int f = 0;

	if (flags & KVMOPS_BALLOON_LIST_ACTIVE)
		f |= VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE;
	if (flags & KVMOPS_BALLOON_LIST_INACTIVE)
		f |= VIR_CONNECT_GET_ALL_DOMAINS_STATS_INACTIVE;
	return f;
}

KVMOPS_EXPORT int kvmops_balloon_list(struct kvmops_ctx *ctx,
				      virConnectPtr conn, unsigned int flags,
				      struct kvmops_balloon **out,
				      size_t *count)
{
	return kvmops_balloon_list_known(ctx, conn, flags, NULL, NULL, out,
					 count);
}

bool kvmops_balloon_no_figures(const struct kvmops_balloon *b)
{
	return !b->max_kib && !(b->have & KVMOPS_BALLOON_HAVE_LAST_UPDATE);
}

int kvmops_balloon_list_known(struct kvmops_ctx *ctx, virConnectPtr conn,
			      unsigned int flags, kvmops_balloon_known_fn known,
			      void *data, struct kvmops_balloon **out,
			      size_t *count)
{
	virDomainStatsRecordPtr *recs = NULL;
	struct kvmops_balloon *list;
	int n, i, budget = MAX_DIAGNOSED;

	kvmops_clear_error(ctx);
	n = VIRT(virConnectGetAllDomainStats)(conn, BALLOON_STATS, &recs,
					      list_flags(flags));
	if (n < 0)
		return kvmops_fail(
			ctx, -EIO,
			"cannot get the domains' balloon stats from %s: %s",
			conn_uri(conn), kvmops_virt_message());
	list = calloc(n ? (size_t)n : 1, sizeof(*list));
	if (!list) {
		VIRT(virDomainStatsRecordListFree)(recs);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		from_record(recs[i], &list[i]);
		if (known && kvmops_balloon_no_figures(&list[i]) &&
		    known(&list[i], data))
			continue;
		sizes_from_info(recs[i], &list[i]);
		/* In a list, a figure out of range is shown as unknown. */
		if (diagnose(ctx, recs[i]->dom, &list[i], false, &budget))
			kvmops_clear_error(ctx);
	}
	VIRT(virDomainStatsRecordListFree)(recs);
	*out = list;
	*count = (size_t)n;
	return 0;
}

static int lookup(struct kvmops_ctx *ctx, virConnectPtr conn, const char *name,
		  virDomainPtr *dom)
{
	*dom = VIRT(virDomainLookupByName)(conn, name);
	if (!*dom)
		return kvmops_fail(ctx, -ENOENT, "no domain '%s' at %s", name,
				   conn_uri(conn));
	return 0;
}

static int get_one_quiet(virDomainPtr dom, struct kvmops_balloon *b)
{
	virDomainPtr doms[] = { dom, NULL };
	virDomainStatsRecordPtr *recs = NULL;
	int n = VIRT(virDomainListGetStats)(doms, BALLOON_STATS, &recs, 0);

	if (n >= 1) {
		from_record(recs[0], b);
		sizes_from_info(recs[0], b);
	}
	VIRT(virDomainStatsRecordListFree)(recs);
	return n >= 1 ? 0 : -EIO;
}

static int get_one(struct kvmops_ctx *ctx, virDomainPtr dom,
		   struct kvmops_balloon *b)
{
	if (get_one_quiet(dom, b))
		return kvmops_fail(ctx, -EIO,
				   "cannot get the balloon stats of %s: %s",
				   VIRT(virDomainGetName)(dom),
				   kvmops_virt_message());
	return 0;
}

KVMOPS_EXPORT int kvmops_balloon_get(struct kvmops_ctx *ctx, virConnectPtr conn,
				     const char *name, struct kvmops_balloon *b)
{
	virDomainPtr dom;
	int rc;

	kvmops_clear_error(ctx);
	rc = lookup(ctx, conn, name, &dom);
	if (rc)
		return rc;
	rc = get_one(ctx, dom, b);
	if (!rc)
		rc = diagnose(ctx, dom, b, true, NULL);
	VIRT(virDomainFree)(dom);
	return rc;
}

/* ---- the floor --------------------------------------------------------- */

/* Room a guest keeps above what it uses: the larger of these two. */
#define DEFAULT_MARGIN_KIB (32 * 1024)
#define DEFAULT_MARGIN_PERCENT 10

KVMOPS_EXPORT uint64_t
kvmops_balloon_default_margin(const struct kvmops_balloon *b)
{
	uint64_t pct = b->max_kib * DEFAULT_MARGIN_PERCENT / 100;

	return pct > DEFAULT_MARGIN_KIB ? pct : DEFAULT_MARGIN_KIB;
}

static const char *stats_fix(const struct kvmops_balloon *b)
{
	if (b->problems & KVMOPS_BALLOON_NO_PERIOD)
		return "it has no stats period: give it one (2 s will do)";
	if (b->problems & KVMOPS_BALLOON_STALE)
		return "its stats stopped coming: is the guest hung, or its virtio_balloon driver unloaded?";
	return "the guest sends none: load its virtio_balloon driver";
}

KVMOPS_EXPORT int kvmops_balloon_floor(struct kvmops_ctx *ctx,
				       const struct kvmops_balloon *b,
				       uint64_t margin_kib, uint64_t *floor_kib)
{
	uint64_t used, floor;

	if (!(b->have & KVMOPS_BALLOON_HAVE_USABLE) ||
	    (b->problems & (KVMOPS_BALLOON_NO_PERIOD |
			    KVMOPS_BALLOON_NO_DRIVER | KVMOPS_BALLOON_STALE)))
		return kvmops_fail_remedy(
			ctx, -ENODATA,
			b->problems & KVMOPS_BALLOON_NO_PERIOD ?
				"stats_period,force" :
				"force",
			"no memory figures from %s, so no safe floor: %s; or go below the floor by force",
			b->name, stats_fix(b));
	used = b->usable_kib < b->current_kib ? b->current_kib - b->usable_kib :
						0;
	if (margin_kib == KVMOPS_BALLOON_DEFAULT_MARGIN)
		margin_kib = kvmops_balloon_default_margin(b);
	floor = used + margin_kib;
	if (floor < b->min_guarantee_kib)
		floor = b->min_guarantee_kib;
	*floor_kib = floor;
	return 0;
}

/* ---- setting ----------------------------------------------------------- */

/* "128 MiB (131072 KiB)": readable, and exact for scripts. */
static const char *kib_str(uint64_t kib, int slot)
{
	static __thread char bufs[4][64];
	char human[32];

	kvmops_size_format(kib * 1024, human, sizeof(human));
	snprintf(bufs[slot], sizeof(bufs[slot]), "%s (%" PRIu64 " KiB)", human,
		 kib);
	return bufs[slot];
}

static bool is_active(const struct kvmops_balloon *b)
{
	return b->state == VIR_DOMAIN_RUNNING || b->state == VIR_DOMAIN_PAUSED;
}

/*
 * Neither live nor config: as virsh's --current, the running guest, or
 * the config of one that is off. A stats period goes to both of a
 * running guest that has a config.
 */
static unsigned int default_flags(virDomainPtr dom,
				  const struct kvmops_balloon *b,
				  unsigned int flags, bool both)
{
	if (flags & (KVMOPS_BALLOON_LIVE | KVMOPS_BALLOON_CONFIG))
		return flags;
	if (!is_active(b))
		return flags | KVMOPS_BALLOON_CONFIG;
	if (both && VIRT(virDomainIsPersistent)(dom) == 1)
		flags |= KVMOPS_BALLOON_CONFIG;
	return flags | KVMOPS_BALLOON_LIVE;
}

static int check_flags(struct kvmops_ctx *ctx, virDomainPtr dom,
		       const struct kvmops_balloon *b, unsigned int flags)
{
	if ((flags & KVMOPS_BALLOON_LIVE) && !is_active(b))
		return kvmops_fail_remedy(
			ctx, -EINVAL, "config",
			"%s is not running: change its config instead",
			b->name);
	if ((flags & KVMOPS_BALLOON_CONFIG) &&
	    VIRT(virDomainIsPersistent)(dom) != 1)
		return kvmops_fail(
			ctx, -EINVAL,
			"%s is transient: it has no config to change", b->name);
	return 0;
}

static int check_target(struct kvmops_ctx *ctx, const struct kvmops_balloon *b,
			const struct kvmops_size *size, unsigned int flags,
			uint64_t *target)
{
	if (kvmops_size_resolve(ctx, size, b->current_kib, b->max_kib, target))
		return kvmops_fail(
			ctx, -EINVAL,
			"that change would leave %s with less than nothing (it has %" PRIu64
			" KiB)",
			b->name, b->current_kib);
	if (!*target)
		return kvmops_fail(
			ctx, -EINVAL,
			"a balloon target of 0 would leave %s no memory at all",
			b->name);
	if (*target > b->max_kib && !(flags & KVMOPS_BALLOON_RAISE_MAX))
		return kvmops_fail_remedy(
			ctx, -E2BIG, "raise_max",
			"%s is above the maximum of %s, %s; raising the maximum in its persistent config would allow it",
			kib_str(*target, 0), b->name, kib_str(b->max_kib, 1));
	if (*target > b->max_kib && (flags & KVMOPS_BALLOON_LIVE))
		return kvmops_fail_remedy(
			ctx, -E2BIG, "raise_max,config",
			"a running guest's maximum is fixed until it restarts: raise the maximum in its config alone, then restart %s",
			b->name);
	return 0;
}

static int check_floor(struct kvmops_ctx *ctx, const struct kvmops_balloon *b,
		       uint64_t target, uint64_t margin)
{
	uint64_t floor;
	int rc = kvmops_balloon_floor(ctx, b, margin, &floor);

	if (rc)
		return rc;
	if (target >= floor)
		return 0;
	if (margin == KVMOPS_BALLOON_DEFAULT_MARGIN)
		margin = kvmops_balloon_default_margin(b);
	return kvmops_fail_remedy(
		ctx, -EDOM, "force",
		"%s is below the safety floor of %s, %s: %s in use + %s margin%s. The guest would swap or kill processes; only force goes below it",
		kib_str(target, 0), b->name, kib_str(floor, 1),
		kib_str(b->current_kib > b->usable_kib ?
				b->current_kib - b->usable_kib :
				0,
			2),
		kib_str(margin, 3),
		floor == b->min_guarantee_kib ?
			", raised to its <min_guarantee>" :
			"");
}

static int set_max(virDomainPtr dom, uint64_t kib)
{
	const unsigned int flags = VIR_DOMAIN_AFFECT_CONFIG |
				   VIR_DOMAIN_MEM_MAXIMUM;

	return VIRT(virDomainSetMemoryFlags)(dom, kib, flags);
}

static int apply(struct kvmops_ctx *ctx, virDomainPtr dom,
		 const struct kvmops_balloon *b, uint64_t target,
		 unsigned int flags)
{
	unsigned int vf = 0;

	if (target > b->max_kib && set_max(dom, target) < 0)
		return kvmops_fail(ctx, -EIO,
				   "cannot raise the maximum of %s: %s",
				   b->name, kvmops_virt_message());
	if (flags & KVMOPS_BALLOON_LIVE)
		vf |= VIR_DOMAIN_AFFECT_LIVE;
	if (flags & KVMOPS_BALLOON_CONFIG)
		vf |= VIR_DOMAIN_AFFECT_CONFIG;
	if (VIRT(virDomainSetMemoryFlags)(dom, target, vf) < 0) {
		kvmops_fail(ctx, -EIO, "cannot set the balloon of %s: %s",
			    b->name, kvmops_virt_message());
		if (target > b->max_kib) /* the maximum goes back as it was */
			set_max(dom, b->max_kib);
		return -EIO;
	}
	return 0;
}

/*
 * What every change starts with: the domain, its figures and why any are
 * missing, a balloon device (else -ENODEV, @no_device_why saying what that
 * means), and flags that fit its state (@both: see default_flags). On
 * success the caller frees *@dom.
 */
static int prepare(struct kvmops_ctx *ctx, virConnectPtr conn, const char *name,
		   unsigned int *flags, bool both, const char *no_device_why,
		   virDomainPtr *dom, struct kvmops_balloon *b)
{
	int rc = lookup(ctx, conn, name, dom);

	if (rc)
		return rc;
	rc = get_one(ctx, *dom, b);
	if (!rc)
		rc = diagnose(ctx, *dom, b, true, NULL);
	if (!rc) {
		if (b->problems & KVMOPS_BALLOON_NO_DEVICE)
			rc = kvmops_fail(
				ctx, -ENODEV,
				"%s has no balloon device (<memballoon model='none'/>): %s",
				name, no_device_why);
	}
	if (!rc) {
		*flags = default_flags(*dom, b, *flags, both);
		rc = check_flags(ctx, *dom, b, *flags);
	}
	if (rc)
		VIRT(virDomainFree)(*dom);
	return rc;
}

/* The margin: given (a size, or a percent of the maximum), or the default. */
static int resolve_margin(struct kvmops_ctx *ctx,
			  const struct kvmops_balloon *b,
			  const struct kvmops_size *margin, uint64_t *kib)
{
	if (!margin) {
		*kib = kvmops_balloon_default_margin(b);
		return 0;
	}
	if (margin->kind == KVMOPS_SIZE_DELTA ||
	    margin->kind == KVMOPS_SIZE_DELTA_PERCENT)
		return kvmops_fail_remedy(
			ctx, -EINVAL, "margin",
			"a margin is a size or a percent of the maximum, not a change");
	return kvmops_size_resolve(ctx, margin, b->current_kib, b->max_kib,
				   kib);
}

KVMOPS_EXPORT int kvmops_balloon_resize(struct kvmops_ctx *ctx,
					virConnectPtr conn, const char *name,
					const struct kvmops_size *size,
					unsigned int flags,
					const struct kvmops_size *margin,
					struct kvmops_balloon_change *change)
{
	struct kvmops_balloon b;
	virDomainPtr dom;
	uint64_t margin_kib = 0;
	int rc;

	kvmops_clear_error(ctx);
	memset(change, 0, sizeof(*change));
	rc = prepare(ctx, conn, name, &flags, false,
		     "its memory can only change with a restart", &dom, &b);
	if (rc)
		return rc;
	if (!(flags & KVMOPS_BALLOON_LIVE))
		rc = read_config_sizes(ctx, dom, &b);
	if (rc) {
		VIRT(virDomainFree)(dom);
		return rc;
	}
	change->before_kib = b.current_kib;
	change->flags = flags;
	rc = resolve_margin(ctx, &b, margin, &margin_kib);
	if (!rc)
		rc = check_target(ctx, &b, size, flags, &change->target_kib);
	/* Only shrinking can starve a guest. */
	if (!rc && (flags & KVMOPS_BALLOON_LIVE) &&
	    !(flags & KVMOPS_BALLOON_FORCE) &&
	    change->target_kib < b.current_kib)
		rc = check_floor(ctx, &b, change->target_kib, margin_kib);
	if (!rc)
		rc = apply(ctx, dom, &b, change->target_kib, flags);
	VIRT(virDomainFree)(dom);
	return rc;
}

KVMOPS_EXPORT int kvmops_balloon_set(struct kvmops_ctx *ctx, virConnectPtr conn,
				     const char *name,
				     const struct kvmops_size *size,
				     unsigned int flags, uint64_t margin_kib,
				     uint64_t *target_kib)
{
	struct kvmops_size margin = { .kind = KVMOPS_SIZE_ABSOLUTE,
				      .sign = 1,
				      .kib = margin_kib };
	struct kvmops_balloon_change change;
	int rc = kvmops_balloon_resize(
		ctx, conn, name, size, flags,
		margin_kib == KVMOPS_BALLOON_DEFAULT_MARGIN ? NULL : &margin,
		&change);

	*target_kib = change.target_kib;
	return rc;
}

/* ---- waiting ----------------------------------------------------------- */

static bool close_enough(uint64_t a, uint64_t b, uint64_t tolerance)
{
	return (a > b ? a - b : b - a) <= tolerance;
}

/*
 * Once the balloon is there, waits (a little) for the guest's next stats:
 * until then they describe the old size, and a floor computed from them
 * right away would be wrong.
 */
static void fresh_stats(virDomainPtr dom, struct kvmops_balloon *b)
{
	time_t reached = time(NULL);
	uint64_t deadline = kvmops_now_ms() + FRESH_STATS_MS;

	if (!(b->have & KVMOPS_BALLOON_HAVE_LAST_UPDATE))
		return;
	while (time(NULL) - b->stats_age <= reached &&
	       kvmops_now_ms() < deadline) {
		usleep(WAIT_POLL_MS * 1000);
		if (get_one_quiet(dom, b))
			return;
	}
}

KVMOPS_EXPORT int
kvmops_balloon_wait(struct kvmops_ctx *ctx, virConnectPtr conn,
		    const char *name, uint64_t target_kib,
		    uint64_t tolerance_kib, unsigned int timeout_ms,
		    unsigned int stall_ms, const volatile int *cancel,
		    uint64_t *reached_kib)
{
	uint64_t start = kvmops_now_ms(), moved = start, last = 0;
	struct kvmops_balloon b;
	virDomainPtr dom;
	int rc;

	kvmops_clear_error(ctx);
	rc = lookup(ctx, conn, name, &dom);
	while (!rc) {
		rc = get_one(ctx, dom, &b);
		if (rc)
			break;
		*reached_kib = b.current_kib;
		if (close_enough(b.current_kib, target_kib, tolerance_kib)) {
			fresh_stats(dom, &b);
			break;
		}
		if (b.current_kib != last) {
			last = b.current_kib;
			moved = kvmops_now_ms();
		}
		if (cancel && *cancel)
			rc = kvmops_fail(
				ctx, -ECANCELED,
				"interrupted at %" PRIu64 " KiB of %" PRIu64
				" KiB; the balloon goes on toward its target",
				b.current_kib, target_kib);
		else if (kvmops_now_ms() - start >= timeout_ms)
			rc = kvmops_fail(ctx, -ETIMEDOUT,
					 "%s reached %" PRIu64
					 " KiB of %" PRIu64 " KiB in %u s",
					 name, b.current_kib, target_kib,
					 timeout_ms / 1000);
		else if (kvmops_now_ms() - moved >= stall_ms)
			rc = kvmops_fail(
				ctx, -EAGAIN,
				"%s stopped at %" PRIu64
				" KiB, short of %" PRIu64
				" KiB: the guest will not give up more (or take more)",
				name, b.current_kib, target_kib);
		else
			usleep(WAIT_POLL_MS * 1000);
	}
	if (dom)
		VIRT(virDomainFree)(dom);
	return rc;
}

/* ---- the stats period -------------------------------------------------- */

KVMOPS_EXPORT int kvmops_balloon_set_period(struct kvmops_ctx *ctx,
					    virConnectPtr conn,
					    const char *name, int seconds,
					    unsigned int flags)
{
	struct kvmops_balloon b;
	virDomainPtr dom;
	unsigned int vf = 0;
	int rc;

	kvmops_clear_error(ctx);
	if (seconds < 0)
		return kvmops_fail(ctx, -EINVAL,
				   "a stats period cannot be negative");
	rc = prepare(ctx, conn, name, &flags, true,
		     "it has no stats to ask for", &dom, &b);
	if (rc)
		return rc;
	if (flags & KVMOPS_BALLOON_LIVE)
		vf |= VIR_DOMAIN_AFFECT_LIVE;
	if (flags & KVMOPS_BALLOON_CONFIG)
		vf |= VIR_DOMAIN_AFFECT_CONFIG;
	if (VIRT(virDomainSetMemoryStatsPeriod)(dom, seconds, vf) < 0)
		rc = kvmops_fail(ctx, -EIO,
				 "cannot set the stats period of %s: %s", name,
				 kvmops_virt_message());
	VIRT(virDomainFree)(dom);
	return rc;
}
