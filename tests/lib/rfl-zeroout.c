// SPDX-License-Identifier: GPL-2.0
/*
 * rfl-zeroout DEVICE OFFSET LENGTH: zero LENGTH bytes of the block device
 * DEVICE from byte OFFSET with the BLKZEROOUT ioctl (write-zeroes where
 * the driver has it), as util-linux's "blkdiscard -z" does; the guest's
 * busybox blkdiscard has no -z. Exit status 0 on success, 1 on an error
 * (printed).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	__u64 range[2];
	int fd;

	if (argc != 4) {
		fprintf(stderr, "usage: rfl-zeroout DEVICE OFFSET LENGTH\n");
		return 1;
	}
	range[0] = strtoull(argv[2], NULL, 0);
	range[1] = strtoull(argv[3], NULL, 0);
	fd = open(argv[1], O_WRONLY | O_CLOEXEC);
	if (fd < 0 || ioctl(fd, BLKZEROOUT, range)) {
		fprintf(stderr, "rfl-zeroout %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	close(fd);
	return 0;
}
