// SPDX-License-Identifier: GPL-2.0
/*
 * Test input for gup_dma_with_notifier.cocci: notifier + DMA, but the
 * pages are FOLL_PIN (already correct), and a fault-in with NULL pages.
 */
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/dma-mapping.h>
#include <linux/scatterlist.h>

struct pin_obj {
	struct mmu_interval_notifier notifier;
	struct page **pages;
	int n;
	struct sg_table sgt;
	struct device *dev;
};

static bool pin_invalidate(struct mmu_interval_notifier *mni,
			   const struct mmu_notifier_range *range,
			   unsigned long cur_seq)
{
	mmu_interval_set_seq(mni, cur_seq);
	return true;
}

static const struct mmu_interval_notifier_ops pin_mn_ops = {
	.invalidate = pin_invalidate,
};

int pin_register(struct pin_obj *obj, unsigned long addr, unsigned long size)
{
	return mmu_interval_notifier_insert(&obj->notifier, current->mm, addr,
					    size, &pin_mn_ops);
}

int pin_obj_pages(struct pin_obj *obj, unsigned long addr)
{
	int got = pin_user_pages_fast(addr, obj->n, FOLL_WRITE | FOLL_LONGTERM,
				      obj->pages);

	if (got < 0)
		return got;
	return dma_map_sgtable(obj->dev, &obj->sgt, DMA_BIDIRECTIONAL, 0);
}

void unpin_obj_pages(struct pin_obj *obj)
{
	unpin_user_pages(obj->pages, obj->n);
}

/* Fault the range in; takes no page references. */
int prefault(struct mm_struct *mm, unsigned long addr)
{
	int locked = 1;

	return get_user_pages_remote(mm, addr, 1, FOLL_WRITE, NULL, &locked);
}
