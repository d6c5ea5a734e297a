// SPDX-License-Identifier: GPL-2.0
/* Test input for gup_dma_with_notifier.cocci: plain references + DMA + notifier. */
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/dma-mapping.h>
#include <linux/scatterlist.h>

struct demo_obj {
	struct mmu_interval_notifier notifier;
	struct page **pages;
	unsigned long npages;
	struct sg_table sgt;
	struct device *dev;
};

static bool demo_invalidate(struct mmu_interval_notifier *mni,
			    const struct mmu_notifier_range *range,
			    unsigned long cur_seq)
{
	if (!mmu_notifier_range_blockable(range))
		return false;
	mmu_interval_set_seq(mni, cur_seq);
	return true;
}

static const struct mmu_interval_notifier_ops demo_mn_ops = {
	.invalidate = demo_invalidate,
};

int demo_register(struct demo_obj *obj, unsigned long addr, unsigned long size)
{
	return mmu_interval_notifier_insert(&obj->notifier, current->mm,
					    addr, size, &demo_mn_ops);
}

/* Simple case: the page array is local; patch mode converts it. */
int demo_dma_once(struct demo_obj *obj, unsigned long addr, int npages)
{
	struct page **pages;
	struct sg_table sgt;
	int i, ret, got;

	pages = kvmalloc_array(npages, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return -ENOMEM;

	got = get_user_pages_fast(addr, npages, FOLL_WRITE, pages);
	if (got < 0) {
		ret = got;
		goto out_free;
	}
	if (got != npages) {
		release_pages(pages, got);
		ret = -EFAULT;
		goto out_free;
	}

	ret = sg_alloc_table_from_pages(&sgt, pages, npages, 0,
					npages << PAGE_SHIFT, GFP_KERNEL);
	if (ret)
		goto out_put;
	ret = dma_map_sgtable(obj->dev, &sgt, DMA_BIDIRECTIONAL, 0);
	dma_unmap_sgtable(obj->dev, &sgt, DMA_BIDIRECTIONAL, 0);
	sg_free_table(&sgt);
out_put:
	for (i = 0; i < npages; i++)
		put_page(pages[i]);
out_free:
	kvfree(pages);
	return ret;
}

/* Not simple: the pages live in the object and are released elsewhere. */
int demo_pin_obj(struct demo_obj *obj, unsigned long addr)
{
	long ret;

	ret = get_user_pages(addr, obj->npages, FOLL_WRITE, obj->pages);
	if (ret < 0)
		return ret;
	return dma_map_sgtable(obj->dev, &obj->sgt, DMA_BIDIRECTIONAL, 0);
}

void demo_unpin_obj(struct demo_obj *obj)
{
	release_pages(obj->pages, obj->npages);
}
