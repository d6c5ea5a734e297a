// SPDX-License-Identifier: GPL-2.0
/* Test input for pin_unpin_mismatch.cocci: correct pairings only. */
#include <linux/mm.h>

struct buf {
	struct page **pages;
	struct page **shadow;
	int npages;
};

int pin_then_unpin(unsigned long addr, int n, struct page **pages)
{
	int got;

	got = pin_user_pages_fast(addr, n, FOLL_WRITE | FOLL_LONGTERM, pages);
	if (got < 0)
		return got;
	unpin_user_pages_dirty_lock(pages, got, true);
	return 0;
}

int get_then_put(unsigned long addr, int n, struct page **pages)
{
	long got, i;

	got = get_user_pages(addr, n, FOLL_WRITE, pages);
	if (got <= 0)
		return -EFAULT;
	for (i = 0; i < got; i++)
		put_page(pages[i]);
	return 0;
}

/* the array is refilled with page-cache pages before put_page() */
int pin_reuse(unsigned long addr, int n, struct page **pages,
	      struct address_space *mapping)
{
	int got;

	got = pin_user_pages_fast(addr, n, 0, pages);
	if (got < 0)
		return got;
	unpin_user_pages(pages, got);
	pages[0] = find_get_page(mapping, 0);
	put_page(pages[0]);
	return 0;
}

/* pin into one field; put_page() only on another field */
int buf_pin(struct buf *b, unsigned long addr)
{
	return pin_user_pages_fast(addr, b->npages, FOLL_LONGTERM, b->pages);
}

void buf_release(struct buf *b)
{
	int i;

	unpin_user_pages(b->pages, b->npages);
	for (i = 0; i < b->npages; i++)
		put_page(b->shadow[i]);
}

/* a NULL page array takes no references */
int fault_in(struct mm_struct *mm, unsigned long addr, struct page *page)
{
	int locked = 1;

	get_user_pages_remote(mm, addr, 1, 0, NULL, &locked);
	unpin_user_page(page);
	return 0;
}
