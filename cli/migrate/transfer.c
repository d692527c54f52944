// SPDX-License-Identifier: GPL-2.0-or-later
/* The options of a live migration's transfer (transfer.h). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migrate/transfer.h"

static const char *const timeout_choices[] = { "abort", "suspend", "postcopy",
					       NULL };
static const char *const converge_choices[] = { "auto", "off", NULL };

/* --allow's words, with the flag each one is */
static const struct {
	const char *name;
	unsigned int flag;
} allow_words[] = {
	{ .name = "auto-converge",
	  .flag = KVMOPS_CONVERGE_ALLOW_AUTO_CONVERGE },
	{ .name = "postcopy", .flag = KVMOPS_CONVERGE_ALLOW_POSTCOPY },
	{ .name = "suspend", .flag = KVMOPS_CONVERGE_ALLOW_SUSPEND },
};

void transfer_complete_converge(struct kvs_state *st, const char *prefix,
				struct kvs_list *out)
{
	kvs_complete_choices(out, converge_choices);
}

void transfer_complete_on_timeout(struct kvs_state *st, const char *prefix,
				  struct kvs_list *out)
{
	kvs_complete_choices(out, timeout_choices);
}

/* A comma-separated list: complete its last item, each word once. */
static void complete_list(const char *prefix, const char *const *words,
			  struct kvs_list *out)
{
	const char *last = strrchr(prefix, ',');
	int head = last ? (int)(last - prefix) + 1 : 0;
	const char *const *m;
	char done[128], item[32];

	snprintf(done, sizeof(done), ",%.*s", head, prefix);
	for (m = words; *m; m++) {
		snprintf(item, sizeof(item), ",%s,", *m);
		if (!strstr(done, item))
			kvs_list_addf(out, "%.*s%s", head, prefix, *m);
	}
}

void transfer_complete_compress(struct kvs_state *st, const char *prefix,
				struct kvs_list *out)
{
	static const char *const methods[] = { "xbzrle", "mt", "zlib", "zstd",
					       NULL };

	complete_list(prefix, methods, out);
}

void transfer_complete_allow(struct kvs_state *st, const char *prefix,
			     struct kvs_list *out)
{
	/* none is a whole value, never one item of several: it comes last */
	static const char *const words[] = { "auto-converge", "postcopy",
					     "suspend", "none", NULL };
	static const char *const items[] = { "auto-converge", "postcopy",
					     "suspend", NULL };

	complete_list(prefix, strchr(prefix, ',') ? items : words, out);
}

/* --allow LIST: its words' flags into *@allow. */
static int parse_allow(const struct kvs_call *call, const char *text,
		       unsigned int *allow)
{
	char copy[128], *tok, *save = NULL;
	size_t i;

	*allow = 0;
	if (!strcmp(text, "none"))
		return KVS_OK;
	snprintf(copy, sizeof(copy), "%s", text);
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		for (i = 0;
		     i < (sizeof(allow_words) / sizeof(allow_words[0])) &&
		     strcmp(tok, allow_words[i].name);
		     i++)
			;
		if (i == (sizeof(allow_words) / sizeof(allow_words[0])))
			return kvs_error(
				call, KVS_USAGE,
				"--allow: unknown '%s' (auto-converge, postcopy, suspend, or none)",
				tok);
		*allow |= allow_words[i].flag;
	}
	return *allow ? KVS_OK :
			kvs_error(call, KVS_USAGE,
				  "--allow is empty: say none for nothing");
}

/* --progress-window N, Ss or N,Ss. */
static int parse_window(const struct kvs_call *call, const char *text,
			struct kvmops_converge_config *c)
{
	char copy[64], *tok, *save = NULL, *end;
	unsigned long v;

	snprintf(copy, sizeof(copy), "%s", text);
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		errno = 0;
		v = strtoul(tok, &end, 10);
		if (*tok < '0' || *tok > '9' || errno)
			end = tok;
		if (end != tok && !strcmp(end, "s") && v >= 1 && v <= 3600)
			c->window_ms = v * 1000;
		else if (end != tok && !*end && v >= 1 && v <= 100)
			c->window_passes = (unsigned int)v;
		else
			return kvs_error(
				call, KVS_USAGE,
				"--progress-window: '%s' is neither a pass count (1..100) nor seconds (1s..3600s)",
				tok);
	}
	return KVS_OK;
}

/* --converge auto: the policy's limits from the options, into @c. */
static int converge_opts(const struct kvs_call *call,
			 struct kvmops_migrate_opts *o,
			 struct kvmops_converge_config *c)
{
	const char *allow = kvs_opt(call, "allow");
	const char *window = kvs_opt(call, "progress-window");
	int rc = KVS_OK;

	kvmops_converge_defaults(c);
	if (o->max_downtime_ms)
		c->max_downtime_ms = o->max_downtime_ms;
	o->max_downtime_ms = 0; /* the policy's to set */
	if (allow)
		rc = parse_allow(call, allow, &c->allow);
	if (!rc && window)
		rc = parse_window(call, window, c);
	if (o->auto_converge)
		c->allow |= KVMOPS_CONVERGE_ALLOW_AUTO_CONVERGE;
	o->converge = c;
	return rc;
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

int transfer_opts(const struct kvs_call *call, struct kvmops_migrate_opts *o,
		  struct kvmops_converge_config *converge)
{
	int converge_off, on_timeout,
		rc = kvs_opt_choice(call, "on-timeout", timeout_choices, 0,
				    &on_timeout);

	if (!rc)
		rc = kvs_opt_choice(call, "converge", converge_choices, 0,
				    &converge_off);
	if (!rc)
		rc = transfer_numbers(call, o);
	if (rc)
		return rc;
	if (converge_off &&
	    (kvs_opt(call, "allow") || kvs_opt(call, "progress-window")))
		return kvs_error(
			call, KVS_USAGE,
			"--allow and --progress-window steer the convergence policy: they do not go with --converge off");
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
	o->converge = NULL;
	return converge_off ? KVS_OK : converge_opts(call, o, converge);
}
