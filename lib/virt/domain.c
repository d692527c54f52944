// SPDX-License-Identifier: LGPL-2.1-or-later
/* Domains: their states in words, names, and where a guest is. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "virt/domain.h"

/* One table for both forms: a word for lists, words for sentences. */
static const struct {
	const char *name, *prose;
} states[] = {
	[VIR_DOMAIN_NOSTATE] = { .name = "unknown",
				 .prose = "in an unknown state" },
	[VIR_DOMAIN_RUNNING] = { .name = "running", .prose = "running" },
	[VIR_DOMAIN_BLOCKED] = { .name = "blocked", .prose = "running" },
	[VIR_DOMAIN_PAUSED] = { .name = "paused", .prose = "paused" },
	[VIR_DOMAIN_SHUTDOWN] = { .name = "shutting-down",
				  .prose = "shutting down" },
	[VIR_DOMAIN_SHUTOFF] = { .name = "shut-off", .prose = "shut off" },
	[VIR_DOMAIN_CRASHED] = { .name = "crashed", .prose = "crashed" },
	[VIR_DOMAIN_PMSUSPENDED] = { .name = "suspended",
				     .prose = "suspended" },
};

static int known_state(int state)
{
	return state >= 0 && (size_t)state < ARRAY_SIZE(states) &&
			       states[state].name ?
		       state :
		       VIR_DOMAIN_NOSTATE;
}

KVMOPS_EXPORT const char *kvmops_state_name(int state)
{
	return states[known_state(state)].name;
}

uint64_t kvmops_param_u64(const virTypedParameter *p)
{
	switch (p->type) {
	case VIR_TYPED_PARAM_INT:
		return p->value.i < 0 ? 0 : (uint64_t)p->value.i;
	case VIR_TYPED_PARAM_UINT:
		return p->value.ui;
	case VIR_TYPED_PARAM_LLONG:
		return p->value.l < 0 ? 0 : (uint64_t)p->value.l;
	case VIR_TYPED_PARAM_ULLONG:
		return p->value.ul;
	default:
		return 0;
	}
}

uint64_t kvmops_stats_u64(const virDomainStatsRecord *rec, const char *name)
{
	int i;

	for (i = 0; i < rec->nparams; i++)
		if (!strcmp(rec->params[i].field, name))
			return kvmops_param_u64(&rec->params[i]);
	return 0;
}

void kvmops_stats_sizes(const virDomainStatsRecord *rec, uint64_t *max_kib,
			uint64_t *current_kib, unsigned int *vcpus)
{
	virDomainInfo info;

	*max_kib = kvmops_stats_u64(rec, "balloon.maximum");
	*current_kib = kvmops_stats_u64(rec, "balloon.current");
	*vcpus = (unsigned int)kvmops_stats_u64(rec, "vcpu.current");
	if ((*max_kib && *vcpus) || VIRT(virDomainGetInfo)(rec->dom, &info))
		return;
	*max_kib = *max_kib ? *max_kib : info.maxMem;
	*current_kib = *current_kib ? *current_kib : info.memory;
	*vcpus = *vcpus ? *vcpus : info.nrVirtCpu;
}

bool kvmops_conn_is_this_machine(virConnectPtr conn)
{
	char here[256] = "", *there = VIRT(virConnectGetHostname)(conn);
	bool same;

	gethostname(here, sizeof(here) - 1);
	same = there && !strcmp(there, here);
	free(there);
	return same;
}

const char *kvmops_state_prose(int state)
{
	return states[known_state(state)].prose;
}

int kvmops_domain_state(virDomainPtr dom)
{
	int state = VIR_DOMAIN_NOSTATE, reason;

	if (!dom || VIRT(virDomainGetState)(dom, &state, &reason, 0) < 0)
		return VIR_DOMAIN_NOSTATE;
	return state;
}

void kvmops_describe_sides(virDomainPtr dom, virConnectPtr dst,
			   const char *dname, char *buf, size_t len)
{
	virDomainPtr ddom;
	const char *there;
	char theirs[64];

	if (VIRT(virConnectIsAlive)(dst) != 1) {
		there = "cannot be reached, so its side is unknown";
	} else if (!(ddom = VIRT(virDomainLookupByName)(dst, dname))) {
		there = "has no trace of it";
	} else {
		snprintf(theirs, sizeof(theirs), "has it, %s",
			 kvmops_state_prose(kvmops_domain_state(ddom)));
		there = theirs;
		VIRT(virDomainFree)(ddom);
	}
	snprintf(buf, len, "on the source %s is %s; the destination %s",
		 dom ? VIRT(virDomainGetName)(dom) : dname,
		 kvmops_state_prose(kvmops_domain_state(dom)), there);
}

KVMOPS_EXPORT int kvmops_domain_names(struct kvmops_ctx *ctx,
				      virConnectPtr conn, unsigned int flags,
				      char ***names, size_t *count)
{
	virDomainPtr *doms = NULL;
	unsigned int f = 0;
	char **list;
	int n, i;

	if (flags & KVMOPS_BALLOON_LIST_ACTIVE)
		f |= VIR_CONNECT_LIST_DOMAINS_ACTIVE;
	if (flags & KVMOPS_BALLOON_LIST_INACTIVE)
		f |= VIR_CONNECT_LIST_DOMAINS_INACTIVE;
	n = VIRT(virConnectListAllDomains)(conn, &doms, f);
	if (n < 0)
		return kvmops_fail(ctx, -EIO, "cannot list the domains: %s",
				   kvmops_virt_message());
	list = calloc((size_t)n + 1, sizeof(char *));
	for (i = 0; i < n; i++) {
		if (list)
			list[i] = strdup(VIRT(virDomainGetName)(doms[i]));
		VIRT(virDomainFree)(doms[i]);
	}
	free(doms);
	if (!list)
		return -ENOMEM;
	*names = list;
	*count = (size_t)n;
	return 0;
}

KVMOPS_EXPORT void kvmops_free_names(char **names, size_t count)
{
	size_t i;

	for (i = 0; names && i < count; i++)
		free(names[i]);
	free(names);
}
