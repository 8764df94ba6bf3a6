/* The system capability: info, processes, handles, kill. */
#include "decode.h"

#include <kernel/system_object.h>

int64_t sys_system_info(const uint64_t *a)
{
	struct viper_system_info info;
	struct cap *c;
	err_t err = lookup(a[0], VIPER_OBJ_SYSTEM, VIPER_RIGHT_READ, &c);

	if (err)
		return err;
	system_info(&info);
	return copy_to_user(as(), a[1], &info, sizeof(info));
}

int64_t sys_system_processes(const uint64_t *a)
{
	struct cap *c;
	err_t err = lookup(a[0], VIPER_OBJ_SYSTEM, VIPER_RIGHT_READ, &c);

	if (err)
		return err;
	if (a[2] > UINT32_MAX)
		return VIPER_E_INVAL;
	return system_list_processes(as(), a[1], (uint32_t)a[2]);
}

int64_t sys_system_handles(const uint64_t *a)
{
	struct process *p;
	struct cap *c;
	err_t err = lookup(a[0], VIPER_OBJ_SYSTEM, VIPER_RIGHT_READ, &c);

	if (err)
		return err;
	if (a[3] > VIPER_HANDLES_MAX)
		return VIPER_E_INVAL;
	p = system_find_process(a[1]);
	if (!p)
		return VIPER_E_NOTFOUND;
	return system_list_handles(&p->handles, as(), a[2], (uint32_t)a[3]);
}

int64_t sys_system_kill(const uint64_t *a)
{
	struct cap *c;
	err_t err = lookup(a[0], VIPER_OBJ_SYSTEM, VIPER_RIGHT_WRITE, &c);

	if (err)
		return err;
	return system_kill(self(), a[1]);
}
