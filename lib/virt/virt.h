/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libvirt, loaded on first use. Linking it costs every process about 18 ms
 * of dynamic loading (some sixty libraries), three times what a whole
 * reading KSM's state needs; KSM alone never touches libvirt.
 *
 * Every libvirt function the library calls is listed here once; call it as
 * VIRT(virConnectOpenAuth)(...) after kvmops_virt_load() succeeded.
 */
#ifndef KVMOPS_VIRT_H
#define KVMOPS_VIRT_H

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <nettle/sha2.h>

#define KVMOPS_VIRT_FUNCS(X)               \
	X(virInitialize)                   \
	X(virConnectOpenAuth)              \
	X(virConnectClose)                 \
	X(virConnectSetKeepAlive)          \
	X(virConnectGetURI)                \
	X(virSetErrorFunc)                 \
	X(virConnSetErrorFunc)             \
	X(virGetLastError)                 \
	X(virDomainLookupByUUIDString)     \
	X(virDomainGetName)                \
	X(virDomainFree)                   \
	X(virEventRegisterDefaultImpl)     \
	X(virEventRunDefaultImpl)          \
	X(virConnectGetAllDomainStats)     \
	X(virDomainListGetStats)           \
	X(virDomainStatsRecordListFree)    \
	X(virDomainLookupByName)           \
	X(virDomainGetXMLDesc)             \
	X(virDomainGetState)               \
	X(virDomainIsPersistent)           \
	X(virDomainSetMemoryFlags)         \
	X(virDomainSetMemoryStatsPeriod)   \
	X(virConnectListAllDomains)        \
	X(virNodeGetInfo)                  \
	X(virNodeGetFreeMemory)            \
	X(virConnectGetHostname)           \
	X(virDomainGetInfo)                \
	X(virDomainMigrate3)               \
	X(virDomainGetJobStats)            \
	X(virDomainAbortJob)               \
	X(virDomainMigrateSetMaxDowntime)  \
	X(virDomainMigrateStartPostCopy)   \
	X(virDomainUndefineFlags)          \
	X(virDomainIsActive)               \
	X(virDomainSuspend)                \
	X(virDomainResume)                 \
	X(virDomainShutdown)               \
	X(virDomainDestroy)                \
	X(virDomainSaveFlags)              \
	X(virDomainRestore)                \
	X(virDomainRestoreFlags)           \
	X(virDomainSaveImageGetXMLDesc)    \
	X(virDomainDefineXML)              \
	X(virDomainCreate)                 \
	X(virConnectIsAlive)               \
	X(virConnectGetCapabilities)       \
	X(virConnectGetVersion)            \
	X(virConnectGetDomainCapabilities) \
	X(virConnectCompareHypervisorCPU)  \
	X(virConnectListAllStoragePools)   \
	X(virStoragePoolLookupByName)      \
	X(virStoragePoolGetXMLDesc)        \
	X(virStoragePoolGetInfo)           \
	X(virStoragePoolGetName)           \
	X(virStoragePoolIsActive)          \
	X(virStoragePoolRefresh)           \
	X(virStoragePoolFree)              \
	X(virStorageVolLookupByPath)       \
	X(virStorageVolLookupByName)       \
	X(virStorageVolGetKey)             \
	X(virStorageVolGetPath)            \
	X(virStorageVolGetInfo)            \
	X(virStorageVolGetInfoFlags)       \
	X(virStorageVolGetXMLDesc)         \
	X(virStorageVolCreateXML)          \
	X(virStorageVolDelete)             \
	X(virStorageVolFree)               \
	X(virStorageVolDownload)           \
	X(virStorageVolUpload)             \
	X(virStreamNew)                    \
	X(virStreamRecv)                   \
	X(virStreamRecvFlags)              \
	X(virStreamRecvHole)               \
	X(virStreamSendHole)               \
	X(virStreamSend)                   \
	X(virStreamFinish)                 \
	X(virStreamAbort)                  \
	X(virStreamFree)                   \
	X(virNetworkLookupByName)          \
	X(virNetworkIsActive)              \
	X(virNetworkFree)                  \
	X(virInterfaceLookupByName)        \
	X(virInterfaceFree)                \
	X(virTypedParamsAddString)         \
	X(virTypedParamsAddULLong)         \
	X(virTypedParamsAddInt)            \
	X(virTypedParamsFree)              \
	X(virDomainGetUUIDString)          \
	X(virDomainBackupBegin)            \
	X(virDomainCheckpointLookupByName) \
	X(virDomainCheckpointDelete)       \
	X(virDomainCheckpointFree)         \
	X(virDomainCheckpointGetXMLDesc)   \
	X(virStoragePoolLookupByVolume)

/*
 * libxml2, for the few domain XML details libvirt's API does not give
 * (the balloon device, its stats period, <memtune>). libvirt links it, so
 * once libvirt is loaded this costs nothing more.
 */
#define KVMOPS_XML_FUNCS(X)       \
	X(xmlReadMemory)          \
	X(xmlFreeDoc)             \
	X(xmlXPathNewContext)     \
	X(xmlXPathFreeContext)    \
	X(xmlXPathEvalExpression) \
	X(xmlXPathFreeObject)     \
	X(xmlXPathCastToNumber)   \
	X(xmlXPathCastToString)   \
	X(xmlDocDumpMemory)       \
	X(xmlGetProp)             \
	X(xmlSetProp)             \
	X(xmlNodeSetContent)      \
	X(xmlBufferCreate)        \
	X(xmlBufferFree)          \
	X(xmlBufferContent)       \
	X(xmlNodeDump)            \
	X(xmlUnlinkNode)          \
	X(xmlFreeNode)

/*
 * nettle's SHA-256, for the stream pump: libvirt links GnuTLS, which links
 * nettle, so it is in the process already once libvirt is; a program that
 * never connects never loads it (HACKING, "Loading").
 */
#define KVMOPS_NETTLE_FUNCS(X)  \
	X(nettle_sha256_init)   \
	X(nettle_sha256_update) \
	X(nettle_sha256_digest)

struct kvmops_virt {
#define KVMOPS_VIRT_FIELD(f) __typeof__(f) *f;
	KVMOPS_VIRT_FUNCS(KVMOPS_VIRT_FIELD)
#undef KVMOPS_VIRT_FIELD
	virConnectAuthPtr *auth_default; /* &virConnectAuthPtrDefault */
#define KVMOPS_XML_FIELD(f) __typeof__(f) *f;
	KVMOPS_XML_FUNCS(KVMOPS_XML_FIELD)
#undef KVMOPS_XML_FIELD
	void (**xml_free)(void *); /* &xmlFree, a variable */
#define KVMOPS_NETTLE_FIELD(f) __typeof__(f) *f;
	KVMOPS_NETTLE_FUNCS(KVMOPS_NETTLE_FIELD)
#undef KVMOPS_NETTLE_FIELD
};

extern struct kvmops_virt kvmops_virt;

#define VIRT(f) (kvmops_virt.f)

struct kvmops_ctx;

/* Loads libvirt once per process; 0, or -ENOENT with the message set. */
int kvmops_virt_load(struct kvmops_ctx *ctx);

/* The message of libvirt's last error, never NULL. */
const char *kvmops_virt_message(void);

/* An error handler that keeps libvirt from printing to stderr. */
void kvmops_virt_silent_error(void *userdata, virErrorPtr error);

#endif
