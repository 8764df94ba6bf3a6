/* Kernel stacks with guard pages (kernel/kernel_stack.h). */
#include <kernel/kernel_stack.h>

#include <arch/mmu.h>
#include <kernel/page_alloc.h>

/* Slots of the stack area in use, a bit each, searched from the lowest word with room. */
static uint64_t slot_used[KSTACK_SLOTS / 64];
static unsigned slot_hint;

static int slot_alloc(void)
{
	for (unsigned w = slot_hint; w < KSTACK_SLOTS / 64; w++) {
		if (~slot_used[w]) {
			unsigned bit = (unsigned)__builtin_ctzll(~slot_used[w]);
			slot_used[w] |= 1ull << bit;
			slot_hint = w;
			return (int)(w * 64 + bit);
		}
	}
	return -1;
}

static void slot_free(uint32_t slot)
{
	slot_used[slot / 64] &= ~(1ull << (slot % 64));
	if (slot / 64 < slot_hint)
		slot_hint = slot / 64;
}

void kernel_stack_free(struct kernel_stack *s)
{
	if (!s->bottom)
		return;
	for (unsigned i = 0; i < KSTACK_PAGES; i++) {
		if (!s->pages[i])
			continue;
		mmu_unmap_kernel_page(s->bottom + i * PAGE_SIZE);
		page_free(s->pages[i]);
		s->pages[i] = 0;
	}
	slot_free(s->slot);
	s->bottom = 0;
}

err_t kernel_stack_alloc(struct kernel_stack *s)
{
	int slot = slot_alloc();

	if (slot < 0)
		return VIPER_E_NOMEM;
	s->slot = (uint32_t)slot;
	s->bottom = KSTACK_AREA_BASE + (uint64_t)slot * KSTACK_SLOT + KSTACK_SLOT - KSTACK_SIZE;
	for (unsigned i = 0; i < KSTACK_PAGES; i++)
		s->pages[i] = 0;
	for (unsigned i = 0; i < KSTACK_PAGES; i++) {
		s->pages[i] = page_alloc(0);
		if (!s->pages[i] ||
		    mmu_map_kernel_page(s->bottom + i * PAGE_SIZE, s->pages[i], PTE_KERNEL_RW)) {
			if (s->pages[i] && !mmu_lookup_kernel(s->bottom + i * PAGE_SIZE)) {
				page_free(s->pages[i]);
				s->pages[i] = 0;
			}
			kernel_stack_free(s);
			return VIPER_E_NOMEM;
		}
	}
	return VIPER_OK;
}
