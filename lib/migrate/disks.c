// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A guest's disks on the way to another host: which the destination has
 * already (shared storage, and proven so), which are copied and where,
 * and which stop the move. The check reports these plans; live and
 * offline migration carry them out, so the three never disagree.
 *
 * A path that exists on both hosts proves nothing: two hosts may each
 * have a private directory at the same path. Storage counts as shared
 * when a marker volume made in a pool of this host appears in the
 * destination's pool over the same directory (HACKING, "Shared storage").
 */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "migrate/migrate.h"
#include "virt/xml.h"

#define MARKER_PREFIX "kvmops-probe-"

/* ---- the guest's disks --------------------------------------------------- */

static void read_disk(struct kvmops_xml *x, xmlNodePtr node,
		      struct kvmops_disk *d)
{
	kvmops_xml_copy(x, node, "string(target/@dev)", d->target,
			sizeof(d->target));
	kvmops_xml_copy(x, node, "string(@device)", d->device,
			sizeof(d->device));
	kvmops_xml_copy(x, node, "string(@type)", d->type, sizeof(d->type));
	kvmops_xml_copy(x, node, "string(source/@file | source/@dev)", d->path,
			sizeof(d->path));
	kvmops_xml_copy(x, node, "string(driver/@type)", d->format,
			sizeof(d->format));
	kvmops_xml_copy(x, node, "string(source/@protocol)", d->protocol,
			sizeof(d->protocol));
	kvmops_xml_copy(x, node, "string(source/@pool)", d->vol_pool,
			sizeof(d->vol_pool));
	kvmops_xml_copy(x, node, "string(source/@volume)", d->vol_name,
			sizeof(d->vol_name));
	d->readonly = kvmops_xml_number(x, node, "count(readonly)") > 0 ||
		      !strcmp(d->device, "cdrom");
	d->shareable = kvmops_xml_number(x, node, "count(shareable)") > 0;
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
	for (i = 0; d && i < n; i++)
		read_disk(&x, nodes[i], &d[i]);
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

/* ---- is it the same storage? --------------------------------------------- */

/* A message into @buf, cut to fit: they name paths of any length. */
static void say(char *buf, size_t len, const char *fmt, ...)
	KVMOPS_PRINTF(3, 4);

static void say(char *buf, size_t len, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vsnprintf(buf, len, fmt, args);
	va_end(args);
}

/* Pools whose volumes every host reaches over the network. */
static bool network_pool(const char *type)
{
	static const char *const types[] = { "rbd",	 "gluster",
					     "iscsi",	 "iscsi-direct",
					     "sheepdog", "vstorage" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(types); i++)
		if (!strcmp(type, types[i]))
			return true;
	return false;
}

/* A name no one else has: a marker must never meet an older one. */
static void marker_name(char *buf, size_t len)
{
	uint64_t r;

	if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
		r = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32) ^
		    (uint64_t)(uintptr_t)buf;
	snprintf(buf, len, MARKER_PREFIX "%016" PRIx64, r);
}

/* Makes a marker in pool @here of @src and looks for it in @there of @dst. */
static enum kvmops_sharing
prove_pools(struct kvmops_ctx *ctx, struct kvmops_probe *src, const char *here,
	    struct kvmops_probe *dst, const char *there, char *why, size_t len)
{
	char name[64];
	int seen;

	marker_name(name, sizeof(name));
	if (src->ops->marker_create(src, here, name)) {
		say(why, len,
		    "no probe volume can be made in pool %s here (%s)", here,
		    src->error);
		return KVMOPS_UNPROVEN;
	}
	seen = dst->ops->marker_seen(dst, there, name);
	if (seen < 0)
		say(why, len,
		    "pool %s on the destination cannot be refreshed (%s)",
		    there, dst->error);
	if (src->ops->marker_delete(src, here, name))
		err(ctx, "the probe volume %s is left in pool %s: %s", name,
		    here, src->error);
	/*
	 * The destination forgets it too, or its pool lists a ghost: deleting
	 * its entry there is cheaper than a refresh, which reads every file.
	 */
	if (seen > 0 && dst->ops->marker_delete(dst, there, name) &&
	    dst->ops->pool_refresh(dst, there))
		info(ctx, "pool %s on the destination was not refreshed: %s",
		     there, dst->error);
	if (seen < 0)
		return KVMOPS_UNPROVEN;
	say(why, len,
	    seen ? "a probe volume made in pool %s here appeared in pool %s there" :
		   "a probe volume made in pool %s here did not appear in pool %s there",
	    here, there);
	return seen ? KVMOPS_SHARED : KVMOPS_NOT_SHARED;
}

static enum kvmops_sharing
pools_sharing(struct kvmops_ctx *ctx, struct kvmops_probe *src,
	      const char *here, struct kvmops_probe *dst, const char *there,
	      struct kvmops_sharing_memo *memo, char *why, size_t len)
{
	enum kvmops_sharing s;
	size_t i;

	for (i = 0; memo && i < memo->count; i++) {
		if (strcmp(memo->pools[i].here, here) ||
		    strcmp(memo->pools[i].there, there))
			continue;
		say(why, len, "%s", memo->pools[i].why);
		return memo->pools[i].sharing;
	}
	s = prove_pools(ctx, src, here, dst, there, why, len);
	if (memo && memo->count < KVMOPS_SHARING_MEMO) {
		i = memo->count++;
		snprintf(memo->pools[i].here, sizeof(memo->pools[i].here), "%s",
			 here);
		snprintf(memo->pools[i].there, sizeof(memo->pools[i].there),
			 "%s", there);
		snprintf(memo->pools[i].why, sizeof(memo->pools[i].why), "%s",
			 why);
		memo->pools[i].sharing = s;
	}
	return s;
}

enum kvmops_sharing
kvmops_dir_sharing(struct kvmops_ctx *ctx, struct kvmops_probe *src,
		   struct kvmops_probe *dst, const char *dir,
		   struct kvmops_sharing_memo *memo, char *why, size_t len)
{
	struct kvmops_pool_info here, there;

	if (dst->ops->pool(dst, NULL, dir, &there)) {
		say(why, len,
		    "the destination has no active storage pool over %s", dir);
		return KVMOPS_ABSENT;
	}
	if (src->ops->pool(src, NULL, dir, &here)) {
		say(why, len,
		    "this host has no active storage pool over %s to make a probe volume in",
		    dir);
		return KVMOPS_UNPROVEN;
	}
	return pools_sharing(ctx, src, here.name, dst, there.name, memo, why,
			     len);
}

static enum kvmops_sharing
file_sharing(struct kvmops_ctx *ctx, struct kvmops_probe *src,
	     struct kvmops_probe *dst, const struct kvmops_disk *d,
	     struct kvmops_sharing_memo *memo, char *why, size_t len)
{
	struct kvmops_vol_info there;
	char dir[PATH_MAX];
	int rc = dst->ops->volume(dst, d->path, &there);

	if (rc == -ENOENT) {
		say(why, len, "the destination has no %s in its storage pools",
		    d->path);
		return KVMOPS_ABSENT;
	}
	if (rc) {
		say(why, len, "the destination cannot look it up (%s)",
		    dst->error);
		return KVMOPS_UNPROVEN;
	}
	dir_of(d->path, dir, sizeof(dir));
	return kvmops_dir_sharing(ctx, src, dst, dir, memo, why, len);
}

/* Block devices: the destination must see the same volume (its key). */
static enum kvmops_sharing block_sharing(struct kvmops_probe *src,
					 struct kvmops_probe *dst,
					 const char *path, char *why,
					 size_t len)
{
	struct kvmops_vol_info here, there;
	int rc = dst->ops->volume(dst, path, &there);

	if (rc == -ENOENT) {
		say(why, len,
		    "the destination has no volume %s in its storage pools",
		    path);
		return KVMOPS_ABSENT;
	}
	if (rc || src->ops->volume(src, path, &here) || !*here.key ||
	    !*there.key) {
		say(why, len,
		    "the volume keys of %s cannot be compared (it must be in a storage pool on both hosts)",
		    path);
		return KVMOPS_UNPROVEN;
	}
	if (strcmp(here.key, there.key)) {
		say(why, len,
		    "the destination's volume has key %s, this host's %s",
		    there.key, here.key);
		return KVMOPS_NOT_SHARED;
	}
	say(why, len, "the destination sees the same volume (key %s)",
	    here.key);
	return KVMOPS_SHARED;
}

/* <source pool= volume=>: libvirt finds it on each host by the pool's name. */
static enum kvmops_sharing
volume_sharing(struct kvmops_ctx *ctx, struct kvmops_probe *src,
	       struct kvmops_probe *dst, const struct kvmops_disk *d,
	       struct kvmops_sharing_memo *memo, char *why, size_t len)
{
	struct kvmops_pool_info here, there;
	char path[PATH_MAX];

	if (dst->ops->pool(dst, d->vol_pool, NULL, &there) ||
	    dst->ops->pool_volume(dst, d->vol_pool, d->vol_name, path,
				  sizeof(path))) {
		say(why, len,
		    "the destination has no volume %s in an active pool %s",
		    d->vol_name, d->vol_pool);
		return KVMOPS_ABSENT;
	}
	if (src->ops->pool(src, d->vol_pool, NULL, &here)) {
		say(why, len, "this host has no active pool %s", d->vol_pool);
		return KVMOPS_UNPROVEN;
	}
	if (network_pool(here.type)) {
		say(why, len, "pool %s is %s storage, which both hosts reach",
		    here.name, here.type);
		return KVMOPS_SHARED;
	}
	if (*here.target && *there.target)
		return pools_sharing(ctx, src, here.name, dst, there.name, memo,
				     why, len);
	return block_sharing(src, dst, path, why, len);
}

static enum kvmops_sharing
disk_sharing(struct kvmops_ctx *ctx, struct kvmops_probe *src,
	     struct kvmops_probe *dst, const struct kvmops_disk *d,
	     struct kvmops_sharing_memo *memo, char *why, size_t len)
{
	if (!strcmp(d->type, "network")) {
		say(why, len, "network storage (%s), reached from either host",
		    *d->protocol ? d->protocol : "network");
		return KVMOPS_SHARED;
	}
	if (!strcmp(d->type, "volume"))
		return volume_sharing(ctx, src, dst, d, memo, why, len);
	if (!strcmp(d->type, "block"))
		return block_sharing(src, dst, d->path, why, len);
	return file_sharing(ctx, src, dst, d, memo, why, len);
}

/* ---- verdicts ------------------------------------------------------------ */

/*
 * Item @it: "KIND TARGET" ("disk vda"), or KIND alone without @target,
 * found as @fmt says, with @fix and the options that do it (@remedy).
 */
static void item(struct kvmops_check_item *it, const char *kind,
		 const char *target, enum kvmops_verdict v, const char *remedy,
		 const char *fix, const char *fmt, ...) KVMOPS_PRINTF(7, 8);

static void item(struct kvmops_check_item *it, const char *kind,
		 const char *target, enum kvmops_verdict v, const char *remedy,
		 const char *fix, const char *fmt, ...)
{
	va_list args;

	memset(it, 0, sizeof(*it));
	snprintf(it->id, sizeof(it->id), "%s%s%s", kind, target ? " " : "",
		 target ? target : "");
	it->verdict = v;
	snprintf(it->fix, sizeof(it->fix), "%s", fix ? fix : "");
	snprintf(it->remedy, sizeof(it->remedy), "%s", remedy ? remedy : "");
	va_start(args, fmt);
	vsnprintf(it->text, sizeof(it->text), fmt, args);
	va_end(args);
}

/* The plan stops the move, with @err. */
static void refused(struct kvmops_disk_plan *pl, int err)
{
	pl->fate = KVMOPS_DISK_REFUSED;
	pl->err = err;
}

/* The plan's own item, "disk TARGET": a verdict, a warning, a refusal. */
#define verdict(pl, v, ...) \
	item(&(pl)->item, "disk", (pl)->disk.target, v, NULL, NULL, __VA_ARGS__)
#define warn(pl, fix, ...)                                                \
	item(&(pl)->item, "disk", (pl)->disk.target, KVMOPS_VERDICT_WARN, \
	     NULL, fix, __VA_ARGS__)
#define refuse(pl, e, remedy, fix, ...)                              \
	do {                                                         \
		item(&(pl)->item, "disk", (pl)->disk.target,         \
		     KVMOPS_VERDICT_FAIL, remedy, fix, __VA_ARGS__); \
		refused(pl, e);                                      \
	} while (0)
#define backing_item(pl, v, remedy, fix, ...)                              \
	item(&(pl)->backing, "backing", (pl)->disk.target, v, remedy, fix, \
	     __VA_ARGS__)
/* The "state file" item; one with a fix names the state file as remedy. */
#define state_item(it, v, fix, ...)                                       \
	item(it, "state file", NULL, v, (fix) ? "state_file" : NULL, fix, \
	     __VA_ARGS__)

/* The backing image of a copied disk must be on the destination already. */
static void plan_backing(struct kvmops_disk_plan *pl, struct kvmops_probe *dst)
{
	struct kvmops_vol_info vb;

	if (!pl->have_info || !*pl->info.backing)
		return;
	if (!dst->ops->volume(dst, pl->info.backing, &vb)) {
		backing_item(pl, KVMOPS_VERDICT_PASS, NULL, NULL,
			     "the backing image %s is on the destination",
			     pl->info.backing);
		return;
	}
	backing_item(
		pl, KVMOPS_VERDICT_FAIL, "copy_storage",
		"copy the backing image there first, to the same path and in a pool, or copy whole disks",
		"the backing image %s is not on the destination",
		pl->info.backing);
	if (pl->fate != KVMOPS_DISK_REFUSED)
		refused(pl, -ENXIO);
}

/* @fix, and when the disk could be copied with the move, that too. */
static const char *or_copy(char *buf, size_t len, const char *fix,
			   bool can_copy)
{
	snprintf(buf, len, "%s%s", fix,
		 can_copy ? ", or copy the disks with the migration" : "");
	return buf;
}

/* Proven shared: the destination sees it, of the same size. */
static void same_disk(struct kvmops_disk_plan *pl, struct kvmops_probe *dst,
		      const char *what, const char *why, bool can_copy)
{
	struct kvmops_vol_info there;
	char fix[160];

	if (pl->have_info && *pl->disk.path &&
	    !dst->ops->volume(dst, pl->disk.path, &there) &&
	    there.capacity != pl->info.capacity)
		refuse(pl, -ENXIO, can_copy ? "copy_storage" : NULL,
		       or_copy(fix, sizeof(fix), "it is another disk",
			       can_copy),
		       "%s on the destination is not this disk (%" PRIu64
		       " bytes there, %" PRIu64 " here)",
		       pl->disk.path, there.capacity, pl->info.capacity);
	else
		verdict(pl, KVMOPS_VERDICT_PASS,
			"%s is on storage both hosts share: %s", what, why);
}

/* Something is there, but whether it is this disk cannot be proven. */
static void unproven(struct kvmops_disk_plan *pl,
		     const struct kvmops_migrate_opts *o, const char *what,
		     const char *why, bool can_copy)
{
	char fix[320];

	if (o->unsafe) {
		warn(pl,
		     "make sure the destination has the same storage at that path",
		     "%s is not proven to be on shared storage (%s); the migration is unsafe, so it is taken on trust",
		     what, why);
		return;
	}
	or_copy(fix, sizeof(fix),
		"give both hosts an active storage pool over its directory, so that a probe can prove it shared",
		can_copy);
	snprintf(fix + strlen(fix), sizeof(fix) - strlen(fix),
		 "; if it is shared, migrate unsafe");
	refuse(pl, -ENXIO, can_copy ? "copy_storage,unsafe" : "unsafe", fix,
	       "%s cannot be proven to be on shared storage: %s", what, why);
}

/* What must already be on the destination: the live rule. */
static void plan_shared(struct kvmops_ctx *ctx, struct kvmops_disk_plan *pl,
			struct kvmops_probe *src, struct kvmops_probe *dst,
			const struct kvmops_migrate_opts *o,
			struct kvmops_sharing_memo *memo)
{
	const struct kvmops_disk *d = &pl->disk;
	const char *what = *d->path ? d->path : d->vol_name;
	bool can_copy = o->copy_storage == KVMOPS_COPY_NONE && !d->readonly &&
			!d->shareable;
	const char *remedy = can_copy ? "copy_storage" : NULL;
	char why[320], fix[160];
	enum kvmops_sharing s =
		disk_sharing(ctx, src, dst, d, memo, why, sizeof(why));

	pl->fate = KVMOPS_DISK_STAYS;
	if (s == KVMOPS_SHARED)
		same_disk(pl, dst, what, why, can_copy);
	else if (s != KVMOPS_ABSENT && d->readonly && *d->path)
		/* An image only read: its own copy there at the path will do. */
		verdict(pl, KVMOPS_VERDICT_PASS,
			"%s is read-only, and the destination has it at the same path",
			what);
	else if (s == KVMOPS_UNPROVEN)
		unproven(pl, o, what, why, can_copy);
	else if (s == KVMOPS_ABSENT)
		refuse(pl, -ENXIO, remedy,
		       or_copy(fix, sizeof(fix),
			       "put the same storage at the same path there, with an active storage pool over it",
			       can_copy),
		       "%s is not on the destination: %s", what, why);
	else
		refuse(pl, -ENXIO, remedy,
		       or_copy(fix, sizeof(fix),
			       "put the same storage at the same path there",
			       can_copy),
		       "%s on the destination is other storage at the same path: %s",
		       what, why);
}

/*
 * A pool on the destination with room for the copy: @want, or the one
 * over the disk's directory. Sets pl->pool and pl->dest_path.
 */
static bool plan_pool(struct kvmops_disk_plan *pl, struct kvmops_probe *dst,
		      const char *want)
{
	const struct kvmops_disk *d = &pl->disk;
	const char *base = strrchr(d->path, '/');
	uint64_t capacity = pl->have_info ? pl->info.capacity : 0;
	struct kvmops_pool_info pi;
	char dir[PATH_MAX], need[24], room[24];

	dir_of(d->path, dir, sizeof(dir));
	if (dst->ops->pool(dst, want, dir, &pi)) {
		if (want)
			refuse(pl, -ENXIO, "pool",
			       "start it there (virsh pool-start), or name another",
			       "no active pool %s on the destination", want);
		else
			refuse(pl, -ENXIO, "pool",
			       "define and start a dir pool over that directory there (virsh pool-define-as), or name another pool",
			       "no active storage pool over %s on the destination",
			       dir);
		return false;
	}
	if (snprintf(pl->dest_path, sizeof(pl->dest_path), "%s/%s", pi.target,
		     base ? base + 1 : d->path) >= (int)sizeof(pl->dest_path)) {
		refuse(pl, -ENAMETOOLONG, "pool",
		       "use a pool with a shorter path",
		       "the path in pool %s would be too long", pi.name);
		return false;
	}
	snprintf(pl->pool, sizeof(pl->pool), "%s", pi.name);
	kvmops_size_format(capacity, need, sizeof(need));
	kvmops_size_format(pi.available, room, sizeof(room));
	if (pi.available < capacity) {
		refuse(pl, -ENOSPC, "pool",
		       "free room in that pool, or name another",
		       "pool %s on the destination has %s free; the disk may grow to %s",
		       pi.name, room, need);
		return false;
	}
	verdict(pl, KVMOPS_VERDICT_PASS, "copied to %s (pool %s, %s free)",
		pl->dest_path, pi.name, room);
	pl->fate = KVMOPS_DISK_COPIED;
	return true;
}

/* Live with its disks copied: libvirt writes them at the same path. */
static void plan_copy(struct kvmops_disk_plan *pl, struct kvmops_probe *dst,
		      const struct kvmops_migrate_opts *o)
{
	struct kvmops_vol_info there;

	if (!dst->ops->volume(dst, pl->disk.path, &there)) {
		refuse(pl, -EEXIST, "copy_storage",
		       "if it is shared storage, migrate without copying the disks; if it is left over, delete it there",
		       "%s is on the destination already: copying would overwrite it",
		       pl->disk.path);
		return;
	}
	if (plan_pool(pl, dst, NULL) && o->copy_storage == KVMOPS_COPY_INC)
		plan_backing(pl, dst);
}

/* Where another disk of the guest goes already. */
static bool path_taken(const struct kvmops_disk_plan *plans,
		       const struct kvmops_disk_plan *pl)
{
	const struct kvmops_disk_plan *other;

	for (other = plans; other < pl; other++)
		if (other->fate == KVMOPS_DISK_COPIED &&
		    !strcmp(other->dest_path, pl->dest_path))
			return true;
	return false;
}

/* Offline: a disk the destination lacks, copied into a pool there. */
static void plan_offline_copy(struct kvmops_disk_plan *plans,
			      struct kvmops_disk_plan *pl,
			      struct kvmops_probe *dst, const char *pool)
{
	const struct kvmops_disk *d = &pl->disk;
	struct kvmops_vol_info there;

	if (strcmp(d->type, "file"))
		refuse(pl, -ENOTSUP, NULL,
		       "copy it by hand, or put the same storage at the same path there",
		       "%s is a %s disk: offline moves copy file disks only",
		       *d->path ? d->path : d->vol_name, d->type);
	else if (!pl->have_info)
		refuse(pl, -ENXIO, NULL,
		       "define an active dir pool over its directory here (the copy reads through libvirt)",
		       "%s is in no active storage pool of this host", d->path);
	else if (!plan_pool(pl, dst, pool))
		return;
	else if (!dst->ops->volume(dst, pl->dest_path, &there))
		refuse(pl, -EEXIST, "pool",
		       "delete it there, or copy into another pool",
		       "%s is on the destination already", pl->dest_path);
	else if (path_taken(plans, pl))
		refuse(pl, -EEXIST, NULL,
		       "rename one of the files, or move the disks one pool at a time",
		       "another disk of the guest goes to %s too",
		       pl->dest_path);
	else
		plan_backing(pl, dst);
}

/* Offline: disks the destination lacks are copied through streams. */
static void plan_offline(struct kvmops_ctx *ctx, struct kvmops_disk_plan *plans,
			 struct kvmops_disk_plan *pl, struct kvmops_probe *src,
			 struct kvmops_probe *dst,
			 const struct kvmops_migrate_opts *o,
			 struct kvmops_sharing_memo *memo)
{
	const struct kvmops_disk *d = &pl->disk;
	enum kvmops_sharing s = KVMOPS_ABSENT;
	char why[320] = "";

	/* Into a named pool every disk is copied, seen there or not. */
	if (!o->pool)
		s = disk_sharing(ctx, src, dst, d, memo, why, sizeof(why));
	if (s == KVMOPS_SHARED) {
		pl->fate = KVMOPS_DISK_STAYS;
		verdict(pl, KVMOPS_VERDICT_PASS,
			"%s is on storage both hosts share, so it is not copied: %s",
			*d->path ? d->path : d->vol_name, why);
	} else if (s == KVMOPS_NOT_SHARED) {
		refuse(pl, -EEXIST, "pool",
		       "if it is left over, delete it there; else copy the disk into another pool",
		       "%s on the destination is other storage at the same path (%s): copying would overwrite it",
		       d->path, why);
	} else if (s == KVMOPS_UNPROVEN) {
		refuse(pl, -EEXIST, "pool",
		       "if it is left over, delete it there; else copy the disk into another pool",
		       "%s on the destination may be another disk (%s): copying would overwrite it",
		       d->path, why);
	} else {
		plan_offline_copy(plans, pl, dst, o->pool);
	}
}

static bool carries_data(const struct kvmops_disk *d)
{
	return *d->path || !strcmp(d->type, "network") ||
	       !strcmp(d->type, "volume");
}

int kvmops_plan_disks(struct kvmops_ctx *ctx, struct kvmops_probe *src,
		      struct kvmops_probe *dst, const char *domain_xml,
		      const struct kvmops_migrate_opts *o,
		      struct kvmops_disk_plan **out, size_t *count)
{
	struct kvmops_sharing_memo memo = { 0 };
	struct kvmops_disk_plan *plans, *pl;
	struct kvmops_disk *disks;
	size_t n, i, k = 0;
	int rc;

	rc = kvmops_domain_disks(domain_xml, &disks, &n);
	if (rc)
		return kvmops_fail(ctx, rc, "cannot read the guest's disks");
	plans = calloc(n ? n : 1, sizeof(*plans));
	for (i = 0; plans && i < n; i++) {
		if (!carries_data(&disks[i]))
			continue; /* an empty drive: nothing to move */
		pl = &plans[k++];
		pl->disk = disks[i];
		pl->have_info =
			*pl->disk.path &&
			!src->ops->volume(src, pl->disk.path, &pl->info);
		/* libvirt copies neither read-only nor shareable disks */
		if (o->kind == KVMOPS_MIGRATE_LIVE || pl->disk.readonly ||
		    pl->disk.shareable || !strcmp(pl->disk.type, "network"))
			plan_shared(ctx, pl, src, dst, o, &memo);
		else if (o->kind == KVMOPS_MIGRATE_COPY_STORAGE)
			plan_copy(pl, dst, o);
		else
			plan_offline(ctx, plans, pl, src, dst, o, &memo);
	}
	free(disks);
	if (!plans)
		return -ENOMEM;
	*out = plans;
	*count = k;
	return 0;
}

const struct kvmops_disk_plan *
kvmops_refused_disk(const struct kvmops_disk_plan *plans, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		if (plans[i].fate == KVMOPS_DISK_REFUSED)
			return &plans[i];
	return NULL;
}

/* ---- the saved memory of a move that keeps it ------------------------------ */

static void given_state_file(struct kvmops_ctx *ctx, struct kvmops_probe *src,
			     struct kvmops_probe *dst, const char *path,
			     struct kvmops_check_item *it)
{
	char dir[PATH_MAX], why[320];

	dir_of(path, dir, sizeof(dir));
	switch (kvmops_dir_sharing(ctx, src, dst, dir, NULL, why,
				   sizeof(why))) {
	case KVMOPS_SHARED:
		state_item(
			it, KVMOPS_VERDICT_PASS, NULL,
			"the memory is saved to %s, on storage both hosts share: %s",
			path, why);
		break;
	case KVMOPS_NOT_SHARED:
		state_item(
			it, KVMOPS_VERDICT_FAIL,
			"put the state file on storage both hosts see",
			"%s is on storage the destination does not share: %s",
			path, why);
		break;
	default:
		state_item(
			it, KVMOPS_VERDICT_WARN,
			"make sure the destination sees the same file there",
			"%s is not proven to be on storage both hosts see (%s)",
			path, why);
		break;
	}
}

/* The first file disk that stays, proven on shared storage. */
static const char *shared_disk(const struct kvmops_disk_plan *plans,
			       size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		if (plans[i].fate == KVMOPS_DISK_STAYS &&
		    plans[i].item.verdict == KVMOPS_VERDICT_PASS &&
		    !strcmp(plans[i].disk.type, "file"))
			return plans[i].disk.path;
	return NULL;
}

void kvmops_plan_state_file(struct kvmops_ctx *ctx, struct kvmops_probe *src,
			    struct kvmops_probe *dst,
			    const struct kvmops_migrate_opts *o,
			    const struct kvmops_disk_plan *plans, size_t count,
			    const char *name, char *path, size_t len,
			    struct kvmops_check_item *it)
{
	const char *disk = shared_disk(plans, count);
	struct kvmops_vol_info vi;
	char dir[PATH_MAX];

	*path = '\0';
	if (o->state_file) {
		snprintf(path, len, "%s", o->state_file);
		given_state_file(ctx, src, dst, path, it);
		return;
	}
	if (!disk) {
		state_item(
			it, KVMOPS_VERDICT_FAIL,
			"name a state file on storage both hosts see",
			"keeping the guest's memory needs a state file on storage both hosts see, and none of its disks is on such storage");
		return;
	}
	dir_of(disk, dir, sizeof(dir));
	if (snprintf(path, len, "%s/%s.kvmops-state", dir, name) >= (int)len) {
		state_item(it, KVMOPS_VERDICT_FAIL, "name a shorter state file",
			   "the state file's path beside %s would be too long",
			   disk);
		return;
	}
	if (!src->ops->volume(src, path, &vi)) {
		state_item(it, KVMOPS_VERDICT_FAIL,
			   "remove it, or name another state file",
			   "%s exists already", path);
		return;
	}
	state_item(
		it, KVMOPS_VERDICT_PASS, NULL,
		"the memory is saved to %s, beside disk %s on storage both hosts share",
		path, disk);
}
