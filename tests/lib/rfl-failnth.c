// SPDX-License-Identifier: GPL-2.0
/*
 * rfl-failnth: drive every error path of one operation, one injected
 * failure at a time.
 *
 *   rfl-failnth [--max N] [--ping ADDR] OP ARGS...
 *
 * For n = 1, 2, 3, ... it writes n to /proc/thread-self/fail-nth, so that
 * the n-th fault site this thread reaches in the kernel (a slab or page
 * allocation, ...) fails, runs OP, and reads fail-nth back: 0 means the
 * fault was injected. An injected fault must end in a clean error returned
 * to us (or be absorbed: OP succeeds anyway), with the state as it was
 * before OP; then OP is undone and the next n runs. The sweep ends at the
 * first n that OP no longer reaches: OP then succeeds with no fault left.
 *
 * Only this thread's faults are injected: work a driver defers to a
 * workqueue, an interrupt or another process is not swept.
 *
 * --ping ADDR (the network OPs): after every injected fault, failed or
 * absorbed, an interface that is up must also work: an ICMP echo to ADDR
 * (IPv4) is answered within 5 s (a driver's RX ring left empty refills
 * from its watchdog). Up and not answering is unclean; down is a defined
 * state (the error was returned).
 *
 * One line per n goes to stdout ("n=3 ENOMEM", "n=9 absorbed"), then
 *   RESULT path=OP injected=N clean=C absorbed=A unclean=U
 * Exit status 0 when every injected fault ended cleanly, 1 otherwise, 2
 * for a usage error, 4 (skip) when the kernel has no fail-nth.
 *
 * OPs (each with its undo):
 *   load KO [PARAMS]             finit_module / delete_module
 *   configfs DIR ATTR ON OFF     mkdir DIR, ATTR=ON / ATTR=OFF, rmdir DIR
 *   bind DRVDIR DEV              DEV to DRVDIR/bind / DRVDIR/unbind
 *   open PATH                    open / close
 *   ifup IF                      SIOCSIFFLAGS up / down
 *   rings IF RX TX               ETHTOOL_SRINGPARAM / the sizes it had
 *   nway IF                      ETHTOOL_NWAY_RST (mainline e1000: a reset
 *                                of the running device) / nothing
 *   gpio-edge CHIP LINE          a line request with both edges / close
 *   binder-mmap DEV              open and mmap / munmap and close
 *   binder-txn DEV               a call with a binder object and an fd to
 *                                a context manager child / free the reply
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stddef.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/ethtool.h>
#include <linux/gpio.h>
#include <linux/sockios.h>

#include "binderlib.h"
#include "rfl_module.h"

#define BINDER_MAP	(128 * 1024)
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

static char **args;
static int nargs;
static const char *ping_addr;

/* What OP left to undo, and what undo needs. */
static struct {
	int ko, fd, fd2;
	void *map;
	struct ethtool_ringparam rings;
	struct bl bl;
	pid_t mgr;
	binder_uintptr_t reply;
	const char *note;	/* what the last failure was, for its line */
} st = { .ko = -1, .fd = -1, .fd2 = -1, .map = MAP_FAILED };

static void path_of(char *buf, size_t size, const char *dir, const char *f)
{
	snprintf(buf, size, "%s/%s", dir, f);
}

/* The module name of a .ko path: basename, no ".ko", '-' as '_'. */
static void module_name(char *buf, size_t size, const char *ko)
{
	char tmp[PATH_MAX], *p;

	snprintf(tmp, sizeof(tmp), "%s", ko);
	snprintf(buf, size, "%s", basename(tmp));
	p = strstr(buf, ".ko");
	if (p)
		*p = '\0';
	for (p = buf; *p; p++)
		if (*p == '-')
			*p = '_';
}

static bool module_loaded(void)
{
	char name[NAME_MAX], path[PATH_MAX];

	module_name(name, sizeof(name), args[0]);
	snprintf(path, sizeof(path), "/sys/module/%s/initstate", name);
	return access(path, F_OK) == 0;
}

/* ---- the operations: 0 or -errno; each undo returns the same ---------- */

static int load_prepare(void)
{
	st.ko = open(args[0], O_RDONLY | O_CLOEXEC);
	if (st.ko < 0)
		return -errno;
	return module_loaded() ? -EEXIST : 0;
}

static int load_op(void)
{
	return syscall(SYS_finit_module, st.ko, nargs > 1 ? args[1] : "", 0) ?
		-errno : 0;
}

static int load_undo(void)
{
	char name[NAME_MAX];

	module_name(name, sizeof(name), args[0]);
	return syscall(SYS_delete_module, name, O_NONBLOCK) ? -errno : 0;
}

/* A failed load leaves no module behind. */
static bool load_clean(void)
{
	return !module_loaded();
}

static int configfs_op(void)
{
	char path[PATH_MAX];

	if (mkdir(args[0], 0755))
		return -errno;
	path_of(path, sizeof(path), args[0], args[1]);
	return rfl_write_str(path, args[2]);
}

static int configfs_undo(void)
{
	char path[PATH_MAX];
	int ret;

	path_of(path, sizeof(path), args[0], args[1]);
	ret = rfl_write_str(path, args[3]);
	if (rmdir(args[0]) && errno != ENOENT)
		return -errno;
	return ret == -ENOENT ? 0 : ret;
}

/* A failed power on may leave the directory (mkdir worked): not on. */
static bool configfs_clean(void)
{
	struct stat s;

	if (stat(args[0], &s))
		return errno == ENOENT;
	return configfs_undo() == 0;
}

static int bind_op(void)
{
	char path[PATH_MAX];

	path_of(path, sizeof(path), args[0], "bind");
	return rfl_write_str(path, args[1]);
}

static int bind_undo(void)
{
	char path[PATH_MAX];

	path_of(path, sizeof(path), args[0], "unbind");
	return rfl_write_str(path, args[1]);
}

/* A failed probe leaves the device unbound. */
static bool bind_clean(void)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", args[0], args[1]);
	return access(path, F_OK) != 0;
}

static int open_op(void)
{
	st.fd = open(args[0], O_RDWR | O_CLOEXEC);
	return st.fd < 0 ? -errno : 0;
}

static int close_undo(void)
{
	int ret = close(st.fd) ? -errno : 0;

	st.fd = -1;
	return ret;
}

static bool always_clean(void)
{
	return true;
}

static int ifflags(bool up)
{
	struct ifreq ifr = {};

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", args[0]);
	if (ioctl(st.fd2, SIOCGIFFLAGS, &ifr))
		return -errno;
	if (up)
		ifr.ifr_flags |= IFF_UP;
	else
		ifr.ifr_flags &= ~IFF_UP;
	return ioctl(st.fd2, SIOCSIFFLAGS, &ifr) ? -errno : 0;
}

static bool is_up(void)
{
	struct ifreq ifr = {};

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", args[0]);
	return !ioctl(st.fd2, SIOCGIFFLAGS, &ifr) && (ifr.ifr_flags & IFF_UP);
}

static int net_prepare(void)
{
	st.fd2 = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	return st.fd2 < 0 ? -errno : 0;
}

static int ifup_op(void)
{
	return ifflags(true);
}

static int ifup_undo(void)
{
	return ifflags(false);
}

/* A failed open leaves the interface down. */
static bool ifup_clean(void)
{
	return !is_up();
}

static int ethtool(void *cmd)
{
	struct ifreq ifr = { .ifr_data = cmd };

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", args[0]);
	return ioctl(st.fd2, SIOCETHTOOL, &ifr) ? -errno : 0;
}

static int rings_prepare(void)
{
	int ret = net_prepare();

	if (ret)
		return ret;
	st.rings.cmd = ETHTOOL_GRINGPARAM;
	return ethtool(&st.rings);
}

static int rings_set(unsigned int rx, unsigned int tx)
{
	struct ethtool_ringparam r = st.rings;

	r.cmd = ETHTOOL_SRINGPARAM;
	r.rx_pending = rx;
	r.tx_pending = tx;
	return ethtool(&r);
}

static int rings_op(void)
{
	return rings_set(atoi(args[1]), atoi(args[2]));
}

static int rings_undo(void)
{
	return rings_set(st.rings.rx_pending, st.rings.tx_pending);
}

/*
 * A failed resize keeps the interface up with the rings it had (or, if
 * the driver could not get those back either, down: never up without
 * rings).
 */
static bool rings_clean(void)
{
	struct ethtool_ringparam r = { .cmd = ETHTOOL_GRINGPARAM };

	if (ethtool(&r))
		return false;
	if (!is_up())
		return ifflags(true) == 0;
	return r.rx_pending == st.rings.rx_pending &&
	       r.tx_pending == st.rings.tx_pending;
}

static int nway_op(void)
{
	struct ethtool_value v = { .cmd = ETHTOOL_NWAY_RST };

	return ethtool(&v);
}

static int nothing_undo(void)
{
	return 0;
}

/* A failed reset leaves the interface down, or up (and, --ping, working). */
static bool nway_clean(void)
{
	if (!is_up())
		return ifflags(true) == 0;
	return true;
}

/* ---- --ping: an interface that is up works -------------------------- */

static unsigned short icmp_sum(const void *buf, size_t len)
{
	const unsigned short *w = buf;
	unsigned int sum = 0;

	for (; len > 1; len -= 2)
		sum += *w++;
	if (len)
		sum += *(const unsigned char *)w;
	sum = (sum >> 16) + (sum & 0xffff);
	sum += sum >> 16;
	return ~sum;
}

/* An echo to ping_addr answered within 5 s (tries 200 ms apart). */
static bool answers(void)
{
	struct sockaddr_in to = { .sin_family = AF_INET };
	struct icmphdr req = { .type = ICMP_ECHO };
	bool ok = false;
	int fd, i;

	if (inet_pton(AF_INET, ping_addr, &to.sin_addr) != 1)
		return false;
	fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
	if (fd < 0) {
		printf("# ping: socket: %s\n", strerror(errno));
		return false;
	}
	req.un.echo.id = htons(getpid() & 0xffff);
	for (i = 0; i < 25 && !ok; i++) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		char buf[128];

		req.un.echo.sequence = htons(i);
		req.checksum = 0;
		req.checksum = icmp_sum(&req, sizeof(req));
		sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&to,
		       sizeof(to));
		while (!ok && poll(&pfd, 1, 200) == 1) {
			ssize_t n = recv(fd, buf, sizeof(buf), 0);
			/* The IP header comes first on a raw socket. */
			size_t hl = n > 0 ? (buf[0] & 0xf) * 4 : 0;
			struct icmphdr *r = (struct icmphdr *)(buf + hl);

			ok = n >= (ssize_t)(hl + sizeof(*r)) &&
			     r->type == ICMP_ECHOREPLY &&
			     r->un.echo.id == req.un.echo.id;
		}
	}
	close(fd);
	return ok;
}

static bool up_and_broken(void)
{
	return ping_addr && is_up() && !answers();
}

static int gpio_prepare(void)
{
	st.fd2 = open(args[0], O_RDWR | O_CLOEXEC);
	return st.fd2 < 0 ? -errno : 0;
}

static int gpio_op(void)
{
	struct gpio_v2_line_request req = {
		.offsets = { atoi(args[1]) },
		.num_lines = 1,
		.config.flags = GPIO_V2_LINE_FLAG_INPUT |
				GPIO_V2_LINE_FLAG_EDGE_RISING |
				GPIO_V2_LINE_FLAG_EDGE_FALLING,
	};

	snprintf(req.consumer, sizeof(req.consumer), "rfl-failnth");
	if (ioctl(st.fd2, GPIO_V2_GET_LINE_IOCTL, &req))
		return -errno;
	st.fd = req.fd;
	return 0;
}

static int binder_mmap_op(void)
{
	st.fd = open(args[0], O_RDWR | O_CLOEXEC);
	if (st.fd < 0)
		return -errno;
	st.map = mmap(NULL, BINDER_MAP, PROT_READ, MAP_PRIVATE, st.fd, 0);
	return st.map == MAP_FAILED ? -errno : 0;
}

static int binder_mmap_undo(void)
{
	if (st.map != MAP_FAILED)
		munmap(st.map, BINDER_MAP);
	st.map = MAP_FAILED;
	return close_undo();
}

/*
 * The context manager: a node that takes fds (mainline refuses an fd to
 * one that does not), a looper thread, an empty reply to every call.
 */
static void binder_mgr(void)
{
	struct flat_binder_object fbo = {
		.flags = FLAT_BINDER_FLAG_ACCEPTS_FDS,
	};
	struct bl_cmds c = {};
	struct bl_ret r;
	struct bl b;
	int i, ret;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (bl_open(&b, args[0], BINDER_MAP))
		_exit(1);
	/* The manager of an earlier case may still be on its way out. */
	for (i = 0; i < 200; i++) {
		ret = bl_ioctl_of(&b, BINDER_SET_CONTEXT_MGR_EXT, &fbo);
		if (ret != -EBUSY)
			break;
		usleep(10000);
	}
	bl_cmd(&c, BC_ENTER_LOOPER);
	if (ret || bl_write(&b, &c) || write(st.fd2, "r", 1) != 1)
		_exit(1);
	for (;;) {
		const struct binder_fd_object *obj;

		if (bl_wait_for(&b, BR_TRANSACTION, &r, -1, NULL) < 0)
			_exit(1);
		if (r.cmd != BR_TRANSACTION)
			continue;
		/* The fd the call carried is ours now. */
		if (r.tr.offsets_size >= 2 * sizeof(binder_size_t)) {
			obj = (const void *)((const char *)bl_data(&r) +
					     bl_offsets(&r)[1]);
			if (obj->hdr.type == BINDER_TYPE_FD)
				close(obj->fd);
		}
		bl_cmd_ptr(&c, BC_FREE_BUFFER, r.tr.data.ptr.buffer);
		bl_cmd_transaction(&c, true, 0, 0, 0, NULL, 0, NULL, 0);
		bl_write(&b, &c);
	}
}

static int binder_txn_prepare(void)
{
	int p[2];
	char x;

	if (pipe2(p, O_CLOEXEC))
		return -errno;
	st.fd2 = p[1];
	st.mgr = fork();
	if (st.mgr < 0)
		return -errno;
	if (!st.mgr)
		binder_mgr();
	close(p[1]);
	/* Ready when it is the context manager. */
	if (read(p[0], &x, 1) != 1)
		return -ENODEV;
	close(p[0]);
	return bl_open(&st.bl, args[0], BINDER_MAP);
}

static int binder_txn_op(void)
{
	struct {
		struct flat_binder_object node;
		struct binder_fd_object fd;
	} objs = {
		.node = { .hdr.type = BINDER_TYPE_BINDER, .binder = 0x1000,
			  .cookie = 0x2000 },
		.fd = { .hdr.type = BINDER_TYPE_FD, .fd = STDERR_FILENO },
	};
	binder_size_t offsets[2] = { 0, offsetof(typeof(objs), fd) };
	struct bl_ret r;
	int ret;

	/* A return command, or -errno (BR_REPLY is negative as an int). */
	ret = bl_call(&st.bl, 0, 1, &objs, sizeof(objs), offsets, 2, &r);
	if ((__u32)ret == BR_REPLY) {
		st.reply = r.tr.data.ptr.buffer;
		return 0;
	}
	if (ret < 0 && ret > -4096)
		return ret;
	st.note = bl_cmd_name(ret);
	return -EPROTO;	/* BR_FAILED_REPLY and the like: what a caller sees */
}

static int binder_txn_undo(void)
{
	return bl_free(&st.bl, st.reply);
}

static const struct op {
	const char *name;
	int min_args;
	int (*prepare)(void);
	int (*op)(void);
	int (*undo)(void);
	bool (*clean)(void);
} ops[] = {
	{ "load", 1, load_prepare, load_op, load_undo, load_clean },
	{ "configfs", 4, NULL, configfs_op, configfs_undo, configfs_clean },
	{ "bind", 2, NULL, bind_op, bind_undo, bind_clean },
	{ "open", 1, NULL, open_op, close_undo, always_clean },
	{ "ifup", 1, net_prepare, ifup_op, ifup_undo, ifup_clean },
	{ "rings", 3, rings_prepare, rings_op, rings_undo, rings_clean },
	{ "nway", 1, net_prepare, nway_op, nothing_undo, nway_clean },
	{ "gpio-edge", 2, gpio_prepare, gpio_op, close_undo, always_clean },
	{ "binder-mmap", 1, NULL, binder_mmap_op, binder_mmap_undo,
	  always_clean },
	{ "binder-txn", 1, binder_txn_prepare, binder_txn_op, binder_txn_undo,
	  always_clean },
};

/* Fault injection everywhere a thread's fault sites are, quietly. */
static int setup_injection(void)
{
	static const char *const knobs[][2] = {
		{ "failslab/ignore-gfp-wait", "N" },
		{ "failslab/verbose", "0" },
		{ "fail_page_alloc/ignore-gfp-wait", "N" },
		{ "fail_page_alloc/min-order", "0" },
		{ "fail_page_alloc/verbose", "0" },
	};
	char path[PATH_MAX];
	size_t i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(knobs); i++) {
		snprintf(path, sizeof(path), "/sys/kernel/debug/%s",
			 knobs[i][0]);
		ret = rfl_write_str(path, knobs[i][1]);
		if (ret)
			return ret;
	}
	return 0;
}

static int set_nth(int fd, unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	return pwrite(fd, buf, len, 0) == len ? 0 : -errno;
}

/* fail-nth as read back: 0 when the fault was injected. */
static long get_nth(int fd)
{
	char buf[16] = "";

	if (pread(fd, buf, sizeof(buf) - 1, 0) <= 0)
		return -1;
	return strtol(buf, NULL, 10);
}

int main(int argc, char **argv)
{
	unsigned int n, max = 5000, injected = 0, clean = 0, absorbed = 0,
		     unclean = 0;
	const struct op *op = NULL;
	int nth, ret, i;
	long left;

	if (argc > 2 && !strcmp(argv[1], "--max")) {
		max = atoi(argv[2]);
		argv += 2;
		argc -= 2;
	}
	if (argc > 2 && !strcmp(argv[1], "--ping")) {
		ping_addr = argv[2];
		argv += 2;
		argc -= 2;
	}
	for (i = 0; argc > 1 && i < (int)ARRAY_SIZE(ops); i++)
		if (!strcmp(argv[1], ops[i].name))
			op = &ops[i];
	if (!op || argc - 2 < op->min_args) {
		fprintf(stderr, "%s\n",
			"usage: rfl-failnth [--max N] [--ping ADDR] OP ARGS... (see the source's head)");
		return 2;
	}
	args = argv + 2;
	nargs = argc - 2;
	nth = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	if (nth < 0) {
		printf("SKIP: %s\n",
		       "no /proc/thread-self/fail-nth: a kernel without CONFIG_FAULT_INJECTION (make faults uses VARIANT=sanitize)");
		return 4;
	}
	ret = setup_injection();
	if (ret) {
		printf("FAIL: cannot set the fault injection knobs in debugfs: %s\n",
		       strerror(-ret));
		return 1;
	}
	ret = op->prepare ? op->prepare() : 0;
	if (ret) {
		printf("FAIL: %s: setting up: %s\n", op->name, strerror(-ret));
		return 1;
	}
	/* No page fault of ours may take an injected fault. */
	if (mlockall(MCL_CURRENT | MCL_FUTURE))
		printf("# mlockall: %s; a fault may hit our own page faults\n",
		       strerror(errno));
	fflush(stdout);

	for (n = 1; n <= max; n++) {
		if (set_nth(nth, n)) {
			printf("FAIL: writing fail-nth: %s\n", strerror(errno));
			return 1;
		}
		st.note = NULL;
		ret = op->op();
		left = get_nth(nth);
		set_nth(nth, 0);
		if (left != 0) {
			/* Not reached: the operation has no n-th site. */
			if (ret) {
				printf("FAIL: n=%u: %s failed with no fault injected: %s%s%s\n",
				       n, op->name, strerror(-ret),
				       st.note ? ", " : "", st.note ?: "");
				return 1;
			}
			ret = op->undo();
			if (ret) {
				printf("FAIL: undoing %s: %s\n", op->name,
				       strerror(-ret));
				return 1;
			}
			break;
		}
		injected++;
		if (up_and_broken()) {
			unclean++;
			printf("%s n=%u: %s %s (%s), the interface is up and %s does not answer\n",
			       "UNCLEAN:", n, op->name, ret ? "failed" : "succeeded",
			       ret ? strerror(-ret) : "absorbed", ping_addr);
			if (!ret)
				op->undo();
		} else if (!ret) {
			absorbed++;
			printf("n=%u absorbed\n", n);
			ret = op->undo();
			if (ret) {
				unclean++;
				printf("UNCLEAN: n=%u: %s succeeded, its undo failed: %s\n",
				       n, op->name, strerror(-ret));
			}
		} else if (op->clean()) {
			clean++;
			printf("n=%u %s%s%s\n", n, strerrorname_np(-ret) ?: "?",
			       st.note ? " " : "", st.note ?: "");
		} else {
			unclean++;
			printf("UNCLEAN: n=%u: %s failed (%s) and left its state changed\n",
			       n, op->name, strerror(-ret));
		}
		fflush(stdout);
		/* What a failed operation opened before it failed. */
		if (ret && st.fd >= 0)
			close_undo();
	}
	printf("RESULT path=%s injected=%u clean=%u absorbed=%u unclean=%u%s\n",
	       op->name, injected, clean, absorbed, unclean,
	       n > max ? " capped=1" : "");
	if (n > max)
		printf("FAIL: still reaching new fault sites after %u\n", max);
	return unclean || n > max ? 1 : 0;
}
