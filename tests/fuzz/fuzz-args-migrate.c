// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kvm-migrate's words (args.h): its table, and the options check, live and
 * offline read into struct kvmops_migrate_opts and check before they
 * connect (validate: DEST, and kvmops_migrate_opts_check).
 */
#include "config.h"

#define main kvm_migrate_unused_main
int kvm_migrate_unused_main(int argc, char **argv);
#include "kvm-migrate.c"
#undef main

#include "fuzz/args.h"

static int dry_run(struct kvs_call *call)
{
	struct kvmops_migrate_opts o = { 0 };
	struct kvmops_converge_config converge;
	const char *cmd = call->cmd->name;
	int rc = KVS_USAGE;

	if (!strcmp(cmd, "check"))
		rc = check_opts(call, &o);
	else if (!strcmp(cmd, "live"))
		rc = live_opts(call, &o, &converge);
	else if (!strcmp(cmd, "offline"))
		rc = offline_opts(call, &o);
	if (!rc)
		validate(call, &o);
	return KVS_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	args_setup(&migrate_tool, dry_run);
	args_script(data, size);
	return 0;
}

int fuzz_option_slots(void)
{
	return args_slots(&migrate_tool);
}
