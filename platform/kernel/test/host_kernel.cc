// Host stand-ins for the kernel functions that the portable modules call.
#include "platform/kernel/test/host_kernel.h"

#include <cstdlib>

extern "C" {
#include <kernel/handle.h>
#include <kernel/object.h>

void *kmalloc(size_t size);
void kfree(void *ptr);
}

namespace host_kernel
{

State &state()
{
	static State s;
	return s;
}

void reset()
{
	state() = State();
}

} // namespace host_kernel

using host_kernel::state;

extern "C" void *kmalloc(size_t size)
{
	if (state().kmalloc_budget == 0)
		return nullptr;
	if (state().kmalloc_budget > 0)
		state().kmalloc_budget--;
	void *p = calloc(1, size ? size : 1);
	if (p) {
		state().live.insert(p);
		state().kmallocs++;
	}
	return p;
}

extern "C" void kfree(void *ptr)
{
	if (!ptr)
		return;
	if (state().live.erase(ptr) == 0) {
		state().bad_frees++; // not ours, or freed twice: leave it alone
		return;
	}
	state().kfrees++;
	free(ptr);
}

extern "C" void kobject_handle_ref(struct kobject *o)
{
	o->handles++;
	o->refs++;
	state().handle_refs++;
}

extern "C" void kobject_handle_drop(struct kobject *o, struct cap *c)
{
	(void)c;
	state().drops.push_back(o);
	if (o->handles == 0 || o->refs == 0) {
		state().handle_underflows++;
		return;
	}
	o->handles--;
	o->refs--;
}

extern "C" void kobject_unref(struct kobject *o)
{
	if (o->refs == 0) {
		state().handle_underflows++;
		return;
	}
	o->refs--;
}

extern "C" void sched_cancel_waits(struct cap *c)
{
	state().cancelled.push_back(c);
}
