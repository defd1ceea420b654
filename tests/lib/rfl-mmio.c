// SPDX-License-Identifier: GPL-2.0
/*
 * rfl-mmio PCI_ADDRESS OFFSET [VALUE]: print the 32-bit register at OFFSET
 * of the device's BAR 0 (in hex), or write VALUE to it, through sysfs
 * resource0, behind the driver's back. The e1000 tests stop a NIC's
 * transmitter this way to make the TX watchdog fire. OFFSET and VALUE take
 * C notation (0x400). Exit status 0 on success, 1 on an error (printed).
 */
#include <fcntl.h>
#include <linux/types.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static int number(const char *s, unsigned long *v)
{
	char *end;

	*v = strtoul(s, &end, 0);
	return *s && !*end ? 0 : -1;
}

int main(int argc, char **argv)
{
	unsigned long off, val = 0;
	__u32 *reg;
	char path[256];
	struct stat st;
	void *bar;
	int fd;

	if ((argc != 3 && argc != 4) || number(argv[2], &off) || off % 4 ||
	    (argc == 4 && (number(argv[3], &val) || val > 0xffffffffUL))) {
		fprintf(stderr, "usage: rfl-mmio PCI_ADDRESS OFFSET [VALUE]\n");
		return 1;
	}
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource0",
		 argv[1]);
	fd = open(path, argc == 4 ? O_RDWR : O_RDONLY);
	if (fd < 0 || fstat(fd, &st)) {
		perror(path);
		return 1;
	}
	if (off + 4 > (unsigned long)st.st_size) {
		fprintf(stderr, "rfl-mmio: offset %#lx is past BAR 0 (%lld bytes)\n",
			off, (long long)st.st_size);
		return 1;
	}
	bar = mmap(NULL, st.st_size, PROT_READ | (argc == 4 ? PROT_WRITE : 0),
		   MAP_SHARED, fd, 0);
	if (bar == MAP_FAILED) {
		perror("rfl-mmio: mmap");
		return 1;
	}
	reg = (__u32 *)((char *)bar + off);
	/* One 32-bit access each, as the device wants: relaxed atomics. */
	if (argc == 4)
		__atomic_store_n(reg, (__u32)val, __ATOMIC_RELAXED);
	else
		printf("%#x\n", __atomic_load_n(reg, __ATOMIC_RELAXED));
	return 0;
}
