// SPDX-License-Identifier: GPL-2.0
/*
 * cbinder work lists, nodes, refs and death notifications: who must read
 * what next, and the reference counts that decide when an object's owner
 * hears BR_INCREFS, BR_ACQUIRE, BR_RELEASE or BR_DECREFS. All under the
 * device mutex. core.c uses these to move transactions.
 */
#include <linux/sched.h>
#include <linux/slab.h>

#include "cbinder.h"

/* ---- work lists ---------------------------------------------------- */

/* Queue @w for @thread, waking it. */
void cb_enqueue_thread(struct cb_thread *thread, struct cb_work *w)
{
	list_add_tail(&w->entry, &thread->todo);
	thread->process_todo = true;
	wake_up_interruptible(&thread->wait);
}

/*
 * Queue @w for @thread without waking it: BR_TRANSACTION_COMPLETE of a
 * sync transaction goes out together with the reply, in one read.
 */
void cb_enqueue_thread_deferred(struct cb_thread *thread,
				struct cb_work *w)
{
	list_add_tail(&w->entry, &thread->todo);
}

/* Queue @w for any looper thread of @proc. */
void cb_enqueue_proc(struct cb_proc *proc, struct cb_work *w)
{
	list_add_tail(&w->entry, &proc->todo);
	cb_wakeup_proc(proc);
}

/* A thread whose own work goes first, or a looper with nothing to do? */
bool cb_wants_proc_work(struct cb_thread *thread)
{
	return !thread->stack &&
	       list_empty(&thread->todo) &&
	       (thread->looper & (CB_LOOPER_REGISTERED | CB_LOOPER_ENTERED));
}

bool cb_has_work(struct cb_thread *thread, bool proc_work)
{
	return (thread->process_todo && !list_empty(&thread->todo)) ||
	       (proc_work && !list_empty(&thread->proc->todo));
}

/*
 * Wake one looper sleeping for process work; false if none sleeps. Needs
 * only proc->waiting_lock: a looper killed on its way back to the device
 * lock passes its wakeup on with this.
 */
bool cb_wakeup_waiting(struct cb_proc *proc)
{
	struct cb_thread *thread;

	spin_lock(&proc->waiting_lock);
	thread = list_first_entry_or_null(&proc->waiting, struct cb_thread,
					  waiting_entry);
	if (thread) {
		list_del_init(&thread->waiting_entry);
		/* It is in its ioctl (not freed) until it took this lock. */
		wake_up_interruptible(&thread->wait);
	}
	spin_unlock(&proc->waiting_lock);
	return thread;
}

/* Wake one sleeping looper for process work, or else the pollers. */
void cb_wakeup_proc(struct cb_proc *proc)
{
	struct cb_thread *thread;
	struct rb_node *rb;

	if (cb_wakeup_waiting(proc))
		return;
	/* Every thread, as binder does: pollers are not on proc->waiting. */
	for (rb = rb_first(&proc->threads); rb; rb = rb_next(rb)) {
		thread = rb_entry(rb, struct cb_thread, rb_node);
		if ((thread->looper & CB_LOOPER_POLL) &&
		    cb_wants_proc_work(thread))
			wake_up_interruptible(&thread->wait);
	}
}

/*
 * Report @cmd (BR_DEAD_REPLY, BR_FAILED_REPLY, ...) to @thread in @err, its
 * error or reply_error.
 */
void cb_thread_error(struct cb_thread *thread, struct cb_error *err, u32 cmd)
{
	if (!list_empty(&err->work.entry))
		return;		/* the first error stands */
	err->cmd = cmd;
	cb_enqueue_thread(thread, &err->work);
}

/* Queue a death work for @thread if it loops, else for its process. */
void cb_enqueue_death(struct cb_thread *thread, struct cb_death *death)
{
	if (thread->looper & (CB_LOOPER_REGISTERED | CB_LOOPER_ENTERED))
		cb_enqueue_thread(thread, &death->work);
	else
		cb_enqueue_proc(thread->proc, &death->work);
}

/* ---- nodes --------------------------------------------------------- */

/* Where @ptr's node is in @proc->nodes, or would go (*@parent). */
static struct rb_node **cb_node_slot(struct cb_proc *proc,
				     binder_uintptr_t ptr,
				     struct rb_node **parent)
{
	struct rb_node **p = &proc->nodes.rb_node;
	struct cb_node *node;

	*parent = NULL;
	while (*p) {
		node = rb_entry(*p, struct cb_node, rb_node);
		if (ptr == node->ptr)
			break;
		*parent = *p;
		p = ptr < node->ptr ? &(*p)->rb_left : &(*p)->rb_right;
	}
	return p;
}

struct cb_node *cb_node_lookup(struct cb_proc *proc,
			       binder_uintptr_t ptr)
{
	struct rb_node *parent, **p = cb_node_slot(proc, ptr, &parent);

	return *p ? rb_entry(*p, struct cb_node, rb_node) : NULL;
}

/* A new node for @ptr, which @proc must not have yet; ERR_PTR on failure. */
struct cb_node *cb_node_new(struct cb_proc *proc, binder_uintptr_t ptr,
			    binder_uintptr_t cookie, u32 flags)
{
	struct rb_node *parent, **p = cb_node_slot(proc, ptr, &parent);
	struct cb_node *node;

	if (proc->nr_nodes >= cb_max_nodes)
		return ERR_PTR(-ENOSPC);
	node = kzalloc_obj(*node);
	if (!node)
		return ERR_PTR(-ENOMEM);
	proc->nr_nodes++;
	INIT_LIST_HEAD(&node->work.entry);
	node->work.type = CB_WORK_NODE;
	INIT_LIST_HEAD(&node->refs);
	INIT_LIST_HEAD(&node->async_todo);
	node->proc = proc;
	node->ptr = ptr;
	node->cookie = cookie;
	node->accept_fds = flags & FLAT_BINDER_FLAG_ACCEPTS_FDS;
	rb_link_node(&node->rb_node, parent, p);
	rb_insert_color(&node->rb_node, &proc->nodes);
	return node;
}

/* Should the owner hold a strong / a weak reference on its object? */
bool cb_node_strong(struct cb_node *node)
{
	return node->internal_strong || node->local_strong;
}

bool cb_node_weak(struct cb_node *node)
{
	return cb_node_strong(node) || !list_empty(&node->refs) ||
	       node->local_weak || node->tmp_refs;
}

/*
 * If what the owner was told (has_strong, has_weak) no longer matches what
 * it should hold, queue the node's work: reading it sends BR_INCREFS,
 * BR_ACQUIRE, BR_RELEASE or BR_DECREFS. @thread, when it belongs to the
 * owner, gets it directly (the sender of a new node learns of it first).
 */
void cb_node_queue(struct cb_node *node, struct cb_thread *thread)
{
	if (!node->proc || !list_empty(&node->work.entry))
		return;
	if (cb_node_strong(node) == node->has_strong &&
	    cb_node_weak(node) == node->has_weak)
		return;
	if (thread && thread->proc == node->proc)
		cb_enqueue_thread(thread, &node->work);
	else
		cb_enqueue_proc(node->proc, &node->work);
}

/* Free @node once nothing refers to it and its owner was told so. */
void cb_node_maybe_free(struct cb_node *node)
{
	if (!list_empty(&node->refs) || node->tmp_refs)
		return;
	if (node->proc) {
		if (node->has_strong || node->has_weak ||
		    cb_node_weak(node) || !list_empty(&node->work.entry))
			return;
		rb_erase(&node->rb_node, &node->proc->nodes);
		node->proc->nr_nodes--;
	}
	kfree(node);
}

void cb_node_inc(struct cb_node *node, bool strong,
		 struct cb_thread *thread)
{
	if (strong)
		node->local_strong++;
	else
		node->local_weak++;
	cb_node_queue(node, thread);
}

void cb_node_dec(struct cb_node *node, bool strong)
{
	if (strong)
		node->local_strong--;
	else
		node->local_weak--;
	cb_node_queue(node, NULL);
	cb_node_maybe_free(node);
}

void cb_node_tmp_put(struct cb_node *node)
{
	node->tmp_refs--;
	cb_node_queue(node, NULL);
	cb_node_maybe_free(node);
}

/* ---- refs (handles) ----------------------------------------------- */

struct cb_ref *cb_ref_lookup(struct cb_proc *proc, u32 desc)
{
	return xa_load(&proc->refs, desc);
}

/*
 * @proc's ref to @node, made with the lowest free handle if it has none;
 * ERR_PTR(-ENOSPC) past max_refs.
 */
struct cb_ref *cb_ref_get(struct cb_proc *proc, struct cb_node *node)
{
	struct rb_node **p = &proc->refs_by_node.rb_node, *parent = NULL;
	struct cb_ref *ref;
	u32 desc;

	while (*p) {
		ref = rb_entry(*p, struct cb_ref, rb_node);
		if (node == ref->node)
			return ref;
		parent = *p;
		p = node < ref->node ? &(*p)->rb_left : &(*p)->rb_right;
	}
	if (proc->nr_refs >= cb_max_refs)
		return ERR_PTR(-ENOSPC);
	ref = kzalloc_obj(*ref);
	if (!ref)
		return ERR_PTR(-ENOMEM);
	/* Handle 0 is the context manager; the rest count from 1. */
	if (xa_alloc(&proc->refs, &desc, ref,
		     XA_LIMIT(node == proc->ctx->mgr ? 0 : 1, U32_MAX),
		     GFP_KERNEL)) {
		kfree(ref);
		return ERR_PTR(-ENOMEM);
	}
	proc->nr_refs++;
	ref->desc = desc;
	ref->proc = proc;
	ref->node = node;
	rb_link_node(&ref->rb_node, parent, p);
	rb_insert_color(&ref->rb_node, &proc->refs_by_node);
	list_add_tail(&ref->node_entry, &node->refs);
	return ref;
}

void cb_ref_inc(struct cb_ref *ref, bool strong, struct cb_thread *thread)
{
	if (strong) {
		if (!ref->strong++)
			ref->node->internal_strong++;
	} else {
		ref->weak++;
	}
	cb_node_queue(ref->node, thread);
}

void cb_ref_delete(struct cb_ref *ref)
{
	struct cb_node *node = ref->node;

	if (ref->strong)
		node->internal_strong--;
	xa_erase(&ref->proc->refs, ref->desc);
	ref->proc->nr_refs--;
	rb_erase(&ref->rb_node, &ref->proc->refs_by_node);
	list_del(&ref->node_entry);
	if (ref->death) {
		list_del(&ref->death->work.entry);
		kfree(ref->death);
	}
	kfree(ref);
	cb_node_queue(node, NULL);
	cb_node_maybe_free(node);
}

/* Drop one count; the ref goes with its last one. -EINVAL if it had none. */
int cb_ref_dec(struct cb_ref *ref, bool strong)
{
	if (strong) {
		if (!ref->strong)
			return -EINVAL;
		if (!--ref->strong)
			ref->node->internal_strong--;
	} else {
		if (!ref->weak)
			return -EINVAL;
		ref->weak--;
	}
	if (!ref->strong && !ref->weak)
		cb_ref_delete(ref);
	else
		cb_node_queue(ref->node, NULL);
	return 0;
}

int cb_request_death(struct cb_thread *thread,
		     struct binder_handle_cookie *hc)
{
	struct cb_ref *ref = cb_ref_lookup(thread->proc, hc->handle);
	struct cb_death *death;

	if (!ref || ref->death)
		return -EINVAL;
	death = kzalloc_obj(*death);
	if (!death)
		return -ENOMEM;
	INIT_LIST_HEAD(&death->work.entry);
	death->work.type = CB_WORK_DEAD_BINDER;
	death->cookie = hc->cookie;
	ref->death = death;
	/* Already dead: say so at once. */
	if (!ref->node->proc)
		cb_enqueue_death(thread, death);
	return 0;
}

int cb_clear_death(struct cb_thread *thread,
		   struct binder_handle_cookie *hc)
{
	struct cb_ref *ref = cb_ref_lookup(thread->proc, hc->handle);
	struct cb_death *death;

	if (!ref || !ref->death || ref->death->cookie != hc->cookie)
		return -EINVAL;
	death = ref->death;
	ref->death = NULL;
	if (list_empty(&death->work.entry)) {
		death->work.type = CB_WORK_CLEAR_DEATH;
		cb_enqueue_death(thread, death);
	} else {
		/* BR_DEAD_BINDER is queued or awaits BC_DEAD_BINDER_DONE. */
		death->work.type = CB_WORK_DEAD_BINDER_AND_CLEAR;
	}
	return 0;
}

int cb_dead_binder_done(struct cb_thread *thread,
			binder_uintptr_t cookie)
{
	struct cb_death *death;

	list_for_each_entry(death, &thread->proc->delivered_death, work.entry) {
		if (death->cookie != cookie)
			continue;
		list_del_init(&death->work.entry);
		if (death->work.type == CB_WORK_DEAD_BINDER_AND_CLEAR) {
			death->work.type = CB_WORK_CLEAR_DEATH;
			cb_enqueue_death(thread, death);
		}
		return 0;
	}
	return -EINVAL;
}
