/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * XPath over libvirt's XML (domains, capabilities, volumes), through the
 * libxml2 that libvirt loads. Needs kvmops_virt_load() first.
 */
#ifndef KVMOPS_XML_H
#define KVMOPS_XML_H

#include <stddef.h>
#include <stdint.h>

#include "virt/virt.h"

struct kvmops_ctx;

struct kvmops_xml {
	xmlDocPtr doc;
	xmlXPathContextPtr xp;
};

/* 0, or -EINVAL when @text is not XML. Close with kvmops_xml_close(). */
int kvmops_xml_parse(const char *text, struct kvmops_xml *x);
void kvmops_xml_close(struct kvmops_xml *x);

/*
 * Evaluates @expr relative to @at (the whole document when NULL). The
 * string is "" when nothing matches and NULL only without memory; free it.
 * The number is NaN when nothing matches.
 */
char *kvmops_xml_string(struct kvmops_xml *x, xmlNodePtr at, const char *expr);
double kvmops_xml_number(struct kvmops_xml *x, xmlNodePtr at, const char *expr);
/*
 * The whole number @expr gives (an element's text or an attribute), for
 * figures libvirt writes as integers: *@value is 0 when nothing matches or
 * the text is not a whole number. -ERANGE, with a message naming @what
 * and the text, when it is above @max.
 */
int kvmops_xml_u64(struct kvmops_ctx *ctx, struct kvmops_xml *x, xmlNodePtr at,
		   const char *expr, const char *what, uint64_t max,
		   uint64_t *value);
/* The string of @expr into @buf ("" when nothing matches), cut to fit. */
void kvmops_xml_copy(struct kvmops_xml *x, xmlNodePtr at, const char *expr,
		     char *buf, size_t len);
/* The nodes @expr selects; free *@nodes with free(). */
int kvmops_xml_nodes(struct kvmops_xml *x, xmlNodePtr at, const char *expr,
		     xmlNodePtr **nodes, size_t *count);
/* @s with &, <, >, ' and " as entities; free it. NULL without memory. */
char *kvmops_xml_escape(const char *s);

/* The document as text; free it with free(). */
char *kvmops_xml_dump(struct kvmops_xml *x);

#endif
