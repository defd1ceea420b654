// SPDX-License-Identifier: GPL-2.0
/*
 * csemaphore: a counting semaphore as a misc device, /dev/csemaphore.
 *
 * A write of n bytes adds n tokens. A read of one byte or more at offset 0
 * waits for a token, takes it and returns one zero byte; the file position
 * then moves to 1, so `cat` takes exactly one token (pread at offset 0 takes
 * one each time). Every open file counts the tokens it took.
 *
 * rsemaphore.rs is the same driver in Rust: same state, same names, same
 * order of functions. README.md maps one onto the other.
 */
#include <linux/atomic.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/uio.h>
#include <linux/wait.h>

#include <rfl_semaphore.h>

static unsigned long long initial_count;
module_param(initial_count, ullong, 0444);
MODULE_PARM_DESC(initial_count, "Tokens the semaphore starts with (default 0)");

/* The semaphore every open file shares, found through its misc device. */
struct csemaphore {
	struct miscdevice misc;
	struct mutex lock;		/* protects count */
	wait_queue_head_t changed;	/* readers wait here for count > 0 */
	u64 count;
};

/* One open file. */
struct csemaphore_file {
	struct csemaphore *sem;
	atomic64_t reads;		/* tokens taken through this file */
};

/* Wait for a token and take it. */
static int csemaphore_take(struct csemaphore *sem, bool block)
{
	int ret = 0;

	mutex_lock(&sem->lock);
	while (!sem->count) {
		if (!block) {
			ret = -EAGAIN;
			break;
		}
		/* Sleep with the lock dropped, as a condition variable does. */
		mutex_unlock(&sem->lock);
		ret = wait_event_interruptible(sem->changed,
					       READ_ONCE(sem->count));
		mutex_lock(&sem->lock);
		if (ret)
			break;
	}
	if (!ret)
		sem->count--;
	mutex_unlock(&sem->lock);
	return ret;
}

/* Add @n tokens, saturating at U64_MAX, and wake the readers. */
static void csemaphore_give(struct csemaphore *sem, u64 n)
{
	mutex_lock(&sem->lock);
	if (check_add_overflow(sem->count, n, &sem->count))
		sem->count = U64_MAX;
	mutex_unlock(&sem->lock);
	wake_up_interruptible_all(&sem->changed);
}

static u64 csemaphore_count(struct csemaphore *sem)
{
	u64 count;

	mutex_lock(&sem->lock);
	count = sem->count;
	mutex_unlock(&sem->lock);
	return count;
}

static int csemaphore_open(struct inode *inode, struct file *file)
{
	/* misc_open() left our miscdevice in private_data. */
	struct csemaphore *sem = container_of(file->private_data,
					      struct csemaphore, misc);
	struct csemaphore_file *f;

	f = kzalloc_obj(*f);
	if (!f)
		return -ENOMEM;
	f->sem = sem;
	file->private_data = f;
	return 0;
}

static int csemaphore_release(struct inode *inode, struct file *file)
{
	kfree(file->private_data);
	return 0;
}

static ssize_t csemaphore_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct csemaphore_file *f = iocb->ki_filp->private_data;
	bool block = !(iocb->ki_filp->f_flags & O_NONBLOCK);
	static const u8 zero;
	int ret;

	/* Only a non-empty read at offset 0 takes a token. */
	if (!iov_iter_count(to) || iocb->ki_pos)
		return 0;

	ret = csemaphore_take(f->sem, block);
	if (ret)
		return ret;
	if (copy_to_iter(&zero, 1, to) != 1) {
		/* The reader's buffer is bad: the token goes back. */
		csemaphore_give(f->sem, 1);
		return -EFAULT;
	}
	atomic64_inc(&f->reads);
	iocb->ki_pos++;
	return 1;
}

static ssize_t csemaphore_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct csemaphore_file *f = iocb->ki_filp->private_data;
	size_t n = iov_iter_count(from);

	if (n)
		csemaphore_give(f->sem, n);
	/* The bytes carry nothing: consume them without copying. */
	iov_iter_advance(from, n);
	return n;
}

/* Readable while a token is there; always writable. */
static __poll_t csemaphore_poll(struct file *file, poll_table *wait)
{
	struct csemaphore_file *f = file->private_data;
	__poll_t mask = EPOLLOUT | EPOLLWRNORM;

	poll_wait(file, &f->sem->changed, wait);
	if (csemaphore_count(f->sem))
		mask |= EPOLLIN | EPOLLRDNORM;
	return mask;
}

static long csemaphore_ioctl(struct file *file, unsigned int cmd,
			     unsigned long arg)
{
	struct csemaphore_file *f = file->private_data;
	u64 __user *uarg = (u64 __user *)arg;
	u64 reads;

	switch (cmd) {
	case SEMAPHORE_GET_READS:
		return put_user(atomic64_read(&f->reads), uarg);
	case SEMAPHORE_SET_READS:
		if (get_user(reads, uarg))
			return -EFAULT;
		atomic64_set(&f->reads, reads);
		return 0;
	case SEMAPHORE_GET_COUNT:
		return put_user(csemaphore_count(f->sem), uarg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations csemaphore_fops = {
	.owner = THIS_MODULE,
	.open = csemaphore_open,
	.release = csemaphore_release,
	.read_iter = csemaphore_read_iter,
	.write_iter = csemaphore_write_iter,
	.poll = csemaphore_poll,
	.unlocked_ioctl = csemaphore_ioctl,
	/* The argument is a pointer to a __u64, the same in 32-bit tasks. */
	.compat_ioctl = compat_ptr_ioctl,
};

static struct csemaphore csemaphore = {
	.misc = {
		.minor = MISC_DYNAMIC_MINOR,
		.name = "csemaphore",
		.fops = &csemaphore_fops,
	},
	.lock = __MUTEX_INITIALIZER(csemaphore.lock),
	.changed = __WAIT_QUEUE_HEAD_INITIALIZER(csemaphore.changed),
};

static int __init csemaphore_init(void)
{
	csemaphore.count = initial_count;
	return misc_register(&csemaphore.misc);
}

/* Open files pin the module, so none is left when this runs. */
static void __exit csemaphore_exit(void)
{
	misc_deregister(&csemaphore.misc);
}

module_init(csemaphore_init);
module_exit(csemaphore_exit);

MODULE_DESCRIPTION("Counting semaphore misc device (C twin of rsemaphore)");
MODULE_AUTHOR("rfl-drivers");
MODULE_LICENSE("GPL");
