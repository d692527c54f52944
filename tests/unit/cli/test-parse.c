// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The shell framework's parser (cli/shell/parse.c): words split as a shell
 * would, options by a table, constraints between them, and how library
 * errors become exit statuses and hints (cli/shell/output.c).
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "shell/shell-private.h"

/* ---- splitting ------------------------------------------------------------- */

struct words {
	int n;
	char **w;
};

static struct words split(const char *line)
{
	struct words s;

	assert_int_equal(kvs_split(line, &s.n, &s.w), 0);
	return s;
}

/* @line splits into exactly the NULL-terminated words that follow. */
static void splits_into(const char *line, ...)
{
	struct words s = split(line);
	const char *want;
	va_list ap;
	int i = 0;

	va_start(ap, line);
	while ((want = va_arg(ap, const char *))) {
		if (i >= s.n)
			fail_msg("'%s': %d words, wanted more ('%s')", line,
				 s.n, want);
		assert_string_equal(s.w[i], want);
		i++;
	}
	va_end(ap);
	assert_int_equal(s.n, i);
	kvs_free_words(s.n, s.w);
}

static void test_split_plain(void **state)
{
	splits_into("set  pages_to_scan=100\tsleep_millisecs=20\n", "set",
		    "pages_to_scan=100", "sleep_millisecs=20", NULL);
	splits_into("", NULL);
	splits_into("   \t ", NULL);
}

static void test_split_quotes(void **state)
{
	splits_into("live 'my guest' \"qemu+tcp://h/system\"", "live",
		    "my guest", "qemu+tcp://h/system", NULL);
	/* Quotes join with what touches them; an empty pair is a word. */
	splits_into("a'b'\"c\" ''", "abc", "", NULL);
	/* Single quotes keep backslashes; double quotes take \" and \\. */
	splits_into("'a\\b' \"c\\\"d\\\\e\"", "a\\b", "c\"d\\e", NULL);
	/* Outside quotes a backslash escapes the next character. */
	splits_into("a\\ b c\\'d", "a b", "c'd", NULL);
}

static void test_split_unclosed(void **state)
{
	int n = -1;
	char **w = (char **)1;

	assert_int_equal(kvs_split("live 'g1", &n, &w), -EINVAL);
	assert_int_equal(n, 0);
	assert_null(w);
	assert_int_equal(kvs_split("\"", &n, &w), -EINVAL);
}

/* ---- options --------------------------------------------------------------- */

static int run_nothing(struct kvs_call *call)
{
	return KVS_OK;
}

static const struct kvs_opt test_opts[] = {
	{ .name = "size", .arg = "SIZE", .field = "size", .help = "a size" },
	{ .name = "force",
	  .short_name = 'f',
	  .field = "force",
	  .help = "a flag" },
	{ .name = "compress", .arg = "[=METHODS]", .help = "an optional value" },
	{ .name = "wait", .help = "a flag others go with" },
	{ .name = "timeout",
	  .arg = "S",
	  .goes_with = "wait",
	  .help = "goes with --wait" },
	{ .name = "postcopy", .field = "postcopy", .help = "needed" },
	{ .name = "after", .needs = "postcopy", .help = "needs --postcopy" },
	{ .name = "keep", .conflicts = "force", .help = "not with --force" },
	{ .name = "share",
	  .arg = "D=N,...",
	  .repeats = true,
	  .help = "given again, adds up" },
	{ 0 },
};

static const struct kvs_cmd test_cmds[] = {
	{ .name = "do",
	  .args = "ARGS...",
	  .max_args = -1,
	  .run = run_nothing,
	  .opts = test_opts,
	  .summary = "a command to parse for" },
	{ 0 },
};

static const struct kvs_remedy test_remedies[] = {
	{ .name = "unmerge", .hint = "'tool unmerge'" },
	{ 0 },
};

static const struct kvs_tool test_tool = {
	.name = "test-tool",
	.summary = "a tool of the test",
	.cmds = test_cmds,
	.remedies = test_remedies,
};

struct parsed {
	struct kvs_state st;
	struct kvs_call call;
	struct words words;
	int rc;
};

static int parse_setup(void **state)
{
	struct parsed *p = calloc(1, sizeof(*p));

	if (!p || kvmops_new(&p->st.ctx))
		return -1;
	p->st.tool = &test_tool;
	*state = p;
	return 0;
}

static void parse_reset(struct parsed *p)
{
	kvs_call_free(&p->call);
	if (p->words.w)
		kvs_free_words(p->words.n, p->words.w);
	memset(&p->call, 0, sizeof(p->call));
	memset(&p->words, 0, sizeof(p->words));
}

static int parse_teardown(void **state)
{
	struct parsed *p = *state;

	parse_reset(p);
	kvmops_unref(p->st.ctx);
	free(p);
	return 0;
}

/* Parses @line as the words after "do"; the status in p->rc. */
static struct parsed *parse(void **state, const char *line)
{
	struct parsed *p = *state;

	parse_reset(p);
	p->words = split(line);
	p->call.st = &p->st;
	p->call.cmd = &test_cmds[0];
	p->rc = kvs_parse(&p->call, p->words.n, p->words.w);
	if (!p->rc)
		p->rc = kvs_check_constraints(&p->call);
	return p;
}

static void test_parse_values(void **state)
{
	struct parsed *p =
		parse(state, "--size 512M -f one --compress=zstd two");

	assert_int_equal(p->rc, KVS_OK);
	assert_string_equal(kvs_opt(&p->call, "size"), "512M");
	assert_true(kvs_flag(&p->call, "force"));
	assert_string_equal(kvs_opt(&p->call, "compress"), "zstd");
	assert_false(kvs_flag(&p->call, "wait"));
	assert_null(kvs_opt(&p->call, "timeout"));
	assert_int_equal(p->call.argc, 2);
	assert_string_equal(p->call.argv[0], "one");
	assert_string_equal(p->call.argv[1], "two");

	/* --opt=value, and an optional value left out. */
	p = parse(state, "--size=1G --compress");
	assert_int_equal(p->rc, KVS_OK);
	assert_string_equal(kvs_opt(&p->call, "size"), "1G");
	assert_string_equal(kvs_opt(&p->call, "compress"), "");
	/* The value may hold '=' itself. */
	p = parse(state, "--size=a=b");
	assert_string_equal(kvs_opt(&p->call, "size"), "a=b");
}

/* An option that repeats keeps every value; another keeps the last. */
static void test_parse_repeats(void **state)
{
	struct parsed *p = parse(state,
				 "--share a=1 --share=b=2,c=3 --share d=4"
				 " --size 1 --size 2");

	assert_int_equal(p->rc, KVS_OK);
	assert_string_equal(kvs_opt(&p->call, "share"), "a=1,b=2,c=3,d=4");
	assert_string_equal(kvs_opt(&p->call, "size"), "2");
	p = parse(state, "--share a=1");
	assert_string_equal(kvs_opt(&p->call, "share"), "a=1");
}

static void test_parse_negative_values(void **state)
{
	/* "-25%", "-5" and "-.5" are values, not options. */
	struct parsed *p = parse(state, "--size -25% -5 -.5");

	assert_int_equal(p->rc, KVS_OK);
	assert_string_equal(kvs_opt(&p->call, "size"), "-25%");
	assert_int_equal(p->call.argc, 2);
	assert_string_equal(p->call.argv[0], "-5");
	assert_string_equal(p->call.argv[1], "-.5");
	p = parse(state, "--size=-256M");
	assert_string_equal(kvs_opt(&p->call, "size"), "-256M");
}

static void test_parse_double_dash(void **state)
{
	struct parsed *p = parse(state, "-f -- --size -q");

	assert_int_equal(p->rc, KVS_OK);
	assert_true(kvs_flag(&p->call, "force"));
	assert_null(kvs_opt(&p->call, "size"));
	assert_false(kvs_flag(&p->call, "quiet"));
	assert_int_equal(p->call.argc, 2);
	assert_string_equal(p->call.argv[0], "--size");
	assert_string_equal(p->call.argv[1], "-q");
}

static void test_parse_globals(void **state)
{
	struct parsed *p = parse(state, "-c test:///default --json -q");

	assert_int_equal(p->rc, KVS_OK);
	assert_string_equal(kvs_opt(&p->call, "connect"), "test:///default");
	assert_true(kvs_flag(&p->call, "json"));
	assert_true(kvs_flag(&p->call, "quiet"));
}

static void test_parse_refusals(void **state)
{
	assert_int_equal(parse(state, "--size")->rc, KVS_USAGE); /* no value */
	assert_int_equal(parse(state, "one --size")->rc,
			 KVS_USAGE); /* at the end */
	assert_int_equal(parse(state, "--force=yes")->rc, KVS_USAGE);
	assert_int_equal(parse(state, "--bogus")->rc, KVS_USAGE);
	assert_int_equal(parse(state, "-x")->rc, KVS_USAGE);
	assert_int_equal(parse(state, "-fq")->rc, KVS_USAGE); /* no bundling */
	assert_int_equal(parse(state, "--siz 1")->rc,
			 KVS_USAGE); /* no prefixes */
}

static void test_parse_constraints(void **state)
{
	assert_int_equal(parse(state, "--timeout 5")->rc, KVS_USAGE);
	assert_int_equal(parse(state, "--timeout 5 --wait")->rc, KVS_OK);
	assert_int_equal(parse(state, "--after")->rc, KVS_USAGE);
	assert_int_equal(parse(state, "--after --postcopy")->rc, KVS_OK);
	assert_int_equal(parse(state, "--keep -f")->rc, KVS_USAGE);
	assert_int_equal(parse(state, "--keep")->rc, KVS_OK);
}

static void test_opt_choice(void **state)
{
	static const char *const choices[] = { "abort", "suspend", NULL };
	struct parsed *p = parse(state, "--size suspend");
	int v = -1;

	assert_int_equal(kvs_opt_choice(&p->call, "size", choices, 0, &v),
			 KVS_OK);
	assert_int_equal(v, 1);
	assert_int_equal(kvs_opt_choice(&p->call, "timeout", choices, 0, &v),
			 KVS_OK);
	assert_int_equal(v, 0); /* not given: the default */
	p = parse(state, "--size explode");
	assert_int_equal(kvs_opt_choice(&p->call, "size", choices, 0, &v),
			 KVS_USAGE);
}

static void test_opt_numbers(void **state)
{
	struct parsed *p = parse(state, "--size 42 --timeout 1.5 --wait");
	uint64_t u;
	double d;

	assert_int_equal(kvs_opt_u64(&p->call, "size", 1, 100, 7, &u), KVS_OK);
	assert_int_equal(u, 42);
	assert_int_equal(kvs_opt_u64(&p->call, "size", 50, 100, 7, &u),
			 KVS_USAGE);
	assert_int_equal(kvs_opt_u64(&p->call, "timeout", 0, 100, 7, &u),
			 KVS_USAGE);
	assert_int_equal(kvs_opt_double(&p->call, "timeout", 0, 2, 0, &d),
			 KVS_OK);
	assert_true(d == 1.5);
	p = parse(state, "--size -1");
	assert_int_equal(kvs_opt_u64(&p->call, "size", 0, 100, 7, &u),
			 KVS_USAGE);
}

/* ---- library errors -------------------------------------------------------- */

static void test_status_of(void **state)
{
	static const int usage[] = { -EINVAL, -ENOENT, -ENODEV, -ENODATA,
				     -E2BIG,  -EDOM,   -ERANGE };
	static const int failed[] = { -EIO,	     -EBUSY,	 -EPERM,
				      -EACCES,	     -ETIMEDOUT, -ECANCELED,
				      -ECONNREFUSED, -EEXIST,	 -EOPNOTSUPP,
				      -ENOMEM };
	size_t i;

	assert_int_equal(kvs_status_of(0), KVS_OK);
	for (i = 0; i < sizeof(usage) / sizeof(usage[0]); i++)
		assert_int_equal(kvs_status_of(usage[i]), KVS_USAGE);
	for (i = 0; i < sizeof(failed) / sizeof(failed[0]); i++)
		assert_int_equal(kvs_status_of(failed[i]), KVS_FAIL);
}

static void test_remedy_hint(void **state)
{
	struct parsed *p = parse(state, "");
	char hint[256];

	kvs_remedy_hint(&p->call, "force", hint, sizeof(hint));
	assert_string_equal(hint, " (see --force)");
	kvs_remedy_hint(&p->call, "size,postcopy", hint, sizeof(hint));
	assert_string_equal(hint, " (see --size SIZE, --postcopy)");
	/* A global option, and a remedy no option covers. */
	kvs_remedy_hint(&p->call, "uri,unmerge", hint, sizeof(hint));
	assert_string_equal(hint, " (see --connect URI, 'tool unmerge')");
	/* What nothing covers says nothing. */
	kvs_remedy_hint(&p->call, "nothing_known", hint, sizeof(hint));
	assert_string_equal(hint, "");
	kvs_remedy_hint(&p->call, "", hint, sizeof(hint));
	assert_string_equal(hint, "");
}

#define PARSE(f) cmocka_unit_test_setup_teardown(f, parse_setup, parse_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_plain),
		cmocka_unit_test(test_split_quotes),
		cmocka_unit_test(test_split_unclosed),
		PARSE(test_parse_values),
		PARSE(test_parse_repeats),
		PARSE(test_parse_negative_values),
		PARSE(test_parse_double_dash),
		PARSE(test_parse_globals),
		PARSE(test_parse_refusals),
		PARSE(test_parse_constraints),
		PARSE(test_opt_choice),
		PARSE(test_opt_numbers),
		cmocka_unit_test(test_status_of),
		PARSE(test_remedy_hint),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
