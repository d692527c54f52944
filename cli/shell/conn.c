// SPDX-License-Identifier: GPL-2.0-or-later
/* The libvirt connection a command line uses, opened on first need. */
#include "config.h"

#include "shell/shell-private.h"

virConnectPtr kvs_conn(struct kvs_call *call)
{
	struct kvs_state *st = call->st;
	bool readonly = call->conn_flags & KVMOPS_CONNECT_READONLY;
	int rc;

	/* A read-only connection cannot serve a command that changes things. */
	if (st->conn && st->conn_readonly && !readonly) {
		kvmops_disconnect(st->conn);
		st->conn = NULL;
	}
	if (st->conn)
		return st->conn;
	st->conn_readonly = readonly;
	rc = kvmops_connect(st->ctx, st->uri, call->conn_flags, &st->conn);
	if (rc) {
		kvs_lib_error(call, rc);
		return NULL;
	}
	return st->conn;
}

bool kvs_have_uri(const struct kvs_call *call)
{
	return kvmops_pick_uri(call->st->uri) != NULL;
}
