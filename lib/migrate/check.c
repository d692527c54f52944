// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The pre-flight check: what makes a migration fail halfway, found before
 * it starts: the six precautions of a live migration (HACKING: shared
 * storage, CPU type, 64-bit, NX, a name clash, bridges and networks), and
 * what libvirt itself refuses late: memory, the emulator and machine type,
 * devices tied to the host, and room for copied disks.
 */
#include "config.h"

#include <libgen.h>
#include <math.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "migrate/migrate.h"
#include "virt/xml.h"

/* Room kept free on the destination beyond the guest's memory. */
#define MEMORY_WARN_PERCENT 10

struct report {
	struct kvmops_check_item *items;
	size_t count, cap;
	int err;
};

/* What the check needs to know about the guest, read once from its XML. */
struct guest {
	char *name, *type, *arch, *machine, *emulator;
	char *cpu_mode; /* "" without <cpu> */
	char *cpu_xml; /* the <cpu> element, for virConnectCompareHypervisorCPU */
	uint64_t memory_kib;
};

static void add(struct report *r, const char *id, enum kvmops_verdict verdict,
		const char *fix, const char *fmt, ...) KVMOPS_PRINTF(5, 6);

/* A new item at the end of the report; NULL without memory. */
static struct kvmops_check_item *push(struct report *r)
{
	if (r->count == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		void *p = realloc(r->items, cap * sizeof(*r->items));

		if (!p) {
			r->err = -ENOMEM;
			return NULL;
		}
		r->items = p;
		r->cap = cap;
	}
	return memset(&r->items[r->count++], 0, sizeof(*r->items));
}

static void add(struct report *r, const char *id, enum kvmops_verdict verdict,
		const char *fix, const char *fmt, ...)
{
	struct kvmops_check_item *it = push(r);
	va_list ap;

	if (!it)
		return;
	snprintf(it->id, sizeof(it->id), "%s", id);
	it->verdict = verdict;
	snprintf(it->fix, sizeof(it->fix), "%s", fix ? fix : "");
	va_start(ap, fmt);
	vsnprintf(it->text, sizeof(it->text), fmt, ap);
	va_end(ap);
}

/* The options that would fix the last item added (kvmops_check_item). */
static void remedy(struct report *r, const char *options)
{
	if (r->count && !r->err)
		snprintf(r->items[r->count - 1].remedy,
			 sizeof(r->items[r->count - 1].remedy), "%s", options);
}

static const char *target_name(const struct guest *g,
			       const struct kvmops_migrate_opts *opts)
{
	return opts->dname && *opts->dname ? opts->dname : g->name;
}

static bool is_live(const struct kvmops_migrate_opts *opts)
{
	return opts->kind != KVMOPS_MIGRATE_OFFLINE;
}

/* ---- the guest ---------------------------------------------------------- */

static void guest_free(struct guest *g)
{
	free(g->name);
	free(g->type);
	free(g->arch);
	free(g->machine);
	free(g->emulator);
	free(g->cpu_mode);
	free(g->cpu_xml);
}

static char *cpu_element(struct kvmops_xml *x)
{
	xmlNodePtr *nodes;
	xmlBufferPtr buf;
	size_t n;
	char *text = NULL;

	if (kvmops_xml_nodes(x, NULL, "/domain/cpu", &nodes, &n) || !n) {
		free(nodes);
		return strdup("");
	}
	buf = VIRT(xmlBufferCreate)();
	if (buf && VIRT(xmlNodeDump)(buf, x->doc, nodes[0], 0, 0) >= 0)
		text = strdup((const char *)VIRT(xmlBufferContent)(buf));
	if (buf)
		VIRT(xmlBufferFree)(buf);
	free(nodes);
	return text ? text : strdup("");
}

static int guest_read(struct kvmops_ctx *ctx, struct kvmops_xml *x,
		      struct guest *g)
{
	int rc;

	g->name = kvmops_xml_string(x, NULL, "string(/domain/name)");
	g->type = kvmops_xml_string(x, NULL, "string(/domain/@type)");
	g->arch = kvmops_xml_string(x, NULL, "string(/domain/os/type/@arch)");
	g->machine =
		kvmops_xml_string(x, NULL, "string(/domain/os/type/@machine)");
	g->emulator =
		kvmops_xml_string(x, NULL, "string(/domain/devices/emulator)");
	g->cpu_mode = kvmops_xml_string(x, NULL, "string(/domain/cpu/@mode)");
	g->cpu_xml = cpu_element(x);
	if (!g->name || !g->type || !g->arch || !g->machine || !g->emulator ||
	    !g->cpu_mode || !g->cpu_xml)
		return -ENOMEM;
	/* libvirt writes KiB whatever unit was given */
	rc = kvmops_xml_u64(ctx, x, NULL, "string(/domain/memory)", "<memory>",
			    UINT64_MAX / 1024, &g->memory_kib);
	if (rc)
		return rc;
	if (kvmops_xml_number(x, NULL, "count(/domain/cpu/model)") > 0 &&
	    !*g->cpu_mode) {
		free(g->cpu_mode);
		g->cpu_mode = strdup("custom");
	}
	return g->cpu_mode ? 0 : -ENOMEM;
}

/* ---- one item each ------------------------------------------------------ */

static void check_state(struct report *r, const struct guest *g, int state,
			const struct kvmops_migrate_opts *opts)
{
	bool running = state == VIR_DOMAIN_RUNNING ||
		       state == VIR_DOMAIN_PAUSED ||
		       state == VIR_DOMAIN_BLOCKED;

	if (!running && state != VIR_DOMAIN_SHUTOFF) {
		add(r, "state", KVMOPS_VERDICT_FAIL,
		    "wait until it is running or shut off",
		    "%s is neither running nor shut off (state %d)", g->name,
		    state);
	} else if (is_live(opts) && !running) {
		add(r, "state", KVMOPS_VERDICT_FAIL,
		    "start it, or move it shut off (an offline migration)",
		    "%s is not running: a live migration needs a running guest",
		    g->name);
		remedy(r, "kind");
	} else if (opts->keep_state && !running) {
		add(r, "state", KVMOPS_VERDICT_FAIL,
		    "move it without keeping its memory: it has none to keep",
		    "%s is not running: keeping its memory needs a running guest",
		    g->name);
		remedy(r, "keep_state");
	} else if (!is_live(opts) && !opts->keep_state && running &&
		   !opts->shutdown) {
		add(r, "state", KVMOPS_VERDICT_FAIL,
		    "shut it down first, let the move shut it down, or keep its memory",
		    "%s is running: a cold migration needs it shut off",
		    g->name);
		remedy(r, "shutdown,keep_state");
	} else if (!is_live(opts) && !opts->keep_state && running) {
		add(r, "state", KVMOPS_VERDICT_PASS, NULL,
		    "%s is running: the move shuts it down first", g->name);
	} else {
		add(r, "state", KVMOPS_VERDICT_PASS, NULL, "%s is %s", g->name,
		    running ? "running" : "shut off");
	}
}

/*
 * "DEST is the source" compares URIs; two spellings of one host get here.
 * libvirt refuses hosts with one UUID, which cloned machines also share.
 */
static void check_host(struct report *r, struct kvmops_xml *src_caps,
		       struct kvmops_xml *dst_caps)
{
	char *a = kvmops_xml_string(src_caps, NULL,
				    "string(/capabilities/host/uuid)");
	char *b = kvmops_xml_string(dst_caps, NULL,
				    "string(/capabilities/host/uuid)");

	if (!a || !b || !*a || !*b)
		add(r, "host", KVMOPS_VERDICT_WARN, "compare the hosts by hand",
		    "a host does not give its UUID: cannot tell the destination from this host");
	else if (!strcmp(a, b))
		add(r, "host", KVMOPS_VERDICT_FAIL,
		    "if DEST is this host under another name, pick another host; if the machines were cloned, set a distinct host_uuid in the destination's libvirtd.conf",
		    "the destination has this host's UUID %s", a);
	else
		add(r, "host", KVMOPS_VERDICT_PASS, NULL,
		    "the destination is another host (UUID %s)", b);
	free(a);
	free(b);
}

static void check_name(struct report *r, struct kvmops_probe *dst,
		       const struct guest *g,
		       const struct kvmops_migrate_opts *opts)
{
	const char *name = target_name(g, opts);
	int rc = dst->ops->domain_exists(dst, name);

	if (rc > 0) {
		add(r, "name", KVMOPS_VERDICT_FAIL,
		    "give it another name there, or remove that one (virsh undefine)",
		    "the destination already has a domain named %s", name);
		remedy(r, "dname");
	} else if (rc < 0) {
		add(r, "name", KVMOPS_VERDICT_WARN,
		    "check the destination's domains by hand",
		    "cannot list the destination's domains: %s", dst->error);
	} else {
		add(r, "name", KVMOPS_VERDICT_PASS, NULL,
		    "no domain named %s on the destination", name);
	}
}

static void check_memory(struct report *r, struct kvmops_probe *dst,
			 const struct guest *g)
{
	uint64_t free_kib, need = g->memory_kib;
	char have[24], want[24];

	if (dst->ops->free_kib(dst, &free_kib)) {
		add(r, "memory", KVMOPS_VERDICT_WARN,
		    "check its free memory by hand",
		    "cannot read the destination's free memory: %s",
		    dst->error);
		return;
	}
	kvmops_size_format(free_kib * 1024, have, sizeof(have));
	kvmops_size_format(need * 1024, want, sizeof(want));
	if (free_kib < need)
		add(r, "memory", KVMOPS_VERDICT_FAIL,
		    "free memory there, or shrink the guest first (its balloon, then its maximum)",
		    "the guest may use %s; the destination has %s free", want,
		    have);
	else if (free_kib < need + need * MEMORY_WARN_PERCENT / 100)
		add(r, "memory", KVMOPS_VERDICT_WARN,
		    "free memory there: QEMU needs some beyond the guest's own",
		    "the guest may use %s; the destination has only %s free",
		    want, have);
	else
		add(r, "memory", KVMOPS_VERDICT_PASS, NULL,
		    "the guest may use %s; the destination has %s free", want,
		    have);
}

/* Precaution 3 (HACKING): the destination can run this architecture at all. */
static void check_arch(struct report *r, struct kvmops_xml *caps,
		       const struct guest *g)
{
	char expr[256];
	double found, wordsize;

	snprintf(
		expr, sizeof(expr),
		"count(/capabilities/guest[arch/@name='%s']/arch/domain[@type='%s'])",
		g->arch, g->type);
	found = kvmops_xml_number(caps, NULL, expr);
	snprintf(expr, sizeof(expr),
		 "/capabilities/guest/arch[@name='%s']/wordsize", g->arch);
	wordsize = kvmops_xml_number(caps, NULL, expr);
	if (found > 0)
		add(r, "arch", KVMOPS_VERDICT_PASS, NULL,
		    "the destination runs %s guests (%s%s)", g->arch, g->type,
		    wordsize == 64 ? ", 64-bit" : "");
	else if (!strcmp(g->type, "kvm"))
		add(r, "arch", KVMOPS_VERDICT_FAIL,
		    "enable KVM there (a 64-bit host with /dev/kvm), or move a TCG guest",
		    "the destination cannot run %s guests under KVM", g->arch);
	else
		add(r, "arch", KVMOPS_VERDICT_FAIL,
		    "a 64-bit guest needs a 64-bit destination with qemu-system for its architecture",
		    "the destination cannot run %s guests (%s)", g->arch,
		    g->type);
}

static void check_emulator(struct report *r, struct kvmops_probe *dst,
			   const struct guest *g, char **domcaps)
{
	*domcaps = dst->ops->domcaps(dst, g->emulator, g->arch, g->machine,
				     g->type);
	if (*domcaps)
		add(r, "emulator", KVMOPS_VERDICT_PASS, NULL,
		    "%s, machine %s, domain type %s: available on the destination",
		    g->emulator, g->machine, g->type);
	else
		add(r, "emulator", KVMOPS_VERDICT_FAIL,
		    "install the same QEMU there, or give the guest a machine type both hosts have",
		    "%s with machine %s (%s) is not available on the destination: %s",
		    g->emulator, g->machine, g->type, dst->error);
}

struct host_cpu {
	char *model, *vendor;
};

static void host_cpu_read(struct kvmops_xml *caps, struct host_cpu *c)
{
	c->model = kvmops_xml_string(caps, NULL,
				     "string(/capabilities/host/cpu/model)");
	c->vendor = kvmops_xml_string(caps, NULL,
				      "string(/capabilities/host/cpu/vendor)");
}

static bool same_cpu(const struct host_cpu *a, const struct host_cpu *b)
{
	return a->model && b->model && a->vendor && b->vendor &&
	       !strcmp(a->model, b->model) && !strcmp(a->vendor, b->vendor);
}

/* Precaution 2 (HACKING): the CPUs should be the same type. */
static void check_cpu(struct report *r, struct kvmops_probe *dst,
		      const struct guest *g, struct kvmops_xml *src_caps,
		      struct kvmops_xml *dst_caps)
{
	struct host_cpu s = { 0 }, d = { 0 };
	bool same;
	int cmp;

	host_cpu_read(src_caps, &s);
	host_cpu_read(dst_caps, &d);
	same = same_cpu(&s, &d);
	if (!strcmp(g->cpu_mode, "host-passthrough") && !same) {
		add(r, "cpu", KVMOPS_VERDICT_FAIL,
		    "give the guest a CPU model both hosts have (virsh hypervisor-cpu-baseline)",
		    "the guest passes the host CPU through, and the hosts differ: %s %s here, %s %s there",
		    s.vendor, s.model, d.vendor, d.model);
	} else if (*g->cpu_xml && strcmp(g->cpu_mode, "host-passthrough")) {
		cmp = dst->ops->compare_cpu(dst, g->emulator, g->arch,
					    g->machine, g->type, g->cpu_xml);
		if (cmp == VIR_CPU_COMPARE_INCOMPATIBLE)
			add(r, "cpu", KVMOPS_VERDICT_FAIL,
			    "give the guest a CPU model both hosts have (virsh hypervisor-cpu-baseline)",
			    "the guest's CPU does not fit the destination's (%s %s)",
			    d.vendor, d.model);
		else if (cmp < 0)
			add(r, "cpu", KVMOPS_VERDICT_WARN,
			    "compare them by hand (virsh hypervisor-cpu-compare)",
			    "cannot compare the guest's CPU with the destination's: %s",
			    dst->error);
		else
			add(r, "cpu", KVMOPS_VERDICT_PASS, NULL,
			    "the guest's CPU fits the destination (%s %s)",
			    d.vendor, d.model);
	} else if (same) {
		add(r, "cpu", KVMOPS_VERDICT_PASS, NULL, "both hosts: %s %s",
		    s.vendor, s.model);
	} else if (!strcmp(g->type, "qemu")) {
		add(r, "cpu", KVMOPS_VERDICT_PASS, NULL,
		    "TCG emulates the guest's CPU (hosts: %s %s here, %s %s there)",
		    s.vendor, s.model, d.vendor, d.model);
	} else {
		add(r, "cpu", KVMOPS_VERDICT_WARN,
		    "give the guest a CPU model both hosts have (virsh hypervisor-cpu-baseline)",
		    "the hosts' CPUs differ (%s %s here, %s %s there) and the guest has the hypervisor's default",
		    s.vendor, s.model, d.vendor, d.model);
	}
	free(s.model);
	free(s.vendor);
	free(d.model);
	free(d.vendor);
}

/*
 * Precaution 4 (HACKING). Every x86-64 CPU model has NX; a host whose firmware turns
 * it off shows it as disabled in the host-model CPU of its domain
 * capabilities.
 */
static int nx_state(const char *domcaps)
{
	struct kvmops_xml x;
	double off;

	if (!domcaps || kvmops_xml_parse(domcaps, &x))
		return -1;
	off = kvmops_xml_number(
		&x, NULL,
		"count(/domainCapabilities/cpu/mode[@name='host-model']/feature[@name='nx' and @policy='disable'])");
	kvmops_xml_close(&x);
	return off > 0 ? 0 : 1;
}

static void check_nx(struct report *r, struct kvmops_probe *src,
		     const struct guest *g, const char *dst_domcaps)
{
	char *src_domcaps = src->ops->domcaps(src, g->emulator, g->arch,
					      g->machine, g->type);
	int s = nx_state(src_domcaps), d = nx_state(dst_domcaps);

	free(src_domcaps);
	if (strcmp(g->arch, "x86_64") && strcmp(g->arch, "i686"))
		add(r, "nx", KVMOPS_VERDICT_PASS, NULL, "no NX bit on %s",
		    g->arch);
	else if (s < 0 || d < 0)
		add(r, "nx", KVMOPS_VERDICT_WARN,
		    "compare the BIOS settings of both hosts (Execute Disable)",
		    "cannot read the NX setting of %s",
		    s < 0 ? "this host" : "the destination");
	else if (s != d)
		add(r, "nx", KVMOPS_VERDICT_FAIL,
		    "turn NX (Execute Disable) on in the BIOS of the host that lacks it",
		    "NX is %s here and %s on the destination", s ? "on" : "off",
		    d ? "on" : "off");
	else
		add(r, "nx", KVMOPS_VERDICT_PASS, NULL,
		    "NX is %s on both hosts", s ? "on" : "off");
}

/*
 * QEMU before 9.0 loses pages a TCG guest dirties during a live migration
 * (TLB entries left marked dirty after a dirty-bitmap sync; fixed by QEMU
 * commit 03bfc2188f06): the guest arrives with old memory. KVM guests
 * track dirty pages in KVM, and get no item.
 */
#define QEMU_TCG_FIXED 9000000ul /* 9.0.0 */

static void check_tcg(struct report *r, struct kvmops_probe *src,
		      const struct guest *g,
		      const struct kvmops_migrate_opts *opts)
{
	unsigned long v = 0;

	if (!is_live(opts) || strcmp(g->type, "qemu") ||
	    !src->ops->hv_version || src->ops->hv_version(src, &v) ||
	    v >= QEMU_TCG_FIXED)
		return;
	if (opts->postcopy && opts->postcopy_after_precopy) {
		add(r, "tcg", KVMOPS_VERDICT_PASS, NULL,
		    "a TCG guest on QEMU %lu.%lu.%lu, moved to post-copy after the first pass, which keeps its writes",
		    v / 1000000, v / 1000 % 1000, v % 1000);
		return;
	}
	add(r, "tcg", KVMOPS_VERDICT_WARN,
	    "move it offline, switch to post-copy after the first pass, or boot the guest's kernel with pti=on",
	    "a TCG guest (domain type qemu) on QEMU %lu.%lu.%lu: a live migration of many passes can lose its writes (fixed in QEMU 9.0, commit 03bfc2188f06)",
	    v / 1000000, v / 1000 % 1000, v % 1000);
	remedy(r, "kind,postcopy_after_precopy");
}

/* Devices that tie a guest to this host: passthrough, host-local chardevs. */
static void check_devices(struct report *r, struct kvmops_xml *x,
			  const struct kvmops_migrate_opts *opts)
{
	static const char *const chardevs =
		"/domain/devices/*[self::serial or self::parallel or self::console or self::channel]"
		"[@type='dev' or @type='pipe']";
	enum kvmops_verdict v = is_live(opts) ? KVMOPS_VERDICT_FAIL :
						KVMOPS_VERDICT_WARN;
	xmlNodePtr *nodes;
	size_t n, i, found = 0;
	char *what, *path;

	if (!kvmops_xml_nodes(x, NULL, "/domain/devices/hostdev", &nodes, &n)) {
		for (i = 0; i < n; i++, found++) {
			what = kvmops_xml_string(x, nodes[i], "string(@type)");
			add(r, "devices", v,
			    "detach it before migrating (virsh detach-device), and attach the destination's own after",
			    "a %s passthrough device ties the guest to this host",
			    what ? what : "host");
			free(what);
		}
		free(nodes);
	}
	if (!kvmops_xml_nodes(x, NULL, chardevs, &nodes, &n)) {
		for (i = 0; i < n; i++, found++) {
			what = kvmops_xml_string(x, nodes[i], "string(@type)");
			path = kvmops_xml_string(x, nodes[i],
						 "string(source/@path)");
			add(r, "devices", v,
			    "remove it, or make it a pty or a file",
			    "a %s character device (%s) is local to this host",
			    what ? what : "?",
			    path && *path ? path : "no path");
			free(what);
			free(path);
		}
		free(nodes);
	}
	if (!found)
		add(r, "devices", KVMOPS_VERDICT_PASS, NULL,
		    "no device ties the guest to this host");
}

static void check_interface(struct report *r, struct kvmops_probe *dst,
			    const char *type, const char *source)
{
	char id[48];
	bool network = !strcmp(type, "network");
	int rc;

	snprintf(id, sizeof(id), "%s %s",
		 network		? "network" :
		 strcmp(type, "direct") ? "bridge" :
					  "interface",
		 source);
	if (network) {
		rc = dst->ops->network(dst, source);
		if (rc > 0)
			add(r, id, KVMOPS_VERDICT_PASS, NULL,
			    "network %s is active on the destination", source);
		else if (rc == 0)
			add(r, id, KVMOPS_VERDICT_FAIL,
			    "start it there (virsh net-start)",
			    "network %s is defined on the destination but not active",
			    source);
		else if (rc == -ENOENT)
			add(r, id, KVMOPS_VERDICT_FAIL,
			    "define and start it there (net-dumpxml here, net-define and net-start there)",
			    "the destination has no network %s", source);
		else
			add(r, id, KVMOPS_VERDICT_WARN, "check by hand",
			    "cannot look network %s up on the destination: %s",
			    source, dst->error);
		return;
	}
	rc = dst->ops->bridge(dst, source);
	if (rc > 0)
		add(r, id, KVMOPS_VERDICT_PASS, NULL,
		    "%s is on the destination", source);
	else if (rc == 0 || rc == -ENOENT)
		add(r, id, KVMOPS_VERDICT_FAIL,
		    strcmp(type, "direct") ?
			    "create it there (ip link add NAME type bridge), or a libvirt network over it" :
			    "the guest's macvtap needs a host interface of that name there",
		    "the destination has no interface %s", source);
	else
		add(r, id, KVMOPS_VERDICT_WARN,
		    "check by hand (ip link show there)",
		    "cannot look %s up on the destination: %s", source,
		    dst->error);
}

/* Precaution 6 (HACKING): the same bridges and networks. */
static void check_networks(struct report *r, struct kvmops_probe *dst,
			   struct kvmops_xml *x)
{
	xmlNodePtr *nodes;
	size_t n = 0, i;
	char *type, *source;

	if (kvmops_xml_nodes(x, NULL, "/domain/devices/interface", &nodes, &n))
		return;
	for (i = 0; i < n; i++) {
		type = kvmops_xml_string(x, nodes[i], "string(@type)");
		source = kvmops_xml_string(
			x, nodes[i],
			"string(source/@network | source/@bridge | source/@dev)");
		if (type && source && *source &&
		    (!strcmp(type, "network") || !strcmp(type, "bridge") ||
		     !strcmp(type, "direct")))
			check_interface(r, dst, type, source);
		free(type);
		free(source);
	}
	free(nodes);
	if (!n)
		add(r, "networks", KVMOPS_VERDICT_PASS, NULL,
		    "the guest has no network interfaces");
}

/* ---- disks: what the plans say of each ------------------------------------ */

static void take_item(struct report *r, const struct kvmops_check_item *item)
{
	struct kvmops_check_item *it = push(r);

	if (it)
		*it = *item;
}

/* The disks, and where a move that keeps the memory would save it. */
static void check_disks(struct kvmops_ctx *ctx, struct report *r,
			struct kvmops_probe *src, struct kvmops_probe *dst,
			const char *domain_xml, const struct guest *g,
			const struct kvmops_migrate_opts *opts)
{
	struct kvmops_disk_plan *plans;
	struct kvmops_check_item state;
	char path[PATH_MAX];
	size_t n, i;
	int rc = kvmops_plan_disks(ctx, src, dst, domain_xml, opts, &plans, &n);

	if (rc) {
		r->err = rc;
		return;
	}
	for (i = 0; i < n; i++) {
		take_item(r, &plans[i].item);
		if (plans[i].backing.id[0])
			take_item(r, &plans[i].backing);
	}
	if (!n)
		add(r, "disks", KVMOPS_VERDICT_PASS, NULL,
		    "the guest has no disks");
	if (opts->keep_state) {
		kvmops_plan_state_file(ctx, src, dst, opts, plans, n, g->name,
				       path, sizeof(path), &state);
		take_item(r, &state);
	}
	free(plans);
}

/* ---- the whole check ---------------------------------------------------- */

static int parse_caps(struct kvmops_probe *p, struct kvmops_xml *x)
{
	char *text = p->ops->capabilities(p);
	int rc = text ? kvmops_xml_parse(text, x) : -EIO;

	free(text);
	return rc;
}

/* Both hosts' capabilities, or the error naming the one that fails. */
static int read_caps(struct kvmops_ctx *ctx, struct kvmops_probe *src,
		     struct kvmops_probe *dst, struct kvmops_xml *src_caps,
		     struct kvmops_xml *dst_caps)
{
	if (parse_caps(src, src_caps))
		return kvmops_fail(ctx, -EIO,
				   "cannot read this host's capabilities: %s",
				   src->error);
	if (parse_caps(dst, dst_caps)) {
		kvmops_xml_close(src_caps);
		return kvmops_fail(
			ctx, -EIO,
			"cannot read the destination's capabilities: %s",
			dst->error);
	}
	return 0;
}

/* Every item, in the order kvm-migrate(1) tells them. */
static void check_all(struct kvmops_ctx *ctx, struct report *r,
		      struct kvmops_xml *x, const char *domain_xml,
		      const struct guest *g, int state,
		      const struct kvmops_migrate_opts *opts,
		      struct kvmops_probe *src, struct kvmops_probe *dst,
		      struct kvmops_xml *src_caps, struct kvmops_xml *dst_caps)
{
	char *domcaps = NULL;

	check_state(r, g, state, opts);
	check_host(r, src_caps, dst_caps);
	check_name(r, dst, g, opts);
	check_memory(r, dst, g);
	check_arch(r, dst_caps, g);
	check_emulator(r, dst, g, &domcaps);
	check_cpu(r, dst, g, src_caps, dst_caps);
	check_nx(r, src, g, domcaps);
	check_tcg(r, src, g, opts);
	check_devices(r, x, opts);
	check_networks(r, dst, x);
	check_disks(ctx, r, src, dst, domain_xml, g, opts);
	free(domcaps);
}

int kvmops_check_run(struct kvmops_ctx *ctx, const char *domain_xml, int state,
		     const struct kvmops_migrate_opts *opts,
		     struct kvmops_probe *src, struct kvmops_probe *dst,
		     struct kvmops_check_item **items, size_t *count)
{
	struct kvmops_xml x, src_caps, dst_caps;
	struct report r = { 0 };
	struct guest g = { 0 };
	int rc;

	rc = kvmops_xml_parse(domain_xml, &x);
	if (rc)
		return kvmops_fail(ctx, rc, "cannot read the domain's XML");
	rc = guest_read(ctx, &x, &g);
	if (!rc)
		rc = read_caps(ctx, src, dst, &src_caps, &dst_caps);
	if (!rc) {
		check_all(ctx, &r, &x, domain_xml, &g, state, opts, src, dst,
			  &src_caps, &dst_caps);
		kvmops_xml_close(&src_caps);
		kvmops_xml_close(&dst_caps);
	}
	kvmops_xml_close(&x);
	guest_free(&g);
	if (!rc && r.err)
		rc = r.err;
	if (rc) {
		free(r.items);
		return rc;
	}
	*items = r.items;
	*count = r.count;
	return 0;
}

KVMOPS_EXPORT int kvmops_migrate_check(struct kvmops_ctx *ctx,
				       virConnectPtr src, virConnectPtr dst,
				       const char *name,
				       const struct kvmops_migrate_opts *opts,
				       struct kvmops_check_item **items,
				       size_t *count)
{
	struct kvmops_migrate_opts o;
	struct kvmops_probe sp, dp;
	virDomainPtr dom;
	int state = VIR_DOMAIN_NOSTATE, reason, rc;
	char *xml;

	kvmops_migrate_opts_copy(opts, &o);
	rc = kvmops_migrate_opts_check(ctx, &o);
	if (rc)
		return rc;
	dom = VIRT(virDomainLookupByName)(src, name);
	if (!dom)
		return kvmops_fail(ctx, -ENOENT,
				   "no domain %s on this host: %s", name,
				   kvmops_virt_message());
	VIRT(virDomainGetState)(dom, &state, &reason, 0);
	xml = VIRT(virDomainGetXMLDesc)(dom, VIR_DOMAIN_XML_SECURE);
	VIRT(virDomainFree)(dom);
	if (!xml)
		return kvmops_fail(ctx, -EIO, "cannot read the XML of %s: %s",
				   name, kvmops_virt_message());
	kvmops_probe_libvirt(&sp, src);
	kvmops_probe_libvirt(&dp, dst);
	rc = kvmops_check_run(ctx, xml, state, &o, &sp, &dp, items, count);
	free(xml);
	return rc;
}
