// SPDX-License-Identifier: GPL-2.0
/*
 * cbinder: a binder-style IPC driver that speaks a documented subset of the
 * Android binder UAPI (include/uapi/linux/android/binder.h), small enough
 * to read in one sitting. The same user-space programs run against it, the
 * mainline C binder (drivers/android/binder.c) and the Rust binder
 * (drivers/android/binder/); README.md maps the three onto each other.
 *
 * The words, as binder uses them:
 *   process  an open file of the device (struct cb_proc)
 *   thread   a task calling ioctl() on it (struct cb_thread)
 *   node     an object a process offers to others (struct cb_node)
 *   ref      another process's handle to a node (struct cb_ref); handle 0
 *            is the context manager, the one process that said so first
 *   work     what a thread reads next: transactions, replies, acks, refcount
 *            requests, death notices (struct cb_work on a todo list)
 *
 * A transaction: the sender's BC_TRANSACTION names a handle; the driver
 * copies the data into a buffer of the target's mapping (alloc.c), turns
 * each object in it into what the target should see (a node into a handle,
 * a handle back into the node for its owner, a file descriptor into one of
 * the target's, made when it reads the call), queues the transaction on
 * the target and BR_TRANSACTION_COMPLETE on the sender. A looper thread of
 * the target reads BR_TRANSACTION, reads the data in place, and answers
 * with BC_REPLY, which travels the same way back to the waiting sender as
 * BR_REPLY. Each side gives its buffer back with BC_FREE_BUFFER.
 *
 * One mutex per device protects everything (see cbinder.h).
 */
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/pagemap.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/poll.h>
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "cbinder.h"

static char *devices = "cbinder";
module_param(devices, charp, 0444);
MODULE_PARM_DESC(devices,
		 "Comma-separated device names, each with its own context manager (default \"cbinder\")");

/*
 * What one process (an open file) may hold, so that no client makes the
 * driver allocate without bound; past them its command fails.
 */
unsigned int cb_max_nodes = 65536;
module_param_named(max_nodes, cb_max_nodes, uint, 0444);
MODULE_PARM_DESC(max_nodes,
		 "Objects one process may own; a transaction making more fails (default 65536)");
unsigned int cb_max_refs = 65536;
module_param_named(max_refs, cb_max_refs, uint, 0444);
MODULE_PARM_DESC(max_refs,
		 "Handles one process may hold; a transaction or BC_INCREFS giving it more fails (default 65536)");
static unsigned int max_proc_threads = 1024;
module_param(max_proc_threads, uint, 0444);
MODULE_PARM_DESC(max_proc_threads,
		 "Threads of one process that may use the device; ioctl() in another is EAGAIN (default 1024)");

static unsigned int max_completions = 1024;
module_param(max_completions, uint, 0444);
MODULE_PARM_DESC(max_completions,
		 "BR_TRANSACTION_COMPLETEs one thread may leave unread; a one-way call past them fails (default 1024)");

static LIST_HEAD(cb_contexts);

/* ---- objects in transactions --------------------------------------- */

static bool cb_type_strong(u32 type)
{
	return type == BINDER_TYPE_BINDER || type == BINDER_TYPE_HANDLE;
}

/* Offset of object @i's offset, after the 8-aligned data. */
static size_t cb_offset_pos(struct cb_buffer *buffer, size_t i)
{
	return ALIGN(buffer->data_size, sizeof(u64)) + i * sizeof(binder_size_t);
}

/*
 * Undo what the first @n objects of @buffer (in @proc, its receiver) hold:
 * a node of @proc lent to it, or a handle of @proc.
 */
static void cb_release_objects(struct cb_proc *proc, struct cb_buffer *buffer,
			       size_t n)
{
	struct flat_binder_object fp;
	struct cb_node *node;
	binder_size_t off;
	struct cb_ref *ref;
	size_t i;

	for (i = 0; i < n; i++) {
		cb_alloc_read(&proc->alloc, buffer, cb_offset_pos(buffer, i),
			      &off, sizeof(off));
		cb_alloc_read(&proc->alloc, buffer, off, &fp, sizeof(fp));
		switch (fp.hdr.type) {
		case BINDER_TYPE_BINDER:
		case BINDER_TYPE_WEAK_BINDER:
			node = cb_node_lookup(proc, fp.binder);
			if (node)
				cb_node_dec(node, cb_type_strong(fp.hdr.type));
			break;
		case BINDER_TYPE_HANDLE:
		case BINDER_TYPE_WEAK_HANDLE:
			ref = cb_ref_lookup(proc, fp.handle);
			if (ref)
				cb_ref_dec(ref, cb_type_strong(fp.hdr.type));
			break;
		}
	}
}

/* A node of the sender becomes a handle of the target. */
static int cb_translate_binder(struct cb_thread *thread, struct cb_proc *target,
			       struct flat_binder_object *fp)
{
	struct cb_proc *proc = thread->proc;
	bool strong = cb_type_strong(fp->hdr.type);
	struct cb_node *node;
	struct cb_ref *ref;

	node = cb_node_lookup(proc, fp->binder);
	if (!node) {
		node = cb_node_new(proc, fp->binder, fp->cookie, fp->flags);
		if (IS_ERR(node))
			return PTR_ERR(node);
	}
	if (node->cookie != fp->cookie) {
		cb_node_maybe_free(node);
		return -EINVAL;
	}
	ref = cb_ref_get(target, node);
	if (IS_ERR(ref)) {
		cb_node_maybe_free(node);
		return PTR_ERR(ref);
	}
	cb_ref_inc(ref, strong, thread);
	fp->hdr.type = strong ? BINDER_TYPE_HANDLE : BINDER_TYPE_WEAK_HANDLE;
	fp->binder = 0;
	fp->handle = ref->desc;
	fp->cookie = 0;
	return 0;
}

/* A handle of the sender: the node itself for its owner, else a handle. */
static int cb_translate_handle(struct cb_thread *thread, struct cb_proc *target,
			       struct flat_binder_object *fp)
{
	bool strong = cb_type_strong(fp->hdr.type);
	struct cb_ref *ref, *new;
	struct cb_node *node;

	ref = cb_ref_lookup(thread->proc, fp->handle);
	if (!ref)
		return -ENOENT;
	/* A weak handle cannot be passed on as a strong one. */
	if (strong && !ref->strong)
		return -EINVAL;
	node = ref->node;
	if (node->proc == target) {
		cb_node_inc(node, strong, NULL);
		fp->hdr.type = strong ? BINDER_TYPE_BINDER :
					BINDER_TYPE_WEAK_BINDER;
		fp->binder = node->ptr;
		fp->cookie = node->cookie;
		return 0;
	}
	new = cb_ref_get(target, node);
	if (IS_ERR(new))
		return PTR_ERR(new);
	cb_ref_inc(new, strong, NULL);
	fp->binder = 0;
	fp->handle = new->desc;
	fp->cookie = 0;
	return 0;
}

/* Files the buffer holds for its receiver and never gave: drop them. */
static void cb_put_fds(struct cb_buffer *buffer)
{
	struct cb_fd_fixup *fix, *tmp;

	list_for_each_entry_safe(fix, tmp, &buffer->fds, entry) {
		list_del(&fix->entry);
		fput(fix->file);
		kfree(fix);
	}
}

/*
 * A file descriptor of the sender: hold its file; the receiver gets a new
 * descriptor for it when it reads the transaction (cb_install_fds()).
 */
static int cb_translate_fd(struct cb_buffer *buffer, size_t off,
			   struct binder_fd_object *fdo, bool accept_fds)
{
	struct cb_fd_fixup *fix;

	if (!accept_fds)
		return -EPERM;
	fix = kzalloc_obj(*fix);
	if (!fix)
		return -ENOMEM;
	fix->file = fget(fdo->fd);
	if (!fix->file) {
		kfree(fix);
		return -EBADF;
	}
	fix->offset = off;
	list_add_tail(&fix->entry, &buffer->fds);
	return 0;
}

/*
 * Check and translate every object of @buffer, now in @target's mapping.
 * Offsets must be 4-aligned, increasing and leave room for the object;
 * flat_binder_objects and file descriptors (if @accept_fds) are
 * supported, not fd arrays or scatter-gather buffers.
 * On error, whatever was translated is undone.
 */
static int cb_translate(struct cb_thread *thread, struct cb_proc *target,
			struct cb_buffer *buffer, bool accept_fds)
{
	size_t n = buffer->offsets_size / sizeof(binder_size_t);
	struct flat_binder_object fp;
	binder_size_t off, min_off = 0;
	size_t i;
	int ret;

	if (buffer->offsets_size % sizeof(binder_size_t))
		return -EINVAL;
	for (i = 0; i < n; i++) {
		cb_alloc_read(&target->alloc, buffer, cb_offset_pos(buffer, i),
			      &off, sizeof(off));
		ret = -EINVAL;
		if (off < min_off || !IS_ALIGNED(off, sizeof(u32)) ||
		    off > buffer->data_size ||
		    buffer->data_size - off < sizeof(fp))
			goto err_undo;
		cb_alloc_read(&target->alloc, buffer, off, &fp, sizeof(fp));
		switch (fp.hdr.type) {
		case BINDER_TYPE_BINDER:
		case BINDER_TYPE_WEAK_BINDER:
			ret = cb_translate_binder(thread, target, &fp);
			break;
		case BINDER_TYPE_HANDLE:
		case BINDER_TYPE_WEAK_HANDLE:
			ret = cb_translate_handle(thread, target, &fp);
			break;
		case BINDER_TYPE_FD:
			ret = cb_translate_fd(buffer, off,
					      (struct binder_fd_object *)&fp,
					      accept_fds);
			break;
		default:	/* BINDER_TYPE_FDA, _PTR: not supported */
			ret = -EINVAL;
		}
		if (ret)
			goto err_undo;
		cb_alloc_write(&target->alloc, buffer, off, &fp, sizeof(fp));
		min_off = off + sizeof(fp);
	}
	return 0;

err_undo:
	cb_release_objects(target, buffer, i);
	cb_put_fds(buffer);
	return ret;
}

/* ---- transactions -------------------------------------------------- */

/* A buffer goes back to @proc's allocator; the next one-way call moves up. */
static void cb_free_buffer(struct cb_proc *proc, struct cb_buffer *buffer)
{
	struct cb_node *node = buffer->async_node;
	struct cb_work *next;

	if (buffer->t) {
		buffer->t->buffer = NULL;
		buffer->t = NULL;
	}
	if (node) {
		next = list_first_entry_or_null(&node->async_todo,
						struct cb_work, entry);
		if (next) {
			list_del(&next->entry);
			cb_enqueue_proc(proc, next);
		} else {
			node->has_async = false;
		}
		buffer->async_node = NULL;
	}
	cb_release_objects(proc, buffer,
			   buffer->offsets_size / sizeof(binder_size_t));
	cb_put_fds(buffer);
	cb_alloc_free_buf(&proc->alloc, buffer);
	if (node)
		cb_node_tmp_put(node);
}

/*
 * Drop a reference to @proc: its file's, or a sender's that copies into
 * one of its buffers. The last one frees the buffers and the process.
 */
static void cb_proc_put(struct cb_proc *proc)
{
	if (--proc->tmp_refs)
		return;
	cb_alloc_release(&proc->alloc);
	put_pid(proc->tgid);
	kfree(proc);
}

/* Take sync call @t, on top of its sender's stack, off that stack. */
static void cb_pop_from(struct cb_transaction *t)
{
	t->from->stack = t->from_parent;
	t->from = NULL;
}

/*
 * Sync call @t failed or its answer has nowhere to go (the thread that
 * took it has popped it or is gone): the first sender down the chain of
 * nested calls that still waits gets @cmd. Calls of gone senders on the
 * way wait for nobody any more and are freed, as is @t.
 */
static void cb_send_failed_reply(struct cb_transaction *t, u32 cmd)
{
	struct cb_transaction *next;
	struct cb_thread *from;

	for (; t; t = next) {
		next = t->from_parent;
		from = t->from;
		if (from) {
			cb_pop_from(t);
			cb_thread_error(from, &from->reply_error, cmd);
			next = NULL;
		}
		kfree(t);
	}
}

/*
 * Drop an undelivered transaction: a sync call's sender gets @cmd, the
 * buffer goes back (when @alive, i.e. the receiver lives on).
 */
static void cb_transaction_discard(struct cb_transaction *t, bool alive,
				   u32 cmd)
{
	list_del_init(&t->work.entry);
	if (t->buffer) {
		if (alive)
			cb_free_buffer(t->to_proc, t->buffer);
		else
			t->buffer->t = NULL;
	}
	if (t->node)
		cb_node_tmp_put(t->node);
	if (!t->reply && !(t->flags & TF_ONE_WAY))
		cb_send_failed_reply(t, cmd);
	else
		kfree(t);
}

/*
 * Where a sync call from @thread goes: to a thread of @target that waits
 * for a call in this chain of nested calls (binder's rule), else NULL.
 */
static struct cb_thread *cb_find_caller(struct cb_thread *thread,
					struct cb_proc *target)
{
	struct cb_transaction *t;

	for (t = thread->stack; t; t = t->from_parent)
		if (t->from && t->from->proc == target)
			return t->from;
	return NULL;
}

/*
 * Where BC_TRANSACTION (@reply false) or BC_REPLY goes: *@target, and
 * *@node for a call; else the error its sender gets. cb_transaction()
 * asks twice, as the device lock is dropped in between.
 */
static u32 cb_transaction_target(struct cb_thread *thread,
				 struct binder_transaction_data *tr,
				 bool reply, struct cb_proc **target,
				 struct cb_node **node)
{
	struct cb_transaction *in = thread->stack;
	struct cb_proc *proc = thread->proc;
	struct cb_ref *ref;

	*node = NULL;
	if (reply) {
		/* Answer the call on top of this thread's stack, if it took it. */
		if (!in || in->to_thread != thread)
			return BR_FAILED_REPLY;
		if (!in->from)
			return BR_DEAD_REPLY;
		*target = in->from->proc;
		return 0;
	}
	if (tr->target.handle == 0) {
		*node = proc->ctx->mgr;
		if (!*node)
			return BR_DEAD_REPLY;
	} else {
		/* Only a strong handle may be called, as in binder. */
		ref = cb_ref_lookup(proc, tr->target.handle);
		*node = ref && ref->strong ? ref->node : NULL;
		if (!*node)
			return BR_FAILED_REPLY;
	}
	*target = (*node)->proc;
	if (!*target)
		return BR_DEAD_REPLY;
	if (*target == proc)
		return BR_FAILED_REPLY;
	/* A new sync call only from the top: one this thread took. */
	if (!(tr->flags & TF_ONE_WAY) && in && in->to_thread != thread)
		return BR_FAILED_REPLY;
	return 0;
}

/* Take the call that @thread answers off its stack. */
static struct cb_transaction *cb_pop_to(struct cb_thread *thread)
{
	struct cb_transaction *in = thread->stack;

	thread->stack = in->to_parent;
	in->to_thread = NULL;
	if (in->buffer) {
		in->buffer->t = NULL;
		in->buffer = NULL;
	}
	return in;
}

/*
 * Copy the sender's data and offsets into @buffer, which it reserved in
 * @target's mapping, with the device lock dropped: its user memory may
 * take as long as it likes to fault in (userfaultfd, FUSE, a slow disk)
 * without stalling anyone else. @target and its buffer stay (the caller
 * pinned them); nothing else writes a buffer that was never delivered.
 */
static int cb_copy_unlocked(struct cb_thread *thread, struct cb_proc *target,
			    struct cb_buffer *buffer,
			    struct binder_transaction_data *tr)
{
	struct mutex *lock = &thread->proc->ctx->lock;
	int ret;

	mutex_unlock(lock);
	ret = cb_alloc_copy_from_user(&target->alloc, buffer, 0,
				      u64_to_user_ptr(tr->data.ptr.buffer),
				      tr->data_size);
	if (!ret)
		ret = cb_alloc_copy_from_user(&target->alloc, buffer,
					      cb_offset_pos(buffer, 0),
					      u64_to_user_ptr(tr->data.ptr.offsets),
					      tr->offsets_size);
	/*
	 * Not killable: the buffer and pins must go back. Nobody holds the
	 * lock across a user access, so this wait is bounded.
	 */
	mutex_lock(lock);
	return ret;
}

/*
 * BC_TRANSACTION and BC_REPLY, called with the device lock held; it is
 * dropped while the data is copied. Errors come back as return commands.
 */
static void cb_transaction(struct cb_thread *thread,
			   struct binder_transaction_data *tr, bool reply)
{
	struct cb_proc *target, *target2;
	struct cb_thread *target_thread = NULL;
	bool one_way = !reply && (tr->flags & TF_ONE_WAY);
	struct cb_transaction *t, *in = NULL;
	struct cb_node *node, *node2;
	struct cb_buffer *buffer;
	bool accept_fds;
	struct cb_work *tc;
	u32 err;

	t = kzalloc_obj(*t);
	tc = kzalloc_obj(*tc);
	err = BR_FAILED_REPLY;
	if (!t || !tc)
		goto err_free;
	/*
	 * A sync call or reply waits for (or ends) a call, so only one-way
	 * calls can pile completions up on a sender that never reads.
	 */
	if (one_way && thread->nr_completes >= max_completions)
		goto err_free;
	err = cb_transaction_target(thread, tr, reply, &target, &node);
	if (err)
		goto err_free;
	buffer = cb_alloc_new_buf(&target->alloc, tr->data_size,
				  tr->offsets_size, one_way);
	if (IS_ERR(buffer)) {
		/* no mapping left: the target is on its way out */
		err = PTR_ERR(buffer) == -ESRCH ? BR_DEAD_REPLY : BR_FAILED_REPLY;
		goto err_free;
	}
	/* Both stay while the lock is dropped, even if the target goes. */
	target->tmp_refs++;
	if (node)
		node->tmp_refs++;
	err = BR_FAILED_REPLY;
	if (cb_copy_unlocked(thread, target, buffer, tr))
		goto err_free_buf;
	/* Anything may have happened meanwhile: still the same target? */
	err = cb_transaction_target(thread, tr, reply, &target2, &node2);
	if (!err && (target2 != target || node2 != node || target->released))
		err = BR_DEAD_REPLY;
	if (err)
		goto err_free_buf;
	/* fds go back only to a caller that said it takes them */
	accept_fds = reply ? thread->stack->flags & TF_ACCEPT_FDS :
			     node->accept_fds;
	err = BR_FAILED_REPLY;
	if (cb_translate(thread, target, buffer, accept_fds))
		goto err_free_buf;
	cb_proc_put(target);

	INIT_LIST_HEAD(&t->work.entry);
	t->work.type = CB_WORK_TRANSACTION;
	t->sender_euid = thread->proc->euid;
	t->to_proc = target;
	t->buffer = buffer;
	t->code = tr->code;
	t->flags = tr->flags;
	t->reply = reply;
	buffer->t = t;
	tc->type = CB_WORK_COMPLETE;
	thread->nr_completes++;

	if (reply) {
		in = cb_pop_to(thread);
		target_thread = in->from;
		cb_pop_from(in);
		kfree(in);
		cb_enqueue_thread(target_thread, &t->work);
		cb_enqueue_thread(thread, tc);
		return;
	}
	t->node = node;		/* with the tmp ref taken above */
	if (one_way) {
		/* One at a time per node: the rest wait until it is freed. */
		if (node->has_async) {
			list_add_tail(&t->work.entry, &node->async_todo);
		} else {
			node->has_async = true;
			cb_enqueue_proc(target, &t->work);
		}
		cb_enqueue_thread(thread, tc);
		return;
	}
	target_thread = cb_find_caller(thread, target);
	t->from = thread;
	t->from_parent = thread->stack;
	thread->stack = t;
	if (target_thread)
		cb_enqueue_thread(target_thread, &t->work);
	else
		cb_enqueue_proc(target, &t->work);
	cb_enqueue_thread_deferred(thread, tc);
	return;

err_free_buf:
	cb_alloc_free_buf(&target->alloc, buffer);
	if (node)
		cb_node_tmp_put(node);
	cb_proc_put(target);
err_free:
	kfree(t);
	kfree(tc);
	/* A reply that fails still ends the call it answers. */
	if (reply && thread->stack && thread->stack->to_thread == thread)
		in = cb_pop_to(thread);
	if (in) {
		/* The replier's part is done (first, as in binder); the caller learns. */
		tc = kzalloc_obj(*tc);
		if (tc) {
			tc->type = CB_WORK_COMPLETE;
			thread->nr_completes++;
			cb_enqueue_thread(thread, tc);
		}
		cb_send_failed_reply(in, err);
		if (tc)
			return;
	}
	cb_thread_error(thread, &thread->error, err);
}

/* ---- commands (write) ---------------------------------------------- */

static int cb_set_mgr(struct cb_proc *proc, struct flat_binder_object *fbo)
{
	struct cb_context *ctx = proc->ctx;
	struct cb_node *node;

	if (ctx->mgr)
		return -EBUSY;
	if (ctx->mgr_uid_set && !uid_eq(ctx->mgr_uid, current_euid()))
		return -EPERM;
	node = cb_node_lookup(proc, fbo->binder);
	/* An object of ours by its address, but not the one it names. */
	if (node && node->cookie != fbo->cookie)
		return -EINVAL;
	if (!node)
		node = cb_node_new(proc, fbo->binder, fbo->cookie, fbo->flags);
	if (IS_ERR(node))
		return PTR_ERR(node);
	/* The manager never gets BR_INCREFS/BR_ACQUIRE for itself. */
	node->local_strong++;
	node->local_weak++;
	node->has_strong = true;
	node->has_weak = true;
	ctx->mgr = node;
	ctx->mgr_uid = current_euid();
	ctx->mgr_uid_set = true;
	return 0;
}

static int cb_refcount(struct cb_thread *thread, u32 cmd, u32 desc)
{
	struct cb_proc *proc = thread->proc;
	bool strong = cmd == BC_ACQUIRE || cmd == BC_RELEASE;
	bool inc = cmd == BC_INCREFS || cmd == BC_ACQUIRE;
	struct cb_node *mgr = proc->ctx->mgr;
	struct cb_ref *ref;

	ref = cb_ref_lookup(proc, desc);
	/* Anyone may take a reference on the context manager, handle 0. */
	if (!ref && desc == 0 && inc && mgr && mgr->proc != proc) {
		ref = cb_ref_get(proc, mgr);
		if (IS_ERR(ref))
			return PTR_ERR(ref);
	}
	if (!ref)
		return -EINVAL;
	/*
	 * A weak ref cannot be made strong: its object may be gone in its
	 * owner already (handle 0, the manager, stays alive while it is it).
	 */
	if (cmd == BC_ACQUIRE && !ref->strong && ref->node != mgr)
		return -EINVAL;
	if (!inc)
		return cb_ref_dec(ref, strong);
	cb_ref_inc(ref, strong, thread);
	return 0;
}

/* BC_INCREFS_DONE / BC_ACQUIRE_DONE: the owner took what BR_* asked for. */
static int cb_refcount_done(struct cb_proc *proc, u32 cmd,
			    struct binder_ptr_cookie *pc)
{
	struct cb_node *node = cb_node_lookup(proc, pc->ptr);
	bool strong = cmd == BC_ACQUIRE_DONE;

	if (!node || node->cookie != pc->cookie)
		return -EINVAL;
	if (strong) {
		if (!node->pending_strong)
			return -EINVAL;
		node->pending_strong = false;
	} else {
		if (!node->pending_weak)
			return -EINVAL;
		node->pending_weak = false;
	}
	cb_node_dec(node, strong);
	return 0;
}

static void cb_looper(struct cb_thread *thread, u32 cmd)
{
	struct cb_proc *proc = thread->proc;

	switch (cmd) {
	case BC_REGISTER_LOOPER:
		/* A thread the driver asked for with BR_SPAWN_LOOPER. */
		if (proc->requested_threads) {
			proc->requested_threads--;
			proc->started_threads++;
		}
		thread->looper |= CB_LOOPER_REGISTERED;
		break;
	case BC_ENTER_LOOPER:
		thread->looper |= CB_LOOPER_ENTERED;
		break;
	case BC_EXIT_LOOPER:
		thread->looper |= CB_LOOPER_EXITED;
		break;
	}
}

union cb_arg {
	struct binder_transaction_data tr;
	struct binder_ptr_cookie pc;
	struct binder_handle_cookie hc;
	binder_uintptr_t ptr;
	u32 desc;
};

static bool cb_command_known(u32 cmd)
{
	switch (cmd) {
	case BC_TRANSACTION:
	case BC_REPLY:
	case BC_FREE_BUFFER:
	case BC_INCREFS:
	case BC_ACQUIRE:
	case BC_RELEASE:
	case BC_DECREFS:
	case BC_INCREFS_DONE:
	case BC_ACQUIRE_DONE:
	case BC_REGISTER_LOOPER:
	case BC_ENTER_LOOPER:
	case BC_EXIT_LOOPER:
	case BC_REQUEST_DEATH_NOTIFICATION:
	case BC_CLEAR_DEATH_NOTIFICATION:
	case BC_DEAD_BINDER_DONE:
		return true;
	}
	return false;	/* including _SG, ACQUIRE_RESULT, freeze commands */
}

static int cb_command(struct cb_thread *thread, u32 cmd, union cb_arg *arg)
{
	struct cb_proc *proc = thread->proc;
	struct cb_buffer *buffer;

	switch (cmd) {
	case BC_TRANSACTION:
	case BC_REPLY:
		cb_transaction(thread, &arg->tr, cmd == BC_REPLY);
		return 0;
	case BC_FREE_BUFFER:
		buffer = cb_alloc_find_user(&proc->alloc, arg->ptr);
		if (!buffer || !buffer->user_owned)
			return -EINVAL;
		cb_free_buffer(proc, buffer);
		return 0;
	case BC_INCREFS:
	case BC_ACQUIRE:
	case BC_RELEASE:
	case BC_DECREFS:
		return cb_refcount(thread, cmd, arg->desc);
	case BC_INCREFS_DONE:
	case BC_ACQUIRE_DONE:
		return cb_refcount_done(proc, cmd, &arg->pc);
	case BC_REGISTER_LOOPER:
	case BC_ENTER_LOOPER:
	case BC_EXIT_LOOPER:
		cb_looper(thread, cmd);
		return 0;
	case BC_REQUEST_DEATH_NOTIFICATION:
		return cb_request_death(thread, &arg->hc);
	case BC_CLEAR_DEATH_NOTIFICATION:
		return cb_clear_death(thread, &arg->hc);
	case BC_DEAD_BINDER_DONE:
		return cb_dead_binder_done(thread, arg->ptr);
	}
	return -EINVAL;
}

/*
 * Run the commands in [*consumed, size) of the write buffer. A command must
 * fit whole in it; *consumed ends after the last one that ran. Like binder,
 * stop at a failed transaction until its error has been read. Each command
 * is read before the device lock is taken (see cb_ioctl()).
 */
static int cb_thread_write(struct cb_thread *thread, binder_uintptr_t ubuf,
			   binder_size_t size, binder_size_t *consumed)
{
	struct mutex *lock = &thread->proc->ctx->lock;
	void __user *buf = u64_to_user_ptr(ubuf);
	binder_size_t pos = *consumed;
	union cb_arg arg;
	size_t len;
	u32 cmd;
	int ret;

	/* Only this thread's own commands and reads touch its error. */
	while (pos < size && list_empty(&thread->error.work.entry)) {
		if (size - pos < sizeof(cmd))
			return -EINVAL;
		if (get_user(cmd, (u32 __user *)(buf + pos)))
			return -EFAULT;
		if (!cb_command_known(cmd))
			return -EINVAL;
		len = _IOC_SIZE(cmd);
		if (size - pos - sizeof(cmd) < len)
			return -EINVAL;
		if (copy_from_user(&arg, buf + pos + sizeof(cmd), len))
			return -EFAULT;
		if (mutex_lock_killable(lock))
			return -EINTR;
		ret = cb_command(thread, cmd, &arg);
		mutex_unlock(lock);
		if (ret)
			return ret;
		pos += sizeof(cmd) + len;
		*consumed = pos;
	}
	return 0;
}

/* ---- returns (read) ------------------------------------------------ */

/*
 * Copy @len bytes to *@ptr and move it on. This runs under the device
 * lock, so it takes no page fault: -EFAULT for a page that is not there,
 * and cb_thread_read() faults it in with the lock dropped.
 */
static int cb_put(void __user **ptr, const void *data, size_t len)
{
	if (copy_to_user_nofault(*ptr, data, len))
		return -EFAULT;
	*ptr += len;
	return 0;
}

static int cb_put_cmd(void __user **ptr, u32 cmd, const void *data,
		      size_t len)
{
	void __user *p = *ptr;

	if (cb_put(&p, &cmd, sizeof(cmd)) || cb_put(&p, data, len))
		return -EFAULT;
	*ptr = p;
	return 0;
}

/* BR_INCREFS, BR_ACQUIRE, BR_RELEASE, BR_DECREFS as the node needs. */
static int cb_deliver_node(struct cb_node *node, void __user **ptr)
{
	struct binder_ptr_cookie pc = { .ptr = node->ptr, .cookie = node->cookie };
	bool strong = cb_node_strong(node), weak = cb_node_weak(node);
	void __user *p = *ptr;

	if ((weak && !node->has_weak && cb_put_cmd(&p, BR_INCREFS, &pc, sizeof(pc))) ||
	    (strong && !node->has_strong && cb_put_cmd(&p, BR_ACQUIRE, &pc, sizeof(pc))) ||
	    (!strong && node->has_strong && cb_put_cmd(&p, BR_RELEASE, &pc, sizeof(pc))) ||
	    (!weak && node->has_weak && cb_put_cmd(&p, BR_DECREFS, &pc, sizeof(pc))))
		return -EFAULT;
	*ptr = p;

	list_del_init(&node->work.entry);
	/* Until the _DONE ack, the driver holds the reference it asked for. */
	if (weak && !node->has_weak) {
		node->has_weak = true;
		node->pending_weak = true;
		node->local_weak++;
	}
	if (strong && !node->has_strong) {
		node->has_strong = true;
		node->pending_strong = true;
		node->local_strong++;
	}
	if (!strong)
		node->has_strong = false;
	if (!weak)
		node->has_weak = false;
	cb_node_maybe_free(node);
	return 0;
}

/* Reserve a descriptor in the reader for every file of @buffer. */
static int cb_reserve_fds(struct cb_buffer *buffer)
{
	struct cb_fd_fixup *fix;

	list_for_each_entry(fix, &buffer->fds, entry) {
		fix->fd = get_unused_fd_flags(O_CLOEXEC);
		if (fix->fd < 0) {
			int err = fix->fd;

			list_for_each_entry_continue_reverse(fix, &buffer->fds, entry)
				put_unused_fd(fix->fd);
			return err;
		}
	}
	return 0;
}

static void cb_unreserve_fds(struct cb_buffer *buffer)
{
	struct cb_fd_fixup *fix;

	list_for_each_entry(fix, &buffer->fds, entry)
		put_unused_fd(fix->fd);
}

/* Give the reader its files: cannot fail once the fds are reserved. */
static void cb_install_fds(struct cb_proc *proc, struct cb_buffer *buffer)
{
	struct cb_fd_fixup *fix, *tmp;
	u32 fd;

	list_for_each_entry_safe(fix, tmp, &buffer->fds, entry) {
		fd_install(fix->fd, fix->file);
		fd = fix->fd;
		cb_alloc_write(&proc->alloc, buffer, fix->offset +
			       offsetof(struct binder_fd_object, fd), &fd,
			       sizeof(fd));
		list_del(&fix->entry);
		kfree(fix);
	}
}

static int cb_deliver_transaction(struct cb_thread *thread,
				  struct cb_transaction *t, void __user **ptr)
{
	struct binder_transaction_data tr = {};
	struct cb_buffer *buffer = t->buffer;
	struct cb_proc *proc = thread->proc;
	u32 cmd = t->reply ? BR_REPLY : BR_TRANSACTION;

	if (t->node) {
		tr.target.ptr = t->node->ptr;
		tr.cookie = t->node->cookie;
	}
	tr.code = t->code;
	tr.flags = t->flags;
	/* As the reader sees it: 0 if the sender is outside its pid namespace. */
	if (t->from)
		tr.sender_pid = pid_nr_ns(t->from->proc->tgid,
					  task_active_pid_ns(current));
	tr.sender_euid = from_kuid(current_user_ns(), t->sender_euid);
	tr.data_size = buffer->data_size;
	tr.offsets_size = buffer->offsets_size;
	tr.data.ptr.buffer = cb_alloc_user_ptr(&proc->alloc, buffer);
	tr.data.ptr.offsets = tr.data.ptr.buffer + cb_offset_pos(buffer, 0);
	if (cb_reserve_fds(buffer)) {
		/* No room for its files here: the call fails, as a whole. */
		if (!t->reply && (t->flags & TF_ONE_WAY)) {
			buffer->async_node = t->node;	/* the next may go */
			t->node = NULL;
		}
		cb_transaction_discard(t, true, BR_FAILED_REPLY);
		/* A reply has no sender to tell: its reader is the caller. */
		if (cmd == BR_REPLY)
			cb_thread_error(thread, &thread->reply_error,
					BR_FAILED_REPLY);
		return 0;
	}
	if (cb_put_cmd(ptr, cmd, &tr, sizeof(tr))) {
		cb_unreserve_fds(buffer);
		return -EFAULT;
	}
	cb_install_fds(proc, buffer);

	list_del_init(&t->work.entry);
	buffer->user_owned = true;
	if (!t->reply && !(t->flags & TF_ONE_WAY)) {
		/*
		 * Sync: the thread owes a reply; keep the call on its stack,
		 * even if the caller died meanwhile (the reply then fails).
		 */
		t->to_thread = thread;
		t->to_parent = thread->stack;
		thread->stack = t;
		cb_node_tmp_put(t->node);
		t->node = NULL;
		return 0;
	}
	/* One-way: the buffer keeps the node's queue until it is freed. */
	buffer->async_node = t->node;
	buffer->t = NULL;
	kfree(t);
	return 0;
}

/* Deliver @w; 1 when it was a transaction (a read returns after one). */
static int cb_deliver(struct cb_thread *thread, struct cb_work *w,
		      void __user **ptr)
{
	struct cb_proc *proc = thread->proc;
	struct cb_transaction *t;
	struct cb_death *death;
	struct cb_error *err;
	u32 cmd;

	switch (w->type) {
	case CB_WORK_TRANSACTION:
		t = container_of(w, struct cb_transaction, work);
		if (cb_deliver_transaction(thread, t, ptr))
			return -EFAULT;
		return 1;
	case CB_WORK_COMPLETE:
		cmd = BR_TRANSACTION_COMPLETE;
		if (cb_put(ptr, &cmd, sizeof(cmd)))
			return -EFAULT;
		list_del(&w->entry);
		kfree(w);
		thread->nr_completes--;
		return 0;
	case CB_WORK_ERROR:
		err = container_of(w, struct cb_error, work);
		if (cb_put(ptr, &err->cmd, sizeof(err->cmd)))
			return -EFAULT;
		list_del_init(&w->entry);
		return 0;
	case CB_WORK_NODE:
		return cb_deliver_node(container_of(w, struct cb_node, work), ptr);
	case CB_WORK_DEAD_BINDER:
	case CB_WORK_DEAD_BINDER_AND_CLEAR:
	case CB_WORK_CLEAR_DEATH:
		death = container_of(w, struct cb_death, work);
		cmd = w->type == CB_WORK_CLEAR_DEATH ?
		      BR_CLEAR_DEATH_NOTIFICATION_DONE : BR_DEAD_BINDER;
		if (cb_put_cmd(ptr, cmd, &death->cookie, sizeof(death->cookie)))
			return -EFAULT;
		list_del_init(&w->entry);
		if (w->type == CB_WORK_CLEAR_DEATH)
			kfree(death);
		else	/* until BC_DEAD_BINDER_DONE */
			list_add_tail(&w->entry, &proc->delivered_death);
		return 0;
	}
	return -EINVAL;
}

/*
 * Sleep, with the device lock dropped, until there is work or a signal:
 * 0 or -EINTR, with the lock held again; or -EINTR with *@locked false if
 * the task was killed while it waited to take the lock back.
 */
static int cb_wait_for_work(struct cb_thread *thread, bool *locked)
{
	struct cb_proc *proc = thread->proc;
	struct mutex *lock = &proc->ctx->lock;
	DEFINE_WAIT(wait);
	int ret = 0;

	for (;;) {
		bool proc_work = cb_wants_proc_work(thread);

		prepare_to_wait(&thread->wait, &wait, TASK_INTERRUPTIBLE);
		if (cb_has_work(thread, proc_work))
			break;
		if (signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		if (proc_work) {
			spin_lock(&proc->waiting_lock);
			list_add(&thread->waiting_entry, &proc->waiting);
			spin_unlock(&proc->waiting_lock);
		}
		mutex_unlock(lock);
		schedule();
		spin_lock(&proc->waiting_lock);
		list_del_init(&thread->waiting_entry);
		spin_unlock(&proc->waiting_lock);
		if (mutex_lock_killable(lock)) {
			/* It may have been woken for work: pass that on. */
			cb_wakeup_waiting(proc);
			*locked = false;
			ret = -EINTR;
			break;
		}
	}
	finish_wait(&thread->wait, &wait);
	return ret;
}

/* Room a read needs for one more item: the largest, BR_TRANSACTION. */
#define CB_READ_ROOM	(sizeof(u32) + sizeof(struct binder_transaction_data))

/*
 * Fill [*consumed, size) of the read buffer: BR_NOOP first (so the driver
 * can turn it into BR_SPAWN_LOOPER), then work until one transaction or
 * reply went out or the buffer is full. Waits unless O_NONBLOCK. Takes the
 * device lock, and drops it to wait or to fault in the buffer's pages.
 */
static int cb_thread_read(struct cb_thread *thread, binder_uintptr_t ubuf,
			  binder_size_t size, binder_size_t *consumed,
			  bool nonblock)
{
	void __user *buf = u64_to_user_ptr(ubuf);
	void __user *ptr = buf + *consumed;
	struct cb_proc *proc = thread->proc;
	struct mutex *lock = &proc->ctx->lock;
	bool first = *consumed == 0, locked = true, spawn = false;
	struct cb_work *w;
	u32 cmd = BR_NOOP;
	int ret = 0;

	if (*consumed > size || size - *consumed < sizeof(cmd))
		return -EINVAL;
	if (first) {
		if (put_user(cmd, (u32 __user *)ptr))
			return -EFAULT;
		ptr += sizeof(cmd);
	}
	if (mutex_lock_killable(lock)) {
		ret = -EINTR;
		goto out;
	}
retry:
	if (!cb_has_work(thread, cb_wants_proc_work(thread))) {
		if (nonblock)
			ret = -EAGAIN;
		else
			ret = cb_wait_for_work(thread, &locked);
		if (ret)
			goto out_unlock;
	}
	while (buf + size - ptr >= CB_READ_ROOM) {
		w = list_first_entry_or_null(&thread->todo, struct cb_work,
					     entry);
		if (!w && cb_wants_proc_work(thread))
			w = list_first_entry_or_null(&proc->todo,
						     struct cb_work, entry);
		if (!w) {
			if (first && ptr - buf == sizeof(cmd))
				goto retry;
			break;
		}
		ret = cb_deliver(thread, w, &ptr);
		if (list_empty(&thread->todo))
			thread->process_todo = false;
		if (ret == -EFAULT) {
			/* Not delivered: fault the page in unlocked, try again. */
			mutex_unlock(lock);
			locked = false;
			if (fault_in_writeable(ptr, CB_READ_ROOM))
				goto out;
			ret = -EINTR;
			if (mutex_lock_killable(lock))
				goto out;
			locked = true;
			continue;
		}
		if (ret < 0)
			goto out_unlock;
		if (ret)
			break;
	}
	ret = 0;
	/* No looper left waiting: ask user space for another one. */
	if (first && !proc->requested_threads &&
	    list_empty_careful(&proc->waiting) &&
	    proc->started_threads < proc->max_threads &&
	    (thread->looper & (CB_LOOPER_REGISTERED | CB_LOOPER_ENTERED))) {
		spawn = true;
		proc->requested_threads++;
	}
out_unlock:
	if (locked) {
		/* Work this thread left behind goes to another looper. */
		if (!list_empty(&proc->todo))
			cb_wakeup_proc(proc);
		mutex_unlock(lock);
	}
	/* As binder does, after unlocking: the first word was BR_NOOP. */
	if (spawn && put_user(BR_SPAWN_LOOPER, (u32 __user *)buf))
		ret = -EFAULT;
out:
	*consumed = ptr - buf;
	return ret;
}

/* ---- threads, processes, file operations --------------------------- */

/* The calling task's thread of @proc, made on its first call. */
static struct cb_thread *cb_get_thread(struct cb_proc *proc)
{
	struct rb_node **p = &proc->threads.rb_node, *parent = NULL;
	struct cb_thread *thread;

	while (*p) {
		thread = rb_entry(*p, struct cb_thread, rb_node);
		if (current->pid == thread->pid)
			return thread;
		parent = *p;
		p = current->pid < thread->pid ? &(*p)->rb_left : &(*p)->rb_right;
	}
	if (proc->nr_threads >= max_proc_threads)
		return ERR_PTR(-EAGAIN);
	thread = kzalloc_obj(*thread);
	if (!thread)
		return ERR_PTR(-ENOMEM);
	proc->nr_threads++;
	thread->proc = proc;
	thread->pid = current->pid;
	INIT_LIST_HEAD(&thread->todo);
	INIT_LIST_HEAD(&thread->waiting_entry);
	init_waitqueue_head(&thread->wait);
	INIT_LIST_HEAD(&thread->error.work.entry);
	thread->error.work.type = CB_WORK_ERROR;
	INIT_LIST_HEAD(&thread->reply_error.work.entry);
	thread->reply_error.work.type = CB_WORK_ERROR;
	rb_link_node(&thread->rb_node, parent, p);
	rb_insert_color(&thread->rb_node, &proc->threads);
	return thread;
}

/* Drop work nobody will read. @alive: the process stays. */
static void cb_work_discard(struct cb_work *w, bool alive)
{
	struct cb_death *death;

	switch (w->type) {
	case CB_WORK_TRANSACTION:
		cb_transaction_discard(container_of(w, struct cb_transaction,
						    work), alive, BR_DEAD_REPLY);
		return;
	case CB_WORK_COMPLETE:
		list_del(&w->entry);
		kfree(w);
		return;
	case CB_WORK_DEAD_BINDER_AND_CLEAR:
	case CB_WORK_CLEAR_DEATH:
		/* no ref owns it any more */
		death = container_of(w, struct cb_death, work);
		list_del(&w->entry);
		kfree(death);
		return;
	default:	/* embedded in a thread, a node or a ref's death */
		list_del_init(&w->entry);
	}
}

/* BINDER_THREAD_EXIT, or the whole process going. */
static void cb_thread_release(struct cb_thread *thread, bool alive)
{
	struct cb_transaction *t = thread->stack, *answer = NULL;
	struct cb_work *w;

	rb_erase(&thread->rb_node, &thread->proc->threads);
	thread->proc->nr_threads--;
	spin_lock(&thread->proc->waiting_lock);
	list_del_init(&thread->waiting_entry);
	spin_unlock(&thread->proc->waiting_lock);
	/*
	 * Leave every call on its stack, as binder does: a call it took has
	 * no receiver now, one it sent no sender. Only the call on top can be
	 * answered at once (its caller waits for it); the others fail when
	 * the calls above them come back (cb_send_failed_reply()).
	 */
	if (t && t->to_thread == thread)
		answer = t;
	while (t) {
		if (t->to_thread == thread) {
			t->to_thread = NULL;
			if (t->buffer) {
				t->buffer->t = NULL;
				t->buffer = NULL;
			}
			t = t->to_parent;
		} else {
			t->from = NULL;
			t = t->from_parent;
		}
	}
	thread->stack = NULL;
	if (answer)
		cb_send_failed_reply(answer, BR_DEAD_REPLY);
	/*
	 * Pop one at a time: discarding a transaction can drop a ref whose
	 * death item is the next entry, freeing it under a saved cursor.
	 */
	while ((w = list_first_entry_or_null(&thread->todo, struct cb_work,
					     entry)))
		cb_work_discard(w, alive);
	if (thread->looper & CB_LOOPER_POLL)
		wake_up_pollfree(&thread->wait);
	kfree_rcu(thread, rcu);
}

static void cb_node_release(struct cb_node *node)
{
	struct cb_work *w;
	struct cb_ref *ref;

	/* Hold it while its queued calls go: each drops a tmp ref. */
	node->tmp_refs++;
	rb_erase(&node->rb_node, &node->proc->nodes);
	node->proc->nr_nodes--;
	list_del_init(&node->work.entry);
	node->proc = NULL;
	while ((w = list_first_entry_or_null(&node->async_todo, struct cb_work,
					     entry)))
		cb_work_discard(w, false);
	node->has_async = false;
	node->tmp_refs--;
	/* Everyone who asked hears that it died. */
	list_for_each_entry(ref, &node->refs, node_entry) {
		if (!ref->death)
			continue;
		ref->death->work.type = CB_WORK_DEAD_BINDER;
		list_del_init(&ref->death->work.entry);
		cb_enqueue_proc(ref->proc, &ref->death->work);
	}
	cb_node_maybe_free(node);
}

static void cb_proc_release(struct cb_proc *proc)
{
	struct cb_context *ctx = proc->ctx;
	struct cb_buffer *buffer;
	struct cb_work *w;
	struct rb_node *rb;
	struct cb_ref *ref;
	unsigned long desc;

	if (ctx->mgr && ctx->mgr->proc == proc)
		ctx->mgr = NULL;
	while ((rb = rb_first(&proc->threads)))
		cb_thread_release(rb_entry(rb, struct cb_thread, rb_node),
				  false);
	while ((w = list_first_entry_or_null(&proc->todo, struct cb_work,
					     entry)))
		cb_work_discard(w, false);
	while ((w = list_first_entry_or_null(&proc->delivered_death,
					     struct cb_work, entry)))
		cb_work_discard(w, false);
	/* Delivered one-way buffers hold their node's queue. */
	list_for_each_entry(buffer, &proc->alloc.buffers, entry) {
		if (!buffer->free)
			cb_put_fds(buffer);
		if (buffer->async_node) {
			buffer->async_node->tmp_refs--;
			buffer->async_node = NULL;
		}
	}
	while ((rb = rb_first(&proc->nodes)))
		cb_node_release(rb_entry(rb, struct cb_node, rb_node));
	xa_for_each(&proc->refs, desc, ref)
		cb_ref_delete(ref);
	xa_destroy(&proc->refs);
	/* A sender may still copy into a buffer: see cb_proc_put(). */
	proc->released = true;
}

static int cb_open(struct inode *inode, struct file *filp)
{
	struct cb_context *ctx = container_of(filp->private_data,
					      struct cb_context, misc);
	struct cb_proc *proc = kzalloc_obj(*proc);

	if (!proc)
		return -ENOMEM;
	proc->ctx = ctx;
	proc->tmp_refs = 1;	/* the file's */
	proc->tgid = get_pid(task_tgid(current));
	proc->euid = current_euid();
	proc->threads = RB_ROOT;
	proc->nodes = RB_ROOT;
	xa_init_flags(&proc->refs, XA_FLAGS_ALLOC);
	proc->refs_by_node = RB_ROOT;
	INIT_LIST_HEAD(&proc->todo);
	INIT_LIST_HEAD(&proc->waiting);
	spin_lock_init(&proc->waiting_lock);
	INIT_LIST_HEAD(&proc->delivered_death);
	cb_alloc_init(&proc->alloc);
	filp->private_data = proc;
	return nonseekable_open(inode, filp);
}

static int cb_release(struct inode *inode, struct file *filp)
{
	struct cb_proc *proc = filp->private_data;
	struct cb_context *ctx = proc->ctx;

	mutex_lock(&ctx->lock);
	cb_proc_release(proc);
	cb_proc_put(proc);
	mutex_unlock(&ctx->lock);
	return 0;
}

static int cb_mmap(struct file *filp, struct vm_area_struct *vma)
{
	struct cb_proc *proc = filp->private_data;

	/*
	 * Buffers go to the opener's address space only: a process that got
	 * the file by fork or SCM_RIGHTS cannot map (and read) its calls.
	 */
	if (task_tgid(current) != proc->tgid)
		return -EINVAL;
	return cb_alloc_mmap(&proc->alloc, vma);
}

static int cb_ioctl_write_read(struct file *filp, struct cb_thread *thread,
			       void __user *ubuf)
{
	struct binder_write_read bwr;
	int ret = 0;

	if (copy_from_user(&bwr, ubuf, sizeof(bwr)))
		return -EFAULT;
	if (bwr.write_size > 0) {
		ret = cb_thread_write(thread, bwr.write_buffer, bwr.write_size,
				      &bwr.write_consumed);
		if (ret < 0) {
			bwr.read_consumed = 0;
			goto out;
		}
	}
	if (bwr.read_size > 0)
		ret = cb_thread_read(thread, bwr.read_buffer, bwr.read_size,
				     &bwr.read_consumed,
				     filp->f_flags & O_NONBLOCK);
out:
	if (copy_to_user(ubuf, &bwr, sizeof(bwr)))
		ret = -EFAULT;
	return ret;
}

/*
 * The device lock is never held across an access to user memory, which
 * can fault for as long as its mapping likes (userfaultfd, FUSE, a slow
 * disk): arguments are read before it is taken, results written after it
 * is dropped, and the paths that need user memory under it drop it there.
 * Every wait for it is killable but the one that gives back what a
 * transaction reserved (cb_copy_unlocked()).
 */
static long cb_ioctl(struct file *filp, unsigned int cmd, unsigned long arg)
{
	struct cb_proc *proc = filp->private_data;
	struct binder_version __user *version;
	struct mutex *lock = &proc->ctx->lock;
	void __user *ubuf = (void __user *)arg;
	struct flat_binder_object fbo = {};
	struct cb_thread *thread;
	u32 max_threads;
	long ret = 0;

	if (mutex_lock_killable(lock))
		return -EINTR;
	/* Stays: only this task or the file's release frees it. */
	thread = cb_get_thread(proc);
	mutex_unlock(lock);
	if (IS_ERR(thread))
		return PTR_ERR(thread);

	switch (cmd) {
	case BINDER_WRITE_READ:
		return cb_ioctl_write_read(filp, thread, ubuf);
	case BINDER_SET_MAX_THREADS:
		if (get_user(max_threads, (u32 __user *)ubuf))
			return -EFAULT;
		if (mutex_lock_killable(lock))
			return -EINTR;
		proc->max_threads = max_threads;
		break;
	case BINDER_SET_CONTEXT_MGR_EXT:
		if (copy_from_user(&fbo, ubuf, sizeof(fbo)))
			return -EFAULT;
		fallthrough;
	case BINDER_SET_CONTEXT_MGR:
		if (mutex_lock_killable(lock))
			return -EINTR;
		ret = cb_set_mgr(proc, &fbo);
		break;
	case BINDER_THREAD_EXIT:
		if (mutex_lock_killable(lock))
			return -EINTR;
		cb_thread_release(thread, true);
		break;
	case BINDER_VERSION:
		version = ubuf;
		if (put_user(BINDER_CURRENT_PROTOCOL_VERSION,
			     &version->protocol_version))
			return -EFAULT;
		return 0;
	default:
		return -EINVAL;	/* as binder does, not -ENOTTY */
	}
	mutex_unlock(lock);
	return ret;
}

static __poll_t cb_poll(struct file *filp, poll_table *wait)
{
	struct cb_proc *proc = filp->private_data;
	struct cb_thread *thread;
	__poll_t mask = 0;

	if (mutex_lock_killable(&proc->ctx->lock))
		return EPOLLERR;
	thread = cb_get_thread(proc);
	if (IS_ERR(thread)) {
		mutex_unlock(&proc->ctx->lock);
		return EPOLLERR;
	}
	thread->looper |= CB_LOOPER_POLL;
	poll_wait(filp, &thread->wait, wait);
	if (cb_has_work(thread, cb_wants_proc_work(thread)))
		mask = EPOLLIN;
	mutex_unlock(&proc->ctx->lock);
	return mask;
}

static const struct file_operations cb_fops = {
	.owner = THIS_MODULE,
	.open = cb_open,
	.release = cb_release,
	.mmap = cb_mmap,
	.poll = cb_poll,
	.unlocked_ioctl = cb_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

/* ---- module: one misc device per name in @devices ------------------ */

static void cb_remove_all(void)
{
	struct cb_context *ctx, *tmp;

	list_for_each_entry_safe(ctx, tmp, &cb_contexts, entry) {
		misc_deregister(&ctx->misc);
		list_del(&ctx->entry);
		kfree(ctx);
	}
}

static int cb_add_device(const char *name)
{
	struct cb_context *ctx;
	int ret;

	if (!*name || strlen(name) >= sizeof(ctx->name) || strchr(name, '/'))
		return -EINVAL;
	/* A name twice is a bad parameter (and init may not return -EEXIST). */
	list_for_each_entry(ctx, &cb_contexts, entry)
		if (!strcmp(ctx->name, name))
			return -EINVAL;
	ctx = kzalloc_obj(*ctx);
	if (!ctx)
		return -ENOMEM;
	strscpy(ctx->name, name);
	mutex_init(&ctx->lock);
	ctx->misc.minor = MISC_DYNAMIC_MINOR;
	ctx->misc.name = ctx->name;
	ctx->misc.fops = &cb_fops;
	ret = misc_register(&ctx->misc);
	if (ret) {
		kfree(ctx);
		return ret;
	}
	list_add_tail(&ctx->entry, &cb_contexts);
	return 0;
}

static int __init cb_init(void)
{
	char *names, *rest, *name;
	int ret = 0;

	names = kstrdup(devices, GFP_KERNEL);
	if (!names)
		return -ENOMEM;
	rest = names;
	while ((name = strsep(&rest, ","))) {
		ret = cb_add_device(name);
		if (ret)
			break;
	}
	kfree(names);
	if (ret)
		cb_remove_all();
	return ret;
}

static void __exit cb_exit(void)
{
	cb_remove_all();
}

module_init(cb_init);
module_exit(cb_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("cbinder: a small binder-style IPC driver in C");
