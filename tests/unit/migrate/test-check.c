// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The pre-flight check against two fake hosts (lib/migrate/check.c): each
 * item but the disks, which test-disks.c covers.
 */
#include "fake-hosts.h"

static void test_check_clean_live(void **state)
{
	struct check_env *env = *state;
	static const char *const ids[] = {
		"state",	   "name",    "memory", "arch",
		"emulator",	   "cpu",     "nx",	"devices",
		"network default", "disk vda"
	};
	size_t i;

	run_live(env, NIC_DEFAULT);
	for (i = 0; i < ARRAY_SIZE(ids); i++)
		expect(env, ids[i], KVMOPS_VERDICT_PASS, NULL);
	if (kvmops_check_worst(env->items, env->count) != KVMOPS_VERDICT_PASS) {
		dump_items(env);
		fail_msg("a clean guest is not all OK");
	}
	expect(env, "arch", KVMOPS_VERDICT_PASS, "64-bit");
	expect(env, "disk vda", KVMOPS_VERDICT_PASS, "shared");
	/* host-model is compared with the destination's CPU. */
	assert_int_equal(env->dst.compares, 1);
}

static void test_check_state_live(void **state)
{
	struct check_env *env = *state;
	struct kvmops_migrate_opts o = live_opts();

	run(env, "kvm", CPU_HOST_MODEL, DISK_SHARED, NIC_DEFAULT,
	    VIR_DOMAIN_SHUTOFF, &o);
	expect(env, "state", KVMOPS_VERDICT_FAIL, "not running");
	run(env, "kvm", CPU_HOST_MODEL, DISK_SHARED, NIC_DEFAULT,
	    VIR_DOMAIN_PAUSED, &o);
	expect(env, "state", KVMOPS_VERDICT_PASS, NULL);
}

static void test_check_name_clash(void **state)
{
	struct check_env *env = *state;
	struct kvmops_migrate_opts o = live_opts();

	env->dst.domains[0] = "g1";
	run_live(env, NIC_DEFAULT);
	expect(env, "name", KVMOPS_VERDICT_FAIL, "g1");
	assert_true(kvmops_check_worst(env->items, env->count) ==
		    KVMOPS_VERDICT_FAIL);
	/* --dname steers clear of it, and is what is looked for. */
	o.dname = "g1-new";
	run(env, "kvm", CPU_HOST_MODEL, DISK_SHARED, NIC_DEFAULT,
	    VIR_DOMAIN_RUNNING, &o);
	expect(env, "name", KVMOPS_VERDICT_PASS, "g1-new");
	env->dst.domains[1] = "g1-new";
	run(env, "kvm", CPU_HOST_MODEL, DISK_SHARED, NIC_DEFAULT,
	    VIR_DOMAIN_RUNNING, &o);
	expect(env, "name", KVMOPS_VERDICT_FAIL, "g1-new");
	env->dst.domains_err = -EIO;
	run_live(env, NIC_DEFAULT);
	expect(env, "name", KVMOPS_VERDICT_WARN, "fake: cannot list domains");
}

static void test_check_host(void **state)
{
	struct check_env *env = *state;

	run_live(env, NIC_DEFAULT);
	expect(env, "host", KVMOPS_VERDICT_PASS, "22222222-3333");
	/* One host under two URIs, or a cloned machine. */
	env->dst.uuid = env->src.uuid;
	run_live(env, NIC_DEFAULT);
	expect(env, "host", KVMOPS_VERDICT_FAIL,
	       "this host's UUID 11111111-2222");
	assert_true(kvmops_check_worst(env->items, env->count) ==
		    KVMOPS_VERDICT_FAIL);
	env->dst.uuid = "";
	run_live(env, NIC_DEFAULT);
	expect(env, "host", KVMOPS_VERDICT_WARN, "does not give its UUID");
}

static void test_check_memory(void **state)
{
	struct check_env *env = *state;

	env->dst.free_kib = KIB_PER_GIB - 1;
	run_live(env, NIC_DEFAULT);
	expect(env, "memory", KVMOPS_VERDICT_FAIL, NULL);
	/* Enough for the guest, not for QEMU besides. */
	env->dst.free_kib = KIB_PER_GIB;
	run_live(env, NIC_DEFAULT);
	expect(env, "memory", KVMOPS_VERDICT_WARN, NULL);
	env->dst.free_kib = KIB_PER_GIB + KIB_PER_GIB / 20;
	run_live(env, NIC_DEFAULT);
	expect(env, "memory", KVMOPS_VERDICT_WARN, NULL);
	env->dst.free_kib = KIB_PER_GIB + KIB_PER_GIB / 10;
	run_live(env, NIC_DEFAULT);
	expect(env, "memory", KVMOPS_VERDICT_PASS, NULL);
	env->dst.free_err = -EIO;
	run_live(env, NIC_DEFAULT);
	expect(env, "memory", KVMOPS_VERDICT_WARN, "fake: no memory figures");
}

static void test_check_arch(void **state)
{
	struct check_env *env = *state;
	struct kvmops_migrate_opts o = live_opts();

	env->dst.kvm = false;
	run_live(env, NIC_DEFAULT);
	expect(env, "arch", KVMOPS_VERDICT_FAIL, "x86_64");
	/* TCG needs only the architecture. */
	run(env, "qemu", "", DISK_SHARED, NIC_DEFAULT, VIR_DOMAIN_RUNNING, &o);
	expect(env, "arch", KVMOPS_VERDICT_PASS, NULL);
}

static void test_check_arch_other(void **state)
{
	struct check_env *env = *state;
	char *xml = guest_xml("kvm", "", DISK_SHARED, NIC_DEFAULT);
	char *at = strstr(xml, "arch='x86_64'");
	struct kvmops_migrate_opts o = live_opts();
	char *riscv;

	/* A guest of an architecture the destination does not offer. */
	assert_non_null(at);
	*at = '\0';
	assert_true(asprintf(&riscv, "%sarch='riscv64'%s", xml,
			     at + strlen("arch='x86_64'")) > 0);
	run_xml(env, riscv, VIR_DOMAIN_RUNNING, &o);
	expect(env, "arch", KVMOPS_VERDICT_FAIL, "riscv64");
	/* No NX on riscv64. */
	expect(env, "nx", KVMOPS_VERDICT_PASS, NULL);
	free(riscv);
	free(xml);
}

static void test_check_caps_unreadable(void **state)
{
	struct check_env *env = *state;
	struct kvmops_migrate_opts o = live_opts();
	char *xml = guest_xml("kvm", CPU_HOST_MODEL, DISK_SHARED, NIC_DEFAULT);

	env->dst.no_caps = true;
	assert_int_equal(kvmops_check_run(env->ctx, xml, VIR_DOMAIN_RUNNING, &o,
					  &env->sp, &env->dp, &env->items,
					  &env->count),
			 -EIO);
	assert_in_error(env->ctx, "destination");
	assert_in_error(env->ctx, "fake: no capabilities");
	env->dst.no_caps = false;
	env->src.no_caps = true;
	assert_int_equal(kvmops_check_run(env->ctx, xml, VIR_DOMAIN_RUNNING, &o,
					  &env->sp, &env->dp, &env->items,
					  &env->count),
			 -EIO);
	assert_in_error(env->ctx, "this host");
	assert_int_equal(kvmops_check_run(env->ctx, "<domain",
					  VIR_DOMAIN_RUNNING, &o, &env->sp,
					  &env->dp, &env->items, &env->count),
			 -EINVAL);
	assert_null(env->items);
	free(xml);
}

/* A <memory> past 64 bits of bytes is refused, not cast. */
static void test_check_memory_out_of_range(void **state)
{
	struct check_env *env = *state;
	struct kvmops_migrate_opts o = live_opts();

	assert_int_equal(
		kvmops_check_run(
			env->ctx,
			"<domain type='kvm'><name>a</name><memory>99999999999999999999999</memory></domain>",
			VIR_DOMAIN_RUNNING, &o, &env->sp, &env->dp, &env->items,
			&env->count),
		-ERANGE);
	assert_null(env->items);
	assert_in_error(env->ctx, "<memory> '99999999999999999999999'");
}

static void test_check_emulator(void **state)
{
	struct check_env *env = *state;

	env->dst.no_domcaps = true;
	run_live(env, NIC_DEFAULT);
	expect(env, "emulator", KVMOPS_VERDICT_FAIL, "pc-q35-8.2");
	expect(env, "emulator", KVMOPS_VERDICT_FAIL, "fake: no such emulator");
	/* Without the destination's domain capabilities NX is unknown. */
	expect(env, "nx", KVMOPS_VERDICT_WARN, NULL);
}

static void test_check_cpu_passthrough(void **state)
{
	struct check_env *env = *state;
	struct kvmops_migrate_opts o = live_opts();
	const char *cpu =
		"<cpu mode='host-passthrough' check='none' migratable='on'/>";

	run(env, "kvm", cpu, DISK_SHARED, NIC_DEFAULT, VIR_DOMAIN_RUNNING, &o);
	expect(env, "cpu", KVMOPS_VERDICT_PASS, "Skylake-Client-IBRS");
	env->dst.cpu_model = "Cascadelake-Server";
	run(env, "kvm", cpu, DISK_SHARED, NIC_DEFAULT, VIR_DOMAIN_RUNNING, &o);
	expect(env, "cpu", KVMOPS_VERDICT_FAIL, "Cascadelake-Server");
	env->dst.cpu_model = env->src.cpu_model;
	env->dst.cpu_vendor = "AMD";
	run(env, "kvm", cpu, DISK_SHARED, NIC_DEFAULT, VIR_DOMAIN_RUNNING, &o);
	expect(env, "cpu", KVMOPS_VERDICT_FAIL, "AMD");
	/* A passed-through CPU is not compared: it is the host's. */
	assert_int_equal(env->dst.compares, 0);
}

static void test_check_cpu_compare(void **state)
{
	struct check_env *env = *state;
	struct kvmops_migrate_opts o = live_opts();
	const char *custom =
		"<cpu mode='custom' match='exact'><model>Haswell</model>"
		"<feature policy='require' name='avx2'/></cpu>";

	env->dst.compare = VIR_CPU_COMPARE_INCOMPATIBLE;
	run_live(env, NIC_DEFAULT);
	expect(env, "cpu", KVMOPS_VERDICT_FAIL, NULL);
	run(env, "kvm", custom, DISK_SHARED, NIC_DEFAULT, VIR_DOMAIN_RUNNING,
	    &o);
	expect(env, "cpu", KVMOPS_VERDICT_FAIL, NULL);
	env->dst.compare = VIR_CPU_COMPARE_SUPERSET;
	run(env, "kvm", custom, DISK_SHARED, NIC_DEFAULT, VIR_DOMAIN_RUNNING,
	    &o);
	expect(env, "cpu", KVMOPS_VERDICT_PASS, NULL);
	env->dst.compare = -EIO;
	run(env, "kvm", custom, DISK_SHARED, NIC_DEFAULT, VIR_DOMAIN_RUNNING,
	    &o);
	expect(env, "cpu", KVMOPS_VERDICT_WARN, "fake: cannot compare");
	/* Even the hosts being alike does not spare a custom model the compare. */
	assert_int_equal(env->dst.compares, 4);
}

static void test_check_cpu_default(void **state)
{
	struct check_env *env = *state;
	struct kvmops_migrate_opts o = live_opts();

	/* TCG emulates the CPU: the hosts may differ. */
	env->dst.cpu_model = "EPYC-Rome";
	env->dst.cpu_vendor = "AMD";
	run(env, "qemu", "", DISK_SHARED, NIC_DEFAULT, VIR_DOMAIN_RUNNING, &o);
	expect(env, "cpu", KVMOPS_VERDICT_PASS, "TCG");
	/* KVM with the hypervisor's default CPU on different hosts: doubtful. */
	run(env, "kvm", "", DISK_SHARED, NIC_DEFAULT, VIR_DOMAIN_RUNNING, &o);
	expect(env, "cpu", KVMOPS_VERDICT_WARN, NULL);
	/* ... and fine on alike hosts. */
	fake_default(&env->dst, false);
	run(env, "kvm", "", DISK_SHARED, NIC_DEFAULT, VIR_DOMAIN_RUNNING, &o);
	expect(env, "cpu", KVMOPS_VERDICT_PASS, NULL);
	assert_int_equal(env->dst.compares, 0);
}

static void test_check_nx(void **state)
{
	struct check_env *env = *state;

	env->dst.nx_off = true;
	run_live(env, NIC_DEFAULT);
	expect(env, "nx", KVMOPS_VERDICT_FAIL,
	       "on here and off on the destination");
	env->dst.nx_off = false;
	env->src.nx_off = true;
	run_live(env, NIC_DEFAULT);
	expect(env, "nx", KVMOPS_VERDICT_FAIL,
	       "off here and on on the destination");
	env->dst.nx_off = true;
	run_live(env, NIC_DEFAULT);
	expect(env, "nx", KVMOPS_VERDICT_PASS, "off on both");
	env->src.no_domcaps = true;
	run_live(env, NIC_DEFAULT);
	expect(env, "nx", KVMOPS_VERDICT_WARN, "this host");
}

/* A TCG guest on QEMU before 9.0 can lose writes in a live move: a WARN. */
static void test_check_tcg_on_old_qemu(void **state)
{
	struct check_env *env = *state;
	struct kvmops_migrate_opts o = live_opts();
	const struct kvmops_check_item *it;

	env->src.hv_version = 7002000;
	run(env, "qemu", CPU_HOST_MODEL, DISK_SHARED, NIC_DEFAULT,
	    VIR_DOMAIN_RUNNING, &o);
	it = find(env, "tcg");
	assert_int_equal(it->verdict, KVMOPS_VERDICT_WARN);
	assert_non_null(strstr(it->text, "QEMU 7.2.0"));
	assert_non_null(strstr(it->text, "03bfc2188f06"));
	assert_non_null(strstr(it->fix, "offline"));
	assert_non_null(strstr(it->fix, "post-copy after the first pass"));
	assert_non_null(strstr(it->fix, "pti=on"));
	assert_string_equal(it->remedy, "kind,postcopy_after_precopy");
	/* Post-copy from the first pass keeps the writes. */
	o.postcopy = o.postcopy_after_precopy = true;
	run(env, "qemu", CPU_HOST_MODEL, DISK_SHARED, NIC_DEFAULT,
	    VIR_DOMAIN_RUNNING, &o);
	expect(env, "tcg", KVMOPS_VERDICT_PASS, "post-copy");
	/* KVM guests, offline moves, QEMU 9.0, an unknown version: no item. */
	o = live_opts();
	run(env, "kvm", CPU_HOST_MODEL, DISK_SHARED, NIC_DEFAULT,
	    VIR_DOMAIN_RUNNING, &o);
	assert_false(has_item(env, "tcg"));
	o = offline_opts();
	run(env, "qemu", CPU_HOST_MODEL, DISK_SHARED, NIC_DEFAULT,
	    VIR_DOMAIN_SHUTOFF, &o);
	assert_false(has_item(env, "tcg"));
	o = live_opts();
	env->src.hv_version = 9000000;
	run(env, "qemu", CPU_HOST_MODEL, DISK_SHARED, NIC_DEFAULT,
	    VIR_DOMAIN_RUNNING, &o);
	assert_false(has_item(env, "tcg"));
	env->src.hv_version = 0;
	run(env, "qemu", CPU_HOST_MODEL, DISK_SHARED, NIC_DEFAULT,
	    VIR_DOMAIN_RUNNING, &o);
	assert_false(has_item(env, "tcg"));
}

#define HOSTDEV                                                            \
	"<hostdev mode='subsystem' type='pci' managed='yes'><source>"      \
	"<address domain='0x0000' bus='0x03' slot='0x00' function='0x0'/>" \
	"</source></hostdev>"

static void test_check_hostdev(void **state)
{
	struct check_env *env = *state;
	struct kvmops_migrate_opts o = offline_opts();

	run_live(env, NIC_DEFAULT HOSTDEV);
	expect(env, "devices", KVMOPS_VERDICT_FAIL, "pci");
	expect_count(env, "devices", 1);
	run(env, "kvm", CPU_HOST_MODEL, DISK_SHARED, NIC_DEFAULT HOSTDEV,
	    VIR_DOMAIN_SHUTOFF, &o);
	expect(env, "devices", KVMOPS_VERDICT_WARN, "pci");
}

static void test_check_chardevs(void **state)
{
	struct check_env *env = *state;

	run_live(env,
		 NIC_DEFAULT "<serial type='dev'><source path='/dev/ttyS1'/>"
			     "<target port='1'/></serial>");
	expect(env, "devices", KVMOPS_VERDICT_FAIL, "/dev/ttyS1");
	expect_count(env, "devices", 1);
	run_live(env, NIC_DEFAULT
		 "<channel type='pipe'><source path='/tmp/g1.pipe'/>"
		 "<target type='virtio' name='org.example.0'/></channel>");
	expect(env, "devices", KVMOPS_VERDICT_FAIL, "/tmp/g1.pipe");
	run_live(env, NIC_DEFAULT HOSTDEV
		 "<parallel type='dev'><source path='/dev/parport0'/>"
		 "<target port='0'/></parallel>");
	expect_count(env, "devices", 2);
	/* What is made afresh wherever the guest runs is no tie. */
	run_live(env, NIC_DEFAULT
		 "<channel type='unix'><source mode='connect' "
		 "path='/run/g1.sock'/><target type='virtio' "
		 "name='org.example.1'/></channel>"
		 "<serial type='file'><source path='/var/log/g1.log'/>"
		 "<target port='1'/></serial>"
		 "<channel type='spicevmc'><target type='virtio' "
		 "name='com.redhat.spice.0'/></channel>");
	expect(env, "devices", KVMOPS_VERDICT_PASS, NULL);
}

/*
 * Once a bug: the guest agent channel virt-install adds
 * to every guest. libvirt makes its socket in its own channel directory
 * on whichever host runs the guest, shows that path in the live XML (the
 * check reads the live XML), and leaves it out of the XML it migrates.
 * check_devices' "unix and source/@mode='bind'" calls it "local to this
 * host" and FAILs the live migration of nearly every guest.
 */
static void test_check_guest_agent_channel(void **state)
{
	struct check_env *env = *state;

	run_live(
		env, NIC_DEFAULT
		"<channel type='unix'><source mode='bind' "
		"path='/var/lib/libvirt/qemu/channel/target/domain-3-g1/org.qemu.guest_agent.0'/>"
		"<target type='virtio' name='org.qemu.guest_agent.0' state='connected'/>"
		"<alias name='channel0'/>"
		"<address type='virtio-serial' controller='0' bus='0' port='1'/></channel>");
	expect(env, "devices", KVMOPS_VERDICT_PASS, NULL);
	/* As a shut-off guest's XML has it, without a path. */
	run_live(env, NIC_DEFAULT
		 "<channel type='unix'><source mode='bind'/>"
		 "<target type='virtio' name='org.qemu.guest_agent.0'/>"
		 "</channel>");
	expect(env, "devices", KVMOPS_VERDICT_PASS, NULL);
}

static void test_check_networks(void **state)
{
	struct check_env *env = *state;

	env->dst.nets[0].name = "other";
	run_live(env, NIC_DEFAULT);
	expect(env, "network default", KVMOPS_VERDICT_FAIL,
	       "no network default");
	env->dst.nets[1] = (struct fake_net){ "default", false };
	run_live(env, NIC_DEFAULT);
	expect(env, "network default", KVMOPS_VERDICT_FAIL, "not active");
	env->dst.nets[1].active = true;
	run_live(env, NIC_DEFAULT);
	expect(env, "network default", KVMOPS_VERDICT_PASS, NULL);
	env->dst.net_err = -EIO;
	run_live(env, NIC_DEFAULT);
	expect(env, "network default", KVMOPS_VERDICT_WARN,
	       "fake: networks unreadable");
}

static void test_check_bridges(void **state)
{
	struct check_env *env = *state;
	const char *nics =
		"<interface type='bridge'><source bridge='br0'/></interface>"
		"<interface type='bridge'><source bridge='br1'/></interface>"
		"<interface type='user'/>";

	run_live(env, nics);
	expect(env, "bridge br0", KVMOPS_VERDICT_PASS, NULL);
	expect(env, "bridge br1", KVMOPS_VERDICT_FAIL, "br1");
	/* A user-mode NIC needs nothing on the host. */
	assert_false(has_item(env, "networks"));
	env->dst.bridge_err = -EIO;
	run_live(env, nics);
	expect(env, "bridge br1", KVMOPS_VERDICT_WARN,
	       "fake: interfaces unreadable");
	/* No NIC at all says so. */
	run_live(env, "");
	expect(env, "networks", KVMOPS_VERDICT_PASS, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		CHECK(test_check_clean_live),
		CHECK(test_check_state_live),
		CHECK(test_check_host),
		CHECK(test_check_name_clash),
		CHECK(test_check_memory),
		CHECK(test_check_arch),
		CHECK(test_check_arch_other),
		CHECK(test_check_caps_unreadable),
		CHECK(test_check_memory_out_of_range),
		CHECK(test_check_emulator),
		CHECK(test_check_cpu_passthrough),
		CHECK(test_check_cpu_compare),
		CHECK(test_check_cpu_default),
		CHECK(test_check_nx),
		CHECK(test_check_tcg_on_old_qemu),
		CHECK(test_check_hostdev),
		CHECK(test_check_chardevs),
		CHECK(test_check_guest_agent_channel),
		CHECK(test_check_networks),
		CHECK(test_check_bridges),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
