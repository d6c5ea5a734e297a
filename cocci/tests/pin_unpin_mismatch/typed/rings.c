// SPDX-License-Identifier: GPL-2.0
/*
 * Test input for pin_unpin_mismatch.cocci: two structure types with a
 * field of the same name.  struct umem's pages are pinned and unpinned;
 * struct ring's pages come from alloc_page() and are put.  Nothing here
 * is wrong: the field name alone must not tie ring_free() to umem_pin().
 */
#include <linux/mm.h>

struct umem {
	struct page **pages;
	int npages;
};

struct ring {
	struct page **pages;
	int npages;
};

struct ctx {
	struct ring ring;
	struct umem *umem;
};

int umem_pin(struct umem *u, unsigned long addr)
{
	return pin_user_pages_fast(addr, u->npages, FOLL_WRITE | FOLL_LONGTERM,
				   u->pages);
}

void umem_release(struct umem *u)
{
	unpin_user_pages(u->pages, u->npages);
}

int ring_alloc(struct ring *r)
{
	int i;

	for (i = 0; i < r->npages; i++) {
		r->pages[i] = alloc_page(GFP_KERNEL);
		if (!r->pages[i])
			return -ENOMEM;
	}
	return 0;
}

/* same field name, other type: a pointer to struct ring */
void ring_free(struct ring *r)
{
	int i;

	for (i = 0; i < r->npages; i++)
		put_page(r->pages[i]);
}

/* same field name, other type: a struct ring embedded in struct ctx */
void ctx_free(struct ctx *c)
{
	release_pages(c->ring.pages, c->ring.npages);
}

/* pinned at an offset, released correctly */
int umem_pin_chunks(struct page **pvec, unsigned long addr, int npages)
{
	int pinned = 0, ret;

	while (pinned < npages) {
		ret = pin_user_pages_fast(addr + pinned * PAGE_SIZE,
					  npages - pinned, FOLL_WRITE,
					  &pvec[pinned]);
		if (ret < 0) {
			unpin_user_pages(pvec, pinned);
			return ret;
		}
		pinned += ret;
	}
	return 0;
}

int umem_pin_tail(struct page **pvec, unsigned long addr, int first, int n)
{
	int ret;

	ret = pin_user_pages_fast(addr, n, 0, pvec + first);
	if (ret < 0)
		return ret;
	unpin_user_pages(pvec + first, ret);
	return 0;
}
