// SPDX-License-Identifier: LGPL-2.1-or-later
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <libvirt/virterror.h>

#include "libkvmops-private.h"

#define KEEPALIVE_INTERVAL 5
#define KEEPALIVE_COUNT 3

KVMOPS_EXPORT const char *kvmops_pick_uri(const char *explicit_uri)
{
	const char *env;

	if (explicit_uri && *explicit_uri)
		return explicit_uri;
	env = getenv("KVMOPS_DEFAULT_URI");
	if (env && *env)
		return env;
	env = getenv("LIBVIRT_DEFAULT_URI");
	if (env && *env)
		return env;
	return NULL;
}

/* libvirt prints every error to stderr unless told otherwise. */
static void silent_error(void *userdata, virErrorPtr error)
{
}

static const char *libvirt_message(void)
{
	virErrorPtr e = virGetLastError();

	return e && e->message ? e->message : "unknown libvirt error";
}

KVMOPS_EXPORT int kvmops_connect(struct kvmops_ctx *ctx, const char *uri,
				 virConnectPtr *out)
{
	const char *picked = kvmops_pick_uri(uri);
	virConnectPtr conn;

	kvmops_clear_error(ctx);
	virSetErrorFunc(NULL, silent_error);
	conn = virConnectOpenAuth(picked, virConnectAuthPtrDefault, 0);
	if (!conn)
		return kvmops_fail(ctx, -ECONNREFUSED,
				   "cannot connect to libvirt at '%s': %s (check that libvirtd runs there, or pass another URI with -c)",
				   picked ? picked : "the default URI",
				   libvirt_message());
	virConnSetErrorFunc(conn, NULL, silent_error);
	/* Local connections do not support keepalive (returns 1): fine. */
	if (virConnectSetKeepAlive(conn, KEEPALIVE_INTERVAL,
				   KEEPALIVE_COUNT) < 0)
		dbg(ctx, "no keepalive on %s: %s", picked ? picked : "default",
		    libvirt_message());
	info(ctx, "connected to %s", picked ? picked : "libvirt's default");
	*out = conn;
	return 0;
}
