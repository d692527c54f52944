// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The pre-flight check: what makes a migration fail halfway, found before
 * it starts. The seeds list six points (shared storage at the same path,
 * CPU type, 64-bit, NX, a name clash, bridges and networks); the rest is
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

#include "migrate.h"
#include "xml.h"

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
	char *cpu_mode;	/* "" without <cpu> */
	char *cpu_xml;	/* the <cpu> element, for virConnectCompareHypervisorCPU */
	uint64_t memory_kib;
};

static void add(struct report *r, const char *id, enum kvmops_verdict verdict,
		const char *fix, const char *fmt, ...) KVMOPS_PRINTF(5, 6);

static void add(struct report *r, const char *id, enum kvmops_verdict verdict,
		const char *fix, const char *fmt, ...)
{
	struct kvmops_check_item *it;
	va_list ap;

	if (r->count == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		void *p = realloc(r->items, cap * sizeof(*r->items));

		if (!p) {
			r->err = -ENOMEM;
			return;
		}
		r->items = p;
		r->cap = cap;
	}
	it = &r->items[r->count++];
	memset(it, 0, sizeof(*it));
	snprintf(it->id, sizeof(it->id), "%s", id);
	it->verdict = verdict;
	snprintf(it->fix, sizeof(it->fix), "%s", fix ? fix : "");
	va_start(ap, fmt);
	vsnprintf(it->text, sizeof(it->text), fmt, ap);
	va_end(ap);
}

KVMOPS_EXPORT enum kvmops_verdict
kvmops_check_worst(const struct kvmops_check_item *items, size_t count)
{
	enum kvmops_verdict worst = KVMOPS_VERDICT_OK;
	size_t i;

	for (i = 0; i < count; i++)
		if (items[i].verdict > worst)
			worst = items[i].verdict;
	return worst;
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

static int guest_read(struct kvmops_xml *x, struct guest *g)
{
	double mem = kvmops_xml_number(x, NULL, "/domain/memory");

	g->name = kvmops_xml_string(x, NULL, "string(/domain/name)");
	g->type = kvmops_xml_string(x, NULL, "string(/domain/@type)");
	g->arch = kvmops_xml_string(x, NULL, "string(/domain/os/type/@arch)");
	g->machine = kvmops_xml_string(x, NULL, "string(/domain/os/type/@machine)");
	g->emulator = kvmops_xml_string(x, NULL, "string(/domain/devices/emulator)");
	g->cpu_mode = kvmops_xml_string(x, NULL, "string(/domain/cpu/@mode)");
	g->cpu_xml = cpu_element(x);
	if (!g->name || !g->type || !g->arch || !g->machine || !g->emulator ||
	    !g->cpu_mode || !g->cpu_xml)
		return -ENOMEM;
	/* libvirt writes KiB whatever unit was given */
	g->memory_kib = isnan(mem) || mem < 0 ? 0 : (uint64_t)mem;
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
	bool running = state == VIR_DOMAIN_RUNNING || state == VIR_DOMAIN_PAUSED ||
		       state == VIR_DOMAIN_BLOCKED;

	if (!running && state != VIR_DOMAIN_SHUTOFF)
		add(r, "state", KVMOPS_VERDICT_FAIL,
		    "wait until it is running or shut off",
		    "%s is neither running nor shut off (state %d)", g->name, state);
	else if (is_live(opts) && !running)
		add(r, "state", KVMOPS_VERDICT_FAIL,
		    "start it, or move it shut off with 'kvm-migrate offline'",
		    "%s is not running: a live migration needs a running guest", g->name);
	else if (opts->keep_state && !running)
		add(r, "state", KVMOPS_VERDICT_FAIL,
		    "move it without --keep-state: it has no memory to keep",
		    "%s is not running: --keep-state saves a running guest's memory", g->name);
	else if (!is_live(opts) && !opts->keep_state && running && !opts->shutdown)
		add(r, "state", KVMOPS_VERDICT_FAIL,
		    "shut it down first, pass --shutdown, or keep its memory with --keep-state",
		    "%s is running: a cold migration needs it shut off", g->name);
	else if (!is_live(opts) && !opts->keep_state && running)
		add(r, "state", KVMOPS_VERDICT_OK, NULL,
		    "%s is running: --shutdown stops it first", g->name);
	else
		add(r, "state", KVMOPS_VERDICT_OK, NULL, "%s is %s", g->name,
		    running ? "running" : "shut off");
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
		add(r, "host", KVMOPS_VERDICT_OK, NULL,
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

	if (rc > 0)
		add(r, "name", KVMOPS_VERDICT_FAIL,
		    "give it another name there with --dname, or remove that one (virsh undefine)",
		    "the destination already has a domain named %s", name);
	else if (rc < 0)
		add(r, "name", KVMOPS_VERDICT_WARN, "check the destination's domains by hand",
		    "cannot list the destination's domains: %s", dst->error);
	else
		add(r, "name", KVMOPS_VERDICT_OK, NULL,
		    "no domain named %s on the destination", name);
}

static void check_memory(struct report *r, struct kvmops_probe *dst,
			 const struct guest *g)
{
	uint64_t free_kib, need = g->memory_kib;
	char have[24], want[24];

	if (dst->ops->free_kib(dst, &free_kib)) {
		add(r, "memory", KVMOPS_VERDICT_WARN, "check its free memory by hand",
		    "cannot read the destination's free memory: %s", dst->error);
		return;
	}
	kvmops_size_format(free_kib * 1024, have, sizeof(have));
	kvmops_size_format(need * 1024, want, sizeof(want));
	if (free_kib < need)
		add(r, "memory", KVMOPS_VERDICT_FAIL,
		    "free memory there, or shrink the guest first (kvm-balloon set, then lower its maximum)",
		    "the guest may use %s; the destination has %s free", want, have);
	else if (free_kib < need + need * MEMORY_WARN_PERCENT / 100)
		add(r, "memory", KVMOPS_VERDICT_WARN,
		    "free memory there: QEMU needs some beyond the guest's own",
		    "the guest may use %s; the destination has only %s free", want, have);
	else
		add(r, "memory", KVMOPS_VERDICT_OK, NULL,
		    "the guest may use %s; the destination has %s free", want, have);
}

/* Seed point 3: the destination can run this architecture at all. */
static void check_arch(struct report *r, struct kvmops_xml *caps,
		       const struct guest *g)
{
	char expr[256];
	double found, wordsize;

	snprintf(expr, sizeof(expr),
		 "count(/capabilities/guest[arch/@name='%s']/arch/domain[@type='%s'])",
		 g->arch, g->type);
	found = kvmops_xml_number(caps, NULL, expr);
	snprintf(expr, sizeof(expr),
		 "/capabilities/guest/arch[@name='%s']/wordsize", g->arch);
	wordsize = kvmops_xml_number(caps, NULL, expr);
	if (found > 0)
		add(r, "arch", KVMOPS_VERDICT_OK, NULL,
		    "the destination runs %s guests (%s%s)", g->arch, g->type,
		    wordsize == 64 ? ", 64-bit" : "");
	else if (!strcmp(g->type, "kvm"))
		add(r, "arch", KVMOPS_VERDICT_FAIL,
		    "enable KVM there (a 64-bit host with /dev/kvm), or move a TCG guest",
		    "the destination cannot run %s guests under KVM", g->arch);
	else
		add(r, "arch", KVMOPS_VERDICT_FAIL,
		    "a 64-bit guest needs a 64-bit destination with qemu-system for its architecture",
		    "the destination cannot run %s guests (%s)", g->arch, g->type);
}

static void check_emulator(struct report *r, struct kvmops_probe *dst,
			   const struct guest *g, char **domcaps)
{
	*domcaps = dst->ops->domcaps(dst, g->emulator, g->arch, g->machine,
				     g->type);
	if (*domcaps)
		add(r, "emulator", KVMOPS_VERDICT_OK, NULL,
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
	c->model = kvmops_xml_string(caps, NULL, "string(/capabilities/host/cpu/model)");
	c->vendor = kvmops_xml_string(caps, NULL, "string(/capabilities/host/cpu/vendor)");
}

static bool same_cpu(const struct host_cpu *a, const struct host_cpu *b)
{
	return a->model && b->model && a->vendor && b->vendor &&
	       !strcmp(a->model, b->model) && !strcmp(a->vendor, b->vendor);
}

/* Seed point 2: the CPUs should be the same type. */
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
			add(r, "cpu", KVMOPS_VERDICT_OK, NULL,
			    "the guest's CPU fits the destination (%s %s)", d.vendor,
			    d.model);
	} else if (same) {
		add(r, "cpu", KVMOPS_VERDICT_OK, NULL, "both hosts: %s %s",
		    s.vendor, s.model);
	} else if (!strcmp(g->type, "qemu")) {
		add(r, "cpu", KVMOPS_VERDICT_OK, NULL,
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
 * Seed point 4. Every x86-64 CPU model has NX; a host whose firmware turns
 * it off shows it as disabled in the host-model CPU of its domain
 * capabilities.
 */
static int nx_state(const char *domcaps)
{
	struct kvmops_xml x;
	double off;

	if (!domcaps || kvmops_xml_parse(domcaps, &x))
		return -1;
	off = kvmops_xml_number(&x, NULL,
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
		add(r, "nx", KVMOPS_VERDICT_OK, NULL, "no NX bit on %s", g->arch);
	else if (s < 0 || d < 0)
		add(r, "nx", KVMOPS_VERDICT_WARN,
		    "compare the BIOS settings of both hosts (Execute Disable)",
		    "cannot read the NX setting of %s", s < 0 ? "this host" : "the destination");
	else if (s != d)
		add(r, "nx", KVMOPS_VERDICT_FAIL,
		    "turn NX (Execute Disable) on in the BIOS of the host that lacks it",
		    "NX is %s here and %s on the destination", s ? "on" : "off",
		    d ? "on" : "off");
	else
		add(r, "nx", KVMOPS_VERDICT_OK, NULL, "NX is %s on both hosts",
		    s ? "on" : "off");
}

/* Devices that tie a guest to this host: passthrough, host-local chardevs. */
static void check_devices(struct report *r, struct kvmops_xml *x,
			  const struct kvmops_migrate_opts *opts)
{
	static const char *const chardevs =
		"/domain/devices/*[self::serial or self::parallel or self::console or self::channel]"
		"[@type='dev' or @type='pipe']";
	enum kvmops_verdict v = is_live(opts) ? KVMOPS_VERDICT_FAIL : KVMOPS_VERDICT_WARN;
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
			path = kvmops_xml_string(x, nodes[i], "string(source/@path)");
			add(r, "devices", v,
			    "remove it, or make it a pty or a file",
			    "a %s character device (%s) is local to this host",
			    what ? what : "?", path && *path ? path : "no path");
			free(what);
			free(path);
		}
		free(nodes);
	}
	if (!found)
		add(r, "devices", KVMOPS_VERDICT_OK, NULL,
		    "no device ties the guest to this host");
}

static void check_interface(struct report *r, struct kvmops_probe *dst,
			    const char *type, const char *source)
{
	char id[48];
	bool network = !strcmp(type, "network");
	int rc;

	snprintf(id, sizeof(id), "%s %s",
		 network ? "network" : strcmp(type, "direct") ? "bridge" : "interface", source);
	if (network) {
		rc = dst->ops->network(dst, source);
		if (rc > 0)
			add(r, id, KVMOPS_VERDICT_OK, NULL,
			    "network %s is active on the destination", source);
		else if (rc == 0)
			add(r, id, KVMOPS_VERDICT_FAIL, "start it there (virsh net-start)",
			    "network %s is defined on the destination but not active", source);
		else if (rc == -ENOENT)
			add(r, id, KVMOPS_VERDICT_FAIL,
			    "define and start it there (net-dumpxml here, net-define and net-start there)",
			    "the destination has no network %s", source);
		else
			add(r, id, KVMOPS_VERDICT_WARN, "check by hand",
			    "cannot look network %s up on the destination: %s", source, dst->error);
		return;
	}
	rc = dst->ops->bridge(dst, source);
	if (rc > 0)
		add(r, id, KVMOPS_VERDICT_OK, NULL, "%s is on the destination", source);
	else if (rc == 0 || rc == -ENOENT)
		add(r, id, KVMOPS_VERDICT_FAIL,
		    strcmp(type, "direct") ?
			    "create it there (ip link add NAME type bridge), or a libvirt network over it" :
			    "the guest's macvtap needs a host interface of that name there",
		    "the destination has no interface %s", source);
	else
		add(r, id, KVMOPS_VERDICT_WARN, "check by hand (ip link show there)",
		    "cannot look %s up on the destination: %s", source, dst->error);
}

/* Seed point 6: the same bridges and networks. */
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
		source = kvmops_xml_string(x, nodes[i],
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
		add(r, "networks", KVMOPS_VERDICT_OK, NULL, "the guest has no network interfaces");
}

/* ---- disks -------------------------------------------------------------- */

static void copy_attr(struct kvmops_xml *x, xmlNodePtr at, const char *expr,
		      char *buf, size_t len)
{
	char *s = kvmops_xml_string(x, at, expr);

	snprintf(buf, len, "%s", s ? s : "");
	free(s);
}

int kvmops_domain_disks(const char *domain_xml, struct kvmops_disk **disks,
			size_t *count)
{
	struct kvmops_xml x;
	xmlNodePtr *nodes;
	struct kvmops_disk *d;
	size_t n, i;
	int rc;

	*disks = NULL;
	*count = 0;
	rc = kvmops_xml_parse(domain_xml, &x);
	if (rc)
		return rc;
	rc = kvmops_xml_nodes(&x, NULL, "/domain/devices/disk", &nodes, &n);
	if (rc || !n) {
		kvmops_xml_close(&x);
		return rc;
	}
	d = calloc(n, sizeof(*d));
	for (i = 0; d && i < n; i++) {
		copy_attr(&x, nodes[i], "string(target/@dev)", d[i].target, sizeof(d[i].target));
		copy_attr(&x, nodes[i], "string(@device)", d[i].device, sizeof(d[i].device));
		copy_attr(&x, nodes[i], "string(@type)", d[i].type, sizeof(d[i].type));
		copy_attr(&x, nodes[i], "string(source/@file | source/@dev)", d[i].path,
			  sizeof(d[i].path));
		copy_attr(&x, nodes[i], "string(driver/@type)", d[i].format, sizeof(d[i].format));
		copy_attr(&x, nodes[i], "string(source/@pool)", d[i].vol_pool, sizeof(d[i].vol_pool));
		copy_attr(&x, nodes[i], "string(source/@volume)", d[i].vol_name,
			  sizeof(d[i].vol_name));
		d[i].readonly = kvmops_xml_number(&x, nodes[i], "count(readonly)") > 0 ||
				!strcmp(d[i].device, "cdrom");
		d[i].shareable = kvmops_xml_number(&x, nodes[i], "count(shareable)") > 0;
	}
	free(nodes);
	kvmops_xml_close(&x);
	if (!d)
		return -ENOMEM;
	*disks = d;
	*count = n;
	return 0;
}

static void dir_of(const char *path, char *dir, size_t len)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		snprintf(dir, len, ".");
	else if (slash == path)
		snprintf(dir, len, "/");
	else
		snprintf(dir, len, "%.*s", (int)(slash - path), path);
}

/* Seed point 1: shared storage mounted at the same path on both hosts. */
static void check_shared(struct report *r, const char *id,
			 const struct kvmops_disk *d, bool have_src,
			 const struct kvmops_vol_info *vs, int dst_rc,
			 const struct kvmops_vol_info *vd)
{
	if (dst_rc == -ENOENT)
		add(r, id, KVMOPS_VERDICT_FAIL,
		    "mount the shared storage at the same path there and define a pool over it, or copy the disks (--copy-storage all)",
		    "%s is not on the destination", d->path);
	else if (dst_rc)
		add(r, id, KVMOPS_VERDICT_FAIL,
		    "define an active storage pool over its directory there",
		    "cannot look %s up on the destination", d->path);
	else if (have_src && vs->capacity != vd->capacity)
		add(r, id, KVMOPS_VERDICT_FAIL,
		    "it is another disk at the same path: copy the disks instead (--copy-storage all)",
		    "%s on the destination is not this disk (%" PRIu64 " bytes there, %" PRIu64 " here)",
		    d->path, vd->capacity, vs->capacity);
	else
		add(r, id, KVMOPS_VERDICT_OK, NULL,
		    "%s is on the destination too (shared storage)", d->path);
}

/* A pool on the destination with room for the copy; *@dest_path is where. */
static bool check_pool(struct report *r, struct kvmops_probe *dst,
		       const char *id, const struct kvmops_disk *d,
		       const char *want_pool, uint64_t capacity,
		       char *dest_path, size_t len)
{
	char dir[PATH_MAX], pool[128], target[PATH_MAX], need[24], room[24];
	const char *base = strrchr(d->path, '/');
	uint64_t available = 0;

	dir_of(d->path, dir, sizeof(dir));
	if (dst->ops->pool(dst, want_pool, dir, pool, sizeof(pool), target,
			   sizeof(target), &available)) {
		if (want_pool)
			add(r, id, KVMOPS_VERDICT_FAIL, "start it there (virsh pool-start), or name another",
			    "no active pool %s on the destination", want_pool);
		else
			add(r, id, KVMOPS_VERDICT_FAIL,
			    "define and start a dir pool there (virsh pool-define-as NAME dir --target DIR)",
			    "no active storage pool over %s on the destination", dir);
		return false;
	}
	if (snprintf(dest_path, len, "%s/%s", target, base ? base + 1 : d->path) >= (int)len) {
		add(r, id, KVMOPS_VERDICT_FAIL, "use a pool with a shorter path",
		    "the path in pool %s would be too long", pool);
		return false;
	}
	kvmops_size_format(capacity, need, sizeof(need));
	kvmops_size_format(available, room, sizeof(room));
	if (available < capacity) {
		add(r, id, KVMOPS_VERDICT_FAIL, "free room in that pool, or name another with --pool",
		    "pool %s on the destination has %s free; the disk may grow to %s", pool, room, need);
		return false;
	}
	add(r, id, KVMOPS_VERDICT_OK, NULL, "copied to %s (pool %s, %s free)", dest_path,
	    pool, room);
	return true;
}

static void check_backing(struct report *r, struct kvmops_probe *dst,
			  const char *id, const struct kvmops_vol_info *vs)
{
	struct kvmops_vol_info vb;
	char bid[48];

	if (!*vs->backing)
		return;
	snprintf(bid, sizeof(bid), "backing %s", strchr(id, ' ') + 1);
	if (dst->ops->volume(dst, vs->backing, &vb))
		add(r, bid, KVMOPS_VERDICT_FAIL,
		    "copy the backing image there first, to the same path and in a pool, or copy whole disks (--copy-storage all)",
		    "the backing image %s is not on the destination", vs->backing);
	else
		add(r, bid, KVMOPS_VERDICT_OK, NULL,
		    "the backing image %s is on the destination", vs->backing);
}

static void check_copy(struct report *r, struct kvmops_probe *dst,
		       const char *id, const struct kvmops_disk *d,
		       bool have_src, const struct kvmops_vol_info *vs,
		       int dst_rc, const struct kvmops_migrate_opts *opts)
{
	char dest_path[PATH_MAX];

	if (!dst_rc) {
		add(r, id, KVMOPS_VERDICT_FAIL,
		    "if it is shared storage, migrate without --copy-storage; if it is left over, delete it there",
		    "%s is on the destination already: copying would overwrite it", d->path);
		return;
	}
	if (!check_pool(r, dst, id, d, NULL, have_src ? vs->capacity : 0,
			dest_path, sizeof(dest_path)))
		return;
	if (have_src && opts->copy_storage == KVMOPS_COPY_INC)
		check_backing(r, dst, id, vs);
}

/* Where the disks go, so two of them never go to one path. */
struct destinations {
	char (*paths)[PATH_MAX];
	size_t count;
};

static bool taken(struct destinations *seen, const char *path)
{
	size_t i;

	for (i = 0; i < seen->count; i++)
		if (!strcmp(seen->paths[i], path))
			return true;
	snprintf(seen->paths[seen->count++], PATH_MAX, "%s", path);
	return false;
}

static void check_offline_disk(struct report *r, struct kvmops_probe *dst,
			       const char *id, const struct kvmops_disk *d,
			       bool have_src, const struct kvmops_vol_info *vs,
			       int dst_rc, const struct kvmops_migrate_opts *opts,
			       struct destinations *seen)
{
	char dest_path[PATH_MAX];
	struct kvmops_vol_info vd;

	if (!dst_rc && !opts->pool) {
		add(r, id, KVMOPS_VERDICT_WARN,
		    "if it is not the same storage, remove it there first",
		    "%s is on the destination too: taken as shared storage and not copied", d->path);
		return;
	}
	if (strcmp(d->type, "file")) {
		add(r, id, KVMOPS_VERDICT_FAIL,
		    "copy it by hand, or put the same storage at the same path there",
		    "%s is a %s disk: offline moves copy file disks only", d->path, d->type);
		return;
	}
	if (!have_src) {
		add(r, id, KVMOPS_VERDICT_FAIL,
		    "define an active dir pool over its directory here (the copy reads through libvirt)",
		    "%s is in no active storage pool of this host", d->path);
		return;
	}
	if (!check_pool(r, dst, id, d, opts->pool, vs->capacity, dest_path,
			sizeof(dest_path)))
		return;
	if (!dst->ops->volume(dst, dest_path, &vd)) {
		r->count--; /* the pool's line gives way to the clash */
		add(r, id, KVMOPS_VERDICT_FAIL, "delete it there, or name another pool with --pool",
		    "%s is on the destination already", dest_path);
		return;
	}
	if (taken(seen, dest_path)) {
		r->count--;
		add(r, id, KVMOPS_VERDICT_FAIL,
		    "rename one of the files, or move the disks one pool at a time",
		    "another disk of the guest goes to %s too", dest_path);
		return;
	}
	check_backing(r, dst, id, vs);
}

/* A disk named by pool and volume: libvirt finds it on each host by name. */
static void check_pool_volume(struct report *r, const char *id,
			      const struct kvmops_disk *d,
			      const struct kvmops_migrate_opts *opts)
{
	if (opts->kind == KVMOPS_MIGRATE_LIVE)
		add(r, id, KVMOPS_VERDICT_WARN,
		    "make sure that pool on the destination holds the same volume (shared storage)",
		    "volume %s of pool %s: not checked; the destination must have the same",
		    d->vol_name, d->vol_pool);
	else
		add(r, id, KVMOPS_VERDICT_FAIL,
		    "give the disk as a file path, or move this one by hand",
		    "volume %s of pool %s: kvm-migrate copies file disks only", d->vol_name,
		    d->vol_pool);
}

static void check_disks(struct report *r, struct kvmops_probe *src,
			struct kvmops_probe *dst, const char *domain_xml,
			const struct kvmops_migrate_opts *opts)
{
	struct kvmops_vol_info vs, vd;
	struct destinations seen = { 0 };
	struct kvmops_disk *disks;
	size_t n, i;
	char id[48];
	bool have_src;
	int dst_rc;

	if (kvmops_domain_disks(domain_xml, &disks, &n))
		return;
	seen.paths = calloc(n ? n : 1, sizeof(*seen.paths));
	for (i = 0; seen.paths && i < n; i++) {
		const struct kvmops_disk *d = &disks[i];

		snprintf(id, sizeof(id), "disk %s", d->target);
		if (!strcmp(d->type, "network")) {
			add(r, id, KVMOPS_VERDICT_OK, NULL, "network storage: reached from either host");
			continue;
		}
		if (!strcmp(d->type, "volume")) {
			check_pool_volume(r, id, d, opts);
			continue;
		}
		if (!*d->path)
			continue;
		memset(&vs, 0, sizeof(vs));
		have_src = !src->ops->volume(src, d->path, &vs);
		dst_rc = dst->ops->volume(dst, d->path, &vd);
		/* libvirt copies neither read-only nor shareable disks */
		if (opts->kind == KVMOPS_MIGRATE_LIVE || d->readonly || d->shareable)
			check_shared(r, id, d, have_src, &vs, dst_rc, &vd);
		else if (opts->kind == KVMOPS_MIGRATE_COPY_STORAGE)
			check_copy(r, dst, id, d, have_src, &vs, dst_rc, opts);
		else
			check_offline_disk(r, dst, id, d, have_src, &vs, dst_rc, opts, &seen);
	}
	if (!seen.paths)
		r->err = -ENOMEM;
	if (!n)
		add(r, "disks", KVMOPS_VERDICT_OK, NULL, "the guest has no disks");
	free(seen.paths);
	free(disks);
}

/* ---- the whole check ---------------------------------------------------- */

static int parse_caps(struct kvmops_probe *p, struct kvmops_xml *x)
{
	char *text = p->ops->capabilities(p);
	int rc = text ? kvmops_xml_parse(text, x) : -EIO;

	free(text);
	return rc;
}

int kvmops_check_run(struct kvmops_ctx *ctx, const char *domain_xml,
		     int state, const struct kvmops_migrate_opts *opts,
		     struct kvmops_probe *src, struct kvmops_probe *dst,
		     struct kvmops_check_item **items, size_t *count)
{
	struct kvmops_xml x, src_caps, dst_caps;
	struct report r = { 0 };
	struct guest g = { 0 };
	char *domcaps = NULL;
	int rc;

	rc = kvmops_xml_parse(domain_xml, &x);
	if (rc)
		return kvmops_fail(ctx, rc, "cannot read the domain's XML");
	rc = guest_read(&x, &g);
	if (!rc && parse_caps(src, &src_caps)) {
		rc = kvmops_fail(ctx, -EIO, "cannot read this host's capabilities: %s", src->error);
	} else if (!rc && parse_caps(dst, &dst_caps)) {
		kvmops_xml_close(&src_caps);
		rc = kvmops_fail(ctx, -EIO, "cannot read the destination's capabilities: %s",
				 dst->error);
	}
	if (rc) {
		guest_free(&g);
		kvmops_xml_close(&x);
		return rc;
	}
	check_state(&r, &g, state, opts);
	check_host(&r, &src_caps, &dst_caps);
	check_name(&r, dst, &g, opts);
	check_memory(&r, dst, &g);
	check_arch(&r, &dst_caps, &g);
	check_emulator(&r, dst, &g, &domcaps);
	check_cpu(&r, dst, &g, &src_caps, &dst_caps);
	check_nx(&r, src, &g, domcaps);
	check_devices(&r, &x, opts);
	check_networks(&r, dst, &x);
	check_disks(&r, src, dst, domain_xml, opts);
	free(domcaps);
	kvmops_xml_close(&src_caps);
	kvmops_xml_close(&dst_caps);
	kvmops_xml_close(&x);
	guest_free(&g);
	if (r.err) {
		free(r.items);
		return r.err;
	}
	*items = r.items;
	*count = r.count;
	return 0;
}

/* ---- the probe that asks libvirt ---------------------------------------- */

static int probe_fail(struct kvmops_probe *p, int err)
{
	snprintf(p->error, sizeof(p->error), "%s", kvmops_virt_message());
	return err;
}

/* libvirt says "not found" in several ways; each means -ENOENT here. */
static int lookup_error(struct kvmops_probe *p)
{
	virErrorPtr e = VIRT(virGetLastError)();

	if (e && (e->code == VIR_ERR_NO_DOMAIN || e->code == VIR_ERR_NO_STORAGE_VOL ||
		  e->code == VIR_ERR_NO_NETWORK || e->code == VIR_ERR_NO_INTERFACE ||
		  e->code == VIR_ERR_NO_STORAGE_POOL))
		return probe_fail(p, -ENOENT);
	return probe_fail(p, -EIO);
}

static int lv_domain_exists(struct kvmops_probe *p, const char *name)
{
	virDomainPtr dom = VIRT(virDomainLookupByName)(p->conn, name);
	int rc;

	if (dom) {
		VIRT(virDomainFree)(dom);
		return 1;
	}
	rc = lookup_error(p);
	return rc == -ENOENT ? 0 : rc;
}

static void vol_details(virStorageVolPtr vol, struct kvmops_vol_info *vi)
{
	char *xml = VIRT(virStorageVolGetXMLDesc)(vol, 0);
	struct kvmops_xml x;

	if (!xml)
		return;
	if (!kvmops_xml_parse(xml, &x)) {
		copy_attr(&x, NULL, "string(/volume/target/format/@type)", vi->format,
			  sizeof(vi->format));
		copy_attr(&x, NULL, "string(/volume/backingStore/path)", vi->backing,
			  sizeof(vi->backing));
		copy_attr(&x, NULL, "string(/volume/backingStore/format/@type)",
			  vi->backing_format, sizeof(vi->backing_format));
		kvmops_xml_close(&x);
	}
	free(xml);
}

static int lv_volume(struct kvmops_probe *p, const char *path,
		     struct kvmops_vol_info *vi)
{
	virStorageVolPtr vol = VIRT(virStorageVolLookupByPath)(p->conn, path);
	virStorageVolInfo info;

	memset(vi, 0, sizeof(*vi));
	if (!vol)
		return lookup_error(p);
	if (!VIRT(virStorageVolGetInfo)(vol, &info)) {
		vi->capacity = info.capacity;
		vi->allocation = info.allocation;
	}
	vol_details(vol, vi);
	VIRT(virStorageVolFree)(vol);
	return 0;
}

static void strip_slashes(char *path)
{
	size_t n = strlen(path);

	while (n > 1 && path[n - 1] == '/')
		path[--n] = '\0';
}

static int pool_target(virStoragePoolPtr pool, char *target, size_t len)
{
	char *xml = VIRT(virStoragePoolGetXMLDesc)(pool, 0);
	struct kvmops_xml x;

	*target = '\0';
	if (!xml)
		return -EIO;
	if (!kvmops_xml_parse(xml, &x)) {
		copy_attr(&x, NULL, "string(/pool/target/path)", target, len);
		kvmops_xml_close(&x);
	}
	free(xml);
	strip_slashes(target);
	return *target ? 0 : -ENOENT;
}

static virStoragePoolPtr pool_over(struct kvmops_probe *p, const char *dir,
				   char *target, size_t len)
{
	virStoragePoolPtr *pools = NULL, found = NULL;
	char want[PATH_MAX];
	int n, i;

	snprintf(want, sizeof(want), "%s", dir);
	strip_slashes(want);
	n = VIRT(virConnectListAllStoragePools)(p->conn, &pools,
						VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE);
	for (i = 0; i < n; i++) {
		if (!found && !pool_target(pools[i], target, len) &&
		    !strcmp(target, want))
			found = pools[i];
		else
			VIRT(virStoragePoolFree)(pools[i]);
	}
	free(pools);
	if (n < 0)
		probe_fail(p, -EIO);
	return found;
}

static int lv_pool(struct kvmops_probe *p, const char *name, const char *dir,
		   char *pool_name, size_t name_len, char *target,
		   size_t target_len, uint64_t *available)
{
	virStoragePoolPtr pool;
	virStoragePoolInfo info;

	if (name) {
		pool = VIRT(virStoragePoolLookupByName)(p->conn, name);
		if (pool && (VIRT(virStoragePoolIsActive)(pool) != 1 ||
			     pool_target(pool, target, target_len))) {
			VIRT(virStoragePoolFree)(pool);
			pool = NULL;
		}
	} else {
		pool = pool_over(p, dir, target, target_len);
	}
	if (!pool)
		return -ENOENT;
	snprintf(pool_name, name_len, "%s", VIRT(virStoragePoolGetName)(pool));
	*available = 0;
	if (!VIRT(virStoragePoolGetInfo)(pool, &info))
		*available = info.available;
	VIRT(virStoragePoolFree)(pool);
	return 0;
}

static int lv_network(struct kvmops_probe *p, const char *name)
{
	virNetworkPtr net = VIRT(virNetworkLookupByName)(p->conn, name);
	int active;

	if (!net)
		return lookup_error(p);
	active = VIRT(virNetworkIsActive)(net);
	VIRT(virNetworkFree)(net);
	return active > 0 ? 1 : 0;
}

static int lv_bridge(struct kvmops_probe *p, const char *name)
{
	virInterfacePtr iface = VIRT(virInterfaceLookupByName)(p->conn, name);
	int rc;

	if (iface) {
		VIRT(virInterfaceFree)(iface);
		return 1;
	}
	rc = lookup_error(p);
	return rc == -ENOENT ? 0 : rc;
}

static char *lv_capabilities(struct kvmops_probe *p)
{
	char *caps = VIRT(virConnectGetCapabilities)(p->conn);

	if (!caps)
		probe_fail(p, -EIO);
	return caps;
}

static char *lv_domcaps(struct kvmops_probe *p, const char *emulator,
			const char *arch, const char *machine,
			const char *virttype)
{
	char *caps = VIRT(virConnectGetDomainCapabilities)(
		p->conn, *emulator ? emulator : NULL, *arch ? arch : NULL,
		*machine ? machine : NULL, *virttype ? virttype : NULL, 0);

	if (!caps)
		probe_fail(p, -EIO);
	return caps;
}

static int lv_free_kib(struct kvmops_probe *p, uint64_t *kib)
{
	unsigned long long bytes = VIRT(virNodeGetFreeMemory)(p->conn);

	if (!bytes)
		return probe_fail(p, -EIO);
	*kib = bytes / 1024;
	return 0;
}

static int lv_compare_cpu(struct kvmops_probe *p, const char *emulator,
			  const char *arch, const char *machine,
			  const char *virttype, const char *cpu_xml)
{
	int rc = VIRT(virConnectCompareHypervisorCPU)(
		p->conn, *emulator ? emulator : NULL, *arch ? arch : NULL,
		*machine ? machine : NULL, *virttype ? virttype : NULL, cpu_xml, 0);

	return rc == VIR_CPU_COMPARE_ERROR ? probe_fail(p, -EIO) : rc;
}

static const struct kvmops_probe_ops libvirt_ops = {
	.domain_exists = lv_domain_exists,
	.volume = lv_volume,
	.pool = lv_pool,
	.network = lv_network,
	.bridge = lv_bridge,
	.capabilities = lv_capabilities,
	.domcaps = lv_domcaps,
	.free_kib = lv_free_kib,
	.compare_cpu = lv_compare_cpu,
};

void kvmops_probe_libvirt(struct kvmops_probe *probe, virConnectPtr conn)
{
	memset(probe, 0, sizeof(*probe));
	probe->ops = &libvirt_ops;
	probe->conn = conn;
}

KVMOPS_EXPORT int kvmops_migrate_check(struct kvmops_ctx *ctx,
				       virConnectPtr src, virConnectPtr dst,
				       const char *name,
				       const struct kvmops_migrate_opts *opts,
				       struct kvmops_check_item **items,
				       size_t *count)
{
	struct kvmops_migrate_opts o = { 0 };
	struct kvmops_probe sp, dp;
	virDomainPtr dom;
	int state = VIR_DOMAIN_NOSTATE, reason, rc;
	char *xml;

	if (opts)
		memcpy(&o, opts, opts->size < sizeof(o) ? opts->size : sizeof(o));
	o.size = sizeof(o);
	if (o.keep_state && !o.state_file)
		o.state_file = "/"; /* the check saves nothing: it needs no file */
	rc = kvmops_migrate_opts_check(ctx, &o);
	if (rc)
		return rc;
	dom = VIRT(virDomainLookupByName)(src, name);
	if (!dom)
		return kvmops_fail(ctx, -ENOENT, "no domain %s on this host: %s", name,
				   kvmops_virt_message());
	VIRT(virDomainGetState)(dom, &state, &reason, 0);
	xml = VIRT(virDomainGetXMLDesc)(dom, VIR_DOMAIN_XML_SECURE);
	VIRT(virDomainFree)(dom);
	if (!xml)
		return kvmops_fail(ctx, -EIO, "cannot read the XML of %s: %s", name,
				   kvmops_virt_message());
	kvmops_probe_libvirt(&sp, src);
	kvmops_probe_libvirt(&dp, dst);
	rc = kvmops_check_run(ctx, xml, state, &o, &sp, &dp, items, count);
	free(xml);
	return rc;
}
