/* Handles: close, derive, revoke, query, list. */
#include "decode.h"

#include <kernel/device_region.h>
#include <kernel/irq_line.h>
#include <kernel/memory_object.h>
#include <kernel/system_object.h>

int64_t sys_handle_close(const uint64_t *a)
{
	if (a[0] > UINT32_MAX)
		return VIPER_E_BADHANDLE;
	return handle_close(handles(), (viper_handle_t)a[0]);
}

int64_t sys_handle_derive(const uint64_t *a)
{
	viper_handle_t h;
	err_t err;

	if (a[0] > UINT32_MAX)
		return VIPER_E_BADHANDLE;
	if (a[1] & ~(uint64_t)VIPER_RIGHTS_ALL)
		return VIPER_E_INVAL;
	err = handle_derive(handles(), (viper_handle_t)a[0], (uint32_t)a[1], &h);
	return err ? err : (int64_t)h;
}

int64_t sys_handle_revoke(const uint64_t *a)
{
	if (a[0] > UINT32_MAX)
		return VIPER_E_BADHANDLE;
	return handle_revoke(handles(), (viper_handle_t)a[0]);
}

/* What handle_query tells of object `o` besides its kind, rights and koid. */
static void describe(const struct kobject *o, struct viper_handle_info *info)
{
	switch (o->kind) {
	case VIPER_OBJ_MEMORY:
		info->size = memory_object_of(o)->size;
		break;
	case VIPER_OBJ_DEVICE:
		info->size = device_region_of(o)->size;
		info->detail = device_region_of(o)->device_base;
		break;
	case VIPER_OBJ_IRQ:
		info->detail = irq_line_of(o)->irq;
		break;
	case VIPER_OBJ_PROCESS:
		info->detail = (uint64_t)container_of(o, struct process, obj)->exit_status;
		break;
	case VIPER_OBJ_THREAD:
		info->size = container_of(o, struct thread, obj)->cpu;
		info->detail = (uint64_t)container_of(o, struct thread, obj)->exit_status;
		break;
	default:
		break;
	}
}

int64_t sys_handle_query(const uint64_t *a)
{
	struct viper_handle_info info = {0};
	struct cap *c;
	err_t err = lookup(a[0], 0, 0, &c);

	if (err)
		return err;
	info.kind = c->object->kind;
	info.rights = c->rights;
	info.koid = c->object->koid;
	describe(c->object, &info);
	return copy_to_user(as(), a[1], &info, sizeof(info));
}

int64_t sys_handle_list(const uint64_t *a)
{
	if (a[1] > VIPER_HANDLES_MAX)
		return VIPER_E_INVAL;
	return system_list_handles(handles(), as(), a[0], (uint32_t)a[1]);
}
