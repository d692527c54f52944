/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvirt, loaded on first use. Linking it costs every process about 18 ms
 * of dynamic loading (some sixty libraries), three times what a whole
 * 'kvm-ksm status' needs; KSM alone never touches libvirt.
 *
 * Every libvirt function the library calls is listed here once; call it as
 * VIRT(virConnectOpenAuth)(...) after kvmops_virt_load() succeeded.
 */
#ifndef KVMOPS_VIRT_H
#define KVMOPS_VIRT_H

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#define KVMOPS_VIRT_FUNCS(X)            \
	X(virConnectOpenAuth)           \
	X(virConnectClose)              \
	X(virConnectSetKeepAlive)       \
	X(virConnectGetURI)             \
	X(virSetErrorFunc)              \
	X(virConnSetErrorFunc)          \
	X(virGetLastError)              \
	X(virDomainLookupByUUIDString)  \
	X(virDomainGetName)             \
	X(virDomainFree)                \
	X(virEventRegisterDefaultImpl)  \
	X(virEventRunDefaultImpl)

struct kvmops_virt {
#define KVMOPS_VIRT_FIELD(f) __typeof__(f) *f;
	KVMOPS_VIRT_FUNCS(KVMOPS_VIRT_FIELD)
#undef KVMOPS_VIRT_FIELD
	virConnectAuthPtr *auth_default; /* &virConnectAuthPtrDefault */
};

extern struct kvmops_virt kvmops_virt;

#define VIRT(f) (kvmops_virt.f)

struct kvmops_ctx;

/* Loads libvirt once per process; 0, or -ENOENT with the message set. */
int kvmops_virt_load(struct kvmops_ctx *ctx);

/* The message of libvirt's last error, never NULL. */
const char *kvmops_virt_message(void);

#endif
