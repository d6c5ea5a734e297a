// SPDX-License-Identifier: GPL-2.0
/*
 * Test input for gup_dma_with_notifier.cocci: the radeon userptr shape.
 * The pages are taken here; the notifier is registered in demo_mn.c in
 * the same driver directory.
 */
#include <linux/mm.h>
#include <linux/dma-mapping.h>
#include <linux/scatterlist.h>

struct demo_tt {
	struct page **pages;
	unsigned long num_pages;
	unsigned long userptr;
	struct sg_table *sg;
	struct device *dev;
};

int demo_tt_pin_userptr(struct demo_tt *tt)
{
	unsigned long pinned = 0;
	int r;

	do {
		struct page **pages = tt->pages + pinned;

		r = get_user_pages(tt->userptr + pinned * PAGE_SIZE,
				   tt->num_pages - pinned, FOLL_WRITE, pages);
		if (r < 0)
			goto release_pages;
		pinned += r;
	} while (pinned < tt->num_pages);

	r = sg_alloc_table_from_pages(tt->sg, tt->pages, tt->num_pages, 0,
				      tt->num_pages << PAGE_SHIFT, GFP_KERNEL);
	if (r)
		goto release_pages;
	return dma_map_sgtable(tt->dev, tt->sg, DMA_BIDIRECTIONAL, 0);

release_pages:
	release_pages(tt->pages, pinned);
	return r;
}
