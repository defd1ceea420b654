/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cbinder: the objects of a binder-style IPC driver and the buffer
 * allocator's interface. core.c holds the protocol, alloc.c the receive
 * buffers. One mutex per device (struct cb_context.lock) protects every
 * object below except where a comment says otherwise: simple, and enough
 * for a teaching driver (mainline binder.c started with one global lock).
 */
#ifndef CBINDER_H
#define CBINDER_H

#include <linux/list.h>
#include <linux/miscdevice.h>
#include <linux/mm_types.h>
#include <linux/mutex.h>
#include <linux/rbtree.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/wait.h>
#include <linux/xarray.h>

#include <uapi/linux/android/binder.h>

#define CB_MAX_MAP	SZ_4M	/* like binder: a mapping uses at most 4 MiB */

/* One device: its own context manager, its own processes. */
struct cb_context {
	struct miscdevice misc;
	struct mutex lock;		/* protects everything of this device */
	struct cb_node *mgr;		/* the context manager's node, handle 0 */
	kuid_t mgr_uid;			/* who may become it (first one wins) */
	bool mgr_uid_set;
	struct list_head entry;		/* in cb_contexts */
	char name[32];
};

/* What sits on a todo list, for a thread or a process to read. */
enum cb_work_type {
	CB_WORK_TRANSACTION = 1,	/* BR_TRANSACTION or BR_REPLY */
	CB_WORK_COMPLETE,		/* BR_TRANSACTION_COMPLETE */
	CB_WORK_ERROR,			/* struct cb_error: BR_DEAD_REPLY, ... */
	CB_WORK_NODE,			/* BR_INCREFS/ACQUIRE/RELEASE/DECREFS */
	CB_WORK_DEAD_BINDER,		/* BR_DEAD_BINDER */
	CB_WORK_DEAD_BINDER_AND_CLEAR,	/* BR_DEAD_BINDER, then clear done */
	CB_WORK_CLEAR_DEATH,		/* BR_CLEAR_DEATH_NOTIFICATION_DONE */
};

struct cb_work {
	struct list_head entry;		/* empty when not queued */
	enum cb_work_type type;
};

/* An error for a thread to read; the first one of its kind stands. */
struct cb_error {
	struct cb_work work;		/* CB_WORK_ERROR */
	u32 cmd;
};

/* One page of a mapping: used by @users allocated buffers. */
struct cb_page {
	struct page *page;
	unsigned int users;
};

/*
 * The receive buffers of one process: a region of at most 4 MiB that the
 * process mmaps read-only. Buffers tile it, in address order; the used ones
 * are also in a tree by address, the free ones in a tree by size (best
 * fit), as in binder_alloc.c. A page exists only while a buffer uses it.
 */
struct cb_alloc {
	spinlock_t map_lock;		/* mmap() against mmap() */
	bool mapped;			/* set once, with release semantics */
	struct mm_struct *mm;		/* the mapping's mm (mmgrab) */
	unsigned long start;		/* its user address */
	size_t size;			/* bytes used, <= CB_MAX_MAP */
	struct cb_page *pages;		/* size / PAGE_SIZE entries */
	struct list_head buffers;	/* every buffer, by address */
	struct rb_root used;		/* the used ones, by address */
	struct rb_root free;		/* the free ones, by size */
	size_t free_async;		/* room left for one-way transactions */
};

struct cb_buffer {
	struct list_head entry;		/* in alloc->buffers */
	struct rb_node rb_node;		/* in alloc->free or alloc->used */
	size_t offset;			/* from the start of the mapping */
	bool free;
	bool user_owned;		/* delivered: BC_FREE_BUFFER may free it */
	bool async;			/* counted in free_async */
	size_t data_size;
	size_t offsets_size;
	struct cb_transaction *t;	/* while its transaction exists */
	struct cb_node *async_node;	/* one-way: the node it is queued on */
	struct list_head fds;		/* cb_fd_fixup: files not yet delivered */
};

/* A file in a buffer, held until the receiver gets it as a new fd. */
struct cb_fd_fixup {
	struct list_head entry;
	size_t offset;			/* of its binder_fd_object */
	struct file *file;
	int fd;				/* reserved at delivery */
};

/* One open file of the device: a process, as binder calls it. */
struct cb_proc {
	struct cb_context *ctx;
	struct pid *tgid;		/* the opener's (counted): sender_pid */
	kuid_t euid;
	/* Trees, so that a lookup costs log(n) however many a sender makes. */
	struct rb_root threads;		/* by pid */
	struct rb_root nodes;		/* objects this process owns, by ptr */
	struct xarray refs;		/* handles it holds, by descriptor */
	struct rb_root refs_by_node;	/* the same, by node */
	struct list_head todo;		/* work for any of its looper threads */
	spinlock_t waiting_lock;	/* protects @waiting (and not the mutex) */
	struct list_head waiting;	/* looper threads sleeping for work */
	struct list_head delivered_death; /* BR_DEAD_BINDER not yet done */
	unsigned int nr_nodes, nr_refs, nr_threads; /* see cb_max_* */
	u32 max_threads;
	u32 requested_threads;		/* BR_SPAWN_LOOPER sent, not started */
	u32 started_threads;		/* threads that BC_REGISTER_LOOPER'ed */
	struct cb_alloc alloc;
	int tmp_refs;			/* its file, senders copying to it */
	bool released;			/* its file is gone */
};

#define CB_LOOPER_REGISTERED	BIT(0)
#define CB_LOOPER_ENTERED	BIT(1)
#define CB_LOOPER_EXITED	BIT(2)
#define CB_LOOPER_POLL		BIT(3)

struct cb_thread {
	struct cb_proc *proc;
	struct rb_node rb_node;		/* in proc->threads */
	pid_t pid;
	u32 looper;			/* CB_LOOPER_* */
	struct list_head todo;		/* work for this thread only */
	bool process_todo;		/* todo holds work worth waking for */
	unsigned int nr_completes;	/* BR_TRANSACTION_COMPLETEs in todo */
	struct list_head waiting_entry;	/* in proc->waiting while asleep */
	wait_queue_head_t wait;
	/*
	 * Its sync calls, newest on top, as in binder: those it sent and
	 * waits on, and those it took and owes a reply (nested calls).
	 */
	struct cb_transaction *stack;
	/*
	 * Two kinds of error, as in binder, so that neither hides the other:
	 * @error for a command of this thread (writes stop until it is read),
	 * @reply_error for the call it waits on (that call is over).
	 */
	struct cb_error error;
	struct cb_error reply_error;
	struct rcu_head rcu;		/* poll may look at @wait until a GP */
};

/* An object (a binder) owned by a process, known to others by handles. */
struct cb_node {
	struct cb_work work;		/* CB_WORK_NODE, on the owner's todo */
	struct cb_proc *proc;		/* NULL once the owner is gone */
	struct rb_node rb_node;		/* in proc->nodes while it has one */
	struct list_head refs;		/* cb_ref.node_entry */
	binder_uintptr_t ptr;
	binder_uintptr_t cookie;
	int internal_strong;		/* refs with a strong count */
	int local_strong;		/* held by the owner's buffers, pending acks */
	int local_weak;
	int tmp_refs;			/* transactions and buffers on their way */
	bool has_strong, pending_strong; /* what user space was told */
	bool has_weak, pending_weak;
	bool accept_fds;
	bool has_async;			/* a one-way transaction is in flight */
	struct list_head async_todo;	/* the one-way ones waiting behind it */
};

struct cb_death {
	struct cb_work work;
	binder_uintptr_t cookie;
};

/* A handle of @proc to @node. */
struct cb_ref {
	struct rb_node rb_node;		/* in proc->refs_by_node */
	struct list_head node_entry;	/* in node->refs */
	struct cb_proc *proc;
	struct cb_node *node;
	u32 desc;
	int strong;
	int weak;
	struct cb_death *death;
};

/*
 * A sync call is on two stacks at once: its sender's (from, from_parent)
 * and, once a thread took it, that thread's (to_thread, to_parent). A
 * thread that goes sets its side to NULL; the call is freed when its reply
 * or failure is handed on (cb_send_failed_reply()).
 */
struct cb_transaction {
	struct cb_work work;
	struct cb_thread *from;		/* sync: the sender, waiting */
	struct cb_transaction *from_parent; /* below it on from's stack */
	kuid_t sender_euid;
	struct cb_proc *to_proc;
	struct cb_thread *to_thread;	/* set once a thread took it */
	struct cb_transaction *to_parent; /* below it on to_thread's stack */
	struct cb_node *node;		/* target (holds a tmp ref); none for replies */
	struct cb_buffer *buffer;
	u32 code;
	u32 flags;
	bool reply;
};

extern unsigned int cb_max_nodes, cb_max_refs;	/* module parameters */

/* alloc.c, all under ctx->lock except cb_alloc_mmap() */
void cb_alloc_init(struct cb_alloc *alloc);
int cb_alloc_mmap(struct cb_alloc *alloc, struct vm_area_struct *vma);
struct cb_buffer *cb_alloc_new_buf(struct cb_alloc *alloc, size_t data_size,
				   size_t offsets_size, bool async);
void cb_alloc_free_buf(struct cb_alloc *alloc, struct cb_buffer *buffer);
struct cb_buffer *cb_alloc_find_user(struct cb_alloc *alloc,
				     binder_uintptr_t user_ptr);
binder_uintptr_t cb_alloc_user_ptr(struct cb_alloc *alloc,
				   struct cb_buffer *buffer);
int cb_alloc_copy_from_user(struct cb_alloc *alloc, struct cb_buffer *buffer,
			    size_t offset, const void __user *from,
			    size_t bytes);
void cb_alloc_read(struct cb_alloc *alloc, struct cb_buffer *buffer,
		   size_t offset, void *to, size_t bytes);
void cb_alloc_write(struct cb_alloc *alloc, struct cb_buffer *buffer,
		    size_t offset, const void *from, size_t bytes);
void cb_alloc_release(struct cb_alloc *alloc);

/* node.c, all under ctx->lock */
void cb_enqueue_thread(struct cb_thread *thread, struct cb_work *w);
void cb_enqueue_thread_deferred(struct cb_thread *thread,
				struct cb_work *w);
void cb_enqueue_proc(struct cb_proc *proc, struct cb_work *w);
bool cb_wants_proc_work(struct cb_thread *thread);
bool cb_has_work(struct cb_thread *thread, bool proc_work);
bool cb_wakeup_waiting(struct cb_proc *proc);
void cb_wakeup_proc(struct cb_proc *proc);
void cb_thread_error(struct cb_thread *thread, struct cb_error *err, u32 cmd);
void cb_enqueue_death(struct cb_thread *thread, struct cb_death *death);
struct cb_node *cb_node_lookup(struct cb_proc *proc,
			       binder_uintptr_t ptr);
struct cb_node *cb_node_new(struct cb_proc *proc, binder_uintptr_t ptr,
			    binder_uintptr_t cookie, u32 flags);
bool cb_node_strong(struct cb_node *node);
bool cb_node_weak(struct cb_node *node);
void cb_node_queue(struct cb_node *node, struct cb_thread *thread);
void cb_node_maybe_free(struct cb_node *node);
void cb_node_inc(struct cb_node *node, bool strong,
		 struct cb_thread *thread);
void cb_node_dec(struct cb_node *node, bool strong);
void cb_node_tmp_put(struct cb_node *node);
struct cb_ref *cb_ref_lookup(struct cb_proc *proc, u32 desc);
struct cb_ref *cb_ref_get(struct cb_proc *proc, struct cb_node *node);
void cb_ref_inc(struct cb_ref *ref, bool strong, struct cb_thread *thread);
void cb_ref_delete(struct cb_ref *ref);
int cb_ref_dec(struct cb_ref *ref, bool strong);
int cb_request_death(struct cb_thread *thread,
		     struct binder_handle_cookie *hc);
int cb_clear_death(struct cb_thread *thread,
		   struct binder_handle_cookie *hc);
int cb_dead_binder_done(struct cb_thread *thread,
			binder_uintptr_t cookie);

#endif /* CBINDER_H */
