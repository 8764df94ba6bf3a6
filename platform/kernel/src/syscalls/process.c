/* Processes: spawn (from the boot image or an ELF file in memory), exit, wait, kill, usage. */
#include "decode.h"

#include "exit_wait.h"

#include <kernel/elf_loader.h>
#include <kernel/memory_object.h>
#include <kernel/string.h>
#include <kernel/thread.h>

/* Copies a spawn's name, handles and quota in and resolves the child's limits. */
static err_t decode_spawn(const struct viper_spawn *args, char *name, viper_handle_t *hs,
			  struct quota_limits *limits)
{
	struct viper_quota quota;
	err_t err;

	if (args->image_len == 0 || args->image_len >= VIPER_IMAGE_NAME_MAX)
		return VIPER_E_INVAL;
	if (args->handle_count > VIPER_STARTUP_MAX_HANDLES)
		return VIPER_E_TOOBIG;
	if (args->priority > VIPER_PRIORITY_MAX)
		return VIPER_E_INVAL;
	err = copy_from_user(as(), name, (uint64_t)(uintptr_t)args->image, args->image_len);
	if (!err)
		err = copy_from_user(as(), hs, (uint64_t)(uintptr_t)args->handles,
				     args->handle_count * sizeof(viper_handle_t));
	if (!err && args->quota)
		err = copy_from_user(as(), &quota, (uint64_t)(uintptr_t)args->quota, sizeof(quota));
	if (err)
		return err;
	name[args->image_len] = 0;
	err = quota_resolve(&self()->limits, args->quota ? &quota : NULL, limits);
	if (err)
		return err;
	if (handle_table_free(handles()) == 0)
		return VIPER_E_LIMIT; /* no room for the child's handle */
	if (!boot_program_find(name))
		return VIPER_E_NOTFOUND;
	if (limits->handles < args->handle_count + 2) /* the moved handles and its own two */
		return VIPER_E_LIMIT;
	return process_check_handles(handles(), hs, args->handle_count);
}

int64_t sys_process_spawn(const uint64_t *a)
{
	struct viper_spawn args;
	viper_handle_t hs[VIPER_STARTUP_MAX_HANDLES];
	char name[VIPER_IMAGE_NAME_MAX];
	struct spawn_request rq = {0};
	struct process *p;
	struct cap *spawn;
	err_t err = lookup(a[0], VIPER_OBJ_SPAWN, VIPER_RIGHT_EXEC, &spawn);

	if (!err)
		err = copy_from_user(as(), &args, a[1], sizeof(args));
	if (!err)
		err = decode_spawn(&args, name, hs, &rq.limits);
	if (err)
		return err;
	rq.image = name;
	rq.priority = args.priority;
	rq.parent = self();
	rq.from = handles();
	rq.handles = hs;
	rq.count = args.handle_count;
	rq.argument = args.argument;
	err = process_spawn(&rq, &p);
	if (err)
		return err;
	return new_handle(&p->obj, VIPER_RIGHT_READ | VIPER_RIGHT_WRITE | VIPER_RIGHT_DERIVE |
					   VIPER_RIGHT_TRANSFER);
}

/*
 * Copies an image spawn's name, grants and quota in and resolves the
 * child's limits; the name is the process's, 1-31 bytes without a NUL.
 */
static err_t decode_image_spawn(const struct viper_image_spawn *args, char *name,
				struct viper_spawn_grant *grants, struct quota_limits *limits)
{
	struct viper_quota quota;
	err_t err;

	if (args->name_len == 0 || args->name_len >= VIPER_IMAGE_NAME_MAX)
		return VIPER_E_INVAL;
	if (args->grant_count > VIPER_SPAWN_MAX_GRANTS)
		return VIPER_E_TOOBIG;
	if (args->priority > VIPER_PRIORITY_MAX || args->image_size == 0)
		return VIPER_E_INVAL;
	err = copy_from_user(as(), name, (uint64_t)(uintptr_t)args->name, args->name_len);
	if (!err)
		err = copy_from_user(as(), grants, (uint64_t)(uintptr_t)args->grants,
				     args->grant_count * sizeof(*grants));
	if (!err && args->quota)
		err = copy_from_user(as(), &quota, (uint64_t)(uintptr_t)args->quota, sizeof(quota));
	if (err)
		return err;
	name[args->name_len] = 0;
	if (strlen(name) != args->name_len)
		return VIPER_E_INVAL;
	err = quota_resolve(&self()->limits, args->quota ? &quota : NULL, limits);
	if (!err && handle_table_free(handles()) == 0)
		err = VIPER_E_LIMIT;			     /* no room for the child's handle */
	if (!err && limits->handles < args->grant_count + 2) /* the grants and its own two */
		err = VIPER_E_LIMIT;
	return err;
}

int64_t sys_process_spawn_image(const uint64_t *a)
{
	struct viper_image_spawn args;
	struct viper_spawn_grant grants[VIPER_SPAWN_MAX_GRANTS];
	char name[VIPER_IMAGE_NAME_MAX];
	struct spawn_request rq = {0};
	struct cap *spawn, *file;
	struct process *p;
	err_t err = lookup(a[0], VIPER_OBJ_SPAWN, VIPER_RIGHT_EXEC, &spawn);

	if (!err)
		err = copy_from_user(as(), &args, a[1], sizeof(args));
	if (!err)
		err = decode_image_spawn(&args, name, grants, &rq.limits);
	if (!err)
		err = lookup(args.image, VIPER_OBJ_MEMORY, VIPER_RIGHT_READ, &file);
	if (!err && args.image_size > memory_object_of(file->object)->size)
		err = VIPER_E_RANGE;
	if (!err)
		err = process_check_grants(handles(), grants, args.grant_count);
	if (err)
		return err;
	rq = (struct spawn_request){.image = name,
				    .priority = args.priority,
				    .limits = rq.limits,
				    .parent = self(),
				    .from = handles(),
				    .argument = args.argument,
				    .file = memory_object_of(file->object),
				    .file_size = args.image_size,
				    .grants = grants,
				    .grant_count = args.grant_count};
	/* Held across the load, which lets other CPUs in (and so maybe a close of `image`). */
	kobject_ref(&rq.file->obj);
	err = process_spawn(&rq, &p);
	kobject_unref(&rq.file->obj);
	if (err)
		return err;
	return new_handle(&p->obj, VIPER_RIGHT_READ | VIPER_RIGHT_WRITE | VIPER_RIGHT_DERIVE |
					   VIPER_RIGHT_TRANSFER);
}

int64_t sys_process_exit(const uint64_t *a)
{
	process_kill(self(), (int64_t)a[0]);
	thread_exit_current((int64_t)a[0]);
}

static bool process_has_ended(const struct kobject *o)
{
	return process_ended(container_of(o, struct process, obj));
}

static int64_t process_status(const struct kobject *o)
{
	return container_of(o, struct process, obj)->exit_status;
}

static const struct exit_kind process_exit_kind = {VIPER_OBJ_PROCESS, process_has_ended,
						   process_status};

int64_t sys_process_wait(const uint64_t *a)
{
	return wait_exit(&process_exit_kind, a[0], a[1], (int64_t)a[2]);
}

int64_t sys_process_kill(const uint64_t *a)
{
	struct cap *c;
	err_t err = lookup(a[0], VIPER_OBJ_PROCESS, VIPER_RIGHT_WRITE, &c);

	if (err)
		return err;
	process_kill(container_of(c->object, struct process, obj),
		     a[1] ? (int64_t)a[1] : VIPER_EXIT_KILLED);
	return VIPER_OK;
}

int64_t sys_process_usage(const uint64_t *a)
{
	struct viper_usage u = {0};
	struct cap *c;
	err_t err = lookup(a[0], VIPER_OBJ_PROCESS, VIPER_RIGHT_READ, &c);

	if (err)
		return err;
	process_usage(container_of(c->object, struct process, obj), &u);
	return copy_to_user(as(), a[1], &u, sizeof(u));
}
