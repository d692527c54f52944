// SPDX-License-Identifier: LGPL-2.1-or-later
/* The flags and typed parameters of virDomainMigrate3 for some options. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "migrate/migrate.h"

static int add_compress(virTypedParameterPtr *params, int *n, int *max,
			const char *methods)
{
	char *copy = strdup(methods), *tok, *save = NULL;
	int rc = copy ? 0 : -1;

	for (tok = copy ? strtok_r(copy, ",", &save) : NULL; !rc && tok;
	     tok = strtok_r(NULL, ",", &save))
		rc = VIRT(virTypedParamsAddString)(
			params, n, max, VIR_MIGRATE_PARAM_COMPRESSION, tok);
	free(copy);
	return rc;
}

/*
 * What the convergence policy may use must be there from the start:
 * libvirt turns neither auto-converge nor post-copy on mid-way.
 */
static int add_converge(virTypedParameterPtr *params, int *n, int *max,
			const struct kvmops_converge_config *c,
			unsigned long *flags)
{
	int rc = 0;

	if (c->allow & KVMOPS_CONVERGE_ALLOW_POSTCOPY)
		*flags |= VIR_MIGRATE_POSTCOPY;
	if (!(c->allow & KVMOPS_CONVERGE_ALLOW_AUTO_CONVERGE))
		return 0;
	*flags |= VIR_MIGRATE_AUTO_CONVERGE;
	rc |= VIRT(virTypedParamsAddInt)(
		params, n, max, VIR_MIGRATE_PARAM_AUTO_CONVERGE_INITIAL,
		(int)c->throttle_initial);
	rc |= VIRT(virTypedParamsAddInt)(
		params, n, max, VIR_MIGRATE_PARAM_AUTO_CONVERGE_INCREMENT,
		(int)c->throttle_increment);
	return rc;
}

int kvmops_live_plan(struct kvmops_ctx *ctx,
		     const struct kvmops_migrate_opts *opts,
		     unsigned long *flags, virTypedParameterPtr *params,
		     int *nparams)
{
	struct kvmops_migrate_opts o;
	unsigned long f = VIR_MIGRATE_LIVE | VIR_MIGRATE_PERSIST_DEST |
			  VIR_MIGRATE_ABORT_ON_ERROR;
	virTypedParameterPtr p = NULL;
	int n = 0, max = 0, rc = 0;

	kvmops_migrate_opts_copy(opts, &o);
	if (o.copy_storage == KVMOPS_COPY_ALL)
		f |= VIR_MIGRATE_NON_SHARED_DISK;
	else if (o.copy_storage == KVMOPS_COPY_INC)
		f |= VIR_MIGRATE_NON_SHARED_INC;
	f |= o.unsafe ? VIR_MIGRATE_UNSAFE : 0;
	f |= o.auto_converge ? VIR_MIGRATE_AUTO_CONVERGE : 0;
	f |= o.postcopy ? VIR_MIGRATE_POSTCOPY : 0;
	if (o.converge)
		rc = add_converge(&p, &n, &max, o.converge, &f);
	f |= o.tls ? VIR_MIGRATE_TLS : 0;
	f |= o.compress ? VIR_MIGRATE_COMPRESSED : 0;
	f |= o.parallel ? VIR_MIGRATE_PARALLEL : 0;
	if (o.migrate_uri)
		rc |= VIRT(virTypedParamsAddString)(
			&p, &n, &max, VIR_MIGRATE_PARAM_URI, o.migrate_uri);
	if (o.dname)
		rc |= VIRT(virTypedParamsAddString)(
			&p, &n, &max, VIR_MIGRATE_PARAM_DEST_NAME, o.dname);
	if (o.listen_address)
		rc |= VIRT(virTypedParamsAddString)(
			&p, &n, &max, VIR_MIGRATE_PARAM_LISTEN_ADDRESS,
			o.listen_address);
	if (o.bandwidth_mib)
		rc |= VIRT(virTypedParamsAddULLong)(&p, &n, &max,
						    VIR_MIGRATE_PARAM_BANDWIDTH,
						    o.bandwidth_mib);
	if (o.parallel)
		rc |= VIRT(virTypedParamsAddInt)(
			&p, &n, &max, VIR_MIGRATE_PARAM_PARALLEL_CONNECTIONS,
			(int)o.parallel);
	if (o.compress && *o.compress)
		rc |= add_compress(&p, &n, &max, o.compress);
	if (rc) {
		VIRT(virTypedParamsFree)(p, n);
		return kvmops_fail(ctx, -ENOMEM,
				   "cannot build the migration parameters");
	}
	*flags = f;
	*params = p;
	*nparams = n;
	return 0;
}
