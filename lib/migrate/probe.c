// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The probe that asks libvirt: what the check and the disk plans need to
 * know of a host, one question per call, so the unit tests can answer the
 * same questions from tables.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "migrate/migrate.h"
#include "virt/xml.h"

/* A marker volume is tiny: it only has to exist. */
#define MARKER_BYTES 512

static int probe_fail(struct kvmops_probe *p, int err)
{
	snprintf(p->error, sizeof(p->error), "%s", kvmops_virt_message());
	return err;
}

/* libvirt says "not found" in several ways; each means -ENOENT here. */
static int lookup_error(struct kvmops_probe *p)
{
	virErrorPtr e = VIRT(virGetLastError)();

	if (e &&
	    (e->code == VIR_ERR_NO_DOMAIN ||
	     e->code == VIR_ERR_NO_STORAGE_VOL ||
	     e->code == VIR_ERR_NO_NETWORK || e->code == VIR_ERR_NO_INTERFACE ||
	     e->code == VIR_ERR_NO_STORAGE_POOL))
		return probe_fail(p, -ENOENT);
	return probe_fail(p, -EIO);
}

/* 1 when a lookup @found its object, 0 when there is none, else -errno. */
static int found_or_error(struct kvmops_probe *p, bool found)
{
	int rc;

	if (found)
		return 1;
	rc = lookup_error(p); /* before anything resets libvirt's error */
	return rc == -ENOENT ? 0 : rc;
}

static int lv_domain_exists(struct kvmops_probe *p, const char *name)
{
	virDomainPtr dom = VIRT(virDomainLookupByName)(p->conn, name);
	int rc = found_or_error(p, dom != NULL);

	if (dom)
		VIRT(virDomainFree)(dom);
	return rc;
}

static void vol_details(virStorageVolPtr vol, struct kvmops_vol_info *vi)
{
	char *xml = VIRT(virStorageVolGetXMLDesc)(vol, 0);
	const char *key = VIRT(virStorageVolGetKey)(vol);
	struct kvmops_xml x;

	snprintf(vi->key, sizeof(vi->key), "%s", key ? key : "");
	if (!xml)
		return;
	if (!kvmops_xml_parse(xml, &x)) {
		kvmops_xml_copy(&x, NULL, "string(/volume/target/format/@type)",
				vi->format, sizeof(vi->format));
		kvmops_xml_copy(&x, NULL, "string(/volume/backingStore/path)",
				vi->backing, sizeof(vi->backing));
		kvmops_xml_copy(&x, NULL,
				"string(/volume/backingStore/format/@type)",
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

/* The pool's type and directory, from its XML. */
static int pool_details(virStoragePoolPtr pool, struct kvmops_pool_info *pi)
{
	char *xml = VIRT(virStoragePoolGetXMLDesc)(pool, 0);
	struct kvmops_xml x;

	pi->type[0] = pi->target[0] = '\0';
	if (!xml)
		return -EIO;
	if (!kvmops_xml_parse(xml, &x)) {
		kvmops_xml_copy(&x, NULL, "string(/pool/@type)", pi->type,
				sizeof(pi->type));
		kvmops_xml_copy(&x, NULL, "string(/pool/target/path)",
				pi->target, sizeof(pi->target));
		kvmops_xml_close(&x);
	}
	free(xml);
	strip_slashes(pi->target);
	return 0;
}

static virStoragePoolPtr pool_over(struct kvmops_probe *p, const char *dir,
				   struct kvmops_pool_info *pi)
{
	virStoragePoolPtr *pools = NULL, found = NULL;
	char want[PATH_MAX];
	int n, i;

	snprintf(want, sizeof(want), "%s", dir);
	strip_slashes(want);
	n = VIRT(virConnectListAllStoragePools)(
		p->conn, &pools, VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE);
	for (i = 0; i < n; i++) {
		if (!found && !pool_details(pools[i], pi) && *pi->target &&
		    !strcmp(pi->target, want))
			found = pools[i];
		else
			VIRT(virStoragePoolFree)(pools[i]);
	}
	free(pools);
	if (n < 0)
		probe_fail(p, -EIO);
	return found;
}

/* The active pool @name; NULL with p->error set (-ENOENT, or -EIO in *@err). */
static virStoragePoolPtr active_pool(struct kvmops_probe *p, const char *name,
				     int *err)
{
	virStoragePoolPtr pool =
		VIRT(virStoragePoolLookupByName)(p->conn, name);

	*err = 0;
	if (!pool) {
		*err = lookup_error(p);
		return NULL;
	}
	if (VIRT(virStoragePoolIsActive)(pool) != 1) {
		VIRT(virStoragePoolFree)(pool);
		snprintf(p->error, sizeof(p->error), "pool %s is not active",
			 name);
		*err = -ENOENT;
		return NULL;
	}
	return pool;
}

static int lv_pool(struct kvmops_probe *p, const char *name, const char *dir,
		   struct kvmops_pool_info *pi)
{
	virStoragePoolPtr pool;
	virStoragePoolInfo info;
	int rc;

	memset(pi, 0, sizeof(*pi));
	if (name) {
		pool = active_pool(p, name, &rc);
		if (pool && pool_details(pool, pi)) {
			VIRT(virStoragePoolFree)(pool);
			pool = NULL;
		}
	} else {
		pool = pool_over(p, dir, pi);
	}
	if (!pool)
		return -ENOENT;
	snprintf(pi->name, sizeof(pi->name), "%s",
		 VIRT(virStoragePoolGetName)(pool));
	if (!VIRT(virStoragePoolGetInfo)(pool, &info))
		pi->available = info.available;
	VIRT(virStoragePoolFree)(pool);
	return 0;
}

/*
 * Volume @vol_name of active pool @pool_name; NULL with *@err -ENOENT or
 * -EIO. Freeing the pool resets libvirt's last error, so the error is
 * taken before.
 */
static virStorageVolPtr volume_in(struct kvmops_probe *p, const char *pool_name,
				  const char *vol_name, int *err)
{
	virStoragePoolPtr pool = active_pool(p, pool_name, err);
	virStorageVolPtr vol;

	if (!pool)
		return NULL;
	vol = VIRT(virStorageVolLookupByName)(pool, vol_name);
	if (!vol)
		*err = lookup_error(p);
	VIRT(virStoragePoolFree)(pool);
	return vol;
}

static int lv_pool_volume(struct kvmops_probe *p, const char *pool,
			  const char *name, char *path, size_t len)
{
	char *where;
	int rc;
	virStorageVolPtr vol = volume_in(p, pool, name, &rc);

	if (!vol)
		return rc;
	where = VIRT(virStorageVolGetPath)(vol);
	snprintf(path, len, "%s", where ? where : "");
	free(where);
	VIRT(virStorageVolFree)(vol);
	return *path ? 0 : probe_fail(p, -EIO);
}

static int lv_marker_create(struct kvmops_probe *p, const char *pool_name,
			    const char *name)
{
	virStorageVolPtr vol;
	char xml[512];
	int rc;
	virStoragePoolPtr pool = active_pool(p, pool_name, &rc);

	if (!pool)
		return rc;
	snprintf(xml, sizeof(xml),
		 "<volume><name>%s</name><capacity unit='bytes'>%d</capacity>"
		 "<allocation unit='bytes'>0</allocation>"
		 "<target><format type='raw'/></target></volume>",
		 name, MARKER_BYTES);
	vol = VIRT(virStorageVolCreateXML)(pool, xml, 0);
	if (vol)
		VIRT(virStorageVolFree)(vol);
	else
		rc = probe_fail(p, -EIO);
	VIRT(virStoragePoolFree)(pool);
	return rc;
}

static int lv_pool_refresh(struct kvmops_probe *p, const char *pool_name)
{
	int rc;
	virStoragePoolPtr pool = active_pool(p, pool_name, &rc);

	if (!pool)
		return rc;
	if (VIRT(virStoragePoolRefresh)(pool, 0))
		rc = probe_fail(p, -EIO);
	VIRT(virStoragePoolFree)(pool);
	return rc;
}

static int lv_marker_seen(struct kvmops_probe *p, const char *pool,
			  const char *name)
{
	virStorageVolPtr vol;
	int rc = lv_pool_refresh(p, pool);

	if (rc)
		return rc;
	vol = volume_in(p, pool, name, &rc);
	if (vol)
		VIRT(virStorageVolFree)(vol);
	return vol ? 1 : rc == -ENOENT ? 0 : rc;
}

static int lv_marker_delete(struct kvmops_probe *p, const char *pool,
			    const char *name)
{
	int rc;
	virStorageVolPtr vol = volume_in(p, pool, name, &rc);

	if (!vol)
		return rc;
	rc = VIRT(virStorageVolDelete)(vol, 0) ? probe_fail(p, -EIO) : 0;
	VIRT(virStorageVolFree)(vol);
	return rc;
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
	int rc = found_or_error(p, iface != NULL);

	if (iface)
		VIRT(virInterfaceFree)(iface);
	return rc;
}

static int lv_hv_version(struct kvmops_probe *p, unsigned long *version)
{
	return VIRT(virConnectGetVersion)(p->conn, version) ?
		       probe_fail(p, -EIO) :
		       0;
}

static char *lv_capabilities(struct kvmops_probe *p)
{
	char *caps = VIRT(virConnectGetCapabilities)(p->conn);

	if (!caps)
		probe_fail(p, -EIO);
	return caps;
}

static const char *or_null(const char *s)
{
	return *s ? s : NULL;
}

static char *lv_domcaps(struct kvmops_probe *p, const char *emulator,
			const char *arch, const char *machine,
			const char *virttype)
{
	char *caps = VIRT(virConnectGetDomainCapabilities)(
		p->conn, or_null(emulator), or_null(arch), or_null(machine),
		or_null(virttype), 0);

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
		p->conn, or_null(emulator), or_null(arch), or_null(machine),
		or_null(virttype), cpu_xml, 0);

	return rc == VIR_CPU_COMPARE_ERROR ? probe_fail(p, -EIO) : rc;
}

static const struct kvmops_probe_ops libvirt_ops = {
	.domain_exists = lv_domain_exists,
	.volume = lv_volume,
	.pool = lv_pool,
	.pool_volume = lv_pool_volume,
	.marker_create = lv_marker_create,
	.marker_seen = lv_marker_seen,
	.marker_delete = lv_marker_delete,
	.pool_refresh = lv_pool_refresh,
	.network = lv_network,
	.bridge = lv_bridge,
	.capabilities = lv_capabilities,
	.hv_version = lv_hv_version,
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
