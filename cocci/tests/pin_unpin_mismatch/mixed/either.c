// SPDX-License-Identifier: GPL-2.0
/*
 * Test input for pin_unpin_mismatch.cocci: one function takes the same
 * page either with FOLL_PIN or with FOLL_GET, by a flag, and releases it
 * on a branch that only the FOLL_GET case reaches (the shape of KVM's
 * hva_to_pfn_slow()).  Nothing here is wrong, and the rule cannot follow
 * the flag, so these functions are left out.
 */
#include <linux/mm.h>

struct follow {
	unsigned long hva;
	bool pin;
	bool map_writable;
};

int follow_slow(struct follow *kfp, unsigned int flags, struct page **out)
{
	struct page *page, *wpage;
	int npages;

	if (kfp->pin)
		npages = pin_user_pages_unlocked(kfp->hva, 1, &page, flags);
	else
		npages = get_user_pages_unlocked(kfp->hva, 1, &page, flags);
	if (npages != 1)
		return npages;

	if (WARN_ON_ONCE(kfp->map_writable && kfp->pin))
		goto out;

	if (!(flags & FOLL_WRITE) && kfp->map_writable &&
	    get_user_page_fast_only(kfp->hva, FOLL_WRITE, &wpage)) {
		put_page(page);
		page = wpage;
	}
out:
	*out = page;
	return npages;
}

/* the same for an array, released with the call that matches the flag */
int follow_many(unsigned long addr, int n, bool pin, struct page **pages)
{
	int got;

	if (pin)
		got = pin_user_pages_fast(addr, n, 0, pages);
	else
		got = get_user_pages_fast(addr, n, 0, pages);
	if (got <= 0)
		return got;
	if (pin)
		unpin_user_pages(pages, got);
	else
		release_pages(pages, got);
	return 0;
}
