// SPDX-License-Identifier: GPL-2.0
/*
 * cnull: a null block device in C, mirrored against the Rust rnull
 * (drivers/block/rnull/ in the kernel tree).
 *
 * Like rnull it has no module parameters: everything goes through configfs.
 *
 *   mkdir /sys/kernel/config/cnull/foo       a device, powered off
 *   echo 512 > .../foo/blocksize             configure (EBUSY while powered)
 *   echo 1 > .../foo/power                   probe: tag set + gendisk /dev/foo
 *   (I/O)                                    logic: cnull_queue_rq()
 *   echo 0 > .../foo/power, rmdir .../foo    cleanup, in reverse
 *
 * Beyond rnull: completion by hrtimer (irqmode 2), memory backing with
 * discard and write-zeroes, several hardware queues, queue depth, index.
 *
 * The file has two halves, as rnull has two files: the block driver
 * (rnull.rs) and its configfs front end (configfs.rs).
 */
#include <linux/blk-mq.h>
#include <linux/blkdev.h>
#include <linux/configfs.h>
#include <linux/highmem.h>
#include <linux/hrtimer.h>
#include <linux/idr.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/xarray.h>

enum cnull_irqmode {
	CNULL_IRQ_NONE = 0,	/* complete in queue_rq */
	CNULL_IRQ_SOFT = 1,	/* complete in the block softirq */
	CNULL_IRQ_TIMER = 2,	/* complete from an hrtimer after completion_nsec */
};

#define CNULL_MAX_SIZE_MIB	(16ULL << 20)		/* 16 TiB */
#define CNULL_MAX_QUEUE_DEPTH	4096
#define CNULL_MAX_COMPLETION_NS	(10ULL * NSEC_PER_SEC)
#define CNULL_PAGE_SECTORS	(PAGE_SIZE >> SECTOR_SHIFT)

/* One device: a configfs directory, and while powered a disk. */
struct cnull_dev {
	struct config_group group;
	struct mutex lock;	/* configuration and power transitions */
	int index;

	/* configuration: fixed while powered */
	unsigned int block_size;
	bool rotational;
	u64 size_mib;
	unsigned int irqmode;
	u64 completion_nsec;
	bool memory_backed;
	unsigned int hw_queue_depth;
	unsigned int submit_queues;

	/* powered state */
	bool powered;
	struct blk_mq_tag_set tag_set;
	struct gendisk *disk;
	struct xarray pages;	/* memory backing: page index -> page */
};

/* Per request: the hrtimer of irqmode 2 and the outcome to report. */
struct cnull_cmd {
	struct hrtimer timer;
	blk_status_t status;
};

static DEFINE_IDA(cnull_indexes);

/* ---- The block driver ------------------------------------------------ */

/*
 * Memory backing. Pages appear on first write and go at power-off or on a
 * discard; a read of a page never written returns zeroes. The xarray's own
 * lock serialises a device's I/O against its discards.
 */

/*
 * The backing page at @idx for a write, with the xarray locked: allocated
 * if missing. Returns with the lock held, or unlocked and NULL when there is
 * no memory for it. The queue of a memory-backed device is blocking
 * (BLK_MQ_F_BLOCKING), so the page is allocated with the lock dropped and
 * may sleep; GFP_NOIO keeps reclaim from writing to block devices (this one
 * among them), __GFP_NORETRY makes a device bigger than memory fail a write
 * instead of calling the OOM killer.
 */
static struct page *cnull_page_for_write(struct cnull_dev *dev, pgoff_t idx)
{
	const gfp_t gfp = GFP_NOIO | __GFP_NORETRY | __GFP_NOWARN;
	struct page *page = xa_load(&dev->pages, idx), *new;

	if (page)
		return page;
	/*
	 * The store is never reclaimed: given all that reclaim frees, it
	 * evicts the page cache down to the programs' text and the system
	 * dies of OOM with no task left to kill (seen with a device twice the
	 * guest's memory). Leave 1/16 of RAM available to everything else.
	 */
	if (si_mem_available() < (long)(totalram_pages() / 16)) {
		xa_unlock(&dev->pages);
		return NULL;
	}
	xa_unlock(&dev->pages);
	new = alloc_page(gfp | __GFP_ZERO);
	xa_lock(&dev->pages);
	/* Another writer may have stored one meanwhile: use it. */
	page = xa_load(&dev->pages, idx);
	if (page || !new) {
		if (new)
			__free_page(new);
		if (!page)
			xa_unlock(&dev->pages);
		return page;
	}
	/* May drop and retake the lock to allocate a node: new is not seen. */
	if (xa_is_err(__xa_store(&dev->pages, idx, new, gfp))) {
		xa_unlock(&dev->pages);
		__free_page(new);
		return NULL;
	}
	return new;
}

static int cnull_copy_segment(struct cnull_dev *dev, struct bio_vec *bv,
			      sector_t sector, bool write)
{
	unsigned int done = 0;

	while (done < bv->bv_len) {
		pgoff_t idx = sector >> (PAGE_SHIFT - SECTOR_SHIFT);
		unsigned int off = (sector & (CNULL_PAGE_SECTORS - 1)) << SECTOR_SHIFT;
		unsigned int len = min(bv->bv_len - done, (unsigned int)PAGE_SIZE - off);
		struct page *page;

		xa_lock(&dev->pages);
		if (write) {
			page = cnull_page_for_write(dev, idx);
			if (!page)
				return -ENOMEM;
		} else {
			page = xa_load(&dev->pages, idx);
		}
		if (write)
			memcpy_from_page(page_address(page) + off, bv->bv_page,
					 bv->bv_offset + done, len);
		else if (page)
			memcpy_to_page(bv->bv_page, bv->bv_offset + done,
				       page_address(page) + off, len);
		else
			memzero_page(bv->bv_page, bv->bv_offset + done, len);
		xa_unlock(&dev->pages);

		done += len;
		sector += len >> SECTOR_SHIFT;
	}
	return 0;
}

/* Zero bytes [@from, @to) of the page at @idx, if it exists; xarray locked. */
static void cnull_zero_part(struct cnull_dev *dev, pgoff_t idx,
			    unsigned int from, unsigned int to)
{
	struct page *page = xa_load(&dev->pages, idx);

	if (page)
		memzero_page(page, from, to - from);
}

/*
 * Discard and write-zeroes: zero the partial pages at the ends, drop the
 * whole pages between. Only pages that exist are visited, so the work is
 * bounded by the memory in use, not by the size of the range (a whole
 * discard of a large sparse device is a few steps); the lock is dropped
 * when the CPU is wanted (the queue is blocking: it may sleep).
 */
static void cnull_discard(struct cnull_dev *dev, sector_t sector, u32 nr)
{
	u64 start = (u64)sector << SECTOR_SHIFT;
	u64 end = start + ((u64)nr << SECTOR_SHIFT);
	pgoff_t first = start >> PAGE_SHIFT, last = (end - 1) >> PAGE_SHIFT;
	unsigned int head = offset_in_page(start), tail = offset_in_page(end);
	struct page *page;
	unsigned long idx;

	if (!nr)
		return;
	xa_lock(&dev->pages);
	if (first == last && (head || tail)) {
		cnull_zero_part(dev, first, head, tail ?: PAGE_SIZE);
		goto out;
	}
	if (head)
		cnull_zero_part(dev, first++, head, PAGE_SIZE);
	if (tail)
		cnull_zero_part(dev, last--, 0, tail);
	xa_for_each_range(&dev->pages, idx, page, first, last) {
		__xa_erase(&dev->pages, idx);
		__free_page(page);
		if (need_resched()) {
			xa_unlock(&dev->pages);
			cond_resched();
			xa_lock(&dev->pages);
		}
	}
out:
	xa_unlock(&dev->pages);
}

static void cnull_free_pages(struct cnull_dev *dev)
{
	struct page *page;
	unsigned long idx;

	xa_for_each(&dev->pages, idx, page)
		__free_page(page);
	xa_destroy(&dev->pages);
}

static blk_status_t cnull_handle_rq(struct cnull_dev *dev, struct request *rq)
{
	sector_t sector = blk_rq_pos(rq);
	struct req_iterator iter;
	struct bio_vec bv;

	/* The block layer checks bounds too; a driver does not trust that. */
	if (sector + blk_rq_sectors(rq) > get_capacity(dev->disk))
		return BLK_STS_IOERR;
	if (!dev->memory_backed)
		return BLK_STS_OK;

	switch (req_op(rq)) {
	case REQ_OP_READ:
	case REQ_OP_WRITE:
		rq_for_each_segment(bv, rq, iter) {
			/* No memory for the store: the writer sees ENOSPC. */
			if (cnull_copy_segment(dev, &bv, sector,
					       req_op(rq) == REQ_OP_WRITE))
				return BLK_STS_NOSPC;
			sector += bv.bv_len >> SECTOR_SHIFT;
		}
		return BLK_STS_OK;
	case REQ_OP_DISCARD:
	case REQ_OP_WRITE_ZEROES:
		cnull_discard(dev, sector, blk_rq_sectors(rq));
		return BLK_STS_OK;
	case REQ_OP_FLUSH:
		return BLK_STS_OK;
	default:
		return BLK_STS_NOTSUPP;
	}
}

static enum hrtimer_restart cnull_timer_expired(struct hrtimer *timer)
{
	struct cnull_cmd *cmd = container_of(timer, struct cnull_cmd, timer);

	blk_mq_end_request(blk_mq_rq_from_pdu(cmd), cmd->status);
	return HRTIMER_NORESTART;
}

static int cnull_init_request(struct blk_mq_tag_set *set, struct request *rq,
			      unsigned int hctx_idx, int numa_node)
{
	struct cnull_cmd *cmd = blk_mq_rq_to_pdu(rq);

	hrtimer_setup(&cmd->timer, cnull_timer_expired, CLOCK_MONOTONIC,
		      HRTIMER_MODE_REL);
	return 0;
}

/*
 * Before the tag set frees the request (power off, after del_gendisk() has
 * waited for every request to end): an irqmode 2 timer callback that ended
 * the request may still be returning. Wait for it, or the request's memory
 * and, at unload, the module's code could go while it runs.
 */
static void cnull_exit_request(struct blk_mq_tag_set *set, struct request *rq,
			       unsigned int hctx_idx)
{
	struct cnull_cmd *cmd = blk_mq_rq_to_pdu(rq);

	hrtimer_cancel(&cmd->timer);
}

static blk_status_t cnull_queue_rq(struct blk_mq_hw_ctx *hctx,
				   const struct blk_mq_queue_data *bd)
{
	struct cnull_dev *dev = hctx->queue->queuedata;
	struct request *rq = bd->rq;
	struct cnull_cmd *cmd = blk_mq_rq_to_pdu(rq);

	blk_mq_start_request(rq);
	cmd->status = cnull_handle_rq(dev, rq);
	switch (dev->irqmode) {
	case CNULL_IRQ_SOFT:
		blk_mq_complete_request(rq);
		break;
	case CNULL_IRQ_TIMER:
		hrtimer_start(&cmd->timer, ns_to_ktime(dev->completion_nsec),
			      HRTIMER_MODE_REL);
		break;
	default:
		blk_mq_end_request(rq, cmd->status);
		break;
	}
	return BLK_STS_OK;
}

/* irqmode 1: blk_mq_complete_request() lands here, in softirq context. */
static void cnull_complete(struct request *rq)
{
	struct cnull_cmd *cmd = blk_mq_rq_to_pdu(rq);

	blk_mq_end_request(rq, cmd->status);
}

static const struct blk_mq_ops cnull_mq_ops = {
	.queue_rq = cnull_queue_rq,
	.complete = cnull_complete,
	.init_request = cnull_init_request,
	.exit_request = cnull_exit_request,
};

static const struct block_device_operations cnull_fops = {
	.owner = THIS_MODULE,
};

/* Probe: tag set, then disk, then make it visible. Called with dev->lock. */
static int cnull_power_on(struct cnull_dev *dev)
{
	struct queue_limits lim = {
		.logical_block_size = dev->block_size,
		.physical_block_size = dev->block_size,
	};
	struct blk_mq_tag_set *set = &dev->tag_set;
	int ret;

	if (dev->rotational)
		lim.features |= BLK_FEAT_ROTATIONAL;
	if (dev->memory_backed) {
		lim.max_hw_discard_sectors = UINT_MAX >> SECTOR_SHIFT;
		lim.max_write_zeroes_sectors = UINT_MAX >> SECTOR_SHIFT;
	}

	memset(set, 0, sizeof(*set));
	set->ops = &cnull_mq_ops;
	set->nr_hw_queues = dev->submit_queues;
	set->queue_depth = dev->hw_queue_depth;
	set->numa_node = NUMA_NO_NODE;
	set->cmd_size = sizeof(struct cnull_cmd);
	set->nr_maps = 1;
	/* Backing pages are allocated in queue_rq, which may then sleep. */
	if (dev->memory_backed)
		set->flags |= BLK_MQ_F_BLOCKING;
	ret = blk_mq_alloc_tag_set(set);
	if (ret)
		return ret;

	dev->disk = blk_mq_alloc_disk(set, &lim, dev);
	if (IS_ERR(dev->disk)) {
		ret = PTR_ERR(dev->disk);
		goto err_free_tag_set;
	}
	xa_init(&dev->pages);
	/* No major: add_disk() picks a dynamic dev_t, as rnull's does. */
	dev->disk->fops = &cnull_fops;
	dev->disk->private_data = dev;
	strscpy(dev->disk->disk_name, config_item_name(&dev->group.cg_item));
	set_capacity(dev->disk, dev->size_mib << (20 - SECTOR_SHIFT));

	ret = add_disk(dev->disk);
	if (ret)
		goto err_put_disk;
	dev->powered = true;
	return 0;

err_put_disk:
	put_disk(dev->disk);
err_free_tag_set:
	blk_mq_free_tag_set(set);
	dev->disk = NULL;
	return ret;
}

/* Cleanup, in reverse. del_gendisk() waits for the I/O in flight. */
static void cnull_power_off(struct cnull_dev *dev)
{
	del_gendisk(dev->disk);
	put_disk(dev->disk);
	blk_mq_free_tag_set(&dev->tag_set);
	cnull_free_pages(dev);
	dev->disk = NULL;
	dev->powered = false;
}

/* ---- The configfs front end ------------------------------------------ */

static struct cnull_dev *to_cnull_dev(struct config_item *item)
{
	return container_of(to_config_group(item), struct cnull_dev, group);
}

/* Parse a number in [min, max]; anything else is -EINVAL. */
static int cnull_parse(const char *page, u64 min, u64 max, u64 *val)
{
	if (kstrtou64(page, 0, val) || *val < min || *val > max)
		return -EINVAL;
	return 0;
}

/* 512..4096 and a power of two: a page holds whole blocks. */
static int cnull_parse_blocksize(const char *page, u64 *val)
{
	if (cnull_parse(page, SECTOR_SIZE, SZ_4K, val) || !is_power_of_2(*val))
		return -EINVAL;
	return 0;
}

static int cnull_parse_bool(const char *page, u64 *val)
{
	bool b;

	if (kstrtobool(page, &b))
		return -EINVAL;
	*val = b;
	return 0;
}

/*
 * Every store but power's: parse first, then take the lock and refuse
 * while powered, so a bad value or a busy device leaves the attribute as
 * it was. Returns with dev->lock held on success.
 */
static int cnull_lock_unpowered(struct cnull_dev *dev, int parsed)
{
	if (parsed)
		return parsed;
	mutex_lock(&dev->lock);
	if (dev->powered) {
		mutex_unlock(&dev->lock);
		return -EBUSY;
	}
	return 0;
}

static ssize_t cnull_power_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%d\n", to_cnull_dev(item)->powered);
}

static ssize_t cnull_power_store(struct config_item *item, const char *page,
				 size_t count)
{
	struct cnull_dev *dev = to_cnull_dev(item);
	bool power;
	int ret = 0;

	if (kstrtobool(page, &power))
		return -EINVAL;

	mutex_lock(&dev->lock);
	if (power && !dev->powered)
		ret = cnull_power_on(dev);
	else if (!power && dev->powered)
		cnull_power_off(dev);
	mutex_unlock(&dev->lock);
	return ret ? ret : count;
}

static ssize_t cnull_blocksize_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%u\n", to_cnull_dev(item)->block_size);
}

static ssize_t cnull_blocksize_store(struct config_item *item, const char *page,
				     size_t count)
{
	struct cnull_dev *dev = to_cnull_dev(item);
	u64 val;
	int ret;

	ret = cnull_lock_unpowered(dev, cnull_parse_blocksize(page, &val));
	if (ret)
		return ret;
	dev->block_size = val;
	mutex_unlock(&dev->lock);
	return count;
}

static ssize_t cnull_rotational_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%d\n", to_cnull_dev(item)->rotational);
}

static ssize_t cnull_rotational_store(struct config_item *item, const char *page,
				      size_t count)
{
	struct cnull_dev *dev = to_cnull_dev(item);
	u64 val;
	int ret;

	ret = cnull_lock_unpowered(dev, cnull_parse_bool(page, &val));
	if (ret)
		return ret;
	dev->rotational = val;
	mutex_unlock(&dev->lock);
	return count;
}

static ssize_t cnull_size_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%llu\n", to_cnull_dev(item)->size_mib);
}

static ssize_t cnull_size_store(struct config_item *item, const char *page,
				size_t count)
{
	struct cnull_dev *dev = to_cnull_dev(item);
	u64 val;
	int ret;

	ret = cnull_lock_unpowered(dev, cnull_parse(page, 1, CNULL_MAX_SIZE_MIB, &val));
	if (ret)
		return ret;
	dev->size_mib = val;
	mutex_unlock(&dev->lock);
	return count;
}

static ssize_t cnull_irqmode_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%u\n", to_cnull_dev(item)->irqmode);
}

static ssize_t cnull_irqmode_store(struct config_item *item, const char *page,
				   size_t count)
{
	struct cnull_dev *dev = to_cnull_dev(item);
	u64 val;
	int ret;

	ret = cnull_lock_unpowered(dev, cnull_parse(page, CNULL_IRQ_NONE, CNULL_IRQ_TIMER, &val));
	if (ret)
		return ret;
	dev->irqmode = val;
	mutex_unlock(&dev->lock);
	return count;
}

static ssize_t cnull_completion_nsec_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%llu\n", to_cnull_dev(item)->completion_nsec);
}

static ssize_t cnull_completion_nsec_store(struct config_item *item, const char *page,
					   size_t count)
{
	struct cnull_dev *dev = to_cnull_dev(item);
	u64 val;
	int ret;

	ret = cnull_lock_unpowered(dev, cnull_parse(page, 0, CNULL_MAX_COMPLETION_NS, &val));
	if (ret)
		return ret;
	dev->completion_nsec = val;
	mutex_unlock(&dev->lock);
	return count;
}

static ssize_t cnull_memory_backed_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%d\n", to_cnull_dev(item)->memory_backed);
}

static ssize_t cnull_memory_backed_store(struct config_item *item, const char *page,
					 size_t count)
{
	struct cnull_dev *dev = to_cnull_dev(item);
	u64 val;
	int ret;

	ret = cnull_lock_unpowered(dev, cnull_parse_bool(page, &val));
	if (ret)
		return ret;
	dev->memory_backed = val;
	mutex_unlock(&dev->lock);
	return count;
}

static ssize_t cnull_hw_queue_depth_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%u\n", to_cnull_dev(item)->hw_queue_depth);
}

static ssize_t cnull_hw_queue_depth_store(struct config_item *item, const char *page,
					  size_t count)
{
	struct cnull_dev *dev = to_cnull_dev(item);
	u64 val;
	int ret;

	ret = cnull_lock_unpowered(dev, cnull_parse(page, 1, CNULL_MAX_QUEUE_DEPTH, &val));
	if (ret)
		return ret;
	dev->hw_queue_depth = val;
	mutex_unlock(&dev->lock);
	return count;
}

static ssize_t cnull_submit_queues_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%u\n", to_cnull_dev(item)->submit_queues);
}

static ssize_t cnull_submit_queues_store(struct config_item *item, const char *page,
					 size_t count)
{
	struct cnull_dev *dev = to_cnull_dev(item);
	u64 val;
	int ret;

	ret = cnull_lock_unpowered(dev, cnull_parse(page, 1, nr_cpu_ids, &val));
	if (ret)
		return ret;
	dev->submit_queues = val;
	mutex_unlock(&dev->lock);
	return count;
}

static ssize_t cnull_index_show(struct config_item *item, char *page)
{
	return sysfs_emit(page, "%d\n", to_cnull_dev(item)->index);
}

CONFIGFS_ATTR(cnull_, power);
CONFIGFS_ATTR(cnull_, blocksize);
CONFIGFS_ATTR(cnull_, rotational);
CONFIGFS_ATTR(cnull_, size);
CONFIGFS_ATTR(cnull_, irqmode);
CONFIGFS_ATTR(cnull_, completion_nsec);
CONFIGFS_ATTR(cnull_, memory_backed);
CONFIGFS_ATTR(cnull_, hw_queue_depth);
CONFIGFS_ATTR(cnull_, submit_queues);
CONFIGFS_ATTR_RO(cnull_, index);

static struct configfs_attribute *cnull_dev_attrs[] = {
	&cnull_attr_power,
	&cnull_attr_blocksize,
	&cnull_attr_rotational,
	&cnull_attr_size,
	&cnull_attr_irqmode,
	&cnull_attr_completion_nsec,
	&cnull_attr_memory_backed,
	&cnull_attr_hw_queue_depth,
	&cnull_attr_submit_queues,
	&cnull_attr_index,
	NULL,
};

static void cnull_dev_release(struct config_item *item)
{
	struct cnull_dev *dev = to_cnull_dev(item);

	ida_free(&cnull_indexes, dev->index);
	kfree(dev);
}

static const struct configfs_item_operations cnull_dev_ops = {
	.release = cnull_dev_release,
};

static const struct config_item_type cnull_dev_type = {
	.ct_item_ops = &cnull_dev_ops,
	.ct_attrs = cnull_dev_attrs,
	.ct_owner = THIS_MODULE,
};

/* mkdir: a device with rnull's defaults, powered off. */
static struct config_group *cnull_make_group(struct config_group *group,
					     const char *name)
{
	struct cnull_dev *dev;
	int index;

	/* The directory name becomes the disk name. */
	if (strlen(name) >= DISK_NAME_LEN)
		return ERR_PTR(-ENAMETOOLONG);

	dev = kzalloc_obj(*dev);
	if (!dev)
		return ERR_PTR(-ENOMEM);
	index = ida_alloc(&cnull_indexes, GFP_KERNEL);
	if (index < 0) {
		kfree(dev);
		return ERR_PTR(index);
	}

	mutex_init(&dev->lock);
	dev->index = index;
	dev->block_size = SZ_4K;
	dev->size_mib = 4096;
	dev->irqmode = CNULL_IRQ_NONE;
	dev->completion_nsec = 10 * NSEC_PER_USEC;
	dev->hw_queue_depth = 256;
	dev->submit_queues = 1;
	config_group_init_type_name(&dev->group, name, &cnull_dev_type);
	return &dev->group;
}

/* rmdir: a powered device is powered off first; release frees it. */
static void cnull_drop_item(struct config_group *group,
			    struct config_item *item)
{
	struct cnull_dev *dev = to_cnull_dev(item);

	mutex_lock(&dev->lock);
	if (dev->powered)
		cnull_power_off(dev);
	mutex_unlock(&dev->lock);
	config_item_put(item);
}

static ssize_t cnull_features_show(struct config_item *item, char *page)
{
	/* rnull's four first, in its order, then what cnull adds. */
	return sysfs_emit(page, "%s,%s\n", "blocksize,size,rotational,irqmode",
			  "completion_nsec,memory_backed,discard,hw_queue_depth,submit_queues,index");
}

CONFIGFS_ATTR_RO(cnull_, features);

static struct configfs_attribute *cnull_subsys_attrs[] = {
	&cnull_attr_features,
	NULL,
};

static const struct configfs_group_operations cnull_subsys_ops = {
	.make_group = cnull_make_group,
	.drop_item = cnull_drop_item,
};

static const struct config_item_type cnull_subsys_type = {
	.ct_group_ops = &cnull_subsys_ops,
	.ct_attrs = cnull_subsys_attrs,
	.ct_owner = THIS_MODULE,
};

static struct configfs_subsystem cnull_subsys = {
	.su_group = {
		.cg_item = {
			.ci_namebuf = "cnull",
			.ci_type = &cnull_subsys_type,
		},
	},
	.su_mutex = __MUTEX_INITIALIZER(cnull_subsys.su_mutex),
};

static int __init cnull_init(void)
{
	config_group_init(&cnull_subsys.su_group);
	return configfs_register_subsystem(&cnull_subsys);
}

/*
 * Every device directory pins the module (ct_owner), so none is left here:
 * as for rnull and null_blk, devices go with rmdir, then the module.
 */
static void __exit cnull_exit(void)
{
	configfs_unregister_subsystem(&cnull_subsys);
	ida_destroy(&cnull_indexes);
}

module_init(cnull_init);
module_exit(cnull_exit);

MODULE_DESCRIPTION("Null block device in C, mirrored against rnull");
MODULE_AUTHOR("rfl-drivers");
MODULE_LICENSE("GPL");
