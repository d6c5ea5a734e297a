// SPDX-License-Identifier: GPL-2.0
/* Test input for gup_dma_with_notifier.cocci: the notifier half (radeon_mn.c shape). */
#include <linux/mmu_notifier.h>

struct demo_bo {
	struct mmu_interval_notifier notifier;
};

static bool demo_mn_invalidate(struct mmu_interval_notifier *mn,
			       const struct mmu_notifier_range *range,
			       unsigned long cur_seq)
{
	if (!mmu_notifier_range_blockable(range))
		return false;
	mmu_interval_set_seq(mn, cur_seq);
	return true;
}

static const struct mmu_interval_notifier_ops demo_mn_ops = {
	.invalidate = demo_mn_invalidate,
};

int demo_mn_register(struct demo_bo *bo, unsigned long addr, unsigned long size)
{
	return mmu_interval_notifier_insert(&bo->notifier, current->mm, addr,
					    size, &demo_mn_ops);
}
