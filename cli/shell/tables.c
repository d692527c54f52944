// SPDX-License-Identifier: GPL-2.0-or-later
/* The options every command takes, and finding things in the tables. */
#include "config.h"

#include <string.h>

#include "shell/shell-private.h"

const struct kvs_opt kvs_global_opts[] = {
	{ .name = "connect",
	  .short_name = 'c',
	  .arg = "URI",
	  .field = "uri",
	  .help = "libvirt URI (default: $KVMOPS_DEFAULT_URI, $LIBVIRT_DEFAULT_URI, libvirt's)" },
	{ .name = "json", .help = "print JSON instead of text" },
	{ .name = "quiet",
	  .short_name = 'q',
	  .help = "print only results and errors" },
	{ .name = "keep-going",
	  .help = "reading commands from stdin: go on after a failure" },
	{ .name = "help", .short_name = 'h', .help = "show help" },
	{ .name = "version",
	  .short_name = 'V',
	  .help = "show the tool and library versions" },
	{ 0 },
};

size_t kvs_count_opts(const struct kvs_opt *opts)
{
	size_t n = 0;

	while (opts && opts[n].name)
		n++;
	return n;
}

size_t kvs_value_count(const struct kvs_cmd *cmd)
{
	return (cmd ? kvs_count_opts(cmd->opts) : 0) +
	       kvs_count_opts(kvs_global_opts);
}

const struct kvs_opt *kvs_opt_at(const struct kvs_cmd *cmd, size_t index)
{
	size_t own = cmd ? kvs_count_opts(cmd->opts) : 0;

	if (index < own)
		return &cmd->opts[index];
	if (index - own < kvs_count_opts(kvs_global_opts))
		return &kvs_global_opts[index - own];
	return NULL;
}

int kvs_find_opt(const struct kvs_cmd *cmd, const char *name, size_t len,
		 char short_name, const struct kvs_opt **opt)
{
	const struct kvs_opt *o;
	size_t i;

	for (i = 0; (o = kvs_opt_at(cmd, i)); i++) {
		if ((short_name && o->short_name == short_name) ||
		    (!short_name && strlen(o->name) == len &&
		     !strncmp(o->name, name, len))) {
			*opt = o;
			return (int)i;
		}
	}
	return -1;
}

const struct kvs_cmd *kvs_find_cmd(const struct kvs_tool *tool,
				   const char *name)
{
	const struct kvs_cmd *c;

	for (c = tool->cmds; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

bool kvs_in_list(const char *list, const char *word, size_t len)
{
	const char *p = list;

	while (p && *p) {
		size_t n = strcspn(p, ",");

		if (n == len && !strncmp(p, word, len))
			return true;
		p += n;
		if (*p == ',')
			p++;
	}
	return false;
}
