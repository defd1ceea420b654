// SPDX-License-Identifier: GPL-2.0
/*
 * rfl-maddr add|del IFNAME MAC...: add or remove each link-layer multicast
 * address MAC (aa:bb:cc:dd:ee:ff) on IFNAME with SIOCADDMULTI or
 * SIOCDELMULTI, the ioctl of "ip maddr add|del", in one process: ip maddr
 * exits after one address (so "ip -batch" stops there), and under TCG an
 * exec of ip a group made the e1000 multicast overflow test slow. Runs in
 * the caller's network namespace. Exit status 0 when every address was
 * done, 1 at the first error (printed).
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	unsigned int b[6];
	struct ifreq ifr;
	unsigned long cmd;
	int fd, i, k;
	char end;

	if (argc < 3 || (strcmp(argv[1], "add") && strcmp(argv[1], "del")) ||
	    strlen(argv[2]) >= IFNAMSIZ) {
		fprintf(stderr, "usage: rfl-maddr add|del IFNAME MAC...\n");
		return 1;
	}
	cmd = strcmp(argv[1], "add") ? SIOCDELMULTI : SIOCADDMULTI;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		perror("rfl-maddr: socket");
		return 1;
	}
	for (i = 3; i < argc; i++) {
		if (sscanf(argv[i], "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1],
			   &b[2], &b[3], &b[4], &b[5], &end) != 6) {
			fprintf(stderr, "rfl-maddr: bad address '%s'\n", argv[i]);
			return 1;
		}
		memset(&ifr, 0, sizeof(ifr));
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", argv[2]);
		/* dev_ifsioc() takes only AF_UNSPEC, as ip maddr sends it */
		ifr.ifr_hwaddr.sa_family = AF_UNSPEC;
		for (k = 0; k < 6; k++)
			ifr.ifr_hwaddr.sa_data[k] = (char)b[k];
		if (ioctl(fd, cmd, &ifr)) {
			fprintf(stderr, "rfl-maddr %s %s %s: %s\n", argv[1],
				argv[2], argv[i], strerror(errno));
			return 1;
		}
	}
	close(fd);
	return 0;
}
