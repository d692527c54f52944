/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Shared by the migration unit tests: options of each kind, a context with
 * libvirt loaded, and two fake hosts that answer the probe from tables.
 * Nothing here talks to a hypervisor: libvirt and libxml2 are only loaded
 * (and libvirt initialized, through a connection to its in-process test
 * driver), because the library reaches both through VIRT().
 */
#ifndef KVMOPS_TESTS_FAKE_HOSTS_H
#define KVMOPS_TESTS_FAKE_HOSTS_H

#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "migrate/migrate.h"
#include "unit/fixture.h"

#define KIB_PER_GIB (1024ull * 1024)
#define GIB (1024ull * 1024 * 1024)

static inline struct kvmops_migrate_opts live_opts(void)
{
	struct kvmops_migrate_opts o;

	memset(&o, 0, sizeof(o));
	o.size = sizeof(o);
	o.kind = KVMOPS_MIGRATE_LIVE;
	return o;
}

static inline struct kvmops_migrate_opts copy_opts(enum kvmops_copy_storage how)
{
	struct kvmops_migrate_opts o = live_opts();

	o.kind = KVMOPS_MIGRATE_COPY_STORAGE;
	o.copy_storage = how;
	return o;
}

static inline struct kvmops_migrate_opts offline_opts(void)
{
	struct kvmops_migrate_opts o = live_opts();

	o.kind = KVMOPS_MIGRATE_OFFLINE;
	return o;
}

/* ---- the live plan ------------------------------------------------------ */

/*
 * A context with libvirt and libxml2 loaded and libvirt initialized: a
 * connection to the in-process test driver, closed at once, does both.
 * kvmops_virt_load() alone is not enough here: it does not initialize
 * libvirt, and virTypedParamsAdd*() then reset an error through a
 * thread-local key never created (an invalid free under valgrind).
 */
static inline int virt_setup(void **state)
{
	struct kvmops_ctx *ctx;
	virConnectPtr conn;

	if (kvmops_new(&ctx))
		return -1;
	/* No event loop: its thread would outlive the test (see test-ctx.c). */
	if (kvmops_connect(ctx, "test:///default", KVMOPS_CONNECT_NO_EVENT_LOOP,
			   &conn)) {
		fprintf(stderr, "cannot connect: %s\n", kvmops_last_error(ctx));
		kvmops_unref(ctx);
		return -1;
	}
	kvmops_disconnect(conn);
	*state = ctx;
	return 0;
}

/* ---- the check against two fake hosts ----------------------------------- */

struct fake_vol {
	const char *path;
	uint64_t capacity;
	const char *backing;
	const char *key; /* NULL: the path, as libvirt's dir pools have it */
};

/*
 * A pool of one host. Pools of two hosts with the same @storage are the
 * same storage, and a marker made in one shows in the other; NULL is
 * storage of this host's own.
 */
struct fake_pool {
	const char *name, *target;
	uint64_t available;
	const char *storage;
	const char *type; /* NULL: dir */
};

struct fake_net {
	const char *name;
	bool active;
};

#define FAKE_MAX 8

/* What one host answers. Lists end at the first NULL name. */
struct fake_host {
	const char *domains[FAKE_MAX];
	int domains_err;
	struct fake_vol vols[FAKE_MAX];
	struct fake_pool pools[FAKE_MAX];
	struct fake_net nets[FAKE_MAX];
	int net_err;
	const char *bridges[FAKE_MAX];
	int bridge_err;
	const char *cpu_model, *cpu_vendor;
	const char *uuid; /* the host's, in its capabilities */
	bool kvm; /* the capabilities offer x86_64 under KVM */
	bool no_caps;
	bool no_domcaps;
	bool nx_off;
	uint64_t free_kib;
	int free_err;
	int compare; /* virCPUCompareResult or -errno */
	int marker_err; /* marker_create fails so */
	int refresh_err; /* marker_seen fails so */
	unsigned long hv_version; /* QEMU's, 7002000 for 7.2.0; 0: unknown */
	/* what the check asked */
	unsigned int compares;
	unsigned int markers_made, refreshes;
};

#define FAKE_MARKERS 16

/* The marker volumes that exist, by the storage they are on. */
static struct {
	char storage[128], name[64];
} fake_markers[FAKE_MARKERS] __attribute__((unused));

static inline struct fake_host *host_of(struct kvmops_probe *p)
{
	return p->data;
}

static inline int fake_domain_exists(struct kvmops_probe *p, const char *name)
{
	struct fake_host *h = host_of(p);
	size_t i;

	if (h->domains_err) {
		snprintf(p->error, sizeof(p->error),
			 "fake: cannot list domains");
		return h->domains_err;
	}
	for (i = 0; i < FAKE_MAX && h->domains[i]; i++)
		if (!strcmp(h->domains[i], name))
			return 1;
	return 0;
}

static inline int fake_volume(struct kvmops_probe *p, const char *path,
			      struct kvmops_vol_info *vi)
{
	struct fake_host *h = host_of(p);
	size_t i;

	memset(vi, 0, sizeof(*vi));
	for (i = 0; i < FAKE_MAX && h->vols[i].path; i++) {
		if (strcmp(h->vols[i].path, path))
			continue;
		vi->capacity = h->vols[i].capacity;
		snprintf(vi->key, sizeof(vi->key), "%s",
			 h->vols[i].key ? h->vols[i].key : path);
		vi->allocation = h->vols[i].capacity / 2;
		snprintf(vi->format, sizeof(vi->format), "qcow2");
		if (h->vols[i].backing) {
			snprintf(vi->backing, sizeof(vi->backing), "%s",
				 h->vols[i].backing);
			snprintf(vi->backing_format, sizeof(vi->backing_format),
				 "qcow2");
		}
		return 0;
	}
	snprintf(p->error, sizeof(p->error), "fake: no volume %s", path);
	return -ENOENT;
}

static inline const struct fake_pool *
fake_find_pool(struct fake_host *h, const char *pool, const char *dir)
{
	size_t i;

	for (i = 0; i < FAKE_MAX && h->pools[i].name; i++)
		if ((pool && !strcmp(h->pools[i].name, pool)) ||
		    (!pool && dir && !strcmp(h->pools[i].target, dir)))
			return &h->pools[i];
	return NULL;
}

static inline int fake_pool(struct kvmops_probe *p, const char *pool,
			    const char *dir, struct kvmops_pool_info *pi)
{
	const struct fake_pool *fp = fake_find_pool(host_of(p), pool, dir);

	memset(pi, 0, sizeof(*pi));
	if (!fp)
		return -ENOENT;
	snprintf(pi->name, sizeof(pi->name), "%s", fp->name);
	snprintf(pi->target, sizeof(pi->target), "%s", fp->target);
	snprintf(pi->type, sizeof(pi->type), "%s", fp->type ? fp->type : "dir");
	pi->available = fp->available;
	return 0;
}

static inline int fake_pool_volume(struct kvmops_probe *p, const char *pool,
				   const char *vol, char *path, size_t len)
{
	const struct fake_pool *fp = fake_find_pool(host_of(p), pool, NULL);
	struct kvmops_vol_info vi;

	if (!fp)
		return -ENOENT;
	snprintf(path, len, "%s/%s", fp->target, vol);
	return p->ops->volume(p, path, &vi);
}

/* Where a pool's markers live: its storage, or the host's own. */
static inline void fake_storage_of(struct fake_host *h,
				   const struct fake_pool *fp, char *buf,
				   size_t len)
{
	if (fp->storage)
		snprintf(buf, len, "%s", fp->storage);
	else
		snprintf(buf, len, "%s:%s", h->uuid, fp->name);
}

static inline int fake_marker_find(struct kvmops_probe *p, const char *pool,
				   const char *name, bool add)
{
	struct fake_host *h = host_of(p);
	const struct fake_pool *fp = fake_find_pool(h, pool, NULL);
	char storage[128];
	size_t i, free_slot = FAKE_MARKERS;

	if (!fp)
		return -ENOENT;
	fake_storage_of(h, fp, storage, sizeof(storage));
	for (i = 0; i < FAKE_MARKERS; i++) {
		if (!fake_markers[i].name[0] && free_slot == FAKE_MARKERS)
			free_slot = i;
		if (!strcmp(fake_markers[i].storage, storage) &&
		    !strcmp(fake_markers[i].name, name))
			return (int)i;
	}
	if (!add || free_slot == FAKE_MARKERS)
		return -ENOENT;
	snprintf(fake_markers[free_slot].storage,
		 sizeof(fake_markers[free_slot].storage), "%s", storage);
	snprintf(fake_markers[free_slot].name,
		 sizeof(fake_markers[free_slot].name), "%s", name);
	return (int)free_slot;
}

static inline int fake_marker_create(struct kvmops_probe *p, const char *pool,
				     const char *name)
{
	struct fake_host *h = host_of(p);

	if (h->marker_err) {
		snprintf(p->error, sizeof(p->error), "fake: pool is read-only");
		return h->marker_err;
	}
	h->markers_made++;
	return fake_marker_find(p, pool, name, true) < 0 ? -ENOENT : 0;
}

static inline int fake_pool_refresh(struct kvmops_probe *p, const char *pool)
{
	host_of(p)->refreshes++;
	return fake_find_pool(host_of(p), pool, NULL) ? 0 : -ENOENT;
}

static inline int fake_marker_seen(struct kvmops_probe *p, const char *pool,
				   const char *name)
{
	struct fake_host *h = host_of(p);

	if (h->refresh_err) {
		snprintf(p->error, sizeof(p->error), "fake: refresh failed");
		return h->refresh_err;
	}
	fake_pool_refresh(p, pool);
	return fake_marker_find(p, pool, name, false) >= 0;
}

static inline int fake_marker_delete(struct kvmops_probe *p, const char *pool,
				     const char *name)
{
	int i = fake_marker_find(p, pool, name, false);

	if (i < 0)
		return i;
	memset(&fake_markers[i], 0, sizeof(fake_markers[i]));
	return 0;
}

/* How many markers are left anywhere: none, after every check. */
static inline int fake_markers_left(void)
{
	int i, n = 0;

	for (i = 0; i < FAKE_MARKERS; i++)
		n += fake_markers[i].name[0] != '\0';
	return n;
}

static inline int fake_network(struct kvmops_probe *p, const char *name)
{
	struct fake_host *h = host_of(p);
	size_t i;

	if (h->net_err) {
		snprintf(p->error, sizeof(p->error),
			 "fake: networks unreadable");
		return h->net_err;
	}
	for (i = 0; i < FAKE_MAX && h->nets[i].name; i++)
		if (!strcmp(h->nets[i].name, name))
			return h->nets[i].active ? 1 : 0;
	return -ENOENT;
}

static inline int fake_bridge(struct kvmops_probe *p, const char *name)
{
	struct fake_host *h = host_of(p);
	size_t i;

	if (h->bridge_err) {
		snprintf(p->error, sizeof(p->error),
			 "fake: interfaces unreadable");
		return h->bridge_err;
	}
	for (i = 0; i < FAKE_MAX && h->bridges[i]; i++)
		if (!strcmp(h->bridges[i], name))
			return 1;
	return 0;
}

static inline char *fake_capabilities(struct kvmops_probe *p)
{
	struct fake_host *h = host_of(p);
	char *caps;

	if (h->no_caps) {
		snprintf(p->error, sizeof(p->error), "fake: no capabilities");
		return NULL;
	}
	if (asprintf(&caps,
		     "<capabilities>\n"
		     "  <host>\n"
		     "    <uuid>%s</uuid>\n"
		     "    <cpu>\n"
		     "      <arch>x86_64</arch>\n"
		     "      <model>%s</model>\n"
		     "      <vendor>%s</vendor>\n"
		     "    </cpu>\n"
		     "  </host>\n"
		     "  <guest>\n"
		     "    <os_type>hvm</os_type>\n"
		     "    <arch name='x86_64'>\n"
		     "      <wordsize>64</wordsize>\n"
		     "      <emulator>/usr/bin/qemu-system-x86_64</emulator>\n"
		     "      <machine>pc-q35-8.2</machine>\n"
		     "      <domain type='qemu'/>\n"
		     "      %s\n"
		     "    </arch>\n"
		     "  </guest>\n"
		     "  <guest>\n"
		     "    <os_type>hvm</os_type>\n"
		     "    <arch name='aarch64'>\n"
		     "      <wordsize>64</wordsize>\n"
		     "      <domain type='qemu'/>\n"
		     "      <domain type='kvm'/>\n"
		     "    </arch>\n"
		     "  </guest>\n"
		     "</capabilities>\n",
		     h->uuid, h->cpu_model, h->cpu_vendor,
		     h->kvm ? "<domain type='kvm'/>" : "") < 0)
		return NULL;
	return caps;
}

static inline char *fake_domcaps(struct kvmops_probe *p, const char *emulator,
				 const char *arch, const char *machine,
				 const char *virttype)
{
	struct fake_host *h = host_of(p);
	char *caps;

	if (h->no_domcaps) {
		snprintf(p->error, sizeof(p->error), "fake: no such emulator");
		return NULL;
	}
	if (asprintf(&caps,
		     "<domainCapabilities>\n"
		     "  <path>%s</path>\n"
		     "  <domain>%s</domain>\n"
		     "  <machine>%s</machine>\n"
		     "  <arch>%s</arch>\n"
		     "  <cpu>\n"
		     "    <mode name='host-passthrough' supported='yes'/>\n"
		     "    <mode name='host-model' supported='yes'>\n"
		     "      <model fallback='forbid'>%s</model>\n"
		     "      <vendor>%s</vendor>\n"
		     "      <feature policy='require' name='ssbd'/>\n"
		     "      %s\n"
		     "    </mode>\n"
		     "  </cpu>\n"
		     "</domainCapabilities>\n",
		     emulator, virttype, machine, arch, h->cpu_model,
		     h->cpu_vendor,
		     h->nx_off ? "<feature policy='disable' name='nx'/>" : "") <
	    0)
		return NULL;
	return caps;
}

static inline int fake_free_kib(struct kvmops_probe *p, uint64_t *kib)
{
	struct fake_host *h = host_of(p);

	if (h->free_err) {
		snprintf(p->error, sizeof(p->error), "fake: no memory figures");
		return h->free_err;
	}
	*kib = h->free_kib;
	return 0;
}

static inline int fake_compare_cpu(struct kvmops_probe *p, const char *emulator,
				   const char *arch, const char *machine,
				   const char *virttype, const char *cpu_xml)
{
	struct fake_host *h = host_of(p);

	h->compares++;
	if (h->compare < 0)
		snprintf(p->error, sizeof(p->error), "fake: cannot compare");
	return h->compare;
}

static inline int fake_hv_version(struct kvmops_probe *p,
				  unsigned long *version)
{
	struct fake_host *h = host_of(p);

	*version = h->hv_version;
	if (!h->hv_version)
		snprintf(p->error, sizeof(p->error), "fake: no version");
	return h->hv_version ? 0 : -EIO;
}

static const struct kvmops_probe_ops fake_ops = {
	.domain_exists = fake_domain_exists,
	.volume = fake_volume,
	.pool = fake_pool,
	.pool_volume = fake_pool_volume,
	.marker_create = fake_marker_create,
	.marker_seen = fake_marker_seen,
	.marker_delete = fake_marker_delete,
	.pool_refresh = fake_pool_refresh,
	.network = fake_network,
	.bridge = fake_bridge,
	.capabilities = fake_capabilities,
	.hv_version = fake_hv_version,
	.domcaps = fake_domcaps,
	.free_kib = fake_free_kib,
	.compare_cpu = fake_compare_cpu,
};

/*
 * Two hosts alike: Intel Skylake under KVM, 8 GiB free, network 'default'
 * and bridge br0, /shared/g1.qcow2 (10 GiB) on both in a pool over storage
 * they share, and a pool over /var/lib/libvirt/images on each, with
 * 100 GiB free, that is each host's own.
 */
static inline void fake_default(struct fake_host *h, bool source)
{
	memset(h, 0, sizeof(*h));
	if (source)
		h->domains[0] = "g1";
	h->vols[0] = (struct fake_vol){ "/shared/g1.qcow2", 10 * GIB, NULL };
	h->pools[0] = (struct fake_pool){ "shared", "/shared", 500 * GIB,
					  "nfs:/export" };
	h->pools[1] = (struct fake_pool){ "default", "/var/lib/libvirt/images",
					  100 * GIB };
	h->nets[0] = (struct fake_net){ "default", true };
	h->bridges[0] = "br0";
	h->cpu_model = "Skylake-Client-IBRS";
	h->cpu_vendor = "Intel";
	h->uuid = source ? "11111111-2222-3333-4444-555555555555" :
			   "22222222-3333-4444-5555-666666666666";
	h->kvm = true;
	h->free_kib = 8 * KIB_PER_GIB;
	h->compare = VIR_CPU_COMPARE_IDENTICAL;
}

struct check_env {
	struct kvmops_ctx *ctx;
	struct fake_host src, dst;
	struct kvmops_probe sp, dp;
	struct kvmops_check_item *items;
	size_t count;
};

static inline int check_setup(void **state)
{
	struct check_env *env = calloc(1, sizeof(*env));

	if (!env || virt_setup((void **)&env->ctx)) {
		free(env);
		return -1;
	}
	fake_default(&env->src, true);
	fake_default(&env->dst, false);
	env->sp.ops = &fake_ops;
	env->sp.data = &env->src;
	env->dp.ops = &fake_ops;
	env->dp.data = &env->dst;
	*state = env;
	return 0;
}

static inline int check_teardown(void **state)
{
	struct check_env *env = *state;

	free(env->items);
	kvmops_unref(env->ctx);
	free(env);
	return 0;
}

#define DISK_SHARED                          \
	"<disk type='file' device='disk'>"   \
	"<driver name='qemu' type='qcow2'/>" \
	"<source file='/shared/g1.qcow2'/>"  \
	"<target dev='vda' bus='virtio'/></disk>"
#define DISK_LOCAL                                          \
	"<disk type='file' device='disk'>"                  \
	"<driver name='qemu' type='qcow2'/>"                \
	"<source file='/var/lib/libvirt/images/g1.qcow2'/>" \
	"<target dev='vda' bus='virtio'/></disk>"
#define NIC_DEFAULT \
	"<interface type='network'><source network='default'/><model type='virtio'/></interface>"
#define CPU_HOST_MODEL "<cpu mode='host-model' check='partial'/>"

/* A 1 GiB x86_64 guest g1 of domain type @type. */
static inline char *guest_xml(const char *type, const char *cpu,
			      const char *disks, const char *devices)
{
	char *xml;

	if (asprintf(
		    &xml,
		    "<domain type='%s' id='3'>\n"
		    "  <name>g1</name>\n"
		    "  <uuid>6c1d3b8e-2f7a-4c1e-9a55-0d3f4b2a9e10</uuid>\n"
		    "  <memory unit='KiB'>1048576</memory>\n"
		    "  <currentMemory unit='KiB'>1048576</currentMemory>\n"
		    "  <vcpu placement='static'>2</vcpu>\n"
		    "  <os><type arch='x86_64' machine='pc-q35-8.2'>hvm</type></os>\n"
		    "  %s\n"
		    "  <devices>\n"
		    "    <emulator>/usr/bin/qemu-system-x86_64</emulator>\n"
		    "    %s\n"
		    "    %s\n"
		    "    <serial type='pty'><target port='0'/></serial>\n"
		    "    <console type='pty'><target type='serial' port='0'/></console>\n"
		    "  </devices>\n"
		    "</domain>\n",
		    type, cpu, disks, devices) < 0)
		return NULL;
	return xml;
}

static inline void dump_items(const struct check_env *env)
{
	static const char *const v[] = { "OK", "WARN", "FAIL" };
	size_t i;

	for (i = 0; i < env->count; i++)
		fprintf(stderr, "  %-4s %-20s %s | %s\n",
			(unsigned int)env->items[i].verdict < 3 ?
				v[env->items[i].verdict] :
				"?",
			env->items[i].id, env->items[i].text,
			env->items[i].fix);
}

static inline void run_xml(struct check_env *env, const char *xml, int state,
			   const struct kvmops_migrate_opts *o)
{
	int rc;

	free(env->items);
	env->items = NULL;
	env->count = 0;
	rc = kvmops_check_run(env->ctx, xml, state, o, &env->sp, &env->dp,
			      &env->items, &env->count);
	if (rc)
		fail_msg("the check did not run (%d): %s", rc,
			 kvmops_last_error(env->ctx));
	/* Every probe volume the check made is gone again. */
	assert_int_equal(fake_markers_left(), 0);
}

/* The check of a guest made by guest_xml(). */
static inline void run(struct check_env *env, const char *type, const char *cpu,
		       const char *disks, const char *devices, int state,
		       const struct kvmops_migrate_opts *o)
{
	char *xml = guest_xml(type, cpu, disks, devices);

	assert_non_null(xml);
	run_xml(env, xml, state, o);
	free(xml);
}

/* The common case: a running KVM guest on shared storage, one NIC. */
static inline void run_live(struct check_env *env, const char *devices)
{
	struct kvmops_migrate_opts o = live_opts();

	run(env, "kvm", CPU_HOST_MODEL, DISK_SHARED, devices,
	    VIR_DOMAIN_RUNNING, &o);
}

static const struct kvmops_check_item *find(const struct check_env *env,
					    const char *id)
{
	static const struct kvmops_check_item none;
	size_t i;

	for (i = 0; i < env->count; i++)
		if (!strcmp(env->items[i].id, id))
			return &env->items[i];
	dump_items(env);
	fail_msg("no item '%s'", id);
	return &none; /* not reached */
}

static inline bool has_item(const struct check_env *env, const char *id)
{
	size_t i;

	for (i = 0; i < env->count; i++)
		if (!strcmp(env->items[i].id, id))
			return true;
	return false;
}

static inline void expect(const struct check_env *env, const char *id,
			  enum kvmops_verdict verdict, const char *text)
{
	const struct kvmops_check_item *it = find(env, id);

	if (it->verdict != verdict) {
		dump_items(env);
		fail_msg("'%s' is %d, wanted %d: %s", id, it->verdict, verdict,
			 it->text);
	}
	if (text && !strstr(it->text, text)) {
		dump_items(env);
		fail_msg("'%s': '%s' not in: %s", id, text, it->text);
	}
	/* A finding that is not OK says what to do about it. */
	if (verdict != KVMOPS_VERDICT_PASS && !*it->fix)
		fail_msg("'%s' has no fix", id);
}

/* The item @id names @option among those that fix it. */
static inline void expect_remedy(const struct check_env *env, const char *id,
				 const char *option)
{
	const struct kvmops_check_item *it = find(env, id);
	size_t n = strlen(option);
	const char *p;

	for (p = it->remedy; (p = strstr(p, option)); p += n)
		if ((p == it->remedy || p[-1] == ',') && (!p[n] || p[n] == ','))
			return;
	dump_items(env);
	fail_msg("'%s': '%s' not in its remedy '%s'", id, option, it->remedy);
}

static inline void expect_count(const struct check_env *env, const char *id,
				size_t want)
{
	size_t i, n = 0;

	for (i = 0; i < env->count; i++)
		n += !strcmp(env->items[i].id, id);
	if (n != want) {
		dump_items(env);
		fail_msg("%zu items '%s', wanted %zu", n, id, want);
	}
}
/* A guest of every kind of disk, for the XML helpers. */
static const char disks_xml[] __attribute__((unused)) =
	"<domain type='kvm'>\n"
	"  <name>g1</name>\n"
	"  <uuid>6c1d3b8e-2f7a-4c1e-9a55-0d3f4b2a9e10</uuid>\n"
	"  <memory unit='KiB'>1048576</memory>\n"
	"  <devices>\n"
	"    <emulator>/usr/bin/qemu-system-x86_64</emulator>\n"
	"    <disk type='file' device='disk'>\n"
	"      <driver name='qemu' type='qcow2'/>\n"
	"      <source file='/var/lib/libvirt/images/g1.qcow2'/>\n"
	"      <backingStore type='file'><format type='qcow2'/>"
	"<source file='/var/lib/libvirt/images/base.qcow2'/></backingStore>\n"
	"      <target dev='vda' bus='virtio'/>\n"
	"    </disk>\n"
	"    <disk type='block' device='disk'>\n"
	"      <driver name='qemu' type='raw' cache='none'/>\n"
	"      <source dev='/dev/vg0/g1-data'/>\n"
	"      <target dev='vdb' bus='virtio'/>\n"
	"      <shareable/>\n"
	"    </disk>\n"
	"    <disk type='network' device='disk'>\n"
	"      <driver name='qemu' type='raw'/>\n"
	"      <source protocol='rbd' name='rbd/g1-logs'><host name='ceph1' port='6789'/></source>\n"
	"      <target dev='vdc' bus='virtio'/>\n"
	"    </disk>\n"
	"    <disk type='file' device='cdrom'>\n"
	"      <driver name='qemu' type='raw'/>\n"
	"      <target dev='sda' bus='sata'/>\n"
	"      <readonly/>\n"
	"    </disk>\n"
	"    <disk type='file' device='disk'>\n"
	"      <driver name='qemu' type='raw'/>\n"
	"      <source file='/srv/iso/tools.img'/>\n"
	"      <target dev='vdd' bus='virtio'/>\n"
	"      <readonly/>\n"
	"    </disk>\n"
	"    <interface type='network'><source network='default'/></interface>\n"
	"  </devices>\n"
	"</domain>\n";

/* The three kinds of test: a bare context, libvirt loaded, two fake hosts. */
#define PURE(f) cmocka_unit_test_setup_teardown(f, ctx_setup, ctx_teardown)
#define VIRT_TEST(f) \
	cmocka_unit_test_setup_teardown(f, virt_setup, ctx_teardown)
#define CHECK(f) cmocka_unit_test_setup_teardown(f, check_setup, check_teardown)

#endif
