/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kvm-migrate export, import and verify: backup and restore through a
 * directory (backup.c). Uses progress.c; nothing of it uses this.
 */
#ifndef KVMOPS_CLI_MIGRATE_BACKUP_H
#define KVMOPS_CLI_MIGRATE_BACKUP_H

#include "shell/shell.h"

extern const struct kvs_opt backup_export_opts[], backup_import_opts[],
	backup_verify_opts[];
int backup_export(struct kvs_call *call);
int backup_import(struct kvs_call *call);
int backup_verify(struct kvs_call *call);
void backup_complete_export(struct kvs_state *st, const char *prefix,
			    struct kvs_list *out);
void backup_complete_dir(struct kvs_state *st, const char *prefix,
			 struct kvs_list *out);
void backup_complete_at(struct kvs_state *st, const char *prefix,
			struct kvs_list *out);

#endif
