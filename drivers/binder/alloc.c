// SPDX-License-Identifier: GPL-2.0
/*
 * cbinder receive buffers: each process mmaps up to 4 MiB of the device,
 * read-only. A transaction to it is copied once, from the sender's memory
 * into a buffer of that region, and the receiver reads it in place.
 *
 *   mapping   [ used | free        | used | free                  ]
 *   buffers    b0      b1            b2     b3      (address order)
 *   used tree  b0, b2                               (by address)
 *   free tree  b1, b3                               (by size: best fit)
 *   pages      allocated while a used buffer covers them, then freed
 *
 * A buffer's size is the distance to the next buffer. Allocating splits
 * the smallest free buffer that fits; freeing merges a buffer with its free
 * neighbours. Pages are put into the receiver's page tables with
 * vm_insert_page() when a buffer needs them and zapped when the last
 * buffer on them goes, so user space never faults a page in itself: a
 * touch outside a live buffer is SIGBUS.
 *
 * Everything but cb_alloc_mmap() runs under the device mutex.
 * Mainline: drivers/android/binder_alloc.c; Rust: page_range.rs and
 * range_alloc/ in drivers/android/binder/.
 */
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "cbinder.h"

#define CB_ALIGN	sizeof(u64)	/* data and offsets start 8-aligned */

void cb_alloc_init(struct cb_alloc *alloc)
{
	spin_lock_init(&alloc->map_lock);
	INIT_LIST_HEAD(&alloc->buffers);
	alloc->used = RB_ROOT;
	alloc->free = RB_ROOT;
}

static size_t cb_buffer_size(struct cb_alloc *alloc, struct cb_buffer *buffer)
{
	if (list_is_last(&buffer->entry, &alloc->buffers))
		return alloc->size - buffer->offset;
	return list_next_entry(buffer, entry)->offset - buffer->offset;
}

/*
 * A free buffer goes into alloc->free by its size. The size of one there
 * never changes: its next buffer is a used one (free neighbours merge),
 * and merging takes it out first.
 */
static void cb_free_insert(struct cb_alloc *alloc, struct cb_buffer *buffer)
{
	struct rb_node **p = &alloc->free.rb_node, *parent = NULL;
	size_t size = cb_buffer_size(alloc, buffer);
	struct cb_buffer *b;

	while (*p) {
		parent = *p;
		b = rb_entry(parent, struct cb_buffer, rb_node);
		p = size < cb_buffer_size(alloc, b) ? &parent->rb_left :
						      &parent->rb_right;
	}
	rb_link_node(&buffer->rb_node, parent, p);
	rb_insert_color(&buffer->rb_node, &alloc->free);
}

/* A used buffer goes into alloc->used by its address. */
static void cb_used_insert(struct cb_alloc *alloc, struct cb_buffer *buffer)
{
	struct rb_node **p = &alloc->used.rb_node, *parent = NULL;
	struct cb_buffer *b;

	while (*p) {
		parent = *p;
		b = rb_entry(parent, struct cb_buffer, rb_node);
		p = buffer->offset < b->offset ? &parent->rb_left :
						 &parent->rb_right;
	}
	rb_link_node(&buffer->rb_node, parent, p);
	rb_insert_color(&buffer->rb_node, &alloc->used);
}

/* The smallest free buffer of at least @size bytes (best fit), or NULL. */
static struct cb_buffer *cb_free_find(struct cb_alloc *alloc, size_t size)
{
	struct rb_node *n = alloc->free.rb_node;
	struct cb_buffer *b, *best = NULL;

	while (n) {
		b = rb_entry(n, struct cb_buffer, rb_node);
		if (cb_buffer_size(alloc, b) >= size) {
			best = b;
			n = n->rb_left;
		} else {
			n = n->rb_right;
		}
	}
	return best;
}

static vm_fault_t cb_vm_fault(struct vm_fault *vmf)
{
	/* Pages come from the driver only; anything else is a bad access. */
	return VM_FAULT_SIGBUS;
}

static const struct vm_operations_struct cb_vm_ops = {
	.fault = cb_vm_fault,
};

int cb_alloc_mmap(struct cb_alloc *alloc, struct vm_area_struct *vma)
{
	size_t size = min_t(size_t, vma->vm_end - vma->vm_start, CB_MAX_MAP);
	struct cb_buffer *buffer;
	struct cb_page *pages;

	/* The receiver reads its buffers; only the driver writes them. */
	if (vma->vm_flags & VM_WRITE)
		return -EPERM;
	vm_flags_mod(vma, VM_DONTCOPY | VM_DONTEXPAND | VM_MIXEDMAP,
		     VM_MAYWRITE);
	vma->vm_ops = &cb_vm_ops;
	vma->vm_private_data = alloc;

	pages = kvcalloc(size / PAGE_SIZE, sizeof(*pages), GFP_KERNEL);
	buffer = kzalloc_obj(*buffer);
	if (!pages || !buffer)
		goto err_free;

	spin_lock(&alloc->map_lock);
	if (alloc->mm) {
		spin_unlock(&alloc->map_lock);
		kvfree(pages);
		kfree(buffer);
		return -EBUSY;
	}
	alloc->mm = vma->vm_mm;
	spin_unlock(&alloc->map_lock);

	mmgrab(alloc->mm);
	alloc->start = vma->vm_start;
	alloc->size = size;
	alloc->pages = pages;
	alloc->free_async = size / 2;
	buffer->free = true;
	list_add(&buffer->entry, &alloc->buffers);
	cb_free_insert(alloc, buffer);
	/* Publish: the transaction path looks at nothing before this. */
	smp_store_release(&alloc->mapped, true);
	return 0;

err_free:
	kvfree(pages);
	kfree(buffer);
	return -ENOMEM;
}

/* The receiver's VMA at @addr if it is still our mapping, mmap lock held. */
static struct vm_area_struct *cb_alloc_vma(struct cb_alloc *alloc,
					   unsigned long addr)
{
	struct vm_area_struct *vma = vma_lookup(alloc->mm, addr);

	if (!vma || vma->vm_ops != &cb_vm_ops ||
	    vma->vm_private_data != alloc)
		return NULL;
	return vma;
}

/* Drop one use of pages [@first, @last]; free and unmap the unused. */
static void cb_alloc_put_pages(struct cb_alloc *alloc, size_t first,
			       size_t last)
{
	struct mm_struct *mm = alloc->mm;
	bool have_mm = mmget_not_zero(mm);
	struct vm_area_struct *vma;
	size_t i;

	if (have_mm)
		mmap_read_lock(mm);
	for (i = first; i <= last; i++) {
		struct cb_page *p = &alloc->pages[i];
		unsigned long addr = alloc->start + i * PAGE_SIZE;

		if (--p->users)
			continue;
		/* No mm, no page tables left to clean. */
		vma = have_mm ? cb_alloc_vma(alloc, addr) : NULL;
		if (vma)
			zap_special_vma_range(vma, addr, PAGE_SIZE);
		__free_page(p->page);
		p->page = NULL;
	}
	if (have_mm) {
		mmap_read_unlock(mm);
		mmput_async(mm);
	}
}

/* Take one use of pages [@first, @last], allocating and mapping the new. */
static int cb_alloc_get_pages(struct cb_alloc *alloc, size_t first,
			      size_t last)
{
	struct mm_struct *mm = alloc->mm;
	struct vm_area_struct *vma;
	int ret = 0;
	size_t i;

	/* The receiver is exiting when its mm has no users left. */
	if (!mmget_not_zero(mm))
		return -ESRCH;
	mmap_read_lock(mm);
	for (i = first; i <= last; i++) {
		struct cb_page *p = &alloc->pages[i];
		unsigned long addr = alloc->start + i * PAGE_SIZE;

		if (p->users) {
			p->users++;
			continue;
		}
		vma = cb_alloc_vma(alloc, addr);
		if (!vma) {
			ret = -ESRCH;
			break;
		}
		p->page = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!p->page) {
			ret = -ENOMEM;
			break;
		}
		ret = vm_insert_page(vma, addr, p->page);
		if (ret) {
			__free_page(p->page);
			p->page = NULL;
			break;
		}
		p->users = 1;
	}
	mmap_read_unlock(mm);
	mmput_async(mm);
	if (ret && i > first)
		cb_alloc_put_pages(alloc, first, i - 1);
	return ret;
}

/**
 * cb_alloc_new_buf() - allocate a buffer for a transaction to this process
 * @alloc: the receiver's allocator
 * @data_size: bytes of data
 * @offsets_size: bytes of object offsets, after the data
 * @async: a one-way transaction, limited to half of the mapping
 *
 * Return: the buffer, or ERR_PTR(-ESRCH) if the receiver has no mapping
 * (or is exiting), -ENOSPC if no free buffer is large enough, -ENOMEM.
 */
struct cb_buffer *cb_alloc_new_buf(struct cb_alloc *alloc, size_t data_size,
				   size_t offsets_size, bool async)
{
	struct cb_buffer *buffer, *rest = NULL;
	size_t size;
	int ret;

	/* Pairs with the release in cb_alloc_mmap(): all fields are set. */
	if (!smp_load_acquire(&alloc->mapped))
		return ERR_PTR(-ESRCH);
	if (data_size > alloc->size || offsets_size > alloc->size)
		return ERR_PTR(-ENOSPC);
	/* Every buffer gets its own address, even an empty one. */
	size = max(ALIGN(data_size, CB_ALIGN) + ALIGN(offsets_size, CB_ALIGN),
		   CB_ALIGN);
	if (async && size > alloc->free_async)
		return ERR_PTR(-ENOSPC);

	buffer = cb_free_find(alloc, size);
	if (!buffer)
		return ERR_PTR(-ENOSPC);
	if (cb_buffer_size(alloc, buffer) > size) {
		rest = kzalloc_obj(*rest);
		if (!rest)
			return ERR_PTR(-ENOMEM);
	}
	ret = cb_alloc_get_pages(alloc, buffer->offset >> PAGE_SHIFT,
				 (buffer->offset + size - 1) >> PAGE_SHIFT);
	if (ret) {
		kfree(rest);
		return ERR_PTR(ret);
	}
	rb_erase(&buffer->rb_node, &alloc->free);
	if (rest) {
		rest->offset = buffer->offset + size;
		rest->free = true;
		list_add(&rest->entry, &buffer->entry);
		cb_free_insert(alloc, rest);
	}
	cb_used_insert(alloc, buffer);
	buffer->free = false;
	buffer->user_owned = false;
	buffer->async = async;
	buffer->data_size = data_size;
	buffer->offsets_size = offsets_size;
	buffer->t = NULL;
	buffer->async_node = NULL;
	INIT_LIST_HEAD(&buffer->fds);
	if (async)
		alloc->free_async -= size;
	return buffer;
}

/* Free @next goes: the free buffer right before it grows over it. */
static void cb_alloc_merge(struct cb_alloc *alloc, struct cb_buffer *next)
{
	rb_erase(&next->rb_node, &alloc->free);
	list_del(&next->entry);
	kfree(next);
}

void cb_alloc_free_buf(struct cb_alloc *alloc, struct cb_buffer *buffer)
{
	size_t size = cb_buffer_size(alloc, buffer);
	size_t used = max(ALIGN(buffer->data_size, CB_ALIGN) +
			  ALIGN(buffer->offsets_size, CB_ALIGN), CB_ALIGN);
	struct cb_buffer *prev, *next;

	if (buffer->async)
		alloc->free_async += used;
	/* The pages this buffer used, not the slack it may have had. */
	cb_alloc_put_pages(alloc, buffer->offset >> PAGE_SHIFT,
			   (buffer->offset + min(used, size) - 1) >> PAGE_SHIFT);
	rb_erase(&buffer->rb_node, &alloc->used);
	buffer->free = true;
	if (!list_is_last(&buffer->entry, &alloc->buffers)) {
		next = list_next_entry(buffer, entry);
		if (next->free)
			cb_alloc_merge(alloc, next);
	}
	if (!list_is_first(&buffer->entry, &alloc->buffers)) {
		prev = list_prev_entry(buffer, entry);
		if (prev->free) {
			/* It grows: out of the tree, back in by its new size. */
			rb_erase(&prev->rb_node, &alloc->free);
			list_del(&buffer->entry);
			kfree(buffer);
			buffer = prev;
		}
	}
	cb_free_insert(alloc, buffer);
}

binder_uintptr_t cb_alloc_user_ptr(struct cb_alloc *alloc,
				   struct cb_buffer *buffer)
{
	return alloc->start + buffer->offset;
}

/* The used buffer that starts at user address @user_ptr, or NULL. */
struct cb_buffer *cb_alloc_find_user(struct cb_alloc *alloc,
				     binder_uintptr_t user_ptr)
{
	struct rb_node *n = alloc->used.rb_node;
	struct cb_buffer *buffer;
	size_t offset;

	/* Pairs with the release in cb_alloc_mmap(). */
	if (!smp_load_acquire(&alloc->mapped) || user_ptr < alloc->start)
		return NULL;
	offset = user_ptr - alloc->start;
	while (n) {
		buffer = rb_entry(n, struct cb_buffer, rb_node);
		if (offset == buffer->offset)
			return buffer;
		n = offset < buffer->offset ? n->rb_left : n->rb_right;
	}
	return NULL;
}

/*
 * Copy to or from a buffer's pages, a page at a time: @fn gets the kernel
 * address of each piece. The caller keeps offset + bytes inside the buffer.
 */
static int cb_alloc_walk(struct cb_alloc *alloc, struct cb_buffer *buffer,
			 size_t offset, size_t bytes,
			 int (*fn)(void *kaddr, size_t done, size_t len,
				   void *arg), void *arg)
{
	size_t pos = buffer->offset + offset, done = 0;
	int ret = 0;

	while (done < bytes) {
		struct page *page = alloc->pages[pos >> PAGE_SHIFT].page;
		size_t in_page = offset_in_page(pos);
		size_t len = min(bytes - done, PAGE_SIZE - in_page);
		void *kaddr = kmap_local_page(page);

		ret = fn(kaddr + in_page, done, len, arg);
		kunmap_local(kaddr);
		if (ret)
			return ret;
		pos += len;
		done += len;
	}
	return 0;
}

static int cb_copy_in_user(void *kaddr, size_t done, size_t len, void *arg)
{
	const void __user *from = arg;

	return copy_from_user(kaddr, from + done, len) ? -EFAULT : 0;
}

int cb_alloc_copy_from_user(struct cb_alloc *alloc, struct cb_buffer *buffer,
			    size_t offset, const void __user *from,
			    size_t bytes)
{
	return cb_alloc_walk(alloc, buffer, offset, bytes, cb_copy_in_user,
			     (void __user *)from);
}

static int cb_copy_out(void *kaddr, size_t done, size_t len, void *arg)
{
	memcpy(arg + done, kaddr, len);
	return 0;
}

void cb_alloc_read(struct cb_alloc *alloc, struct cb_buffer *buffer,
		   size_t offset, void *to, size_t bytes)
{
	cb_alloc_walk(alloc, buffer, offset, bytes, cb_copy_out, to);
}

static int cb_copy_in(void *kaddr, size_t done, size_t len, void *arg)
{
	memcpy(kaddr, arg + done, len);
	return 0;
}

void cb_alloc_write(struct cb_alloc *alloc, struct cb_buffer *buffer,
		    size_t offset, const void *from, size_t bytes)
{
	cb_alloc_walk(alloc, buffer, offset, bytes, cb_copy_in, (void *)from);
}

/*
 * The process is gone: its mapping is too (a mapping holds the file), so
 * the pages are in no page table and are freed directly.
 */
void cb_alloc_release(struct cb_alloc *alloc)
{
	struct cb_buffer *buffer, *tmp;
	size_t i;

	list_for_each_entry_safe(buffer, tmp, &alloc->buffers, entry) {
		list_del(&buffer->entry);
		kfree(buffer);
	}
	if (alloc->pages) {
		for (i = 0; i < alloc->size / PAGE_SIZE; i++)
			if (alloc->pages[i].page)
				__free_page(alloc->pages[i].page);
		kvfree(alloc->pages);
	}
	if (alloc->mm)
		mmdrop(alloc->mm);
}
