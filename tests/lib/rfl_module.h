/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rfl_module.h: load and unload the suite's modules from a test with the
 * raw syscalls, so a test sees the exact errno a bad parameter gives; write
 * the files that configure them.
 */
#ifndef RFL_MODULE_H
#define RFL_MODULE_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

/* Write @s to the file @path (sysfs, configfs, debugfs); 0 or -errno. */
static inline int rfl_write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	int ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* Load /lib/modules/$(uname -r)/extra/@dir/@module.ko; 0 or -errno. */
static inline int rfl_load(const char *dir, const char *module,
			   const char *params)
{
	char path[PATH_MAX];
	struct utsname u;
	int fd, ret;

	uname(&u);
	snprintf(path, sizeof(path), "/lib/modules/%s/extra/%s/%s.ko",
		 u.release, dir, module);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, params, 0);
	ret = ret ? -errno : 0;
	close(fd);
	return ret;
}

/* 0 or -errno; never waits for users of the module to go away. */
static inline int rfl_unload(const char *module)
{
	return syscall(SYS_delete_module, module, O_NONBLOCK) ? -errno : 0;
}

static inline bool rfl_loaded(const char *module)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/module/%s", module);
	return access(path, F_OK) == 0;
}

/*
 * @module is built into the running kernel (modules.builtin lists it; '-'
 * and '_' are the same in module names): always there, never unloaded.
 */
static inline bool rfl_builtin(const char *module)
{
	char path[PATH_MAX], line[PATH_MAX], want[128];
	bool found = false;
	struct utsname u;
	FILE *f;
	char *p;

	uname(&u);
	snprintf(path, sizeof(path), "/lib/modules/%s/modules.builtin", u.release);
	snprintf(want, sizeof(want), "/%s.ko", module);
	for (p = want; *p; p++)
		if (*p == '-')
			*p = '_';
	f = fopen(path, "r");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		for (p = line; *p; p++)
			if (*p == '-')
				*p = '_';
		p = strrchr(line, '/');
		found = p && !strcmp(p, want);
	}
	fclose(f);
	return found;
}

/* MemFree from /proc/meminfo, in KiB; -1 if it cannot be read. */
static inline long rfl_memfree_kib(void)
{
	char line[128];
	long kib = -1;
	FILE *f;

	f = fopen("/proc/meminfo", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemFree: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

#endif /* RFL_MODULE_H */
