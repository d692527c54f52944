// SPDX-License-Identifier: GPL-2.0-or-later
/* The options of a live migration's transfer (transfer.h). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "migrate/transfer.h"

static const char *const timeout_choices[] = { "abort", "suspend", "postcopy",
					       NULL };

void transfer_complete_on_timeout(struct kvs_state *st, const char *prefix,
				  struct kvs_list *out)
{
	kvs_complete_choices(out, timeout_choices);
}

/* METHODS is a comma-separated list: complete its last item, once each. */
void transfer_complete_compress(struct kvs_state *st, const char *prefix,
				struct kvs_list *out)
{
	static const char *const methods[] = { "xbzrle", "mt", "zlib", "zstd",
					       NULL };
	const char *last = strrchr(prefix, ',');
	int head = last ? (int)(last - prefix) + 1 : 0;
	const char *const *m;
	char done[64], item[16];

	snprintf(done, sizeof(done), ",%.*s", head, prefix);
	for (m = methods; *m; m++) {
		snprintf(item, sizeof(item), ",%s,", *m);
		if (!strstr(done, item))
			kvs_list_addf(out, "%.*s%s", head, prefix, *m);
	}
}

static int transfer_numbers(const struct kvs_call *call,
			    struct kvmops_migrate_opts *o)
{
	uint64_t v;
	int rc;

	rc = kvs_opt_u64(call, "bandwidth", 1, 1u << 20, 0, &o->bandwidth_mib);
	if (!rc)
		rc = kvs_opt_u64(call, "max-downtime", 1, 1u << 31, 0,
				 &o->max_downtime_ms);
	if (!rc && !(rc = kvs_opt_u64(call, "parallel", 1, 255, 0, &v)))
		o->parallel = (unsigned int)v;
	if (!rc && !(rc = kvs_opt_u64(call, "timeout", 1, 7 * 86400, 0, &v)))
		o->timeout_s = (unsigned int)v;
	return rc;
}

int transfer_opts(const struct kvs_call *call, struct kvmops_migrate_opts *o)
{
	int on_timeout, rc = kvs_opt_choice(call, "on-timeout", timeout_choices,
					    0, &on_timeout);

	if (!rc)
		rc = transfer_numbers(call, o);
	if (rc)
		return rc;
	if (on_timeout == KVMOPS_ON_TIMEOUT_POSTCOPY &&
	    !kvs_flag(call, "postcopy"))
		return kvs_error(call, KVS_USAGE,
				 "--on-timeout postcopy needs --postcopy");
	o->size = sizeof(*o);
	o->on_timeout = (enum kvmops_on_timeout)on_timeout;
	o->compress = kvs_opt(call, "compress");
	o->auto_converge = kvs_flag(call, "auto-converge");
	o->postcopy = kvs_flag(call, "postcopy");
	o->postcopy_after_precopy = kvs_flag(call, "postcopy-after-precopy");
	o->tls = kvs_flag(call, "tls");
	return KVS_OK;
}
