/* Starting the root process with the capabilities to everything (kernel/root_process.h). */
#include <kernel/root_process.h>

#include <kernel/console.h>
#include <kernel/device_region.h>
#include <kernel/elf_loader.h>
#include <kernel/irq_line.h>
#include <kernel/kmalloc.h>
#include <kernel/process.h>
#include <kernel/spawn_object.h>
#include <kernel/system_object.h>

static struct process *root;

struct process *root_process(void)
{
	return root;
}

/*
 * Device and IRQ capabilities for every board device the kernel does not
 * keep, in table `t` and listed in `handles` from *count on: the
 * fixed-function devices first, then the virtio-mmio slots. `room` is how
 * many handles may be listed in all.
 */
static err_t give_devices(const struct board_info *board, const struct root_start *start,
			  struct handle_table *t, viper_handle_t *handles, unsigned *count,
			  unsigned room)
{
	err_t err = VIPER_OK;

	for (unsigned pass = 0; pass < 2 && !err; pass++) {
		for (unsigned i = 0; i < board->device_count && !err; i++) {
			const struct board_device *d = &board->devices[i];
			struct device_region *r;
			struct irq_line *l;

			if (start->device_kept[i] ||
			    (d->kind == DEVICE_VIRTIO_MMIO) != (pass == 1) || *count + 2 > room)
				continue;
			r = device_region_create(d);
			if (!r)
				return VIPER_E_NOMEM;
			err = handle_give(t, &r->obj,
					  VIPER_RIGHT_READ | VIPER_RIGHT_WRITE |
						  VIPER_RIGHT_DEVICE | VIPER_RIGHT_DERIVE |
						  VIPER_RIGHT_TRANSFER,
					  &handles[*count]);
			if (err)
				break;
			(*count)++;
			l = d->irq ? irq_line_create(d->irq) : NULL;
			if (!l)
				continue;
			err = handle_give(t, &l->obj,
					  VIPER_RIGHT_READ | VIPER_RIGHT_IRQ | VIPER_RIGHT_DERIVE |
						  VIPER_RIGHT_TRANSFER,
					  &handles[*count]);
			if (!err)
				(*count)++;
		}
	}
	return err;
}

err_t process_start_root(const struct board_info *board, const struct root_start *start)
{
	viper_handle_t handles[VIPER_STARTUP_MAX_HANDLES];
	unsigned extra = start->grant_count + 2; /* the system and spawn objects, the grants */
	struct handle_table *scratch;
	unsigned count = 0, devices;
	err_t err;

	if (boot_program_count == 0)
		return VIPER_E_NOTFOUND;
	if (extra > VIPER_STARTUP_MAX_HANDLES)
		return VIPER_E_LIMIT;
	/* The caps are made in a scratch table and move into the root at spawn. */
	scratch = kmalloc(sizeof(*scratch));
	if (!scratch)
		return VIPER_E_NOMEM;
	handle_table_init(scratch, VIPER_HANDLES_MAX);
	err = give_devices(board, start, scratch, handles, &count,
			   VIPER_STARTUP_MAX_HANDLES - extra);
	devices = count;
	if (!err)
		err = handle_create(scratch, system_object(),
				    VIPER_RIGHT_READ | VIPER_RIGHT_WRITE | VIPER_RIGHT_DERIVE |
					    VIPER_RIGHT_TRANSFER,
				    &handles[count++]);
	if (!err)
		err = handle_create(scratch, spawn_object(), SPAWN_ROOT_RIGHTS, &handles[count++]);
	for (unsigned i = 0; i < start->grant_count && !err; i++)
		err = handle_create(scratch, start->grants[i].object, start->grants[i].rights,
				    &handles[count++]);
	if (!err) {
		struct spawn_request rq = {.image = boot_programs[0].name,
					   .priority = VIPER_PRIORITY_DEFAULT,
					   .from = scratch,
					   .handles = handles,
					   .count = count};
		quota_default(&rq.limits); /* the root has the kernel's default limits */
		err = process_spawn(&rq, &root);
	}
	handle_table_clear(scratch);
	kfree(scratch);
	if (err)
		return err;
	kprintf("kernel: started %s as the root process with %u device capabilities and the "
		"system and spawn capabilities\n",
		root->name, devices);
	if (start->grant_count)
		kprintf("kernel: gave it %u handles of kernel-placed components\n",
			start->grant_count);
	return VIPER_OK;
}
