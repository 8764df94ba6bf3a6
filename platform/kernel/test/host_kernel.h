// Host stand-ins for the kernel functions the portable modules call (kmalloc,
// kfree, kobject handle counting, sched_cancel_waits), with a record of the
// calls for the tests to check.
#ifndef KERNEL_TEST_HOST_KERNEL_H
#define KERNEL_TEST_HOST_KERNEL_H

#include <cstddef>
#include <set>
#include <vector>

struct cap;
struct kobject;

namespace host_kernel
{

struct State {
	std::set<const void *> live;	    // kmalloc'd and not yet kfree'd
	size_t kmallocs = 0;		    // successful kmalloc calls
	size_t kfrees = 0;		    // kfree calls with a live pointer
	size_t bad_frees = 0;		    // kfree of a pointer that is not live
	long kmalloc_budget = -1;	    // >= 0: kmallocs left before they fail
	size_t handle_refs = 0;		    // kobject_handle_ref calls
	size_t handle_underflows = 0;	    // drops of an object without handles
	std::vector<const kobject *> drops; // kobject_handle_drop calls, in order
	std::vector<const cap *> cancelled; // sched_cancel_waits calls, in order
};

// The record since the last reset.
State &state();
// Forgets everything recorded (live allocations are not freed).
void reset();

} // namespace host_kernel

#endif
