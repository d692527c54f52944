// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kvm-ksm's words (args.h): its table, its pairs for set and start read
 * and checked against the ksm-6.18 fixture's entries, as set and start
 * check them before writing anything.
 */
#include "config.h"

#define main kvm_ksm_unused_main
int kvm_ksm_unused_main(int argc, char **argv);
#include "kvm-ksm.c"
#undef main

#include "fuzz/args.h"

static struct kvmops_ksm *fixture_ksm;

static void dry_set(struct kvs_call *call)
{
	struct pairs p;
	size_t i;

	if (!split_pairs(call, &p)) {
		for (i = 0; i < p.count; i++)
			kvmops_ksm_check(call->st->ctx, fixture_ksm, p.names[i],
					 p.values[i]);
		needs_unmerge(&p);
	}
	pairs_free(&p);
}

static int dry_run(struct kvs_call *call)
{
	const char *names[2], *values[2];
	const char *cmd = call->cmd->name;
	size_t n;

	if (!strcmp(cmd, "set"))
		dry_set(call);
	else if (!strcmp(cmd, "start"))
		start_pairs(call, fixture_ksm, names, values, &n);
	else if (!strcmp(cmd, "vms"))
		kvs_opt(call, "sort");
	return KVS_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!args_ctx) {
		args_setup(&ksm_tool, dry_run);
		if (kvmops_ksm_read(args_ctx, &fixture_ksm))
			abort();
	}
	args_script(data, size);
	return 0;
}

int fuzz_option_slots(void)
{
	return args_slots(&ksm_tool);
}
