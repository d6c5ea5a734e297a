// SPDX-License-Identifier: GPL-2.0
/*
 * Test input for mayfail_users.cocci: the definitions of the flag and the
 * helper are not users; blockable-only code is out of scope.
 */
#include <linux/mm.h>

#define MMU_NOTIFIER_RANGE_BLOCKABLE (1 << 0)
#define MMU_NOTIFIER_RANGE_MAYFAIL (1 << 1)

static inline bool
mmu_notifier_range_mayfail(const struct mmu_notifier_range *range)
{
	return range->flags & MMU_NOTIFIER_RANGE_MAYFAIL;
}

static bool obj_invalidate(struct mmu_interval_notifier *mni,
			   const struct mmu_notifier_range *range,
			   unsigned long cur_seq)
{
	if (!mmu_notifier_range_blockable(range))
		return false;
	mmu_interval_set_seq(mni, cur_seq);
	return true;
}
