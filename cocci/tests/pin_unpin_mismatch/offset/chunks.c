// SPDX-License-Identifier: GPL-2.0
/*
 * Test input for pin_unpin_mismatch.cocci: pages pinned into an array at
 * an offset (&pvec[pinned], pvec + first, &S->fld[O]) and released with
 * put_page()/release_pages().  Every release here is wrong.
 */
#include <linux/mm.h>

struct umem {
	struct page **pages;
	int npages;
};

struct obj {
	struct umem umem;
};

/* the etnaviv/i915 loop shape: pin in chunks, release_pages() on error */
int pin_chunks(struct page **pvec, unsigned long addr, int npages)
{
	int pinned = 0, ret;

	while (pinned < npages) {
		ret = pin_user_pages_fast(addr + pinned * PAGE_SIZE,
					  npages - pinned, FOLL_WRITE,
					  &pvec[pinned]);
		if (ret < 0) {
			release_pages(pvec, pinned);
			return ret;
		}
		pinned += ret;
	}
	return 0;
}

int pin_tail(struct page **pvec, unsigned long addr, int first, int n)
{
	int i, ret;

	ret = pin_user_pages_fast(addr, n, 0, pvec + first);
	if (ret < 0)
		return ret;
	for (i = 0; i < ret; i++)
		put_page(pvec[first + i]);
	return 0;
}

/* across functions: pinned at an offset of u->pages, put via struct obj */
int umem_pin_at(struct umem *u, unsigned long addr, int off)
{
	return pin_user_pages_fast(addr, 1, FOLL_LONGTERM, &u->pages[off]);
}

void obj_free(struct obj *o)
{
	int i;

	for (i = 0; i < o->umem.npages; i++)
		put_page(o->umem.pages[i]);
}
