/* The process tree: process_set_parent. */
#include "decode.h"

int64_t sys_process_set_parent(const uint64_t *a)
{
	struct process *child, *parent;
	struct cap *cc, *pc;
	err_t err = lookup(a[0], VIPER_OBJ_PROCESS, VIPER_RIGHT_WRITE, &cc);

	if (!err)
		err = lookup(a[1], VIPER_OBJ_PROCESS, VIPER_RIGHT_WRITE, &pc);
	if (err)
		return err;
	child = container_of(cc->object, struct process, obj);
	parent = container_of(pc->object, struct process, obj);
	err = process_check_new_parent(self(), child, parent);
	if (err)
		return err;
	process_set_parent(child, parent);
	return VIPER_OK;
}
