// SPDX-License-Identifier: GPL-2.0
/*
 * Test input for gup_dma_with_notifier.cocci: nothing here may be reported.
 * This directory has no mmu notifier registration, so get_user_pages()
 * plus DMA is out of scope; the other functions are not DMA or use FOLL_PIN.
 */
#include <linux/mm.h>
#include <linux/dma-mapping.h>
#include <linux/scatterlist.h>

/* DMA to plain references, but no mmu notifier in this driver. */
int nonotifier_dma(struct device *dev, unsigned long addr, struct page **pages,
		   int n, struct sg_table *sgt)
{
	int got = get_user_pages_fast(addr, n, FOLL_WRITE, pages);

	if (got < 0)
		return got;
	return dma_map_sgtable(dev, sgt, DMA_TO_DEVICE, 0);
}
