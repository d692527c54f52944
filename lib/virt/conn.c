// SPDX-License-Identifier: LGPL-2.1-or-later
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "libkvmops-private.h"
#include "virt/virt.h"

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

static void *run_event_loop(void *unused)
{
	for (;;)
		VIRT(virEventRunDefaultImpl)();
	return NULL;
}

/* Keepalive only works while someone runs libvirt's event loop. */
static void start_event_loop_once(void)
{
	pthread_t thread;

	if (VIRT(virEventRegisterDefaultImpl)() < 0)
		return;
	if (!pthread_create(&thread, NULL, run_event_loop, NULL))
		pthread_detach(thread);
}

static void start_event_loop(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, start_event_loop_once);
}

KVMOPS_EXPORT int kvmops_connect(struct kvmops_ctx *ctx, const char *uri,
				 unsigned int flags, virConnectPtr *out)
{
	const char *picked = kvmops_pick_uri(uri);
	const char *shown = picked ? picked : "libvirt's default URI";
	unsigned int open_flags = 0;
	virConnectPtr conn;
	int rc;

	kvmops_clear_error(ctx);
	rc = kvmops_virt_load(ctx);
	if (rc)
		return rc;
	if (!(flags & KVMOPS_CONNECT_NO_EVENT_LOOP))
		start_event_loop();
	if (flags & KVMOPS_CONNECT_READONLY)
		open_flags |= VIR_CONNECT_RO;
	conn = VIRT(virConnectOpenAuth)(picked, *kvmops_virt.auth_default,
					open_flags);
	if (!conn)
		return kvmops_fail_remedy(
			ctx, -ECONNREFUSED, "uri",
			"cannot connect to libvirt at '%s': %s; check that libvirtd runs there, or connect to another URI",
			shown, kvmops_virt_message());
	VIRT(virConnSetErrorFunc)(conn, NULL, kvmops_virt_silent_error);
	/* Local connections have no keepalive (it returns 1): fine. */
	if (VIRT(virConnectSetKeepAlive)(conn, KEEPALIVE_INTERVAL,
					 KEEPALIVE_COUNT) < 0)
		dbg(ctx, "no keepalive on %s: %s", shown,
		    kvmops_virt_message());
	info(ctx, "connected to %s", shown);
	*out = conn;
	return 0;
}

KVMOPS_EXPORT void kvmops_disconnect(virConnectPtr conn)
{
	if (conn)
		VIRT(virConnectClose)(conn);
}
