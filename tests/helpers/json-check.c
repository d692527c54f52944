/*
 * json-check - validate a JSON document and check values inside it
 *
 * Usage: json-check [FILE] [--get PATH]... [--type PATH TYPE]...
 *                   [--len PATH N]...
 *
 * Reads FILE (standard input when FILE is missing or "-") and parses it
 * as one JSON value with json-c in strict mode; anything but whitespace
 * after that value is an error.  The options are then applied in order:
 *
 *   --get PATH        print the value at PATH on its own line: strings
 *                     raw (no quotes), null as "null", anything else as
 *                     compact JSON
 *   --type PATH TYPE  require the value at PATH to be of TYPE: object,
 *                     array, string, int, double, number (int or
 *                     double), boolean or null
 *   --len PATH N      require an array or object with exactly N members
 *
 * PATH is a dot-separated list of object keys and array indexes, such
 * as "guests.0.name"; "." alone is the whole document.
 *
 * Exit status: 0 if the document is valid and every check passed, 1 if
 * it is invalid or a check failed (the first failure stops), 2 on bad
 * usage or when the input cannot be read.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#define PROG "json-check"
#define PRINT_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

enum check_kind { CHECK_GET, CHECK_TYPE, CHECK_LEN };

struct check {
	enum check_kind kind;
	const char *path;
	const char *type; /* CHECK_TYPE */
	size_t len; /* CHECK_LEN */
};

static const char *const type_names[] = {
	"object", "array",  "string",  "int",
	"double", "number", "boolean", "null",
};

static void __attribute__((noreturn)) usage(void)
{
	fprintf(stderr,
		"usage: " PROG " [FILE] [--get PATH]... [--type PATH TYPE]...\n"
		"                  [--len PATH N]...\n"
		"TYPE: object array string int double number boolean null\n");
	exit(2);
}

static void __attribute__((noreturn))
bad_usage(const char *what, const char *arg)
{
	fprintf(stderr, PROG ": %s: '%s'\n", what, arg);
	usage();
}

static bool valid_type(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (!strcmp(name, type_names[i]))
			return true;
	return false;
}

/* Parse a string of decimal digits; false if empty, signed or too big. */
static bool parse_size(const char *s, size_t *out)
{
	unsigned long long v;
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > SIZE_MAX)
		return false;
	*out = v;
	return true;
}

/* Fill @c from the option at argv[*i], advancing *i past its arguments. */
static void parse_check(int argc, char **argv, int *i, struct check *c)
{
	const char *opt = argv[*i];
	int nargs;

	if (!strcmp(opt, "--get")) {
		c->kind = CHECK_GET;
		nargs = 1;
	} else if (!strcmp(opt, "--type")) {
		c->kind = CHECK_TYPE;
		nargs = 2;
	} else if (!strcmp(opt, "--len")) {
		c->kind = CHECK_LEN;
		nargs = 2;
	} else {
		bad_usage("unknown option", opt);
	}
	if (argc - *i - 1 < nargs)
		bad_usage("missing argument for option", opt);
	c->path = argv[*i + 1];
	if (c->kind == CHECK_TYPE) {
		c->type = argv[*i + 2];
		if (!valid_type(c->type))
			bad_usage("unknown type", c->type);
	} else if (c->kind == CHECK_LEN) {
		if (!parse_size(argv[*i + 2], &c->len))
			bad_usage("bad length", argv[*i + 2]);
	}
	*i += nargs;
}

/* Parse the command line; returns the file name or NULL for stdin. */
static const char *parse_args(int argc, char **argv, struct check *checks,
			      size_t *nchecks)
{
	const char *file = NULL;
	bool opts_done = false;
	int i;

	*nchecks = 0;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!opts_done && (!strcmp(a, "-h") || !strcmp(a, "--help")))
			usage();
		if (!opts_done && !strcmp(a, "--")) {
			opts_done = true;
		} else if (!opts_done && a[0] == '-' && a[1] != '\0') {
			parse_check(argc, argv, &i, &checks[(*nchecks)++]);
		} else if (file) {
			bad_usage("more than one input file", a);
		} else {
			file = a;
		}
	}
	if (file && !strcmp(file, "-"))
		file = NULL;
	return file;
}

/* Read all of @f into a NUL-terminated buffer; exits on error. */
static char *read_all(FILE *f, const char *name, size_t *lenp)
{
	size_t len = 0, cap = 0, n;
	char *buf = NULL, *p;

	do {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 65536;
			p = realloc(buf, cap + 1);
			if (!p) {
				fprintf(stderr, PROG ": out of memory\n");
				exit(2);
			}
			buf = p;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	if (ferror(f)) {
		fprintf(stderr, PROG ": %s: read error\n", name);
		exit(2);
	}
	buf[len] = '\0';
	*lenp = len;
	return buf;
}

static bool only_space(const char *p, size_t n)
{
	for (; n; p++, n--)
		if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
			return false;
	return true;
}

static void __attribute__((noreturn))
parse_error(const char *name, const char *buf, size_t off, const char *desc)
{
	size_t i, line = 1, col = 1;

	for (i = 0; i < off; i++, col++) {
		if (buf[i] == '\n') {
			line++;
			col = 0;
		}
	}
	fprintf(stderr, PROG ": %s: invalid JSON at line %zu, column %zu: %s\n",
		name, line, col, desc);
	exit(1);
}

/* Parse exactly one JSON value from @buf; exits if it is not valid. */
static struct json_object *parse(const char *name, const char *buf, size_t len)
{
	struct json_tokener *tok;
	struct json_object *root;
	enum json_tokener_error err;
	size_t end;

	if (len >= INT_MAX) {
		fprintf(stderr, PROG ": %s: input too large\n", name);
		exit(2);
	}
	tok = json_tokener_new();
	if (!tok) {
		fprintf(stderr, PROG ": out of memory\n");
		exit(2);
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	/* Passing the terminating NUL too tells json-c the input ends. */
	root = json_tokener_parse_ex(tok, buf, (int)len + 1);
	err = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (err != json_tokener_success)
		parse_error(name, buf, end, json_tokener_error_desc(err));
	/* json-c stops at a NUL byte; whatever follows it is garbage. */
	if (end < len && !only_space(buf + end, len - end))
		parse_error(name, buf, end,
			    json_tokener_error_desc(
				    json_tokener_error_parse_unexpected));
	return root;
}

static bool array_member(struct json_object *arr, const char *key,
			 struct json_object **out)
{
	size_t idx;

	if (!parse_size(key, &idx) || idx >= json_object_array_length(arr))
		return false;
	*out = json_object_array_get_idx(arr, idx);
	return true;
}

static bool member(struct json_object *cur, const char *key,
		   struct json_object **out)
{
	switch (json_object_get_type(cur)) {
	case json_type_object:
		return json_object_object_get_ex(cur, key, out);
	case json_type_array:
		return array_member(cur, key, out);
	default:
		return false;
	}
}

/*
 * Find the value at @path.  A JSON null is found as NULL, so the return
 * value, not *out, tells whether the path exists.
 */
static bool lookup(struct json_object *root, const char *path,
		   struct json_object **out)
{
	char *copy, *rest, *key;
	bool found = true;

	*out = root;
	if (!strcmp(path, "."))
		return true;
	copy = strdup(path);
	if (!copy) {
		fprintf(stderr, PROG ": out of memory\n");
		exit(2);
	}
	rest = copy;
	while (found && (key = strsep(&rest, ".")))
		found = member(*out, key, out);
	free(copy);
	return found;
}

static void print_value(struct json_object *v)
{
	if (json_object_is_type(v, json_type_string)) {
		fwrite(json_object_get_string(v), 1,
		       json_object_get_string_len(v), stdout);
		putchar('\n');
	} else {
		puts(json_object_to_json_string_ext(v, PRINT_FLAGS));
	}
}

static bool type_matches(const char *want, enum json_type t)
{
	if (!strcmp(want, "number"))
		return t == json_type_int || t == json_type_double;
	return !strcmp(want, json_type_to_name(t));
}

static size_t member_count(struct json_object *v)
{
	if (json_object_is_type(v, json_type_array))
		return json_object_array_length(v);
	return json_object_object_length(v);
}

/* Apply one check; returns false (after saying why) if it fails. */
static bool run_check(struct json_object *root, const struct check *c)
{
	struct json_object *v;
	enum json_type t;

	if (!lookup(root, c->path, &v)) {
		fprintf(stderr, PROG ": no value at %s\n", c->path);
		return false;
	}
	t = json_object_get_type(v);
	switch (c->kind) {
	case CHECK_GET:
		print_value(v);
		return true;
	case CHECK_TYPE:
		if (type_matches(c->type, t))
			return true;
		fprintf(stderr, PROG ": %s: expected %s, found %s\n", c->path,
			c->type, json_type_to_name(t));
		return false;
	case CHECK_LEN:
		if (t != json_type_array && t != json_type_object) {
			fprintf(stderr,
				PROG ": %s: expected array or object, "
				     "found %s\n",
				c->path, json_type_to_name(t));
			return false;
		}
		if (member_count(v) == c->len)
			return true;
		fprintf(stderr, PROG ": %s: expected %zu members, found %zu\n",
			c->path, c->len, member_count(v));
		return false;
	}
	return false;
}

int main(int argc, char **argv)
{
	struct json_object *root;
	struct check *checks;
	const char *file, *name;
	size_t nchecks, len, i;
	FILE *f = stdin;
	char *buf;
	bool ok = true;

	checks = calloc(argc, sizeof(*checks));
	if (!checks) {
		fprintf(stderr, PROG ": out of memory\n");
		return 2;
	}
	file = parse_args(argc, argv, checks, &nchecks);
	name = file ? file : "<stdin>";
	if (file) {
		f = fopen(file, "r");
		if (!f) {
			fprintf(stderr, PROG ": %s: %s\n", file,
				strerror(errno));
			return 2;
		}
	}
	buf = read_all(f, name, &len);
	if (file)
		fclose(f);
	root = parse(name, buf, len);
	for (i = 0; ok && i < nchecks; i++)
		ok = run_check(root, &checks[i]);
	json_object_put(root);
	free(buf);
	free(checks);
	if (fflush(stdout) == EOF) {
		fprintf(stderr, PROG ": write error: %s\n", strerror(errno));
		return 2;
	}
	return ok ? 0 : 1;
}
