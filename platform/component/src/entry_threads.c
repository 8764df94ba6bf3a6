/* entry_threads_solve (see entry_lock.h): pure, so the host tests it. */
#include "entry_lock.h"

static bool join(struct entry_threads *into, struct entry_threads from)
{
	struct entry_threads before = *into;

	if (from.several || (into->thread && from.thread && into->thread != from.thread))
		into->several = true;
	else if (!into->thread)
		into->thread = from.thread;
	return into->several != before.several || into->thread != before.thread;
}

void entry_threads_solve(unsigned count, const uint32_t *calls, const uint32_t *runs,
			 struct entry_threads *entered)
{
	bool changed = true;

	/* Each pass only grows the sets, which are bounded: it ends. */
	while (changed) {
		changed = false;
		for (unsigned a = 0; a < count && a < 32; a++) {
			struct entry_threads reach = entered[a];

			(void)join(&reach, (struct entry_threads){.thread = runs[a]});
			for (unsigned p = 0; p < count && p < 32; p++) {
				if (calls[a] >> p & 1)
					changed |= join(&entered[p], reach);
			}
		}
	}
}
