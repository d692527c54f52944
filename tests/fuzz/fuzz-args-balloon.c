// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kvm-balloon's words (args.h): its table, and what set reads before it
 * connects (the size, --timeout, --margin), each size checked against the
 * exact figure (size-oracle.h) and resolved as a resize would.
 */
#include "config.h"

#define main kvm_balloon_unused_main
int kvm_balloon_unused_main(int argc, char **argv);
#include "kvm-balloon.c"
#undef main

#include "fuzz/args.h"
#include "fuzz/size-oracle.h"

/* A 2 GiB guest with 1 GiB now. */
#define CURRENT_KIB 1048576
#define MAX_KIB 2097152

static void dry_set(struct kvs_call *call)
{
	struct kvmops_ctx *ctx = call->st->ctx;
	struct kvmops_size size, margin;
	uint64_t timeout;
	bool have_margin;

	if (kvmops_size_parse(
		    ctx, call->argv[1],
		    KVMOPS_SIZE_ALLOW_DELTA | KVMOPS_SIZE_ALLOW_PERCENT, &size))
		return;
	fuzz_check_size(call->argv[1], &size);
	fuzz_check_resolve(ctx, &size, CURRENT_KIB, MAX_KIB);
	if (kvs_opt_u64(call, "timeout", 1, 86400, 60, &timeout) ||
	    parse_margin(call, &margin, &have_margin))
		return;
	if (have_margin) {
		fuzz_check_size(kvs_opt(call, "margin"), &margin);
		fuzz_check_resolve(ctx, &margin, CURRENT_KIB, MAX_KIB);
	}
	set_flags(call);
}

static int dry_run(struct kvs_call *call)
{
	const char *cmd = call->cmd->name;
	unsigned int flags;

	if (!strcmp(cmd, "set"))
		dry_set(call);
	else if (!strcmp(cmd, "list"))
		parse_state_filter(call, &flags);
	else if (!strcmp(cmd, "period"))
		period_flags(call);
	return KVS_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	args_setup(&balloon_tool, dry_run);
	args_script(data, size);
	return 0;
}

int fuzz_option_slots(void)
{
	return args_slots(&balloon_tool);
}
