// SPDX-License-Identifier: GPL-2.0
/*
 * Test input for notifier_block_before_check.cocci: 7.3's two-pass
 * interval notifiers (mmu_interval_notifier_ops.invalidate_start and
 * .invalidate_finish).  invalidate_start is called where .invalidate is,
 * non-blocking from the OOM reaper included, so it must check
 * mmu_notifier_range_blockable() before it sleeps.
 */
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/dma-fence.h>

struct uptr {
	struct mmu_interval_notifier notifier;
	struct mmu_interval_notifier_finish finish;
	struct rw_semaphore lock;
	struct dma_fence *fence;
};

/* wrong: takes the lock before looking at the range */
static bool uptr_invalidate_start(struct mmu_interval_notifier *mni,
				  const struct mmu_notifier_range *range,
				  unsigned long cur_seq,
				  struct mmu_interval_notifier_finish **finish)
{
	struct uptr *u = container_of(mni, struct uptr, notifier);

	down_write(&u->lock);
	mmu_interval_set_seq(mni, cur_seq);
	*finish = &u->finish;
	up_write(&u->lock);
	return true;
}

/*
 * Not reported: the finish pass has no range to check; it runs only
 * after invalidate_start returned a finish, which decides blockability.
 */
static void uptr_invalidate_finish(struct mmu_interval_notifier_finish *f)
{
	struct uptr *u = container_of(f, struct uptr, finish);

	dma_fence_wait(u->fence, false);
}

static const struct mmu_interval_notifier_ops uptr_ops = {
	.invalidate_start = uptr_invalidate_start,
	.invalidate_finish = uptr_invalidate_finish,
};

/* right: the xe_vma_userptr_invalidate_start() shape, checks first */
static bool uptr2_invalidate_start(struct mmu_interval_notifier *mni,
				   const struct mmu_notifier_range *range,
				   unsigned long cur_seq,
				   struct mmu_interval_notifier_finish **finish)
{
	struct uptr *u = container_of(mni, struct uptr, notifier);

	if (!mmu_notifier_range_blockable(range))
		return false;
	down_write(&u->lock);
	mmu_interval_set_seq(mni, cur_seq);
	*finish = &u->finish;
	up_write(&u->lock);
	return true;
}

static const struct mmu_interval_notifier_ops uptr2_ops = {
	.invalidate_start = uptr2_invalidate_start,
	.invalidate_finish = uptr_invalidate_finish,
};
