// SPDX-License-Identifier: GPL-2.0
/*
 * rfl-write FILE [STRING]: write STRING (default: nothing) to FILE in one
 * write(2) and print the outcome as the shell cannot: "ok" or the errno's
 * name (EINVAL, EBUSY, ...). Exit status 0 on success, 1 on an error.
 * With -n COUNT instead of STRING it writes COUNT 'x' bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ERRNO(e) { e, #e }
static const struct {
	int e;
	const char *name;
} errnos[] = {
	ERRNO(EINVAL), ERRNO(EBUSY), ERRNO(ERANGE), ERRNO(ENOMEM),
	ERRNO(EEXIST), ERRNO(ENODEV), ERRNO(EIO), ERRNO(EPERM),
	ERRNO(EACCES), ERRNO(EFAULT), ERRNO(ENOSPC), ERRNO(E2BIG),
	ERRNO(ENAMETOOLONG), ERRNO(ENOENT), ERRNO(EAGAIN),
};

static const char *errname(int e)
{
	for (size_t i = 0; i < ARRAY_SIZE(errnos); i++)
		if (errnos[i].e == e)
			return errnos[i].name;
	return strerror(e);
}

int main(int argc, char **argv)
{
	const char *buf = "";
	size_t len = 0;
	ssize_t n;
	char *big;
	int fd;

	if (argc == 4 && !strcmp(argv[2], "-n")) {
		len = strtoul(argv[3], NULL, 0);
		big = malloc(len + 1);
		if (!big)
			return 2;
		memset(big, 'x', len);
		buf = big;
	} else if (argc == 3) {
		buf = argv[2];
		len = strlen(buf);
	} else if (argc != 2) {
		fprintf(stderr, "usage: %s FILE [STRING | -n COUNT]\n", argv[0]);
		return 2;
	}
	fd = open(argv[1], O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		printf("open: %s\n", errname(errno));
		return 1;
	}
	n = write(fd, buf, len);
	if (n < 0) {
		printf("%s\n", errname(errno));
		return 1;
	}
	if (close(fd)) {
		printf("close: %s\n", errname(errno));
		return 1;
	}
	printf("ok\n");
	return 0;
}
