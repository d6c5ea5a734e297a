// SPDX-License-Identifier: GPL-2.0
/* Test input for notifier_block_before_check.cocci: all sleeps are guarded. */
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/dma-resv.h>
#include <linux/delay.h>

struct obj {
	struct mmu_interval_notifier notifier;
	struct mmu_notifier mn;
	struct mutex lock;
	struct dma_resv *resv;
	bool busy;
};

static bool obj_invalidate(struct mmu_interval_notifier *mni,
			   const struct mmu_notifier_range *range,
			   unsigned long cur_seq)
{
	struct obj *obj = container_of(mni, struct obj, notifier);

	if (!mmu_notifier_range_blockable(range))
		return false;
	mutex_lock(&obj->lock);
	mmu_interval_set_seq(mni, cur_seq);
	mutex_unlock(&obj->lock);
	dma_resv_wait_timeout(obj->resv, DMA_RESV_USAGE_BOOKKEEP, false,
			      MAX_SCHEDULE_TIMEOUT);
	return true;
}

/* nouveau's shape: lock if blockable, else trylock */
static bool obj_invalidate2(struct mmu_interval_notifier *mni,
			    const struct mmu_notifier_range *range,
			    unsigned long cur_seq)
{
	struct obj *obj = container_of(mni, struct obj, notifier);

	if (range->event == MMU_NOTIFY_EXCLUSIVE)
		return true;
	if (mmu_notifier_range_blockable(range))
		mutex_lock(&obj->lock);
	else if (!mutex_trylock(&obj->lock))
		return false;
	mmu_interval_set_seq(mni, cur_seq);
	mutex_unlock(&obj->lock);
	return true;
}

/* the check result kept in a local */
static int obj_invalidate_range_start(struct mmu_notifier *mn,
				      const struct mmu_notifier_range *range)
{
	struct obj *obj = container_of(mn, struct obj, mn);
	bool blockable = mmu_notifier_range_blockable(range);

	if (!blockable)
		return -EAGAIN;
	msleep(1);
	return 0;
}

static const struct mmu_notifier_ops obj_ops = {
	.invalidate_range_start = obj_invalidate_range_start,
};

static const struct mmu_interval_notifier_ops obj_mn_ops = {
	.invalidate = obj_invalidate,
};

static const struct mmu_interval_notifier_ops obj_mn_ops2 = {
	.invalidate = obj_invalidate2,
};

/* not a notifier callback: may sleep */
void obj_teardown(struct obj *obj)
{
	mutex_lock(&obj->lock);
	obj->busy = false;
	mutex_unlock(&obj->lock);
	msleep(10);
}

/* invalidate_range_end is out of scope */
static void obj_invalidate_range_end(struct mmu_notifier *mn,
				     const struct mmu_notifier_range *range)
{
	struct obj *obj = container_of(mn, struct obj, mn);

	mutex_lock(&obj->lock);
	mutex_unlock(&obj->lock);
}

static const struct mmu_notifier_ops obj_ops2 = {
	.invalidate_range_end = obj_invalidate_range_end,
};
