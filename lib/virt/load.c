// SPDX-License-Identifier: LGPL-2.1-or-later
#include "config.h"

#include <dlfcn.h>
#include <pthread.h>

#include "libkvmops-private.h"
#include "virt/virt.h"

#define LIBVIRT_SONAME "libvirt.so.0"
#define LIBXML2_SONAME "libxml2.so.2"
#ifndef NETTLE_SONAME
#define NETTLE_SONAME "libnettle.so.8"
#endif

struct kvmops_virt kvmops_virt;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static char load_error[512];

/* libvirt prints every error to stderr unless told otherwise. */
void kvmops_virt_silent_error(void *userdata, virErrorPtr error)
{
}

/*
 * Looks function @f up in @lib into the table; the first one missing is
 * kept in @missing. (Both locals of the function it is used in.)
 */
#define RESOLVE(f)                                                          \
	if (!(kvmops_virt.f = (__typeof__(f) *)dlsym(lib, #f)) && !missing) \
		missing = #f;

/* Already in the process with libvirt: only its symbols are looked up. */
static const char *load_xml(void)
{
	void *lib = dlopen(LIBXML2_SONAME, RTLD_NOW | RTLD_LOCAL);
	const char *missing = NULL;

	if (!lib)
		return LIBXML2_SONAME;
	KVMOPS_XML_FUNCS(RESOLVE)
	kvmops_virt.xml_free = dlsym(lib, "xmlFree");
	if (!missing && !kvmops_virt.xml_free)
		missing = "xmlFree";
	return missing;
}

/* Optional: without it only checksummed copies fail (kvmops_have_sha256). */
static void load_nettle(void)
{
	void *lib = dlopen(NETTLE_SONAME, RTLD_NOW | RTLD_LOCAL);
	const char *missing = NULL;

	if (!lib)
		return;
	KVMOPS_NETTLE_FUNCS(RESOLVE)
	if (missing) /* kvmops_have_sha256() asks for this one */
		kvmops_virt.nettle_sha256_init = NULL;
}

static void load(void)
{
	void *lib = dlopen(LIBVIRT_SONAME, RTLD_NOW | RTLD_LOCAL);
	const char *missing = NULL;

	if (!lib) {
		snprintf(load_error, sizeof(load_error), "%s", dlerror());
		return;
	}
	KVMOPS_VIRT_FUNCS(RESOLVE)
	kvmops_virt.auth_default = dlsym(lib, "virConnectAuthPtrDefault");
	if (!missing && !kvmops_virt.auth_default)
		missing = "virConnectAuthPtrDefault";
	if (!missing)
		missing = load_xml();
	if (missing) {
		snprintf(
			load_error, sizeof(load_error),
			"no %s in %s or %s: they are older than this kvmops needs",
			missing, LIBVIRT_SONAME, LIBXML2_SONAME);
		return;
	}
	load_nettle();
	VIRT(virSetErrorFunc)(NULL, kvmops_virt_silent_error);
	/* Connecting does it too, but typed parameters may come first. */
	VIRT(virInitialize)();
}

int kvmops_virt_load(struct kvmops_ctx *ctx)
{
	pthread_once(&load_once, load);
	if (!load_error[0])
		return 0;
	return kvmops_fail(
		ctx, -ELIBACC,
		"cannot load libvirt (%s): install the libvirt0 package",
		load_error);
}

const char *kvmops_virt_message(void)
{
	virErrorPtr e = VIRT(virGetLastError)();

	return e && e->message ? e->message : "unknown libvirt error";
}
