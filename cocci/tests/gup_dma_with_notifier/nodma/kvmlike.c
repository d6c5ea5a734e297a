// SPDX-License-Identifier: GPL-2.0
/*
 * Test input for gup_dma_with_notifier.cocci: a secondary MMU (KVM shape)
 * that takes short-lived references and never DMA-maps the pages.
 */
#include <linux/mm.h>
#include <linux/mmu_notifier.h>

struct vm {
	struct mmu_notifier mn;
};

static int vm_invalidate_range_start(struct mmu_notifier *mn,
				     const struct mmu_notifier_range *range)
{
	return 0;
}

static const struct mmu_notifier_ops vm_mn_ops = {
	.invalidate_range_start = vm_invalidate_range_start,
};

int vm_init(struct vm *vm)
{
	vm->mn.ops = &vm_mn_ops;
	return mmu_notifier_register(&vm->mn, current->mm);
}

unsigned long vm_hva_to_pfn(unsigned long addr)
{
	struct page *page;
	unsigned long pfn;

	if (get_user_pages_unlocked(addr, 1, &page, FOLL_WRITE) != 1)
		return 0;
	pfn = page_to_pfn(page);
	put_page(page);
	return pfn;
}
