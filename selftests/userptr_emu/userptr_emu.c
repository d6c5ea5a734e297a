// SPDX-License-Identifier: GPL-2.0
/*
 * userptr_emu: emulate an i915 userptr object (drivers/gpu/drm/i915/gem/
 * i915_gem_userptr.c in 6.12) without Intel graphics, so that the effect of
 * reclaim on a pin + mmu_interval_notifier subscriber can be tested and
 * measured on any machine.
 *
 * An object pins a range of the caller's memory (pin_user_pages_fast(), or
 * get_user_pages_fast() for USERPTR_EMU_USE_GET) and watches it with an
 * mmu_interval_notifier whose callback, like i915's, only bumps the notifier
 * sequence.  SUBMIT then does what execbuf does: if the sequence moved, unpin
 * everything and re-pin the whole range.  Every invalidation is counted.
 * Beside it, a plain mmu_notifier on the same mm counts the aging calls
 * (clear_flush_young, clear_young, test_young) that a secondary MMU such as
 * KVM receives when reclaim walks the rmap, and answers "not young".
 * The uapi is in userptr_emu.h.
 *
 * Locking
 * -------
 * The invalidate callback can run from reclaim entered by our own pin loop
 * (pin_user_pages_fast() faults pages in and allocates), i.e. in the very
 * task that is pinning, and from any other task at any time.  So it must not
 * take any lock that is held across pinning or allocation.  It takes only:
 *
 *  - obj->seq_lock, a spinlock held around mmu_interval_set_seq() here and
 *    around mmu_interval_read_retry() plus publishing obj->notifier_seq /
 *    obj->valid in the ioctls (the "user provided lock" of the
 *    mmu_interval_read_retry() contract).  Nothing sleeps, allocates or
 *    pins under it, so it nests inside reclaim without creating an edge
 *    fs_reclaim -> ... -> anything we hold while allocating.
 *
 * Everything else the callback reads (obj->nr_held, obj->pin_task, the
 * counters) is read locklessly (READ_ONCE / atomics) and only feeds counters.
 * The aging callbacks run under the page table lock of the folio being aged
 * (folio_referenced_one()) and take no lock at all: they read obj->addr,
 * obj->flags (constant) and obj->nr_held (READ_ONCE) and add to atomics.
 *
 * file->lock, a mutex, serialises the ioctls of one open file and protects
 * the handle xarray, object lifetime and obj->pages.  It is held across
 * pinning, mmu_interval_read_begin() and mmu_interval_notifier_remove(),
 * which gives lockdep the orders file->lock -> mmap_lock,
 * file->lock -> fs_reclaim -> mmu notifier map and file->lock -> mmu
 * notifier map.  The callback never takes file->lock, so none of these can
 * be inverted.  mmu_interval_read_begin() may sleep until a concurrent
 * invalidation of the range ends; such an invalidation never waits for
 * file->lock, so it always ends.
 *
 * Object lifetime: an object is freed only after
 * mmu_interval_notifier_remove() and mmu_notifier_unregister(), which wait
 * for running callbacks, so a callback never sees a freed object.  The file outlives its objects
 * (release destroys them all first).
 *
 * Pages are released (unpinned) only from ioctls and file release, never
 * from the callback, as in 6.12 i915; dirtying uses trylock_page() like
 * i915_gem_userptr_put_pages().
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/ktime.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/pagemap.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/swap.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>

#include "userptr_emu.h"

static unsigned int invalidate_wait_us;
module_param(invalidate_wait_us, uint, 0644);
MODULE_PARM_DESC(invalidate_wait_us,
		 "Sleep this long (us) in blockable invalidations, like 5.x i915/amdgpu/xe (default 0, max "
		 __stringify(USERPTR_EMU_MAX_WAIT_US) ")");

#ifdef MMU_NOTIFIER_RANGE_MAYFAIL
static bool mayfail_support = true;
#else
static bool mayfail_support;
#endif
module_param(mayfail_support, bool, 0444);
MODULE_PARM_DESC(mayfail_support, "Built with MMU_NOTIFIER_RANGE_MAYFAIL (read-only)");

static bool honour_mayfail = true;
module_param(honour_mayfail, bool, 0644);
MODULE_PARM_DESC(honour_mayfail,
		 "Ignore MAYFAIL invalidations of pinned objects, like the forward-ported i915 hunk (default 1)");

enum emu_counter {
	EMU_INVALIDATIONS,
	EMU_EVENT_FIRST,
	EMU_EVENT_LAST = EMU_EVENT_FIRST + USERPTR_EMU_NR_EVENTS - 1,
	EMU_PINNED_HITS,
	EMU_REF_HITS,
	EMU_MAYFAIL_DECLINED,
	EMU_NONBLOCK_DECLINED,
	EMU_SELF_INVALIDATIONS,
	EMU_RECURSIVE_INVALIDATIONS,
	EMU_INVALIDATE_NS,
	EMU_SUBMITS,
	EMU_REPINS,
	EMU_RESTARTS,
	EMU_PAGES_PINNED,
	EMU_YOUNG_FIRST,
	EMU_YOUNG_LAST = EMU_YOUNG_FIRST + USERPTR_EMU_NR_YOUNG - 1,
	EMU_YOUNG_PAGES,
	EMU_YOUNG_PINNED_CALLS,
	EMU_YOUNG_PINNED_PAGES,
	EMU_NR_RESETTABLE,
	/* gauges, not reset by USERPTR_EMU_RESET_STATS */
	EMU_PAGES_HELD = EMU_NR_RESETTABLE,
	EMU_OBJECTS,
	EMU_NR_COUNTERS,
};

struct emu_stats {
	atomic64_t c[EMU_NR_COUNTERS];
};

struct emu_file {
	struct mutex lock;		/* serialises ioctls, see top */
	struct xarray objects;		/* handle -> struct emu_object */
	u32 next_handle;
	unsigned int nr_objects;
	struct emu_stats stats;
};

struct emu_object {
	struct mmu_interval_notifier notifier;
	struct mmu_notifier young;	/* aging calls, on notifier.mm */
	struct emu_file *file;
	unsigned long addr;
	unsigned long npages;
	unsigned int flags;		/* USERPTR_EMU_CREATE_FLAGS */

	/* under file->lock */
	struct page **pages;		/* npages entries, nr_held valid */

	spinlock_t seq_lock;		/* set_seq vs. read_retry + publish */
	unsigned long notifier_seq;	/* under seq_lock (write), file->lock */
	bool valid;			/* pages match notifier_seq, ditto */

	/* written under file->lock, read locklessly by the callback */
	unsigned long nr_held;
	struct task_struct *pin_task;	/* task in the pin loop, or NULL */

	struct emu_stats stats;
};

static struct emu_stats emu_global_stats;
static atomic_long_t emu_reserved_pages;
static struct dentry *emu_dentry;

static void emu_add(struct emu_object *obj, enum emu_counter c, s64 v)
{
	atomic64_add(v, &obj->stats.c[c]);
	atomic64_add(v, &obj->file->stats.c[c]);
	atomic64_add(v, &emu_global_stats.c[c]);
}

static void emu_inc(struct emu_object *obj, enum emu_counter c)
{
	emu_add(obj, c, 1);
}

static bool emu_invalidate(struct mmu_interval_notifier *mni,
			   const struct mmu_notifier_range *range,
			   unsigned long cur_seq)
{
	struct emu_object *obj = container_of(mni, struct emu_object, notifier);
	unsigned int wait_us = min_t(unsigned int, READ_ONCE(invalidate_wait_us),
				     USERPTR_EMU_MAX_WAIT_US);
	struct task_struct *pinner;
	u64 start = ktime_get_ns();
	bool ret = true;

	emu_inc(obj, EMU_INVALIDATIONS);
	if ((unsigned int)range->event < USERPTR_EMU_NR_EVENTS)
		emu_inc(obj, EMU_EVENT_FIRST + range->event);
	if (READ_ONCE(obj->nr_held))
		emu_inc(obj, (obj->flags & USERPTR_EMU_USE_GET) ?
			EMU_REF_HITS : EMU_PINNED_HITS);
	pinner = READ_ONCE(obj->pin_task);
	if (pinner) {
		emu_inc(obj, EMU_SELF_INVALIDATIONS);
		if (pinner == current)
			emu_inc(obj, EMU_RECURSIVE_INVALIDATIONS);
	}

#ifdef MMU_NOTIFIER_RANGE_MAYFAIL
	/*
	 * The forward-ported 2020 i915 hunk: a reclaim invalidation may be
	 * declined; leave the sequence alone and rely on the pin, which
	 * reclaim never frees.  Only pinning objects do so: a USE_GET object
	 * (like radeon) needs the invalidation to let its pages go.
	 */
	if (!(obj->flags & USERPTR_EMU_USE_GET) && READ_ONCE(honour_mayfail) &&
	    mmu_notifier_range_mayfail(range)) {
		emu_inc(obj, EMU_MAYFAIL_DECLINED);
		goto out;
	}
#endif

	if (wait_us && !mmu_notifier_range_blockable(range)) {
		/* We would have to sleep: the interval notifier contract. */
		emu_inc(obj, EMU_NONBLOCK_DECLINED);
		ret = false;
		goto out;
	}

	spin_lock(&obj->seq_lock);
	mmu_interval_set_seq(mni, cur_seq);
	spin_unlock(&obj->seq_lock);

	/* 5.x i915, amdgpu and xe wait here for the GPU to let go. */
	if (wait_us)
		fsleep(wait_us);
out:
	emu_add(obj, EMU_INVALIDATE_NS, ktime_get_ns() - start);
	return ret;
}

static const struct mmu_interval_notifier_ops emu_notifier_ops = {
	.invalidate = emu_invalidate,
};

/*
 * Count one aging call on [start, end) of the object's mm: all of it, and
 * the part that overlaps the pages the object holds with FOLL_PIN (the
 * first nr_held pages of the range).
 */
static void emu_young(struct mmu_notifier *mn, unsigned int op,
		      unsigned long start, unsigned long end)
{
	struct emu_object *obj = container_of(mn, struct emu_object, young);
	unsigned long held_end, lo, hi;

	emu_inc(obj, EMU_YOUNG_FIRST + op);
	emu_add(obj, EMU_YOUNG_PAGES, DIV_ROUND_UP(end - start, PAGE_SIZE));

	if (obj->flags & USERPTR_EMU_USE_GET)
		return;
	held_end = obj->addr + (READ_ONCE(obj->nr_held) << PAGE_SHIFT);
	lo = max(start, obj->addr);
	hi = min(end, held_end);
	if (lo >= hi)
		return;
	emu_inc(obj, EMU_YOUNG_PINNED_CALLS);
	emu_add(obj, EMU_YOUNG_PINNED_PAGES, DIV_ROUND_UP(hi - lo, PAGE_SIZE));
}

/*
 * The aging callbacks return int up to 6.12 and bool in 7.3: take the
 * return type from struct mmu_notifier_ops (typeof does not evaluate the
 * call), so that one source builds against both.  There is no secondary
 * page table, so the answer is always "not young": aging is unchanged.
 */
#define EMU_YOUNG_RET \
	typeof(((struct mmu_notifier_ops *)NULL)->clear_flush_young(NULL, NULL, 0, 0))

static EMU_YOUNG_RET emu_clear_flush_young(struct mmu_notifier *mn,
					   struct mm_struct *mm,
					   unsigned long start,
					   unsigned long end)
{
	emu_young(mn, USERPTR_EMU_YOUNG_CLEAR_FLUSH, start, end);
	return 0;
}

static EMU_YOUNG_RET emu_clear_young(struct mmu_notifier *mn,
				     struct mm_struct *mm,
				     unsigned long start, unsigned long end)
{
	emu_young(mn, USERPTR_EMU_YOUNG_CLEAR, start, end);
	return 0;
}

static EMU_YOUNG_RET emu_test_young(struct mmu_notifier *mn,
				    struct mm_struct *mm,
				    unsigned long address)
{
	emu_young(mn, USERPTR_EMU_YOUNG_TEST, address, address + PAGE_SIZE);
	return 0;
}

static const struct mmu_notifier_ops emu_young_ops = {
	.clear_flush_young = emu_clear_flush_young,
	.clear_young = emu_clear_young,
	.test_young = emu_test_young,
};

/* Drop the pages the object holds, like i915_gem_userptr_put_pages(). */
static void emu_put_pages(struct emu_object *obj)
{
	unsigned long i, n = obj->nr_held;
	bool dirty = !(obj->flags & USERPTR_EMU_READONLY);

	if (!n)
		return;

	spin_lock(&obj->seq_lock);
	obj->valid = false;
	spin_unlock(&obj->seq_lock);

	for (i = 0; i < n; i++) {
		struct page *page = obj->pages[i];

		if (dirty && trylock_page(page)) {
			set_page_dirty(page);
			unlock_page(page);
		}
		mark_page_accessed(page);
	}

	if (obj->flags & USERPTR_EMU_USE_GET) {
		for (i = 0; i < n; i++)
			put_page(obj->pages[i]);
	} else {
		unpin_user_pages(obj->pages, n);
	}

	WRITE_ONCE(obj->nr_held, 0);
	emu_add(obj, EMU_PAGES_HELD, -(s64)n);
}

/*
 * Pin (or reference) the whole range into obj->pages.  Called with no pages
 * held.  With USERPTR_EMU_PIN_INCREMENTAL one page per GUP call, so that
 * reclaim entered from the loop can meet the pages pinned so far.
 */
static int emu_get_pages(struct emu_object *obj)
{
	unsigned int gup_flags = 0;
	unsigned long chunk;
	int ret = 0;

	if (!(obj->flags & USERPTR_EMU_READONLY))
		gup_flags |= FOLL_WRITE;
	if (obj->flags & USERPTR_EMU_LONGTERM)
		gup_flags |= FOLL_LONGTERM;
	chunk = (obj->flags & USERPTR_EMU_PIN_INCREMENTAL) ? 1 : obj->npages;

	WRITE_ONCE(obj->pin_task, current);
	while (obj->nr_held < obj->npages) {
		unsigned long start = obj->addr + obj->nr_held * PAGE_SIZE;
		int nr = min(chunk, obj->npages - obj->nr_held);
		struct page **pages = obj->pages + obj->nr_held;

		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}

		if (obj->flags & USERPTR_EMU_USE_GET)
			ret = get_user_pages_fast(start, nr, gup_flags, pages);
		else
			ret = pin_user_pages_fast(start, nr, gup_flags, pages);
		if (ret <= 0) {
			if (!ret)
				ret = -EFAULT;
			break;
		}

		WRITE_ONCE(obj->nr_held, obj->nr_held + ret);
		emu_add(obj, EMU_PAGES_PINNED, ret);
		emu_add(obj, EMU_PAGES_HELD, ret);
		ret = 0;
		if (chunk == 1)
			cond_resched();
	}
	WRITE_ONCE(obj->pin_task, NULL);

	if (ret)
		emu_put_pages(obj);
	return ret;
}

/* Publish the pages if no invalidation collided since @seq. */
static bool emu_commit(struct emu_object *obj, unsigned long seq, bool force)
{
	bool collided;

	spin_lock(&obj->seq_lock);
	collided = mmu_interval_read_retry(&obj->notifier, seq);
	if (!collided || force) {
		obj->notifier_seq = seq;
		obj->valid = true;
	}
	spin_unlock(&obj->seq_lock);

	return collided;
}

static void emu_object_free(struct emu_object *obj)
{
	struct emu_file *file = obj->file;

	mmu_interval_notifier_remove(&obj->notifier);
	mmu_notifier_unregister(&obj->young, obj->young.mm);
	emu_put_pages(obj);
	emu_add(obj, EMU_OBJECTS, -1);
	atomic_long_sub(obj->npages, &emu_reserved_pages);
	file->nr_objects--;
	kvfree(obj->pages);
	kfree(obj);
}

static struct emu_object *emu_lookup(struct emu_file *file, u32 handle)
{
	lockdep_assert_held(&file->lock);

	return handle ? xa_load(&file->objects, handle) : NULL;
}

static int emu_create(struct emu_file *file, struct userptr_emu_create *args)
{
	unsigned long addr, len, npages, seq;
	struct emu_object *obj;
	u32 handle;
	u64 end;
	int ret;

	if (args->flags & ~USERPTR_EMU_CREATE_FLAGS || args->pad ||
	    args->handle || args->npages || args->self_invalidations ||
	    args->stale)
		return -EINVAL;
	if ((args->flags & USERPTR_EMU_USE_GET) &&
	    (args->flags & USERPTR_EMU_LONGTERM))
		return -EINVAL;	/* FOLL_LONGTERM needs FOLL_PIN */
	if (!PAGE_ALIGNED(args->addr) || !PAGE_ALIGNED(args->len) || !args->len)
		return -EINVAL;
	if (check_add_overflow(args->addr, args->len, &end) ||
	    end > ULONG_MAX)
		return -EINVAL;
	addr = args->addr;
	len = args->len;
	npages = len >> PAGE_SHIFT;
	if (npages > USERPTR_EMU_MAX_OBJ_PAGES)
		return -E2BIG;
	if (!access_ok((void __user *)addr, len))
		return -EFAULT;
	if (!current->mm)
		return -EFAULT;

	if (file->nr_objects >= USERPTR_EMU_MAX_OBJECTS)
		return -ENOSPC;
	if (atomic_long_add_return(npages, &emu_reserved_pages) >
	    USERPTR_EMU_MAX_TOTAL_PAGES) {
		atomic_long_sub(npages, &emu_reserved_pages);
		return -ENOSPC;
	}

	ret = -ENOMEM;
	obj = kzalloc(sizeof(*obj), GFP_KERNEL);
	if (!obj)
		goto err_unreserve;
	obj->pages = kvmalloc_array(npages, sizeof(*obj->pages), GFP_KERNEL);
	if (!obj->pages)
		goto err_free;
	obj->file = file;
	obj->addr = addr;
	obj->npages = npages;
	obj->flags = args->flags;
	spin_lock_init(&obj->seq_lock);

	ret = xa_alloc_cyclic(&file->objects, &handle, obj, xa_limit_32b,
			      &file->next_handle, GFP_KERNEL);
	if (ret < 0)
		goto err_free;

	ret = mmu_interval_notifier_insert(&obj->notifier, current->mm,
					   addr, len, &emu_notifier_ops);
	if (ret)
		goto err_erase;
	obj->young.ops = &emu_young_ops;
	ret = mmu_notifier_register(&obj->young, current->mm);
	if (ret) {
		mmu_interval_notifier_remove(&obj->notifier);
		goto err_erase;
	}
	file->nr_objects++;
	emu_inc(obj, EMU_OBJECTS);

	seq = mmu_interval_read_begin(&obj->notifier);
	ret = emu_get_pages(obj);
	if (ret) {
		xa_erase(&file->objects, handle);
		emu_object_free(obj);
		return ret;
	}

	/*
	 * Keep the pages even if an invalidation (maybe our own reclaim)
	 * collided with the pin loop: the stored sequence is then stale and
	 * the next SUBMIT re-pins, as i915 would.
	 */
	args->stale = emu_commit(obj, seq, true);
	args->handle = handle;
	args->npages = npages;
	args->self_invalidations =
		atomic64_read(&obj->stats.c[EMU_SELF_INVALIDATIONS]);
	return 0;

err_erase:
	xa_erase(&file->objects, handle);
err_free:
	kvfree(obj->pages);
	kfree(obj);
err_unreserve:
	atomic_long_sub(npages, &emu_reserved_pages);
	return ret;
}

static void emu_check(struct emu_object *obj, struct userptr_emu_submit *args)
{
	unsigned long i;

	spin_lock(&obj->seq_lock);
	args->stale = !obj->valid ||
		mmu_interval_check_retry(&obj->notifier, obj->notifier_seq);
	spin_unlock(&obj->seq_lock);

	for (i = 0; i < obj->npages; i++) {
		struct page *page;

		if (get_user_pages_fast_only(obj->addr + i * PAGE_SIZE, 1, 0,
					     &page) != 1)
			continue;
		args->present++;
		if (i >= obj->nr_held || page != obj->pages[i])
			args->mismatch++;
		put_page(page);
	}
}

/* i915_gem_object_userptr_submit_init() */
static int emu_submit(struct emu_object *obj, struct userptr_emu_submit *args)
{
	unsigned long seq;
	int ret;

	if (obj->notifier.mm != current->mm)
		return -EFAULT;

	if (args->flags & USERPTR_EMU_SUBMIT_CHECK) {
		emu_check(obj, args);
		return 0;
	}

	emu_inc(obj, EMU_SUBMITS);
	for (;;) {
		seq = mmu_interval_read_begin(&obj->notifier);
		if (obj->valid && seq == obj->notifier_seq)
			return 0;

		args->stale = 1;
		if (obj->nr_held && !args->repinned) {
			args->repinned = 1;
			emu_inc(obj, EMU_REPINS);
		}
		emu_put_pages(obj);

		ret = emu_get_pages(obj);
		if (ret)
			return ret;

		if (!emu_commit(obj, seq, false))
			return 0;

		/* We collided with the mmu notifier, need to retry. */
		emu_put_pages(obj);
		emu_inc(obj, EMU_RESTARTS);
		if (++args->restarts >= USERPTR_EMU_MAX_RESTARTS)
			return -EAGAIN;
	}
}

static u64 emu_fetch(struct emu_stats *s, enum emu_counter c, bool reset)
{
	if (reset && c < EMU_NR_RESETTABLE)
		return atomic64_xchg(&s->c[c], 0);
	return atomic64_read(&s->c[c]);
}

static int emu_stats(struct emu_file *file, struct userptr_emu_stats *args,
		     bool reset)
{
	struct emu_object *obj;
	struct emu_stats *s;
	unsigned int i;

	switch (args->scope) {
	case USERPTR_EMU_SCOPE_OBJECT:
		obj = emu_lookup(file, args->handle);
		if (!obj)
			return -ENOENT;
		s = &obj->stats;
		break;
	case USERPTR_EMU_SCOPE_FILE:
		if (args->handle)
			return -EINVAL;
		s = &file->stats;
		break;
	case USERPTR_EMU_SCOPE_GLOBAL:
		if (args->handle)
			return -EINVAL;
		s = &emu_global_stats;
		break;
	default:
		return -EINVAL;
	}

	memset_after(args, 0, handle);
	if (mayfail_support) {
		args->features |= USERPTR_EMU_FEAT_MAYFAIL;
		if (READ_ONCE(honour_mayfail))
			args->features |= USERPTR_EMU_FEAT_HONOUR_MAYFAIL;
	}
	args->invalidate_wait_us = min_t(unsigned int,
					 READ_ONCE(invalidate_wait_us),
					 USERPTR_EMU_MAX_WAIT_US);

	args->invalidations = emu_fetch(s, EMU_INVALIDATIONS, reset);
	for (i = 0; i < USERPTR_EMU_NR_EVENTS; i++)
		args->by_event[i] = emu_fetch(s, EMU_EVENT_FIRST + i, reset);
	args->pinned_hits = emu_fetch(s, EMU_PINNED_HITS, reset);
	args->ref_hits = emu_fetch(s, EMU_REF_HITS, reset);
	args->mayfail_declined = emu_fetch(s, EMU_MAYFAIL_DECLINED, reset);
	args->nonblock_declined = emu_fetch(s, EMU_NONBLOCK_DECLINED, reset);
	args->self_invalidations = emu_fetch(s, EMU_SELF_INVALIDATIONS, reset);
	args->recursive_invalidations =
		emu_fetch(s, EMU_RECURSIVE_INVALIDATIONS, reset);
	args->invalidate_ns = emu_fetch(s, EMU_INVALIDATE_NS, reset);
	args->submits = emu_fetch(s, EMU_SUBMITS, reset);
	args->repins = emu_fetch(s, EMU_REPINS, reset);
	args->restarts = emu_fetch(s, EMU_RESTARTS, reset);
	args->pages_pinned = emu_fetch(s, EMU_PAGES_PINNED, reset);
	args->pages_held = emu_fetch(s, EMU_PAGES_HELD, reset);
	args->objects = emu_fetch(s, EMU_OBJECTS, reset);
	for (i = 0; i < USERPTR_EMU_NR_YOUNG; i++)
		args->young_calls[i] = emu_fetch(s, EMU_YOUNG_FIRST + i, reset);
	args->young_pages = emu_fetch(s, EMU_YOUNG_PAGES, reset);
	args->young_pinned_calls = emu_fetch(s, EMU_YOUNG_PINNED_CALLS, reset);
	args->young_pinned_pages = emu_fetch(s, EMU_YOUNG_PINNED_PAGES, reset);
	return 0;
}

static long emu_ioctl_locked(struct emu_file *file, unsigned int cmd,
			     void *data)
{
	struct emu_object *obj;

	switch (cmd) {
	case USERPTR_EMU_CREATE:
		return emu_create(file, data);
	case USERPTR_EMU_SUBMIT: {
		struct userptr_emu_submit *args = data;

		if (args->flags & ~USERPTR_EMU_SUBMIT_FLAGS || args->pad ||
		    args->stale || args->repinned || args->restarts ||
		    args->present || args->mismatch)
			return -EINVAL;
		obj = emu_lookup(file, args->handle);
		if (!obj)
			return -ENOENT;
		return emu_submit(obj, args);
	}
	case USERPTR_EMU_DESTROY: {
		struct userptr_emu_destroy *args = data;

		if (args->pad)
			return -EINVAL;
		obj = emu_lookup(file, args->handle);
		if (!obj)
			return -ENOENT;
		xa_erase(&file->objects, args->handle);
		emu_object_free(obj);
		return 0;
	}
	case USERPTR_EMU_STATS:
		return emu_stats(file, data, false);
	case USERPTR_EMU_RESET_STATS:
		return emu_stats(file, data, true);
	}
	return -ENOTTY;
}

static long emu_ioctl(struct file *filp, unsigned int cmd, unsigned long arg)
{
	struct emu_file *file = filp->private_data;
	void __user *uarg = (void __user *)arg;
	union {
		struct userptr_emu_create create;
		struct userptr_emu_submit submit;
		struct userptr_emu_destroy destroy;
		struct userptr_emu_stats stats;
	} data;
	unsigned int size = _IOC_SIZE(cmd);
	long ret;

	switch (cmd) {
	case USERPTR_EMU_CREATE:
	case USERPTR_EMU_SUBMIT:
	case USERPTR_EMU_DESTROY:
	case USERPTR_EMU_STATS:
	case USERPTR_EMU_RESET_STATS:
		break;
	default:
		return -ENOTTY;
	}

	if (copy_from_user(&data, uarg, size))
		return -EFAULT;

	if (mutex_lock_killable(&file->lock))
		return -EINTR;
	ret = emu_ioctl_locked(file, cmd, &data);
	mutex_unlock(&file->lock);

	if (!ret && (_IOC_DIR(cmd) & _IOC_READ) &&
	    copy_to_user(uarg, &data, size))
		ret = -EFAULT;
	return ret;
}

static int emu_open(struct inode *inode, struct file *filp)
{
	struct emu_file *file;

	file = kzalloc(sizeof(*file), GFP_KERNEL);
	if (!file)
		return -ENOMEM;

	mutex_init(&file->lock);
	xa_init_flags(&file->objects, XA_FLAGS_ALLOC1);
	filp->private_data = file;

	return nonseekable_open(inode, filp);
}

static int emu_release(struct inode *inode, struct file *filp)
{
	struct emu_file *file = filp->private_data;
	struct emu_object *obj;
	unsigned long handle;

	mutex_lock(&file->lock);
	xa_for_each(&file->objects, handle, obj) {
		xa_erase(&file->objects, handle);
		emu_object_free(obj);
	}
	mutex_unlock(&file->lock);

	xa_destroy(&file->objects);
	mutex_destroy(&file->lock);
	kfree(file);
	return 0;
}

static const struct file_operations emu_fops = {
	.owner = THIS_MODULE,
	.open = emu_open,
	.release = emu_release,
	.unlocked_ioctl = emu_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static int __init emu_init(void)
{
	BUILD_BUG_ON(MMU_NOTIFY_UNMAP != USERPTR_EMU_EV_UNMAP);
	BUILD_BUG_ON(MMU_NOTIFY_CLEAR != USERPTR_EMU_EV_CLEAR);
	BUILD_BUG_ON(MMU_NOTIFY_PROTECTION_VMA != USERPTR_EMU_EV_PROTECTION_VMA);
	BUILD_BUG_ON(MMU_NOTIFY_PROTECTION_PAGE !=
		     USERPTR_EMU_EV_PROTECTION_PAGE);
	BUILD_BUG_ON(MMU_NOTIFY_SOFT_DIRTY != USERPTR_EMU_EV_SOFT_DIRTY);
	BUILD_BUG_ON(MMU_NOTIFY_RELEASE != USERPTR_EMU_EV_RELEASE);
	BUILD_BUG_ON(MMU_NOTIFY_MIGRATE != USERPTR_EMU_EV_MIGRATE);
	BUILD_BUG_ON(MMU_NOTIFY_EXCLUSIVE != USERPTR_EMU_EV_EXCLUSIVE);
	BUILD_BUG_ON(USERPTR_EMU_MAX_OBJECTS > INT_MAX);
	BUILD_BUG_ON(USERPTR_EMU_MAX_OBJ_PAGES > INT_MAX);
	BUILD_BUG_ON(sizeof(struct userptr_emu_stats) != 256);

	emu_dentry = debugfs_create_file("userptr_emu", 0600, NULL, NULL,
					 &emu_fops);
	if (IS_ERR(emu_dentry))
		return PTR_ERR(emu_dentry);

	pr_info("loaded, MAYFAIL support %s\n", mayfail_support ? "yes" : "no");
	return 0;
}

static void __exit emu_exit(void)
{
	debugfs_remove(emu_dentry);
}

module_init(emu_init);
module_exit(emu_exit);

MODULE_DESCRIPTION("i915 userptr emulation: pins + mmu_interval_notifier for reclaim tests");
MODULE_LICENSE("GPL");
