// SPDX-License-Identifier: LGPL-2.1-or-later
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "libkvmops-private.h"
#include "virt/xml.h"

int kvmops_xml_parse(const char *text, struct kvmops_xml *x)
{
	x->doc = VIRT(xmlReadMemory)(
		text, (int)strlen(text), "libvirt.xml", NULL,
		XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!x->doc)
		return -EINVAL;
	x->xp = VIRT(xmlXPathNewContext)(x->doc);
	if (!x->xp) {
		VIRT(xmlFreeDoc)(x->doc);
		x->doc = NULL;
		return -ENOMEM;
	}
	return 0;
}

void kvmops_xml_close(struct kvmops_xml *x)
{
	if (x->xp)
		VIRT(xmlXPathFreeContext)(x->xp);
	if (x->doc)
		VIRT(xmlFreeDoc)(x->doc);
	x->xp = NULL;
	x->doc = NULL;
}

static xmlXPathObjectPtr eval(struct kvmops_xml *x, xmlNodePtr at,
			      const char *expr)
{
	x->xp->node = at ? at : (xmlNodePtr)x->doc;
	return VIRT(xmlXPathEvalExpression)(BAD_CAST expr, x->xp);
}

char *kvmops_xml_string(struct kvmops_xml *x, xmlNodePtr at, const char *expr)
{
	xmlXPathObjectPtr o = eval(x, at, expr);
	xmlChar *s = NULL;
	char *copy;

	if (o) {
		s = VIRT(xmlXPathCastToString)(o);
		VIRT(xmlXPathFreeObject)(o);
	}
	copy = strdup(s ? (const char *)s : "");
	if (s)
		(*kvmops_virt.xml_free)(s);
	return copy;
}

double kvmops_xml_number(struct kvmops_xml *x, xmlNodePtr at, const char *expr)
{
	xmlXPathObjectPtr o = eval(x, at, expr);
	double v = NAN;

	if (o) {
		v = VIRT(xmlXPathCastToNumber)(o);
		VIRT(xmlXPathFreeObject)(o);
	}
	return v;
}

/* " 123\n" -> "123": libvirt's numbers may carry the document's spaces. */
static char *trimmed(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

int kvmops_xml_u64(struct kvmops_ctx *ctx, struct kvmops_xml *x, xmlNodePtr at,
		   const char *expr, const char *what, uint64_t max,
		   uint64_t *value)
{
	char *text = kvmops_xml_string(x, at, expr), *t;
	int rc = 0;

	*value = 0;
	if (!text)
		return -ENOMEM;
	t = trimmed(text);
	if (isdigit((unsigned char)*t)) {
		rc = kvmops_parse_u64(t, value);
		if (rc == -EINVAL) {
			*value = 0; /* not a whole number: unknown */
			rc = 0;
		} else if (rc == -ERANGE || *value > max) {
			*value = 0;
			rc = kvmops_fail_figure(
				ctx,
				"%s '%.40s' in the domain's XML is out of range (at most %" PRIu64
				")",
				what, t, max);
		}
	}
	free(text);
	return rc;
}

void kvmops_xml_copy(struct kvmops_xml *x, xmlNodePtr at, const char *expr,
		     char *buf, size_t len)
{
	char *s = kvmops_xml_string(x, at, expr);

	snprintf(buf, len, "%s", s ? s : "");
	free(s);
}

int kvmops_xml_nodes(struct kvmops_xml *x, xmlNodePtr at, const char *expr,
		     xmlNodePtr **nodes, size_t *count)
{
	xmlXPathObjectPtr o = eval(x, at, expr);
	size_t n = 0;

	*nodes = NULL;
	*count = 0;
	if (!o)
		return -EINVAL;
	if (o->type == XPATH_NODESET && o->nodesetval)
		n = (size_t)o->nodesetval->nodeNr;
	if (n) {
		*nodes = calloc(n, sizeof(**nodes));
		if (!*nodes) {
			VIRT(xmlXPathFreeObject)(o);
			return -ENOMEM;
		}
		memcpy(*nodes, o->nodesetval->nodeTab, n * sizeof(**nodes));
	}
	*count = n;
	VIRT(xmlXPathFreeObject)(o);
	return 0;
}

char *kvmops_xml_dump(struct kvmops_xml *x)
{
	xmlChar *mem = NULL;
	char *copy;
	int len = 0;

	VIRT(xmlDocDumpMemory)(x->doc, &mem, &len);
	if (!mem)
		return NULL;
	copy = strndup((const char *)mem, (size_t)len);
	(*kvmops_virt.xml_free)(mem);
	return copy;
}

char *kvmops_xml_escape(const char *s)
{
	size_t n = strlen(s) * 6 + 1;
	char *out = malloc(n), *o = out;

	for (; out && *s; s++) {
		switch (*s) {
		case '&':
			o = stpcpy(o, "&amp;");
			break;
		case '<':
			o = stpcpy(o, "&lt;");
			break;
		case '>':
			o = stpcpy(o, "&gt;");
			break;
		case '\'':
			o = stpcpy(o, "&apos;");
			break;
		case '"':
			o = stpcpy(o, "&quot;");
			break;
		default:
			*o++ = *s;
		}
	}
	if (out)
		*o = '\0';
	return out;
}
