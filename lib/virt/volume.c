// SPDX-License-Identifier: LGPL-2.1-or-later
/* Storage volumes: made on a destination, removed after a failure. */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "virt/domain.h"
#include "virt/xml.h"

/* Creates volume @vol_name in @pool_name on @conn; NULL with @err set. */
virStorageVolPtr kvmops_create_volume(virConnectPtr conn, const char *pool_name,
				      const char *vol_name,
				      const struct kvmops_vol_info *vi,
				      bool with_backing, char *err, size_t len)
{
	virStoragePoolPtr pool =
		VIRT(virStoragePoolLookupByName)(conn, pool_name);
	char *name = kvmops_xml_escape(vol_name),
	     *backing = kvmops_xml_escape(vi->backing);
	char xml[2 * PATH_MAX + 1024], back[PATH_MAX + 256] = "";
	virStorageVolPtr vol = NULL;

	if (with_backing && *vi->backing && backing)
		snprintf(
			back, sizeof(back),
			"<backingStore><path>%s</path><format type='%s'/></backingStore>",
			backing,
			*vi->backing_format ? vi->backing_format : "raw");
	snprintf(xml, sizeof(xml),
		 "<volume><name>%s</name><capacity unit='bytes'>%" PRIu64
		 "</capacity>"
		 "<allocation unit='bytes'>0</allocation>"
		 "<target><format type='%s'/></target>%s</volume>",
		 name ? name : "", vi->capacity,
		 *vi->format ? vi->format : "raw", back);
	if (pool && name)
		vol = VIRT(virStorageVolCreateXML)(pool, xml, 0);
	if (!vol)
		snprintf(err, len,
			 "cannot create %s in pool %s on the destination: %s",
			 vol_name, pool_name, kvmops_virt_message());
	if (pool)
		VIRT(virStoragePoolFree)(pool);
	free(name);
	free(backing);
	return vol;
}

void kvmops_delete_volumes(virStorageVolPtr *vols, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++) {
		if (!vols[i])
			continue;
		VIRT(virStorageVolDelete)(vols[i], 0);
		VIRT(virStorageVolFree)(vols[i]);
		vols[i] = NULL;
	}
}

void kvmops_free_volumes(virStorageVolPtr *vols, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		if (vols[i])
			VIRT(virStorageVolFree)(vols[i]);
	free(vols);
}

uint64_t kvmops_volume_bytes(virStorageVolPtr vol)
{
	virStorageVolInfo info;

	if (VIRT(virStorageVolGetInfoFlags)(vol, &info,
					    VIR_STORAGE_VOL_GET_PHYSICAL))
		return 0;
	return info.allocation; /* with GET_PHYSICAL: the file's size */
}
