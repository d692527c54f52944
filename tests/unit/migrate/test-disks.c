// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Where each disk goes (lib/migrate/disks.c): shared storage proven with a
 * marker volume, copies and their pools, refusals; and the disks of a
 * domain XML. Some tests were written as failing proofs of bugs, fixed
 * since; their comments still tell what went wrong.
 */
#include "fake-hosts.h"

static void test_check_live_disks(void **state)
{
	struct check_env *env = *state;

	env->dst.vols[0].path = "/shared/other.qcow2";
	run_live(env, NIC_DEFAULT);
	expect(env, "disk vda", KVMOPS_VERDICT_FAIL, "/shared/g1.qcow2");
	/* The same path, but not the same disk. */
	env->dst.vols[0] =
		(struct fake_vol){ "/shared/g1.qcow2", 20 * GIB, NULL };
	run_live(env, NIC_DEFAULT);
	expect(env, "disk vda", KVMOPS_VERDICT_FAIL, "not this disk");
}

static void test_check_live_disk_kinds(void **state)
{
	struct check_env *env = *state;
	const char *disks = DISK_SHARED
		"<disk type='network' device='disk'><driver name='qemu' type='raw'/>"
		"<source protocol='rbd' name='pool/g1-data'><host name='ceph1'/></source>"
		"<target dev='vdb' bus='virtio'/></disk>"
		"<disk type='file' device='cdrom'><driver name='qemu' type='raw'/>"
		"<target dev='sda' bus='sata'/><readonly/></disk>";
	struct kvmops_migrate_opts o = live_opts();

	run(env, "kvm", CPU_HOST_MODEL, disks, NIC_DEFAULT, VIR_DOMAIN_RUNNING,
	    &o);
	expect(env, "disk vda", KVMOPS_VERDICT_PASS, NULL);
	expect(env, "disk vdb", KVMOPS_VERDICT_PASS, "network");
	/* An empty drive has nothing to move. */
	assert_false(has_item(env, "disk sda"));
	assert_true(kvmops_check_worst(env->items, env->count) ==
		    KVMOPS_VERDICT_PASS);
	/* No disks at all says so. */
	run(env, "kvm", CPU_HOST_MODEL, "", NIC_DEFAULT, VIR_DOMAIN_RUNNING,
	    &o);
	expect(env, "disks", KVMOPS_VERDICT_PASS, NULL);
}

/*
 * Once a bug: a disk given as a pool volume
 * (<disk type='volume'><source pool= volume=/>) has no source/@file or
 * @dev, so kvmops_domain_disks gives it an empty path and check_disks
 * skips it without a word, as it does an empty cdrom: the check passes
 * whether or not the destination has that pool and volume. (plan() in
 * migrate-offline.c skips it the same way, so an offline move neither
 * checks nor copies it.) The check should at least say something of it.
 */
static void test_check_volume_disk(void **state)
{
	struct check_env *env = *state;
	struct kvmops_migrate_opts o = live_opts();

	run(env, "kvm", CPU_HOST_MODEL,
	    "<disk type='volume' device='disk'><driver name='qemu' type='qcow2'/>"
	    "<source pool='default' volume='g1.qcow2'/>"
	    "<target dev='vda' bus='virtio'/></disk>",
	    NIC_DEFAULT, VIR_DOMAIN_RUNNING, &o);
	if (!has_item(env, "disk vda") && !has_item(env, "disks")) {
		dump_items(env);
		fail_msg("the volume disk vda is not in the check");
	}
}

/* --copy-storage: the disk is only here, a pool there has room. */
static void copy_setup(struct check_env *env)
{
	env->src.vols[1] =
		(struct fake_vol){ "/var/lib/libvirt/images/g1.qcow2", 20 * GIB,
				   "/var/lib/libvirt/images/base.qcow2" };
	env->src.vols[2] =
		(struct fake_vol){ "/var/lib/libvirt/images/base.qcow2",
				   20 * GIB, NULL };
}

static void run_copy(struct check_env *env, enum kvmops_copy_storage how)
{
	struct kvmops_migrate_opts o = copy_opts(how);

	run(env, "kvm", CPU_HOST_MODEL, DISK_LOCAL, NIC_DEFAULT,
	    VIR_DOMAIN_RUNNING, &o);
}

static void test_check_copy_storage(void **state)
{
	struct check_env *env = *state;

	copy_setup(env);
	run_copy(env, KVMOPS_COPY_ALL);
	expect(env, "disk vda", KVMOPS_VERDICT_PASS, "default");
	/* A whole copy needs no backing image there. */
	assert_false(has_item(env, "backing vda"));
	assert_true(kvmops_check_worst(env->items, env->count) ==
		    KVMOPS_VERDICT_PASS);

	env->dst.vols[1] =
		(struct fake_vol){ "/var/lib/libvirt/images/g1.qcow2", 20 * GIB,
				   NULL };
	run_copy(env, KVMOPS_COPY_ALL);
	expect(env, "disk vda", KVMOPS_VERDICT_FAIL, "overwrite");
}

static void test_check_copy_storage_pool(void **state)
{
	struct check_env *env = *state;

	copy_setup(env);
	env->dst.pools[1].target = "/srv/images";
	run_copy(env, KVMOPS_COPY_ALL);
	expect(env, "disk vda", KVMOPS_VERDICT_FAIL, "/var/lib/libvirt/images");
	env->dst.pools[1].target = "/var/lib/libvirt/images";
	env->dst.pools[1].available = 20 * GIB - 1;
	run_copy(env, KVMOPS_COPY_ALL);
	expect(env, "disk vda", KVMOPS_VERDICT_FAIL, "pool default");
	env->dst.pools[1].available = 20 * GIB;
	run_copy(env, KVMOPS_COPY_ALL);
	expect(env, "disk vda", KVMOPS_VERDICT_PASS, NULL);
}

static void test_check_copy_storage_inc(void **state)
{
	struct check_env *env = *state;

	copy_setup(env);
	run_copy(env, KVMOPS_COPY_INC);
	expect(env, "disk vda", KVMOPS_VERDICT_PASS, NULL);
	expect(env, "backing vda", KVMOPS_VERDICT_FAIL,
	       "/var/lib/libvirt/images/base.qcow2");
	env->dst.vols[1] =
		(struct fake_vol){ "/var/lib/libvirt/images/base.qcow2",
				   20 * GIB, NULL };
	run_copy(env, KVMOPS_COPY_INC);
	expect(env, "backing vda", KVMOPS_VERDICT_PASS, NULL);
	assert_true(kvmops_check_worst(env->items, env->count) ==
		    KVMOPS_VERDICT_PASS);
}

/* A readonly disk is not copied by libvirt: it must be there already. */
static void test_check_copy_storage_readonly(void **state)
{
	struct check_env *env = *state;
	const char *disks = DISK_LOCAL
		"<disk type='file' device='cdrom'><driver name='qemu' type='raw'/>"
		"<source file='/var/lib/libvirt/images/install.iso'/>"
		"<target dev='sda' bus='sata'/><readonly/></disk>";
	struct kvmops_migrate_opts o = copy_opts(KVMOPS_COPY_ALL);

	copy_setup(env);
	env->src.vols[3] =
		(struct fake_vol){ "/var/lib/libvirt/images/install.iso", GIB,
				   NULL };
	run(env, "kvm", CPU_HOST_MODEL, disks, NIC_DEFAULT, VIR_DOMAIN_RUNNING,
	    &o);
	expect(env, "disk vda", KVMOPS_VERDICT_PASS, NULL);
	expect(env, "disk sda", KVMOPS_VERDICT_FAIL, "install.iso");
	env->dst.vols[1] = env->src.vols[3];
	run(env, "kvm", CPU_HOST_MODEL, disks, NIC_DEFAULT, VIR_DOMAIN_RUNNING,
	    &o);
	expect(env, "disk sda", KVMOPS_VERDICT_PASS, NULL);
}

static void run_offline(struct check_env *env, int state,
			const struct kvmops_migrate_opts *o)
{
	run(env, "kvm", CPU_HOST_MODEL, DISK_LOCAL, NIC_DEFAULT, state, o);
}

static void test_check_offline_state(void **state)
{
	struct check_env *env = *state;
	struct kvmops_migrate_opts o = offline_opts();

	copy_setup(env);
	env->dst.vols[1] = env->src.vols[2]; /* the backing image */
	run_offline(env, VIR_DOMAIN_SHUTOFF, &o);
	expect(env, "state", KVMOPS_VERDICT_PASS, "shut off");
	expect(env, "disk vda", KVMOPS_VERDICT_PASS, NULL);
	expect(env, "backing vda", KVMOPS_VERDICT_PASS, NULL);
	assert_true(kvmops_check_worst(env->items, env->count) ==
		    KVMOPS_VERDICT_PASS);

	run_offline(env, VIR_DOMAIN_RUNNING, &o);
	expect(env, "state", KVMOPS_VERDICT_FAIL, "running");
	o.shutdown = true;
	run_offline(env, VIR_DOMAIN_RUNNING, &o);
	expect(env, "state", KVMOPS_VERDICT_PASS, "shuts it down");

	o = offline_opts();
	o.keep_state = true;
	o.state_file = "/shared/g1.save";
	run_offline(env, VIR_DOMAIN_SHUTOFF, &o);
	expect(env, "state", KVMOPS_VERDICT_FAIL, "keeping its memory");
	expect_remedy(env, "state", "keep_state");
	run_offline(env, VIR_DOMAIN_RUNNING, &o);
	expect(env, "state", KVMOPS_VERDICT_PASS, NULL);
}

static void test_check_offline_disks(void **state)
{
	struct check_env *env = *state;
	struct kvmops_migrate_opts o = offline_opts();

	/* Only in no pool of this host: it cannot be read through libvirt. */
	run_offline(env, VIR_DOMAIN_SHUTOFF, &o);
	expect(env, "disk vda", KVMOPS_VERDICT_FAIL, "no active storage pool");

	/*
	 * At the same path on the destination, in a pool of its own: other
	 * storage. Once taken as shared and left uncopied (a WARN), so the
	 * guest would have started there on another disk; now it FAILs.
	 */
	env->dst.vols[1] =
		(struct fake_vol){ "/var/lib/libvirt/images/g1.qcow2", 20 * GIB,
				   NULL };
	run_offline(env, VIR_DOMAIN_SHUTOFF, &o);
	expect(env, "disk vda", KVMOPS_VERDICT_FAIL, "other storage");
	expect_remedy(env, "disk vda", "pool");
	copy_setup(env);
	run_offline(env, VIR_DOMAIN_SHUTOFF, &o);
	expect(env, "disk vda", KVMOPS_VERDICT_FAIL, "overwrite");
	assert_false(has_item(env, "backing vda"));
	/* The same storage on both hosts, proven: shared, not copied. */
	env->src.pools[1].storage = env->dst.pools[1].storage = "san:/images";
	run_offline(env, VIR_DOMAIN_SHUTOFF, &o);
	expect(env, "disk vda", KVMOPS_VERDICT_PASS, "not copied");
	assert_false(has_item(env, "backing vda"));
	env->src.pools[1].storage = NULL;

	/* No pool over its directory there. */
	fake_default(&env->dst, false);
	env->dst.pools[1].target = "/srv/images";
	run_offline(env, VIR_DOMAIN_SHUTOFF, &o);
	expect(env, "disk vda", KVMOPS_VERDICT_FAIL, "/var/lib/libvirt/images");
	/* A pool with too little room. */
	env->dst.pools[1] =
		(struct fake_pool){ "default", "/var/lib/libvirt/images", GIB };
	run_offline(env, VIR_DOMAIN_SHUTOFF, &o);
	expect(env, "disk vda", KVMOPS_VERDICT_FAIL, "pool default");
}

static void test_check_offline_pool(void **state)
{
	struct check_env *env = *state;
	struct kvmops_migrate_opts o = offline_opts();

	copy_setup(env);
	env->dst.pools[2] = (struct fake_pool){ "big", "/data", 1000 * GIB };
	env->dst.vols[1] = env->src.vols[2]; /* the backing image */
	o.pool = "big";
	run_offline(env, VIR_DOMAIN_SHUTOFF, &o);
	expect(env, "disk vda", KVMOPS_VERDICT_PASS, "/data/g1.qcow2");
	o.pool = "nope";
	run_offline(env, VIR_DOMAIN_SHUTOFF, &o);
	expect(env, "disk vda", KVMOPS_VERDICT_FAIL, "nope");
	/* The copy's path is taken there. */
	o.pool = "big";
	env->dst.vols[2] = (struct fake_vol){ "/data/g1.qcow2", GIB, NULL };
	run_offline(env, VIR_DOMAIN_SHUTOFF, &o);
	expect(env, "disk vda", KVMOPS_VERDICT_FAIL, "/data/g1.qcow2");
	expect_count(env, "disk vda", 1);
	/* With --pool a disk seen on both hosts is copied all the same. */
	env->dst.vols[2].path = "/var/lib/libvirt/images/g1.qcow2";
	run_offline(env, VIR_DOMAIN_SHUTOFF, &o);
	expect(env, "disk vda", KVMOPS_VERDICT_PASS, "/data/g1.qcow2");
}

/*
 * Once a bug: with --pool, kvmops_migrate_offline copies
 * every disk (plan_disk in migrate-offline.c treats no disk as shared), so
 * a disk it cannot read through a pool of the source stops the move with
 * "is in no active storage pool here". The check calls the same disk
 * "taken as shared storage and not copied" (WARN), since
 * check_offline_disk tests (!have_src || !opts->pool): a check that passes
 * for a move that will fail.
 */
static void test_check_offline_pool_unreadable_disk(void **state)
{
	struct check_env *env = *state;
	struct kvmops_migrate_opts o = offline_opts();

	env->dst.pools[2] = (struct fake_pool){ "big", "/data", 1000 * GIB };
	env->dst.vols[1] =
		(struct fake_vol){ "/var/lib/libvirt/images/g1.qcow2", 20 * GIB,
				   NULL };
	o.pool = "big";
	run_offline(env, VIR_DOMAIN_SHUTOFF, &o);
	expect(env, "disk vda", KVMOPS_VERDICT_FAIL, "no active storage pool");
}

/*
 * Once a bug: with --pool, every disk goes to
 * POOL_TARGET/BASENAME, so two disks of the same file name in different
 * directories are bound for the same path. Each is checked alone (is that
 * path free there? yes) and both pass; the move then copies the first and
 * fails creating the second ("volume already exists"), after copying a
 * whole disk for nothing. plan() in migrate-offline.c does not see it
 * either. The check should FAIL the second one.
 */
static void test_check_offline_pool_same_name(void **state)
{
	struct check_env *env = *state;
	const char *disks =
		"<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
		"<source file='/vm/a/disk0.qcow2'/><target dev='vda' bus='virtio'/></disk>"
		"<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
		"<source file='/vm/b/disk0.qcow2'/><target dev='vdb' bus='virtio'/></disk>";
	struct kvmops_migrate_opts o = offline_opts();

	env->src.vols[1] = (struct fake_vol){ "/vm/a/disk0.qcow2", GIB, NULL };
	env->src.vols[2] = (struct fake_vol){ "/vm/b/disk0.qcow2", GIB, NULL };
	env->dst.pools[2] = (struct fake_pool){ "big", "/data", 1000 * GIB };
	o.pool = "big";
	run(env, "kvm", CPU_HOST_MODEL, disks, NIC_DEFAULT, VIR_DOMAIN_SHUTOFF,
	    &o);
	expect(env, "disk vda", KVMOPS_VERDICT_PASS, "/data/disk0.qcow2");
	expect(env, "disk vdb", KVMOPS_VERDICT_FAIL, "/data/disk0.qcow2");
}

/* ---- the domain XML ----------------------------------------------------- */

static void test_domain_disks(void **state)
{
	struct kvmops_disk *d = NULL;
	size_t n = 0;

	assert_int_equal(kvmops_domain_disks(disks_xml, &d, &n), 0);
	assert_int_equal(n, 5);

	assert_string_equal(d[0].target, "vda");
	assert_string_equal(d[0].device, "disk");
	assert_string_equal(d[0].type, "file");
	assert_string_equal(d[0].path, "/var/lib/libvirt/images/g1.qcow2");
	assert_string_equal(d[0].format, "qcow2");
	assert_false(d[0].readonly);
	assert_false(d[0].shareable);

	assert_string_equal(d[1].target, "vdb");
	assert_string_equal(d[1].type, "block");
	assert_string_equal(d[1].path, "/dev/vg0/g1-data");
	assert_string_equal(d[1].format, "raw");
	assert_false(d[1].readonly);
	assert_true(d[1].shareable);

	assert_string_equal(d[2].target, "vdc");
	assert_string_equal(d[2].type, "network");
	assert_string_equal(d[2].path, "");

	/* An empty cdrom: no path, and a cdrom is read-only. */
	assert_string_equal(d[3].target, "sda");
	assert_string_equal(d[3].device, "cdrom");
	assert_string_equal(d[3].path, "");
	assert_true(d[3].readonly);

	assert_string_equal(d[4].target, "vdd");
	assert_string_equal(d[4].path, "/srv/iso/tools.img");
	assert_true(d[4].readonly);
	free(d);
}

static void test_domain_disks_none_and_junk(void **state)
{
	struct kvmops_disk *d = (struct kvmops_disk *)&d;
	size_t n = 99;

	assert_int_equal(
		kvmops_domain_disks("<domain><name>x</name><devices/></domain>",
				    &d, &n),
		0);
	assert_null(d);
	assert_int_equal(n, 0);
	n = 99;
	assert_int_equal(kvmops_domain_disks("<domain><devices>", &d, &n),
			 -EINVAL);
	assert_null(d);
	assert_int_equal(n, 0);
}

/* ---- shared storage, proven ------------------------------------------------- */

static void run_disks(struct check_env *env, const char *disks,
		      const struct kvmops_migrate_opts *o)
{
	run(env, "kvm", CPU_HOST_MODEL, disks, NIC_DEFAULT, VIR_DOMAIN_RUNNING,
	    o);
}

/*
 * The fault this proof exists for: the guest's disk in this host's own
 * pool, and an unrelated volume of the same name at the same path in the
 * destination's own. The path exists on both; the storage differs.
 */
static void test_sharing_same_path_other_storage(void **state)
{
	struct check_env *env = *state;
	struct kvmops_migrate_opts o = live_opts();

	env->src.vols[1] =
		(struct fake_vol){ "/var/lib/libvirt/images/g1.qcow2", 20 * GIB,
				   NULL };
	env->dst.vols[1] =
		(struct fake_vol){ "/var/lib/libvirt/images/g1.qcow2", 64 << 20,
				   NULL };
	run_disks(env, DISK_LOCAL, &o);
	expect(env, "disk vda", KVMOPS_VERDICT_FAIL, "other storage");
	expect(env, "disk vda", KVMOPS_VERDICT_FAIL, "did not appear");
	expect_remedy(env, "disk vda", "copy_storage");
	assert_int_equal(env->src.markers_made, 1);
	/* Refreshed to look for it, and again to forget it: no, not found. */
	assert_int_equal(env->dst.refreshes, 1);
	/* --unsafe does not make proven-other storage pass. */
	o.unsafe = true;
	run_disks(env, DISK_LOCAL, &o);
	expect(env, "disk vda", KVMOPS_VERDICT_FAIL, "other storage");
}

static void test_sharing_proven(void **state)
{
	struct check_env *env = *state;
	struct kvmops_migrate_opts o = live_opts();

	run_disks(env, DISK_SHARED, &o);
	expect(env, "disk vda", KVMOPS_VERDICT_PASS, "appeared in pool shared");
	assert_int_equal(env->src.markers_made, 1);
	/* Seen, so refreshed once more: the destination forgets it too. */
	assert_int_equal(env->dst.refreshes, 2);
}

/* Two disks in one pool: one probe. */
static void test_sharing_one_probe_per_pool(void **state)
{
	struct check_env *env = *state;
	struct kvmops_migrate_opts o = live_opts();

	env->src.vols[1] = env->dst.vols[1] =
		(struct fake_vol){ "/shared/g1-data.qcow2", GIB, NULL };
	run_disks(
		env,
		DISK_SHARED
		"<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
		"<source file='/shared/g1-data.qcow2'/><target dev='vdb' bus='virtio'/></disk>",
		&o);
	expect(env, "disk vda", KVMOPS_VERDICT_PASS, NULL);
	expect(env, "disk vdb", KVMOPS_VERDICT_PASS, NULL);
	assert_int_equal(env->src.markers_made, 1);
}

/* What cannot be proven FAILs, naming the copy and unsafe as ways out. */
static void test_sharing_unproven(void **state)
{
	struct check_env *env = *state;
	struct kvmops_migrate_opts o = live_opts();

	/* No pool of this host over the directory: nowhere to make a probe. */
	env->src.pools[0] = env->src.pools[1];
	env->src.pools[1].name = NULL;
	run_disks(env, DISK_SHARED, &o);
	expect(env, "disk vda", KVMOPS_VERDICT_FAIL, "cannot be proven");
	expect(env, "disk vda", KVMOPS_VERDICT_FAIL,
	       "no active storage pool over /shared");
	expect_remedy(env, "disk vda", "copy_storage");
	expect_remedy(env, "disk vda", "unsafe");
	assert_int_equal(env->src.markers_made, 0);
	/* Unsafe takes it on trust: a WARN, and the move may go ahead. */
	o.unsafe = true;
	run_disks(env, DISK_SHARED, &o);
	expect(env, "disk vda", KVMOPS_VERDICT_WARN, "taken on trust");

	/* A pool that refuses the probe, or a destination that cannot look. */
	fake_default(&env->src, true);
	o.unsafe = false;
	env->src.marker_err = -EACCES;
	run_disks(env, DISK_SHARED, &o);
	expect(env, "disk vda", KVMOPS_VERDICT_FAIL,
	       "no probe volume can be made");
	env->src.marker_err = 0;
	env->dst.refresh_err = -EIO;
	run_disks(env, DISK_SHARED, &o);
	expect(env, "disk vda", KVMOPS_VERDICT_FAIL, "cannot be refreshed");
}

/* Block devices: the same volume key on both hosts, or not. */
static void test_sharing_block_keys(void **state)
{
	struct check_env *env = *state;
	struct kvmops_migrate_opts o = live_opts();
	const char *disk =
		"<disk type='block' device='disk'><driver name='qemu' type='raw'/>"
		"<source dev='/dev/mapper/lun7'/><target dev='vda' bus='virtio'/></disk>";

	env->src.vols[1] = (struct fake_vol){ "/dev/mapper/lun7", GIB, NULL,
					      "36001405aabbccdd" };
	env->dst.vols[1] = env->src.vols[1];
	run_disks(env, disk, &o);
	expect(env, "disk vda", KVMOPS_VERDICT_PASS, "36001405aabbccdd");
	env->dst.vols[1].key = "36001405eeff0011";
	run_disks(env, disk, &o);
	expect(env, "disk vda", KVMOPS_VERDICT_FAIL, "36001405eeff0011");
	env->dst.vols[1].path = NULL;
	run_disks(env, disk, &o);
	expect(env, "disk vda", KVMOPS_VERDICT_FAIL, "not on the destination");
	assert_int_equal(env->src.markers_made, 0);
}

/* A pool volume: the pool of that name on each host, proven the same. */
static void test_sharing_pool_volume(void **state)
{
	struct check_env *env = *state;
	struct kvmops_migrate_opts o = live_opts();
	const char *disk =
		"<disk type='volume' device='disk'><driver name='qemu' type='qcow2'/>"
		"<source pool='shared' volume='g1.qcow2'/>"
		"<target dev='vda' bus='virtio'/></disk>";

	run_disks(env, disk, &o);
	expect(env, "disk vda", KVMOPS_VERDICT_PASS, "appeared");
	/* The pool of that name there is other storage. */
	env->dst.pools[0].storage = NULL;
	run_disks(env, disk, &o);
	expect(env, "disk vda", KVMOPS_VERDICT_FAIL, "other storage");
	/* An rbd pool is reached from both hosts. */
	env->src.pools[0].type = env->dst.pools[0].type = "rbd";
	run_disks(env, disk, &o);
	expect(env, "disk vda", KVMOPS_VERDICT_PASS, "rbd");
	/* No such volume there. */
	env->dst.vols[0].path = "/shared/other.qcow2";
	run_disks(env, disk, &o);
	expect(env, "disk vda", KVMOPS_VERDICT_FAIL, "no volume g1.qcow2");
}

/* ---- where the memory goes when it is kept ---------------------------------- */

static void test_state_file_default(void **state)
{
	struct check_env *env = *state;
	struct kvmops_migrate_opts o = offline_opts();

	o.keep_state = true;
	run(env, "kvm", CPU_HOST_MODEL, DISK_SHARED, NIC_DEFAULT,
	    VIR_DOMAIN_RUNNING, &o);
	expect(env, "disk vda", KVMOPS_VERDICT_PASS, "not copied");
	expect(env, "state file", KVMOPS_VERDICT_PASS,
	       "/shared/g1.kvmops-state");

	/* A disk only this host has: nowhere both hosts see. */
	copy_setup(env);
	env->dst.vols[1] = env->src.vols[2]; /* the backing image */
	run(env, "kvm", CPU_HOST_MODEL, DISK_LOCAL, NIC_DEFAULT,
	    VIR_DOMAIN_RUNNING, &o);
	expect(env, "disk vda", KVMOPS_VERDICT_PASS, "copied to");
	expect(env, "state file", KVMOPS_VERDICT_FAIL, "none of its disks");
	expect_remedy(env, "state file", "state_file");

	/* Named: proven shared, proven not, or not provable. */
	o.state_file = "/shared/g1.save";
	run(env, "kvm", CPU_HOST_MODEL, DISK_LOCAL, NIC_DEFAULT,
	    VIR_DOMAIN_RUNNING, &o);
	expect(env, "state file", KVMOPS_VERDICT_PASS, "both hosts share");
	o.state_file = "/var/lib/libvirt/images/g1.save";
	run(env, "kvm", CPU_HOST_MODEL, DISK_LOCAL, NIC_DEFAULT,
	    VIR_DOMAIN_RUNNING, &o);
	expect(env, "state file", KVMOPS_VERDICT_FAIL, "does not share");
	o.state_file = "/mnt/nfs/g1.save";
	run(env, "kvm", CPU_HOST_MODEL, DISK_LOCAL, NIC_DEFAULT,
	    VIR_DOMAIN_RUNNING, &o);
	expect(env, "state file", KVMOPS_VERDICT_WARN, "not proven");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		CHECK(test_check_live_disks),
		CHECK(test_check_live_disk_kinds),
		CHECK(test_check_volume_disk),
		CHECK(test_check_copy_storage),
		CHECK(test_check_copy_storage_pool),
		CHECK(test_check_copy_storage_inc),
		CHECK(test_check_copy_storage_readonly),
		CHECK(test_check_offline_state),
		CHECK(test_check_offline_disks),
		CHECK(test_check_offline_pool),
		CHECK(test_check_offline_pool_unreadable_disk),
		CHECK(test_check_offline_pool_same_name),
		CHECK(test_sharing_same_path_other_storage),
		CHECK(test_sharing_proven),
		CHECK(test_sharing_one_probe_per_pool),
		CHECK(test_sharing_unproven),
		CHECK(test_sharing_block_keys),
		CHECK(test_sharing_pool_volume),
		CHECK(test_state_file_default),
		VIRT_TEST(test_domain_disks),
		VIRT_TEST(test_domain_disks_none_and_junk),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
