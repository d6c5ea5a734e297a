// SPDX-License-Identifier: GPL-2.0
/* Test input for notifier_block_before_check.cocci: every callback may sleep unguarded. */
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/dma-resv.h>
#include <linux/delay.h>

struct obj {
	struct mmu_interval_notifier notifier;
	struct mmu_notifier mn;
	struct mutex lock;
	struct rw_semaphore sem;
	struct dma_resv *resv;
	wait_queue_head_t wq;
	bool busy;
};

/* sleeps before looking at the range at all */
static bool obj_invalidate(struct mmu_interval_notifier *mni,
			   const struct mmu_notifier_range *range,
			   unsigned long cur_seq)
{
	struct obj *obj = container_of(mni, struct obj, notifier);

	mutex_lock(&obj->lock);
	mmu_interval_set_seq(mni, cur_seq);
	mutex_unlock(&obj->lock);
	return true;
}

static const struct mmu_interval_notifier_ops obj_mn_ops = {
	.invalidate = obj_invalidate,
};

/* waits first, checks afterwards */
static int obj_invalidate_range_start(struct mmu_notifier *mn,
				      const struct mmu_notifier_range *range)
{
	struct obj *obj = container_of(mn, struct obj, mn);

	dma_resv_wait_timeout(obj->resv, DMA_RESV_USAGE_BOOKKEEP, false,
			      MAX_SCHEDULE_TIMEOUT);
	if (!mmu_notifier_range_blockable(range))
		return -EAGAIN;
	down_write(&obj->sem);
	up_write(&obj->sem);
	return 0;
}

static const struct mmu_notifier_ops obj_ops = {
	.invalidate_range_start = obj_invalidate_range_start,
};

/* the check guards only one branch */
static bool obj_invalidate2(struct mmu_interval_notifier *mni,
			    const struct mmu_notifier_range *range,
			    unsigned long cur_seq)
{
	struct obj *obj = container_of(mni, struct obj, notifier);

	if (range->event == MMU_NOTIFY_UNMAP) {
		wait_event(obj->wq, !obj->busy);
	} else if (!mmu_notifier_range_blockable(range)) {
		return false;
	}
	usleep_range(10, 20);
	return true;
}

static void obj_drain(struct obj *obj)
{
	while (obj->busy)
		msleep(1);
}

/* sleeps in a helper of the same file */
static bool obj_invalidate3(struct mmu_interval_notifier *mni,
			    const struct mmu_notifier_range *range,
			    unsigned long cur_seq)
{
	struct obj *obj = container_of(mni, struct obj, notifier);

	obj_drain(obj);
	mmu_interval_set_seq(mni, cur_seq);
	return true;
}

const struct mmu_interval_notifier_ops obj_mn_ops2 = {
	.invalidate = obj_invalidate2,
};

static const struct mmu_interval_notifier_ops obj_mn_ops3 = {
	.invalidate = obj_invalidate3,
};
