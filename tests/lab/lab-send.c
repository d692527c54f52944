// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * lab-send SOCKET LINE: LINE and a newline into the unix socket a guest's
 * serial port listens on (lab write), which bash cannot open itself; then
 * the guest's one-line answer, printed, within two minutes. (QEMU drops
 * what a sender that has already gone wrote.)
 */
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd;

	if (argc != 3 || strlen(argv[1]) >= sizeof(a.sun_path)) {
		fprintf(stderr, "usage: lab-send SOCKET LINE\n");
		return 2;
	}
	strcpy(a.sun_path, argv[1]);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    dprintf(fd, "%s\n", argv[2]) < 0) {
		perror(argv[1]);
		return 1;
	}
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		char c;

		if (poll(&p, 1, 120000) != 1 || read(fd, &c, 1) != 1) {
			fprintf(stderr, "%s: no answer\n", argv[1]);
			return 1;
		}
		if (c == '\r')
			continue;
		putchar(c);
		if (c == '\n')
			break;
	}
	close(fd);
	return 0;
}
