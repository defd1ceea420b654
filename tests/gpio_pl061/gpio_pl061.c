// SPDX-License-Identifier: GPL-2.0
/*
 * One test for the three PL061 drivers: cpl061 and rpl061 (ours, C and
 * Rust) and gpio-pl061 (mainline, module gpio_pl061, driver name
 * pl061_gpio). Every case binds QEMU virt's
 * PL061, the AMBA device 9030000.pl061, to the driver under test and puts
 * the binding back afterwards. The clients are the real ones: libgpiod v2
 * tools (gpioinfo, gpioset, gpioget) and the GPIO character device uAPI v2
 * (linux/gpio.h).
 *
 * The one external input: QMP system_powerdown (`rfl-host powerdown`) makes
 * QEMU's gpio-key drive PL061 line 3 high for 100 ms (hw/gpio/gpio_key.c),
 * then low. A line event request on line 3 sees one rising edge, and with
 * both edges a falling one about 100 ms later.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/gpio.h>

#include "rfl_harness.h"
#include "rfl_module.h"

#define PL061_DEV	"9030000.pl061"
#define AMBA		"/sys/bus/amba"
#define DEVDIR		AMBA "/devices/" PL061_DEV
#define NLINES		8
#define BUTTON		3	/* the line QEMU's power button drives */
/* in-kernel consumer for the triggers the uAPI lacks (level) */
#define IRQ_HELPER	"rfl_gpio_irq"
#define IRQ_HELPER_DIR	"tests/gpio_pl061_irq"
/* the PL061 loses its registers and latches an edge in a suspend */
#define LOSS_HELPER	"rfl_pl061_loss"

FIXTURE(gpio_pl061) {
	char chip[256];		/* gpiochipN */
	int cfd;		/* /dev/gpiochipN */
	char orig[256];		/* driver bound before the case, or "" */
	bool loaded;		/* module loaded by this case */
};

FIXTURE_VARIANT(gpio_pl061) {
	const char *module;	/* as lsmod shows it */
	const char *driver;	/* name under /sys/bus/amba/drivers */
	const char *moddir;	/* ours: extra/<moddir>; NULL: mainline */
	const char *resume;	/* the resume callback as the PM core logs it */
};

FIXTURE_VARIANT_ADD(gpio_pl061, cpl061) {
	.module = "cpl061",
	.driver = "cpl061",
	.moddir = "drivers/gpio_pl061",
	.resume = "cpl061_resume",
};

/*
 * The PM core logs a Rust callback by its mangled symbol: the amba
 * abstraction's Adapter<Rpl061>::resume_callback, "...15resume_callback...".
 */
FIXTURE_VARIANT_ADD(gpio_pl061, rpl061) {
	.module = "rpl061",
	.driver = "rpl061",
	.moddir = "drivers/gpio_pl061",
	.resume = "15resume_callback",
};

FIXTURE_VARIANT_ADD(gpio_pl061, gpio_pl061) {
	.module = "gpio_pl061",
	.driver = "pl061_gpio",
	.moddir = NULL,
	.resume = "pl061_resume",
};

/* ---- helpers ------------------------------------------------------------ */

static int read_str(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = 0;
	return 0;
}

/* The driver 9030000.pl061 is bound to, or "". */
static void bound_driver(char *buf, size_t len)
{
	char link[256];
	ssize_t n = readlink(DEVDIR "/driver", link, sizeof(link) - 1);
	const char *base;

	buf[0] = 0;
	if (n <= 0)
		return;
	link[n] = 0;
	base = strrchr(link, '/');
	snprintf(buf, len, "%s", base ? base + 1 : link);
}

static int unbind_dev(void)
{
	char drv[256], path[512];

	bound_driver(drv, sizeof(drv));
	if (!drv[0])
		return 0;
	snprintf(path, sizeof(path), AMBA "/drivers/%s/unbind", drv);
	return rfl_write_str(path, PL061_DEV);
}

static int bind_to(const char *driver)
{
	char path[512];

	snprintf(path, sizeof(path), AMBA "/drivers/%s/bind", driver);
	return rfl_write_str(path, PL061_DEV);
}

/* The gpiochipN of the device, or -ENOENT. */
static int find_chip(char *buf, size_t len)
{
	struct dirent *e;
	DIR *d = opendir(DEVDIR);
	int ret = -ENOENT;

	if (!d)
		return -errno;
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, "gpiochip", 8)) {
			snprintf(buf, len, "%s", e->d_name);
			ret = 0;
			break;
		}
	closedir(d);
	return ret;
}

static int open_chip(char *chip, size_t len)
{
	char path[300];

	if (find_chip(chip, len))
		return -ENOENT;
	snprintf(path, sizeof(path), "/dev/%s", chip);
	return open(path, O_RDWR | O_CLOEXEC);
}

/* Run a shell command, its output in @out; its exit status or -1. */
static int run(char *out, size_t len, const char *fmt, ...)
{
	char cmd[512];
	size_t n = 0;
	va_list ap;
	FILE *p;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	if (out) {
		n = fread(out, 1, len - 1, p);
		out[n] = 0;
	} else {
		char sink[256];

		while (fread(sink, 1, sizeof(sink), p) > 0)
			;
	}
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* gpioinfo's text for @line ("line   N: ... input|output ..."), or "". */
static const char *info_line(char *out, unsigned int line, char *buf, size_t len)
{
	char key[32];
	const char *p, *end;

	snprintf(key, sizeof(key), "line %3u:", line);
	p = strstr(out, key);
	if (!p)
		return "";
	end = strchrnul(p, '\n');
	snprintf(buf, len, "%.*s", (int)(end - p), p);
	return buf;
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/*
 * Request @n lines from @offsets with @flags; outputs start at @values
 * (bit i for offsets[i]). The request fd, or -errno.
 */
static int request(int cfd, const unsigned int *offsets, unsigned int n,
		   __u64 flags, __u64 values)
{
	struct gpio_v2_line_request req;

	memset(&req, 0, sizeof(req));
	for (unsigned int i = 0; i < n && i < GPIO_V2_LINES_MAX; i++)
		req.offsets[i] = offsets[i];
	req.num_lines = n;
	snprintf(req.consumer, sizeof(req.consumer), "rfl-test");
	req.config.flags = flags;
	if (flags & GPIO_V2_LINE_FLAG_OUTPUT) {
		req.config.num_attrs = 1;
		req.config.attrs[0].attr.id = GPIO_V2_LINE_ATTR_ID_OUTPUT_VALUES;
		req.config.attrs[0].attr.values = values;
		req.config.attrs[0].mask = (n >= 64) ? ~0ULL : (1ULL << n) - 1;
	}
	if (ioctl(cfd, GPIO_V2_GET_LINE_IOCTL, &req))
		return -errno;
	return req.fd;
}

static int request1(int cfd, unsigned int line, __u64 flags, int value)
{
	return request(cfd, &line, 1, flags, value ? 1 : 0);
}

/* Values of the request's lines as a bit mask, or -errno. */
static long long get_values(int rfd, unsigned int n)
{
	struct gpio_v2_line_values v = { .mask = (1ULL << n) - 1 };

	if (ioctl(rfd, GPIO_V2_LINE_GET_VALUES_IOCTL, &v))
		return -errno;
	return v.bits;
}

static int set_values(int rfd, __u64 mask, __u64 bits)
{
	struct gpio_v2_line_values v = { .mask = mask, .bits = bits };

	return ioctl(rfd, GPIO_V2_LINE_SET_VALUES_IOCTL, &v) ? -errno : 0;
}

static int lineinfo(int cfd, unsigned int line, struct gpio_v2_line_info *info)
{
	memset(info, 0, sizeof(*info));
	info->offset = line;
	return ioctl(cfd, GPIO_V2_GET_LINEINFO_IOCTL, info) ? -errno : 0;
}

/* Wait up to @ms for one event: 1 with @ev filled, 0 on timeout, -errno. */
static int next_event(int rfd, int ms, struct gpio_v2_line_event *ev)
{
	struct pollfd p = { .fd = rfd, .events = POLLIN };
	ssize_t n;
	int ret;

	ret = poll(&p, 1, ms);
	if (ret <= 0)
		return ret < 0 ? -errno : 0;
	if (!(p.revents & POLLIN))
		return -EIO;
	n = read(rfd, ev, sizeof(*ev));
	if (n < 0)
		return -errno;
	return n == sizeof(*ev) ? 1 : -EIO;
}

/* Read and count events until none comes for @ms. */
static int drain(int rfd, int ms)
{
	struct gpio_v2_line_event ev;
	int n = 0;

	while (next_event(rfd, ms, &ev) == 1)
		n++;
	return n;
}

/* The host presses QEMU's power button: line 3 high for 100 ms. */
static int press(void)
{
	return run(NULL, 0, "rfl-host powerdown 2>&1");
}

/*
 * Line 3 as a quiet input with its input latch at 0: drive it low as an
 * output, make it an input, and let any edge the direction switch latched
 * in the PL061 model be delivered and thrown away, so that every case
 * starts from the same state whatever ran before.
 */
static int quiet_button(int cfd)
{
	int fd = request1(cfd, BUTTON, GPIO_V2_LINE_FLAG_OUTPUT, 0);

	if (fd < 0)
		return fd;
	close(fd);
	fd = request1(cfd, BUTTON, GPIO_V2_LINE_FLAG_INPUT |
		      GPIO_V2_LINE_FLAG_EDGE_RISING |
		      GPIO_V2_LINE_FLAG_EDGE_FALLING, 0);
	if (fd < 0)
		return fd;
	drain(fd, 200);
	close(fd);
	return 0;
}

static long memfree(void)
{
	return rfl_memfree_kib();
}

/* ---- setup and teardown: bind the device to the driver under test -------- */

static int load(const struct _fixture_variant_gpio_pl061 *v)
{
	if (v->moddir)
		return rfl_load(v->moddir, v->module, "");
	return run(NULL, 0, "modprobe gpio-pl061 2>&1") ? -EIO : 0;
}

FIXTURE_SETUP(gpio_pl061)
{
	char drv[256];

	self->cfd = -1;
	bound_driver(self->orig, sizeof(self->orig));
	self->loaded = !rfl_loaded(variant->module) && !rfl_builtin(variant->module);
	if (self->loaded)
		ASSERT_EQ(0, load(variant));
	/* Loading may have bound it already (an unbound device probes). */
	bound_driver(drv, sizeof(drv));
	if (strcmp(drv, variant->driver)) {
		ASSERT_EQ(0, unbind_dev());
		ASSERT_EQ(0, bind_to(variant->driver));
	}
	self->cfd = open_chip(self->chip, sizeof(self->chip));
	ASSERT_LE(0, self->cfd) TH_LOG("no gpiochip under " DEVDIR);
}

FIXTURE_TEARDOWN(gpio_pl061)
{
	char drv[256];

	if (self->cfd >= 0)
		close(self->cfd);
	if (rfl_loaded(IRQ_HELPER))
		EXPECT_EQ(0, rfl_unload(IRQ_HELPER));
	if (rfl_loaded(LOSS_HELPER))
		EXPECT_EQ(0, rfl_unload(LOSS_HELPER));
	bound_driver(drv, sizeof(drv));
	if (strcmp(drv, self->orig)) {
		EXPECT_EQ(0, unbind_dev());
		if (self->orig[0])
			EXPECT_EQ(0, bind_to(self->orig));
	}
	if (self->loaded)
		EXPECT_EQ(0, rfl_unload(variant->module));
}

/* ---- cases ----------------------------------------------------------- */

/* gpioinfo and the chip ioctl: 8 lines, labelled with the device name. */
TEST_F(gpio_pl061, chip_info)
{
	struct gpiochip_info info = { 0 };
	char out[4096], *p;
	int lines = 0;

	ASSERT_EQ(0, ioctl(self->cfd, GPIO_GET_CHIPINFO_IOCTL, &info));
	EXPECT_EQ(NLINES, info.lines);
	EXPECT_STREQ(PL061_DEV, info.label);
	EXPECT_STREQ(self->chip, info.name);

	ASSERT_EQ(0, run(out, sizeof(out), "gpioinfo -c %s", self->chip));
	TH_LOG("gpioinfo:\n%s", out);
	EXPECT_NE(NULL, strstr(out, "8 lines"));
	for (p = out; (p = strstr(p, "\tline ")); p++)
		lines++;
	EXPECT_EQ(NLINES, lines);
	ASSERT_EQ(0, run(out, sizeof(out), "gpiodetect"));
	EXPECT_NE(NULL, strstr(out, "[" PL061_DEV "] (8 lines)")) TH_LOG("%s", out);
}

/* Every line driven 0 then 1 by gpioset reads back the same in gpioget. */
TEST_F(gpio_pl061, output_readback_tools)
{
	char out[256];

	for (int line = 0; line < NLINES; line++)
		for (int v = 0; v <= 1; v++) {
			/* -t0: set, and exit (the line stays an output) */
			ASSERT_EQ(0, run(out, sizeof(out),
					 "gpioset -c %s -t0 %d=%d 2>&1",
					 self->chip, line, v)) TH_LOG("%s", out);
			/* -a: read as is, without making it an input */
			ASSERT_EQ(0, run(out, sizeof(out),
					 "gpioget -c %s -a --numeric %d 2>&1",
					 self->chip, line)) TH_LOG("%s", out);
			EXPECT_EQ(v, atoi(out))
				TH_LOG("line %d set to %d, read '%s'", line, v, out);
		}
	EXPECT_EQ(0, quiet_button(self->cfd));
}

/* The same through the uAPI, all 8 lines in one request, in patterns. */
TEST_F(gpio_pl061, output_readback_uapi)
{
	static const __u64 patterns[] = { 0x00, 0xff, 0xa5, 0x5a, 0x01, 0x80 };
	unsigned int all[NLINES] = { 0, 1, 2, 3, 4, 5, 6, 7 };
	int rfd = request(self->cfd, all, NLINES, GPIO_V2_LINE_FLAG_OUTPUT, 0x3c);

	ASSERT_LE(0, rfd) TH_LOG("request: %s", strerror(-rfd));
	EXPECT_EQ(0x3c, get_values(rfd, NLINES));
	for (size_t i = 0; i < ARRAY_SIZE(patterns); i++) {
		ASSERT_EQ(0, set_values(rfd, 0xff, patterns[i]));
		EXPECT_EQ(patterns[i], get_values(rfd, NLINES));
	}
	/* A partial mask changes only the lines in it. */
	ASSERT_EQ(0, set_values(rfd, 0xff, 0x00));
	ASSERT_EQ(0, set_values(rfd, 0x0f, 0xff));
	EXPECT_EQ(0x0f, get_values(rfd, NLINES));
	close(rfd);
	EXPECT_EQ(0, quiet_button(self->cfd));
}

#define IN_OR_OUT (GPIO_V2_LINE_FLAG_INPUT | GPIO_V2_LINE_FLAG_OUTPUT)

/* Close the chip (*@cfd), bind the device to @driver again, reopen it. */
static int rebind(char *chip, size_t chip_size, int *cfd, const char *driver)
{
	int ret;

	close(*cfd);
	*cfd = -1;
	ret = unbind_dev();
	if (ret)
		return ret;
	ret = bind_to(driver);
	if (ret)
		return ret;
	*cfd = open_chip(chip, chip_size);
	return *cfd < 0 ? *cfd : 0;
}

/*
 * Leave even lines with direction @even and odd ones with @odd (a request
 * sets it, its release keeps it), bind the chip @chip (open as *@cfd) to
 * @driver again, and check the line info shows what the hardware held.
 */
static void leave_directions_and_rebind(struct __test_metadata *_metadata,
					char *chip, size_t chip_size, int *cfd,
					const char *driver, __u64 even, __u64 odd)
{
	struct gpio_v2_line_info info;
	int fd;

	for (unsigned int line = 0; line < NLINES; line++) {
		fd = request1(*cfd, line, line % 2 ? odd : even, 0);
		ASSERT_LE(0, fd);
		close(fd);
	}
	ASSERT_EQ(0, rebind(chip, chip_size, cfd, driver));
	for (unsigned int line = 0; line < NLINES; line++) {
		ASSERT_EQ(0, lineinfo(*cfd, line, &info));
		EXPECT_EQ(line % 2 ? odd : even, info.flags & IN_OR_OUT)
			TH_LOG("line %u", line);
	}
}

/*
 * gpiolib asks the driver's get_direction() for every line when the chip
 * is registered: directions left in the hardware show up in gpioinfo and
 * the line info after an unbind and bind.
 */
TEST_F(gpio_pl061, direction_after_rebind)
{
	char out[4096];

	/* lines 0, 2, 4, 6 outputs; 1, 3, 5, 7 inputs */
	leave_directions_and_rebind(_metadata, self->chip, sizeof(self->chip),
				    &self->cfd, variant->driver,
				    GPIO_V2_LINE_FLAG_OUTPUT, GPIO_V2_LINE_FLAG_INPUT);
	ASSERT_EQ(0, run(out, sizeof(out), "gpioinfo -c %s", self->chip));
	for (unsigned int line = 0; line < NLINES; line++) {
		char buf[256];
		const char *l = info_line(out, line, buf, sizeof(buf));

		EXPECT_NE(NULL, strstr(l, line % 2 ? "input" : "output"))
			TH_LOG("gpioinfo:\n%s", out);
	}
	/* And the other way round. */
	leave_directions_and_rebind(_metadata, self->chip, sizeof(self->chip),
				    &self->cfd, variant->driver,
				    GPIO_V2_LINE_FLAG_INPUT, GPIO_V2_LINE_FLAG_OUTPUT);
	EXPECT_EQ(0, quiet_button(self->cfd));
}

/* Press the button with @flags on line 3; the events seen within 2 s. */
static int button_events(int cfd, __u64 flags, struct gpio_v2_line_event *ev,
			 int max, long long *t0, long long *t1)
{
	int fd, n = 0;

	if (quiet_button(cfd))
		return -EIO;
	fd = request1(cfd, BUTTON, GPIO_V2_LINE_FLAG_INPUT | flags, 0);
	if (fd < 0)
		return fd;
	/* nothing before the press */
	if (next_event(fd, 200, &ev[0]) != 0) {
		close(fd);
		return -EEXIST;
	}
	*t0 = now_ns();
	if (press()) {
		close(fd);
		return -EHOSTDOWN;
	}
	*t1 = now_ns();
	/* the pulse is 100 ms; give TCG plenty, then check nothing follows */
	while (n < max && next_event(fd, n ? 1000 : 3000, &ev[n]) == 1)
		n++;
	if (n < max && next_event(fd, 500, &ev[n]) == 1)
		n++;
	close(fd);
	return n;
}

TEST_F(gpio_pl061, button_rising_edge)
{
	struct gpio_v2_line_event ev[4];
	long long t0, t1;
	int n = button_events(self->cfd, GPIO_V2_LINE_FLAG_EDGE_RISING, ev, 4,
			      &t0, &t1);

	ASSERT_EQ(1, n) TH_LOG("events: %d", n);
	EXPECT_EQ(GPIO_V2_LINE_EVENT_RISING_EDGE, ev[0].id);
	EXPECT_EQ(BUTTON, ev[0].offset);
	EXPECT_EQ(1, ev[0].seqno);
	EXPECT_EQ(1, ev[0].line_seqno);
	/* monotonic clock, between asking the host and its answer (+ slack) */
	EXPECT_LE(t0, (long long)ev[0].timestamp_ns);
	EXPECT_GE(t1 + 1000000000LL, (long long)ev[0].timestamp_ns);
}

TEST_F(gpio_pl061, button_falling_edge)
{
	struct gpio_v2_line_event ev[4];
	long long t0, t1;
	int n = button_events(self->cfd, GPIO_V2_LINE_FLAG_EDGE_FALLING, ev, 4,
			      &t0, &t1);

	ASSERT_EQ(1, n) TH_LOG("events: %d", n);
	EXPECT_EQ(GPIO_V2_LINE_EVENT_FALLING_EDGE, ev[0].id);
	EXPECT_LE(t0, (long long)ev[0].timestamp_ns);
}

TEST_F(gpio_pl061, button_both_edges)
{
	struct gpio_v2_line_event ev[4];
	long long t0, t1, gap_ms;
	int n = button_events(self->cfd, GPIO_V2_LINE_FLAG_EDGE_RISING |
			      GPIO_V2_LINE_FLAG_EDGE_FALLING, ev, 4, &t0, &t1);

	ASSERT_EQ(2, n) TH_LOG("events: %d", n);
	EXPECT_EQ(GPIO_V2_LINE_EVENT_RISING_EDGE, ev[0].id);
	EXPECT_EQ(GPIO_V2_LINE_EVENT_FALLING_EDGE, ev[1].id);
	EXPECT_EQ(1, ev[0].line_seqno);
	EXPECT_EQ(2, ev[1].line_seqno);
	gap_ms = ((long long)ev[1].timestamp_ns - (long long)ev[0].timestamp_ns) / 1000000;
	TH_LOG("pulse: %lld ms", gap_ms);
	/* QEMU's gpio-key holds the line for 100 ms of virtual time */
	EXPECT_LE(90, gap_ms);
	EXPECT_GE(1000, gap_ms);
}

/*
 * An edge that happened before the request is not an event of it: line 3
 * goes from an output driven high to an input (reading high), then gets
 * edge detection. Our twins also clear any latched edge when the trigger is
 * set (the Stellaris data sheets' advice for PL061-style blocks); mainline
 * does not, and delivered a stale event here in one run of several.
 */
TEST_F(gpio_pl061, no_stale_edge)
{
	struct gpio_v2_line_event ev;
	int fd, n;

	ASSERT_EQ(0, quiet_button(self->cfd));
	/* driven high; as an input it then reads high until the button moves */
	fd = request1(self->cfd, BUTTON, GPIO_V2_LINE_FLAG_OUTPUT, 1);
	ASSERT_LE(0, fd);
	close(fd);
	fd = request1(self->cfd, BUTTON, GPIO_V2_LINE_FLAG_INPUT |
		      GPIO_V2_LINE_FLAG_EDGE_RISING | GPIO_V2_LINE_FLAG_EDGE_FALLING, 0);
	ASSERT_LE(0, fd);
	n = drain(fd, 500);
	TH_LOG("line 3 reads %lld as an input, %d stale events", get_values(fd, 1), n);
	close(fd);
	/* and the next press still counts */
	EXPECT_EQ(1, button_events(self->cfd, GPIO_V2_LINE_FLAG_EDGE_RISING, &ev, 1,
				   &(long long){0}, &(long long){0}));
	/*
	 * Mainline does not clear a latched edge when the trigger is set:
	 * whether one is latched here depends on timing (seen in one run of
	 * several), so a stale event from it is a known bug (xfail), not a failure.
	 */
	if (n && !variant->moddir)
		RFL_XFAIL(return, "drivers/gpio_pl061/README.md: our twins clear a latched edge",
			  "gpio-pl061 delivered %d edge(s) latched before the request", n);
	EXPECT_EQ(0, n);
}

/* The same press as libgpiod's gpiomon sees it. */
TEST_F(gpio_pl061, gpiomon_button)
{
	char cmd[256], line[256], out[1024] = "";
	FILE *p;

	ASSERT_EQ(0, quiet_button(self->cfd));
	snprintf(cmd, sizeof(cmd), "timeout 20 gpiomon -c %s --banner -e both -n 2 -F '%%o %%E' %d",
		 self->chip, BUTTON);
	strcat(cmd, " 2>&1");
	p = popen(cmd, "r");
	ASSERT_NE(NULL, p);
	/* the banner: the line is requested, the press may come */
	ASSERT_NE(NULL, fgets(line, sizeof(line), p));
	TH_LOG("gpiomon: %s", line);
	ASSERT_EQ(0, press());
	while (fgets(line, sizeof(line), p) && strlen(out) + strlen(line) < sizeof(out))
		strcat(out, line);
	EXPECT_EQ(0, WEXITSTATUS(pclose(p)));
	EXPECT_STREQ("3 rising\n3 falling\n", out);
}

/*
 * Lines without edge detection have their interrupt masked: a press
 * delivers nothing, neither to line 3 held as a plain input nor to the
 * other seven lines watching both edges.
 */
TEST_F(gpio_pl061, masked_lines_silent)
{
	unsigned int others[] = { 0, 1, 2, 4, 5, 6, 7 };
	struct gpio_v2_line_event ev;
	int in, watch;

	ASSERT_EQ(0, quiet_button(self->cfd));
	in = request1(self->cfd, BUTTON, GPIO_V2_LINE_FLAG_INPUT, 0);
	ASSERT_LE(0, in);
	watch = request(self->cfd, others, 7, GPIO_V2_LINE_FLAG_INPUT |
			GPIO_V2_LINE_FLAG_EDGE_RISING |
			GPIO_V2_LINE_FLAG_EDGE_FALLING, 0);
	ASSERT_LE(0, watch);
	drain(watch, 200);
	ASSERT_EQ(0, press());
	EXPECT_EQ(0, next_event(in, 1000, &ev));
	EXPECT_EQ(0, next_event(watch, 500, &ev));
	close(watch);
	close(in);
	/* and the line 3 interrupt works again once requested */
	{
		struct gpio_v2_line_event evs[4];
		long long t0, t1;

		EXPECT_EQ(1, button_events(self->cfd, GPIO_V2_LINE_FLAG_EDGE_RISING,
					   evs, 4, &t0, &t1));
	}
}

/*
 * The uAPI has edge detection only: no level-triggered request exists
 * (Documentation/userspace-api/gpio/gpio-v2-get-line-ioctl.rst), edge flags
 * need an input, unknown flag bits are refused. gpiolib refuses these
 * before a driver is asked; checked here so that both drivers' chips get
 * the same answers, and the line is untouched.
 */
TEST_F(gpio_pl061, bad_flags)
{
	static const __u64 bad[] = {
		GPIO_V2_LINE_FLAG_INPUT | GPIO_V2_LINE_FLAG_OUTPUT,
		GPIO_V2_LINE_FLAG_EDGE_RISING,
		GPIO_V2_LINE_FLAG_OUTPUT | GPIO_V2_LINE_FLAG_EDGE_FALLING,
		GPIO_V2_LINE_FLAG_OUTPUT | GPIO_V2_LINE_FLAG_OPEN_DRAIN |
			GPIO_V2_LINE_FLAG_OPEN_SOURCE,
		GPIO_V2_LINE_FLAG_INPUT | GPIO_V2_LINE_FLAG_OPEN_DRAIN,
		GPIO_V2_LINE_FLAG_BIAS_PULL_UP,
		GPIO_V2_LINE_FLAG_INPUT | GPIO_V2_LINE_FLAG_BIAS_PULL_UP |
			GPIO_V2_LINE_FLAG_BIAS_PULL_DOWN,
		GPIO_V2_LINE_FLAG_INPUT | (1ULL << 13),	/* "level": no such flag */
		GPIO_V2_LINE_FLAG_INPUT | (1ULL << 63),
	};
	int fd;

	fd = request1(self->cfd, 5, GPIO_V2_LINE_FLAG_OUTPUT, 1);
	ASSERT_LE(0, fd);
	close(fd);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		__u64 f = bad[i];

		EXPECT_EQ(-EINVAL, request1(self->cfd, 5, f, 0))
			TH_LOG("flags %#llx", (unsigned long long)f);
	}
	/* still an output at 1, and free */
	fd = request1(self->cfd, 5, 0, 0);	/* as is */
	ASSERT_LE(0, fd);
	EXPECT_EQ(1, get_values(fd, 1));
	close(fd);
}

TEST_F(gpio_pl061, bad_offsets)
{
	unsigned int lines[GPIO_V2_LINES_MAX + 1] = { 0 };
	struct gpio_v2_line_info info;
	unsigned int off;

	for (off = NLINES; off <= 64; off += 56) {
		EXPECT_EQ(-EINVAL, request1(self->cfd, off, GPIO_V2_LINE_FLAG_INPUT, 0));
		EXPECT_EQ(-EINVAL, lineinfo(self->cfd, off, &info));
	}
	EXPECT_EQ(-EINVAL, request1(self->cfd, ~0u, GPIO_V2_LINE_FLAG_INPUT, 0));
	/* zero lines, or more than the uAPI's 64 */
	EXPECT_EQ(-EINVAL, request(self->cfd, lines, 0, GPIO_V2_LINE_FLAG_INPUT, 0));
	EXPECT_EQ(-EINVAL, request(self->cfd, lines, GPIO_V2_LINES_MAX + 1,
				   GPIO_V2_LINE_FLAG_INPUT, 0));
	/* one bad offset among good ones takes none of them */
	lines[0] = 1;
	lines[1] = 9;
	EXPECT_EQ(-EINVAL, request(self->cfd, lines, 2, GPIO_V2_LINE_FLAG_INPUT, 0));
	ASSERT_EQ(0, lineinfo(self->cfd, 1, &info));
	EXPECT_EQ(0, info.flags & GPIO_V2_LINE_FLAG_USED);
}

TEST_F(gpio_pl061, busy)
{
	char out[256];
	int a, b;

	a = request1(self->cfd, 6, GPIO_V2_LINE_FLAG_OUTPUT, 1);
	ASSERT_LE(0, a);
	EXPECT_EQ(-EBUSY, request1(self->cfd, 6, GPIO_V2_LINE_FLAG_INPUT, 0));
	/* the tools see the same */
	EXPECT_NE(0, run(out, sizeof(out), "gpioset -c %s -t0 6=0 2>&1", self->chip));
	TH_LOG("gpioset on a held line: %s", out);
	/* a second chip fd is no different */
	b = open_chip(self->chip, sizeof(self->chip));
	ASSERT_LE(0, b);
	EXPECT_EQ(-EBUSY, request1(b, 6, GPIO_V2_LINE_FLAG_OUTPUT, 0));
	close(b);
	/* the holder still drives it */
	EXPECT_EQ(1, get_values(a, 1));
	close(a);
	b = request1(self->cfd, 6, GPIO_V2_LINE_FLAG_INPUT, 0);
	EXPECT_LE(0, b);
	close(b);
}

/* A module with a line requested cannot go; the line keeps working. */
TEST_F(gpio_pl061, unload_while_held)
{
	int fd = request1(self->cfd, 2, GPIO_V2_LINE_FLAG_OUTPUT, 1);
	int ret;

	ASSERT_LE(0, fd);
	if (rfl_builtin(variant->module)) {
		close(fd);
		SKIP(return, "%s is built into this kernel: it is never unloaded",
		     variant->module);
	}
	ret = rfl_unload(variant->module);
	EXPECT_TRUE(ret == -EWOULDBLOCK || ret == -EBUSY) TH_LOG("unload: %d", ret);
	EXPECT_EQ(1, get_values(fd, 1));
	EXPECT_EQ(0, set_values(fd, 1, 0));
	EXPECT_EQ(0, get_values(fd, 1));
	close(fd);
}

/*
 * Unbind while lines are held and events are queued: the request fds
 * outlive the chip, report ENODEV (or hand out what was queued), close
 * cleanly, and a new bind works.
 */
TEST_F(gpio_pl061, unbind_while_held)
{
	struct gpio_v2_line_event ev[4];
	struct gpio_v2_line_info info;
	int out, evfd, ret, n = 0;
	long long t0, t1;

	ASSERT_EQ(0, quiet_button(self->cfd));
	out = request1(self->cfd, 5, GPIO_V2_LINE_FLAG_OUTPUT, 1);
	ASSERT_LE(0, out);
	evfd = request1(self->cfd, BUTTON, GPIO_V2_LINE_FLAG_INPUT |
			GPIO_V2_LINE_FLAG_EDGE_RISING | GPIO_V2_LINE_FLAG_EDGE_FALLING, 0);
	ASSERT_LE(0, evfd);
	ASSERT_EQ(0, press());
	usleep(500000);		/* both edges queued, none read */

	ASSERT_EQ(0, unbind_dev());
	EXPECT_EQ(-ENODEV, get_values(out, 1));
	EXPECT_EQ(-ENODEV, set_values(out, 1, 0));
	EXPECT_EQ(-ENODEV, lineinfo(self->cfd, 0, &info));
	/* what was queued is gone with the chip: the fd reports an error */
	while ((ret = next_event(evfd, 1000, &ev[n])) == 1 && n < 3)
		n++;
	TH_LOG("after unbind: %d queued events read, then %d", n, ret);
	EXPECT_EQ(0, n);
	EXPECT_EQ(-EIO, ret);	/* poll: POLLERR | POLLHUP, no POLLIN */
	EXPECT_EQ(-1, read(evfd, ev, sizeof(ev[0])));
	EXPECT_EQ(ENODEV, errno);
	close(evfd);
	close(out);
	close(self->cfd);
	self->cfd = -1;

	ASSERT_EQ(0, bind_to(variant->driver));
	self->cfd = open_chip(self->chip, sizeof(self->chip));
	ASSERT_LE(0, self->cfd);
	out = request1(self->cfd, 5, GPIO_V2_LINE_FLAG_OUTPUT, 0);
	ASSERT_LE(0, out);
	EXPECT_EQ(0, get_values(out, 1));
	close(out);
	ASSERT_EQ(1, button_events(self->cfd, GPIO_V2_LINE_FLAG_EDGE_RISING, ev, 4,
				   &t0, &t1));
}

/* 100 unbind/bind cycles: the chip comes back each time, no memory lost. */
TEST_F_TIMEOUT(gpio_pl061, bind_cycles, 240)
{
	long before, after;
	int fd;

	close(self->cfd);
	self->cfd = -1;
	/* one warm-up cycle so first-time allocations are not counted */
	ASSERT_EQ(0, unbind_dev());
	ASSERT_EQ(0, bind_to(variant->driver));
	before = memfree();
	for (int i = 0; i < 100; i++) {
		ASSERT_EQ(0, unbind_dev()) TH_LOG("cycle %d", i);
		ASSERT_EQ(0, bind_to(variant->driver)) TH_LOG("cycle %d", i);
	}
	after = memfree();
	TH_LOG("MemFree %ld -> %ld kB", before, after);
	/* 100 leaked chips would be well over 100 kB (struct + gdev + descs) */
	EXPECT_GT(2048, before - after);
	self->cfd = open_chip(self->chip, sizeof(self->chip));
	ASSERT_LE(0, self->cfd);
	fd = request1(self->cfd, 7, GPIO_V2_LINE_FLAG_OUTPUT, 1);
	ASSERT_LE(0, fd);
	EXPECT_EQ(1, get_values(fd, 1));
	close(fd);
}

/*
 * A system suspend resets every virtio PCI device that does not say "no
 * soft reset" in its PM capability, and 9p (the guest's root) cannot be
 * restored after that. NULL if every virtio device survives, or why not.
 */
#define NO_SOFT_RESET_WHY \
	"no PCI PM 'no soft reset', so a suspend would reset it and lose the 9p root"

static const char *virtio_suspend_blocker(void)
{
	static char why[300];
	unsigned char cfg[256];
	struct dirent *e;
	DIR *d = opendir("/sys/bus/virtio/devices");

	if (!d)
		return NULL;
	why[0] = 0;
	while ((e = readdir(d)) && !why[0]) {
		char path[600];
		unsigned int pos, guard = 0;
		bool ok = false;
		int fd;

		if (e->d_name[0] == '.')
			continue;
		/* the virtio device's parent is its PCI function */
		snprintf(path, sizeof(path), "/sys/bus/virtio/devices/%s/../config", e->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;	/* not on PCI */
		if (read(fd, cfg, sizeof(cfg)) != sizeof(cfg))
			memset(cfg, 0, sizeof(cfg));
		close(fd);
		for (pos = cfg[0x34] & ~3u; pos && pos < 0xfc && guard++ < 48;
		     pos = cfg[pos + 1] & ~3u)
			if (cfg[pos] == 0x01)	/* PM: PMCSR bit 3, No_Soft_Reset */
				ok = cfg[pos + 4] & 0x08;
		if (!ok)
			snprintf(why, sizeof(why), "%.32s: %s", e->d_name, NO_SOFT_RESET_WHY);
	}
	closedir(d);
	return why[0] ? why : NULL;
}

/* The state a suspend test enters, "freeze" or "mem"; NULL if neither. */
static const char *sleep_state(void)
{
	char states[256];

	if (read_str("/sys/power/state", states, sizeof(states)))
		return NULL;
	return strstr(states, "freeze") ? "freeze" : strstr(states, "mem") ? "mem" : NULL;
}

/* NULL if a pm_test suspend can run here, or why not. */
static const char *suspend_blocker(void)
{
	if (access("/sys/power/pm_test", W_OK))
		return "no /sys/power/pm_test (CONFIG_PM_DEBUG off)";
	if (!sleep_state())
		return "/sys/power/state offers neither freeze nor mem";
	return virtio_suspend_blocker();
}

/*
 * Suspend and resume every device once: with CONFIG_PM_DEBUG,
 * pm_test=devices does so without sleeping or a wake source;
 * pm_print_times logs each device's callbacks. 0 or -errno.
 */
static int suspend_devices(void)
{
	const char *state = sleep_state();
	int ret;

	if (!state)
		return -ENOENT;
	ret = rfl_write_str("/sys/module/suspend/parameters/pm_test_delay", "0");
	if (!ret)
		ret = rfl_write_str("/sys/power/pm_print_times", "1");
	if (!ret)
		ret = rfl_write_str("/sys/power/pm_test", "devices");
	if (!ret)
		ret = rfl_write_str("/sys/power/state", state);
	rfl_write_str("/sys/power/pm_test", "none");
	rfl_write_str("/sys/power/pm_print_times", "0");
	return ret;
}

/*
 * A line of the PM core's @log: @v's resume callback returned 0. The PM
 * core names a module's callback "fn [module]", a built-in one (Debian's
 * gpio-pl061) "fn" alone.
 */
static bool resume_returned_0(char *log, const struct _fixture_variant_gpio_pl061 *v)
{
	char mod[64], *save, *line;

	if (rfl_builtin(v->module))
		snprintf(mod, sizeof(mod), "%s returned 0 ", v->resume);
	else
		snprintf(mod, sizeof(mod), "[%s] returned 0 ", v->module);
	for (line = strtok_r(log, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (strstr(line, v->resume) && strstr(line, mod))
			return true;
	return false;
}

/*
 * Line values and directions survive a system suspend and resume
 * (suspend_devices()); the PM core's log shows the PL061's callbacks ran.
 */
TEST_F_TIMEOUT(gpio_pl061, suspend_resume, 60)
{
	unsigned int all[NLINES] = { 0, 1, 2, 4, 5, 6, 7, 3 };
	struct gpio_v2_line_info info;
	char out[65536];
	int outs, ins, ret;

	if (suspend_blocker())
		SKIP(return, "%s", suspend_blocker());

	ASSERT_EQ(0, quiet_button(self->cfd));
	/* outputs 0, 1, 2, 4 at 1, 0, 1, 1; inputs 5, 6, 7 and 3 */
	outs = request(self->cfd, all, 4, GPIO_V2_LINE_FLAG_OUTPUT, 0xd);
	ASSERT_LE(0, outs);
	ins = request(self->cfd, all + 4, 4, GPIO_V2_LINE_FLAG_INPUT, 0);
	ASSERT_LE(0, ins);
	ASSERT_EQ(0xd, get_values(outs, 4));

	ret = suspend_devices();
	ASSERT_EQ(0, ret) TH_LOG("suspend: %s", strerror(-ret));

	/* the device's resume ran */
	ASSERT_EQ(0, run(out, sizeof(out), "dmesg | grep '" PL061_DEV ": PM:'"));
	TH_LOG("kernel log:\n%s", out);
	EXPECT_TRUE(resume_returned_0(out, variant)) TH_LOG("no %s of [%s] returned 0",
							    variant->resume, variant->module);

	EXPECT_EQ(0xd, get_values(outs, 4));
	for (unsigned int i = 0; i < NLINES; i++) {
		ASSERT_EQ(0, lineinfo(self->cfd, all[i], &info));
		EXPECT_TRUE(info.flags & (i < 4 ? GPIO_V2_LINE_FLAG_OUTPUT :
					  GPIO_V2_LINE_FLAG_INPUT));
	}
	/* the hardware agrees: directions as get_direction() reads them */
	close(outs);
	close(ins);
	ASSERT_EQ(0, rebind(self->chip, sizeof(self->chip), &self->cfd, variant->driver));
	for (unsigned int i = 0; i < NLINES; i++) {
		ASSERT_EQ(0, lineinfo(self->cfd, all[i], &info));
		EXPECT_TRUE(info.flags & (i < 4 ? GPIO_V2_LINE_FLAG_OUTPUT :
					  GPIO_V2_LINE_FLAG_INPUT)) TH_LOG("line %u", all[i]);
	}
	outs = request(self->cfd, all, 4, 0, 0);	/* as is */
	ASSERT_LE(0, outs);
	EXPECT_EQ(0xd, get_values(outs, 4));
	close(outs);
	/* and line events still arrive */
	{
		struct gpio_v2_line_event ev[4];
		long long t0, t1;

		EXPECT_EQ(1, button_events(self->cfd, GPIO_V2_LINE_FLAG_EDGE_RISING,
					   ev, 4, &t0, &t1));
	}
}

/*
 * A PL061 that loses power in a suspend comes back with the reset sense
 * (falling edge) and latches such an edge before its driver resumes: the
 * helper rfl_pl061_loss makes QEMU's do both. Resume writes the saved
 * sense back (rising only here) and unmasks the line: unless it clears
 * GPIOIC first, as set_type does, the stale edge becomes a rising event
 * nobody made. Mainline gpio-pl061 does not clear it.
 */
TEST_F_TIMEOUT(gpio_pl061, resume_latched_edge, 60)
{
	struct gpio_v2_line_event ev[4];
	char buf[32];
	long long t0, t1;
	int fd, n, ret;

	if (suspend_blocker())
		SKIP(return, "%s", suspend_blocker());
	ASSERT_EQ(0, quiet_button(self->cfd));
	fd = request1(self->cfd, BUTTON, GPIO_V2_LINE_FLAG_INPUT |
		      GPIO_V2_LINE_FLAG_EDGE_RISING, 0);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, drain(fd, 200));
	ASSERT_EQ(0, rfl_load(IRQ_HELPER_DIR, LOSS_HELPER, ""));
	ret = suspend_devices();
	n = drain(fd, 1000);
	close(fd);
	ASSERT_EQ(0, ret) TH_LOG("suspend: %s", strerror(-ret));
	/* the helper ran between the PL061's suspend and resume, and latched */
	ASSERT_EQ(0, read_str("/sys/module/" LOSS_HELPER "/parameters/suspends",
			      buf, sizeof(buf)));
	ASSERT_EQ(1, atoi(buf));
	ASSERT_EQ(0, read_str("/sys/module/" LOSS_HELPER "/parameters/ris",
			      buf, sizeof(buf)));
	ASSERT_EQ(1 << BUTTON, atoi(buf)) TH_LOG("GPIORIS after the reset: %s", buf);
	EXPECT_EQ(0, rfl_unload(LOSS_HELPER));
	TH_LOG("events after resume with no edge of the line's sense: %d", n);
	if (n && !variant->moddir)
		RFL_XFAIL(return, "drivers/gpio_pl061/README.md: resume",
			  "gpio-pl061 delivered %d stale edge(s) latched before its resume", n);
	EXPECT_EQ(0, n);
	/* and a real press still counts once */
	EXPECT_EQ(1, button_events(self->cfd, GPIO_V2_LINE_FLAG_EDGE_RISING, ev, 4,
				   &t0, &t1));
}

/*
 * Level triggers, through an in-kernel consumer (tests/gpio_pl061_irq/):
 * its threaded, oneshot handler counts and sleeps @pace ms, so an asserted
 * level is seen again every @pace ms until it goes away.
 */
static int helper_load(const char *trigger, int pace)
{
	char params[128];

	snprintf(params, sizeof(params), "trigger=%s pace_ms=%d", trigger, pace);
	return rfl_load(IRQ_HELPER_DIR, IRQ_HELPER, params);
}

static long helper_count(void)
{
	char buf[32];

	if (read_str("/sys/module/" IRQ_HELPER "/parameters/count", buf, sizeof(buf)))
		return -1;
	return atol(buf);
}

/* The edge types from a kernel consumer: one press, two edges. */
TEST_F(gpio_pl061, kernel_irq_both_edges)
{
	ASSERT_EQ(0, quiet_button(self->cfd));
	ASSERT_EQ(0, helper_load("both", 1));
	usleep(300000);
	EXPECT_EQ(0, helper_count());
	ASSERT_EQ(0, press());
	usleep(1500000);
	EXPECT_EQ(2, helper_count());
	EXPECT_EQ(0, rfl_unload(IRQ_HELPER));
}

/* High level: nothing while low, repeated while the button holds it high. */
TEST_F(gpio_pl061, kernel_irq_level_high)
{
	long during, after;

	ASSERT_EQ(0, quiet_button(self->cfd));
	ASSERT_EQ(0, helper_load("high", 10));
	usleep(300000);
	EXPECT_EQ(0, helper_count());
	ASSERT_EQ(0, press());
	usleep(1500000);
	during = helper_count();
	usleep(500000);
	after = helper_count();
	TH_LOG("interrupts while high (100 ms, paced at 10 ms): %ld", during);
	/* more than an edge would give, bounded by the pacing */
	EXPECT_LE(2, during);
	EXPECT_GE(100 / 10 + 2, during);
	EXPECT_EQ(during, after);
	EXPECT_EQ(0, rfl_unload(IRQ_HELPER));
}

/* Low level: the idle line is low, so it fires again and again. */
TEST_F(gpio_pl061, kernel_irq_level_low)
{
	long n;

	ASSERT_EQ(0, quiet_button(self->cfd));
	ASSERT_EQ(0, helper_load("low", 20));
	usleep(500000);
	n = helper_count();
	TH_LOG("interrupts in 500 ms of low level, paced at 20 ms: %ld", n);
	EXPECT_LE(5, n);
	EXPECT_GE(500 / 20 + 2, n);
	EXPECT_EQ(0, rfl_unload(IRQ_HELPER));
}

/*
 * No trigger: a consumer that requests the interrupt without one leaves
 * the line at IRQ_TYPE_NONE, whose flow handler (handle_bad_irq) never
 * acks. Our twins do not unmask such a line in hardware, so a press is no
 * interrupt at all. gpio-pl061 unmasks it with the reset sense (falling
 * edge): the edge at the end of the press is latched, never acked, and the
 * chained handler runs for ever (a hard lockup of a CPU): not run there.
 */
TEST_F(gpio_pl061, kernel_irq_no_trigger)
{
	if (!variant->moddir)
		RFL_XFAIL(return, "drivers/gpio_pl061/README.md: IRQ_TYPE_NONE",
			  "not run: gpio-pl061 storms on a line requested without a trigger");
	/*
	 * Without trigger flags genirq keeps the type the line's interrupt
	 * last had, and quiet_button() gives it both edges: wait for quiet
	 * first, then bind again for a fresh irq domain (type NONE).
	 */
	ASSERT_EQ(0, quiet_button(self->cfd));
	ASSERT_EQ(0, rebind(self->chip, sizeof(self->chip), &self->cfd, variant->driver));
	ASSERT_EQ(0, helper_load("none", 1));
	ASSERT_EQ(0, press());
	usleep(1500000);
	EXPECT_EQ(0, helper_count());
	EXPECT_EQ(0, rfl_unload(IRQ_HELPER));
}

int main(int argc, char **argv)
{
	return rfl_harness_main(argc, argv);
}
