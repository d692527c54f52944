/*
 * pty-drive - run a program on a pseudo-terminal and drive it from a script
 *
 * Usage: pty-drive [-t TIMEOUT_SECONDS] SCRIPT -- PROGRAM [ARGS...]
 *
 * PROGRAM runs on a new 24x120 terminal with TERM=dumb.  SCRIPT holds one
 * directive per line; empty lines and lines starting with '#' are ignored:
 *
 *   send TEXT     write TEXT to the terminal (nothing is appended)
 *   expect TEXT   wait until TEXT shows up in the output, searching from
 *                 the end of the previous match
 *   sleep MS      wait MS milliseconds, still collecting output
 *   wait-exit N   wait for PROGRAM to exit, and require exit status N
 *
 * TEXT is everything after the single space following the directive.  It
 * may contain the escapes \n, \r, \t, \\ and \xHH.  Output is matched as
 * raw bytes: echoes, CRs and escape sequences are all still there.
 *
 * expect, wait-exit and a blocked send each give up after the timeout
 * (10 seconds unless -t says otherwise).  On failure the reason and all
 * output so far are printed to stderr, in the same escaped form (plus a
 * real line break after each \x0a), and the exit status is 1.  If the
 * script ends without wait-exit, PROGRAM is sent SIGTERM and hung up on
 * (after two seconds its process group gets SIGKILL) and the exit
 * status is 0.  Bad usage exits with status 2.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PROG "pty-drive"
#define DEFAULT_TIMEOUT_S 10
#define MAX_TIMEOUT_S 86400
#define SLICE_MS 100
#define KILL_GRACE_MS 2000
#define TERM_ROWS 24
#define TERM_COLS 120
#define MAX_SHOWN 256 /* bytes of TEXT quoted in messages */

enum op { OP_SEND, OP_EXPECT, OP_SLEEP, OP_WAIT_EXIT };

struct step {
	enum op op;
	unsigned int line;
	char *text; /* OP_SEND, OP_EXPECT: unescaped bytes */
	size_t len;
	long num; /* OP_SLEEP: ms, OP_WAIT_EXIT: status */
};

struct script {
	const char *path;
	struct step *steps;
	size_t n;
	size_t cap;
};

struct run {
	const char *script;
	unsigned int line; /* script line being run */
	long timeout_s;
	pid_t pid;
	int fd; /* pty master */
	bool eof; /* the program side closed the terminal */
	bool reaped;
	int status; /* wait status once reaped */
	char *buf; /* everything the program printed */
	size_t len;
	size_t cap;
	size_t pos; /* where the next expect starts searching */
};

static void __attribute__((noreturn)) usage(void)
{
	fprintf(stderr, "usage: " PROG
			" [-t TIMEOUT_SECONDS] SCRIPT -- PROGRAM [ARGS...]\n");
	exit(2);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static size_t min_size(size_t a, size_t b)
{
	return a < b ? a : b;
}

static int min_ms(long long a, int b)
{
	return a < b ? (int)a : b;
}

/* Print @n bytes of @p with non-printable bytes as \xNN. */
static void print_escaped(FILE *f, const char *p, size_t n, bool breaks)
{
	unsigned char c;
	size_t i;

	for (i = 0; i < n; i++) {
		c = p[i];
		if (c == '\\') {
			fputs("\\\\", f);
		} else if (c >= 0x20 && c < 0x7f) {
			fputc(c, f);
		} else {
			fprintf(f, "\\x%02x", c);
			if (c == '\n' && breaks)
				fputc('\n', f);
		}
	}
}

/*
 * Send SIGTERM and hang up.  If that does not end the program in time,
 * SIGKILL its whole process group.  Either way, reap it.
 */
static void stop_child(struct run *r)
{
	long long deadline = now_ms() + KILL_GRACE_MS;
	pid_t p;

	if (!r->reaped)
		kill(r->pid, SIGTERM);
	close(r->fd);
	r->fd = -1;
	while (!r->reaped) {
		p = waitpid(r->pid, &r->status, WNOHANG);
		if (p == r->pid || (p < 0 && errno != EINTR)) {
			r->reaped = true;
		} else if (now_ms() >= deadline) {
			/* The program leads its own process group. */
			kill(-r->pid, SIGKILL);
			kill(r->pid, SIGKILL);
			while (waitpid(r->pid, &r->status, 0) < 0 &&
			       errno == EINTR)
				;
			r->reaped = true;
		} else {
			poll(NULL, 0, 10);
		}
	}
}

static void dump_output(const struct run *r)
{
	fprintf(stderr,
		"--- output: %zu bytes, next expect searches from "
		"byte %zu ---\n",
		r->len, r->pos);
	print_escaped(stderr, r->buf, r->len, true);
	if (r->len && r->buf[r->len - 1] != '\n')
		fputc('\n', stderr);
	fprintf(stderr, "--- end of output ---\n");
}

static void __attribute__((noreturn, format(printf, 2, 3)))
fail(struct run *r, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, PROG ": %s:%u: ", r->script, r->line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	dump_output(r);
	stop_child(r);
	exit(1);
}

/* Fail because of the TEXT of @s; @what is printed after it. */
static void __attribute__((noreturn))
fail_text(struct run *r, const char *verb, const struct step *s,
	  const char *what)
{
	fprintf(stderr, PROG ": %s:%u: %s \"", r->script, r->line, verb);
	print_escaped(stderr, s->text, min_size(s->len, MAX_SHOWN), false);
	fprintf(stderr, "%s\" %s\n", s->len > MAX_SHOWN ? "..." : "", what);
	dump_output(r);
	stop_child(r);
	exit(1);
}

static void buf_append(struct run *r, const char *data, size_t n)
{
	size_t cap = r->cap ? r->cap : 4096;
	char *p;

	if (r->len + n > r->cap) {
		while (cap < r->len + n)
			cap *= 2;
		p = realloc(r->buf, cap);
		if (!p)
			fail(r, "out of memory");
		r->buf = p;
		r->cap = cap;
	}
	memcpy(r->buf + r->len, data, n);
	r->len += n;
}

/* Collect output that is ready now, without blocking. */
static void drain(struct run *r)
{
	char chunk[4096];
	ssize_t n;

	while (!r->eof) {
		n = read(r->fd, chunk, sizeof(chunk));
		if (n > 0) {
			buf_append(r, chunk, n);
		} else if (n == 0 || errno == EIO) {
			r->eof = true;
		} else if (errno == EAGAIN) {
			return;
		} else if (errno != EINTR) {
			fail(r, "reading from the terminal: %s",
			     strerror(errno));
		}
	}
}

/*
 * Wait up to @ms for output (collecting it) or, if @events asks, for the
 * terminal to take input.  Once the terminal is closed this just sleeps.
 */
static void pump(struct run *r, short events, int ms)
{
	struct pollfd pfd = { .fd = r->fd, .events = events };
	int n;

	if (r->eof) {
		poll(NULL, 0, ms);
		return;
	}
	n = poll(&pfd, 1, ms);
	if (n < 0 && errno != EINTR)
		fail(r, "poll: %s", strerror(errno));
	if (n > 0 && (pfd.revents & (POLLIN | POLLHUP | POLLERR)))
		drain(r);
}

static void reap_nohang(struct run *r)
{
	pid_t p;

	if (r->reaped)
		return;
	p = waitpid(r->pid, &r->status, WNOHANG);
	if (p == r->pid)
		r->reaped = true;
	else if (p < 0 && errno != EINTR)
		fail(r, "waitpid: %s", strerror(errno));
}

static void do_send(struct run *r, const struct step *s)
{
	long long deadline = now_ms() + r->timeout_s * 1000;
	size_t off = 0;
	ssize_t n;

	while (off < s->len) {
		n = write(r->fd, s->text + off, s->len - off);
		if (n > 0) {
			off += n;
			continue;
		}
		if (n < 0 && errno == EIO)
			fail_text(r, "send", s,
				  "failed: the program closed "
				  "the terminal");
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			fail(r, "writing to the terminal: %s", strerror(errno));
		if (now_ms() >= deadline)
			fail_text(r, "send", s,
				  "blocked: the program is not "
				  "reading its input");
		pump(r, POLLIN | POLLOUT, SLICE_MS);
	}
}

/* Look for @s after the previous match; on success move past it. */
static bool search(struct run *r, const struct step *s)
{
	char *hit;

	if (r->len - r->pos < s->len)
		return false;
	hit = memmem(r->buf + r->pos, r->len - r->pos, s->text, s->len);
	if (!hit)
		return false;
	r->pos = hit - r->buf + s->len;
	return true;
}

static void do_expect(struct run *r, const struct step *s)
{
	long long deadline = now_ms() + r->timeout_s * 1000;
	long long left;

	while (!search(r, s)) {
		if (r->eof || r->reaped) {
			/* Gone: collect any output still in flight. */
			pump(r, POLLIN, r->eof ? 0 : SLICE_MS);
			drain(r);
			if (search(r, s))
				return;
			fail_text(
				r, "expected", s,
				r->reaped ?
					"but the program exited" :
					"but the program closed the terminal");
		}
		left = deadline - now_ms();
		if (left <= 0) {
			char what[64];

			snprintf(what, sizeof(what),
				 "did not appear within "
				 "%ld s",
				 r->timeout_s);
			fail_text(r, "expected", s, what);
		}
		pump(r, POLLIN, min_ms(left, SLICE_MS));
		reap_nohang(r);
	}
}

static void do_sleep(struct run *r, const struct step *s)
{
	long long deadline = now_ms() + s->num;
	long long left;

	while ((left = deadline - now_ms()) > 0)
		pump(r, POLLIN, min_ms(left, SLICE_MS));
}

static void do_wait_exit(struct run *r, const struct step *s)
{
	long long deadline = now_ms() + r->timeout_s * 1000;
	long long left;
	int st;

	reap_nohang(r);
	while (!r->reaped) {
		left = deadline - now_ms();
		if (left <= 0)
			fail(r, "the program did not exit within %ld s",
			     r->timeout_s);
		pump(r, POLLIN, min_ms(left, SLICE_MS));
		reap_nohang(r);
	}
	drain(r);
	st = r->status;
	if (WIFSIGNALED(st))
		fail(r,
		     "the program was killed by signal %d (%s), "
		     "expected exit status %ld",
		     WTERMSIG(st), strsignal(WTERMSIG(st)), s->num);
	if (WEXITSTATUS(st) != s->num)
		fail(r, "the program exited with status %d, expected %ld",
		     WEXITSTATUS(st), s->num);
}

static void run_step(struct run *r, const struct step *s)
{
	r->line = s->line;
	switch (s->op) {
	case OP_SEND:
		do_send(r, s);
		break;
	case OP_EXPECT:
		do_expect(r, s);
		break;
	case OP_SLEEP:
		do_sleep(r, s);
		break;
	case OP_WAIT_EXIT:
		do_wait_exit(r, s);
		break;
	}
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode the escapes in @s in place; returns the length, -1 if invalid. */
static ssize_t unescape(char *s)
{
	const char *in = s;
	char *out = s;
	int hi, lo;

	while (*in) {
		if (*in != '\\') {
			*out++ = *in++;
			continue;
		}
		switch (in[1]) {
		case 'n':
			*out++ = '\n';
			break;
		case 'r':
			*out++ = '\r';
			break;
		case 't':
			*out++ = '\t';
			break;
		case '\\':
			*out++ = '\\';
			break;
		case 'x':
			hi = hex_digit(in[2]);
			lo = hi < 0 ? -1 : hex_digit(in[3]);
			if (lo < 0)
				return -1;
			*out++ = (char)(hi * 16 + lo);
			in += 2;
			break;
		default:
			return -1;
		}
		in += 2;
	}
	return out - s;
}

/* Parse decimal digits into *out; false if malformed or above @max. */
static bool parse_num(const char *s, long max, long *out)
{
	long v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s))
			return false;
		v = v * 10 + (*s - '0');
		if (v > max)
			return false;
	}
	*out = v;
	return true;
}

static void __attribute__((noreturn, format(printf, 3, 4)))
script_error(const struct script *sc, unsigned int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, PROG ": %s:%u: ", sc->path, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void parse_text(struct script *sc, struct step *s, const char *arg)
{
	ssize_t len;

	if (!arg || !*arg)
		script_error(sc, s->line, "missing TEXT");
	s->text = strdup(arg);
	if (!s->text)
		script_error(sc, s->line, "out of memory");
	len = unescape(s->text);
	if (len < 0)
		script_error(sc, s->line,
			     "bad escape in \"%s\" (use \\n \\r "
			     "\\t \\\\ or \\xHH)",
			     arg);
	s->len = len;
}

/* Turn one script line (without its newline) into @s. */
static void parse_line(struct script *sc, struct step *s, char *line)
{
	char *arg = strchr(line, ' ');

	if (arg)
		*arg++ = '\0';
	if (!strcmp(line, "send")) {
		s->op = OP_SEND;
		parse_text(sc, s, arg);
	} else if (!strcmp(line, "expect")) {
		s->op = OP_EXPECT;
		parse_text(sc, s, arg);
	} else if (!strcmp(line, "sleep")) {
		s->op = OP_SLEEP;
		if (!arg || !parse_num(arg, 86400000L, &s->num))
			script_error(sc, s->line, "sleep needs milliseconds");
	} else if (!strcmp(line, "wait-exit")) {
		s->op = OP_WAIT_EXIT;
		if (!arg || !parse_num(arg, 255, &s->num))
			script_error(sc, s->line,
				     "wait-exit needs a status from 0 to 255");
	} else {
		script_error(sc, s->line, "unknown directive \"%s\"", line);
	}
}

static struct step *new_step(struct script *sc, unsigned int line)
{
	struct step *p;

	if (sc->n == sc->cap) {
		sc->cap = sc->cap ? sc->cap * 2 : 16;
		p = realloc(sc->steps, sc->cap * sizeof(*p));
		if (!p)
			script_error(sc, line, "out of memory");
		sc->steps = p;
	}
	p = &sc->steps[sc->n++];
	memset(p, 0, sizeof(*p));
	p->line = line;
	return p;
}

/* Read and check the whole script before anything is started. */
static void load_script(struct script *sc, const char *path)
{
	unsigned int lineno = 0;
	char *line = NULL;
	size_t size = 0;
	ssize_t n;
	FILE *f;

	sc->path = path;
	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, PROG ": %s: %s\n", path, strerror(errno));
		exit(2);
	}
	while ((n = getline(&line, &size, f)) >= 0) {
		lineno++;
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (n == 0 || line[0] == '#')
			continue;
		parse_line(sc, new_step(sc, lineno), line);
	}
	if (ferror(f)) {
		fprintf(stderr, PROG ": %s: read error\n", path);
		exit(2);
	}
	free(line);
	fclose(f);
}

static void free_script(struct script *sc)
{
	size_t i;

	for (i = 0; i < sc->n; i++)
		free(sc->steps[i].text);
	free(sc->steps);
}

/* Start @argv on a new terminal; returns its pid, the master in *fd. */
static pid_t spawn(char **argv, int *fd)
{
	struct winsize ws = { .ws_row = TERM_ROWS, .ws_col = TERM_COLS };
	pid_t pid;

	fflush(NULL);
	pid = forkpty(fd, NULL, NULL, &ws);
	if (pid < 0) {
		fprintf(stderr, PROG ": forkpty: %s\n", strerror(errno));
		exit(1);
	}
	if (pid == 0) {
		setenv("TERM", "dumb", 1);
		execvp(argv[0], argv);
		fprintf(stderr, PROG ": cannot run %s: %s\n", argv[0],
			strerror(errno));
		fflush(stderr);
		_exit(127);
	}
	if (fcntl(*fd, F_SETFL, fcntl(*fd, F_GETFL) | O_NONBLOCK) < 0) {
		fprintf(stderr, PROG ": fcntl: %s\n", strerror(errno));
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		exit(1);
	}
	return pid;
}

int main(int argc, char **argv)
{
	struct script sc = { 0 };
	struct run r = { .timeout_s = DEFAULT_TIMEOUT_S, .fd = -1 };
	size_t i;
	int c;

	/* Failure reports can be big: do not write them byte by byte. */
	setvbuf(stderr, NULL, _IOFBF, BUFSIZ);
	while ((c = getopt(argc, argv, "+t:h")) != -1) {
		if (c != 't' ||
		    !parse_num(optarg, MAX_TIMEOUT_S, &r.timeout_s) ||
		    r.timeout_s == 0)
			usage();
	}
	if (argc - optind < 3 || strcmp(argv[optind + 1], "--"))
		usage();
	r.script = argv[optind];
	load_script(&sc, r.script);
	r.pid = spawn(&argv[optind + 2], &r.fd);
	for (i = 0; i < sc.n; i++)
		run_step(&r, &sc.steps[i]);
	stop_child(&r);
	free_script(&sc);
	free(r.buf);
	return 0;
}
