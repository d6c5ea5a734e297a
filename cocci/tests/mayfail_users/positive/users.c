// SPDX-License-Identifier: GPL-2.0
/* Test input for mayfail_users.cocci: a producer and two consumers. */
#include <linux/mm.h>
#include <linux/mmu_notifier.h>

/* producer: reclaim marks its invalidation as may-fail */
void unmap_one(struct vm_area_struct *vma, unsigned long address,
	       unsigned long size, bool reclaim)
{
	struct mmu_notifier_range range;

	mmu_notifier_range_init(&range, MMU_NOTIFY_CLEAR,
				reclaim ? MMU_NOTIFIER_RANGE_MAYFAIL : 0,
				vma->vm_mm, address, address + size);
	mmu_notifier_invalidate_range_start(&range);
	mmu_notifier_invalidate_range_end(&range);
}

/* consumer: an interval notifier that declines */
static bool obj_invalidate(struct mmu_interval_notifier *mni,
			   const struct mmu_notifier_range *range,
			   unsigned long cur_seq)
{
	if (mmu_notifier_range_mayfail(range))
		return false;
	mmu_interval_set_seq(mni, cur_seq);
	return true;
}

/* consumer: tests the flag directly */
static int mn_invalidate_range_start(struct mmu_notifier *mn,
				     const struct mmu_notifier_range *range)
{
	if (range->flags & MMU_NOTIFIER_RANGE_MAYFAIL)
		return -EAGAIN;
	return 0;
}
