/*
 * The kernel's component host: brings up the instances the boot manifest
 * places in process "kernel". It runs them as kernel threads of the kernel
 * process, which reach their channels through the ordinary system calls
 * (viper/syscall.h over kthread_syscall), so a kernel-placed provider serves
 * user-space clients through the same channels and the same generated
 * dispatch as a provider in a process.
 *
 * Bulk buffers: for a channel with a kernel end and a bulk memory, the
 * kernel makes the memory object, maps it into the kernel window for its
 * instance (ctx->bulk or slot->bulk) and gives the root task a handle to it
 * right after the channel's user-side end; the root grants that object to
 * the other end. A direct call between two kernel-placed instances gets a
 * buffer of its own, mapped the same way.
 *
 * DMA regions: the kernel makes those of kernel-placed instances itself
 * (contiguous or pinned memory objects of the kernel process), maps them
 * into the kernel window and gives the instance their physical addresses;
 * the root task never sees them.
 *
 * Devices: a kernel-placed instance reaches its devices through the
 * kernel's own map of the device window, and waits for a device's
 * interrupt through an IRQ line whose handle (IRQ and read rights) is in
 * the kernel process's table. A device the kernel keeps is marked in
 * root_start.device_kept, so the root task gets no second capability for
 * it and the IRQ line has one owner.
 */
#include <kernel/components.h>

#include <arch/sysreg.h>
#include <kernel/channel.h>
#include <kernel/console.h>
#include <kernel/irq_line.h>
#include <kernel/kmalloc.h>
#include <kernel/kthread.h>
#include <kernel/memory_object.h>
#include <kernel/object.h>
#include <kernel/page_alloc.h>
#include <kernel/poll_set.h>
#include <kernel/process.h>
#include <kernel/spawn_object.h>
#include <kernel/string.h>
#include <kernel/system_object.h>
#include <viper/component.h>
#include <viper/syscall.h>

#include "entry_lock.h"
#include "host_core.h"
#include "pb_decode.h"
#include "platform/manifest/manifest.pb.h"
#include "root/virtio_slots.h"
#include "serve.h"

#define ARRAY_LEN(a)  (sizeof(a) / sizeof((a)[0]))
#define MAX_GRANTS    ARRAY_LEN(((viper_manifest_Process *)0)->grants)
#define MAX_INSTANCES ARRAY_LEN(((viper_manifest_Process *)0)->instances)
#define MAX_SERVES    ARRAY_LEN(((viper_manifest_Instance *)0)->serves)
#define MAX_CHANNELS  ARRAY_LEN(((viper_manifest_Manifest *)0)->channels)

/* Rights of the root task's handle to a bulk buffer: as memory_create's, without exec. */
#define BULK_ROOT_RIGHTS                                                                           \
	(VIPER_RIGHT_READ | VIPER_RIGHT_WRITE | VIPER_RIGHT_MAP | VIPER_RIGHT_TRANSFER |           \
	 VIPER_RIGHT_DERIVE)

extern const uint8_t viper_manifest[];
extern const uint32_t viper_manifest_size;

static viper_manifest_Manifest manifest;
static viper_manifest_Process *kernel_record; /* its virtio grants are resolved at boot */

/* The kernel process's handle for each of its grants (0: none). */
static viper_handle_t grant_handles[MAX_GRANTS];

/* The kernel's mapping of each channel's bulk buffer (NULL: none). */
static struct kernel_bulk {
	void *at;
	uint32_t size;
} channel_bulk[MAX_CHANNELS];

struct kernel_instance {
	const struct viper_component *component;
	void *state;
	struct viper_instance_env env;
	struct viper_slot slots[VIPER_COMPONENT_MAX_SLOTS];
	struct viper_entry_lock lock; /* used when `locked` */
	bool locked;
	/* When it may open sessions: served on a kernel thread of their own. */
	struct viper_session_host sessions;
	struct serve_set session_set;
};

static struct kernel_instance instances[MAX_INSTANCES];
static struct serve_loop loops[MAX_INSTANCES * MAX_SERVES];
static unsigned loop_count;
/* Connection numbers of direct (co-located) calls: never a channel's (channel + 1). */
static uint32_t next_local_connection = MAX_CHANNELS + 1;

static err_t init_instances(unsigned count);

static viper_manifest_Process *find_kernel_record(void)
{
	for (pb_size_t i = 0; i < manifest.processes_count; i++) {
		if (strcmp(manifest.processes[i].name, "kernel") == 0)
			return &manifest.processes[i];
	}
	return NULL;
}

/*
 * A new memory object of `size` bytes mapped read/write into the kernel
 * window; *out keeps the creation reference (the mapping holds its own).
 */
static err_t make_bulk(uint64_t size, struct kernel_bulk *bulk, struct memory_object **out)
{
	struct memory_object *m;
	uint64_t va;
	err_t err;

	if (size == 0 || size > UINT32_MAX || memory_object_check(size, 0))
		return VIPER_E_CORRUPT;
	err = memory_object_create(size, 0, kernel_process.as.account, &m);
	if (err)
		return err;
	struct map_request rq = {&m->obj, 0, m->size, VIPER_PROT_READ | VIPER_PROT_WRITE, 0, 0};
	err = aspace_map(&kernel_process.as, &rq, &va);
	if (err) {
		kobject_unref(&m->obj);
		return err;
	}
	bulk->at = (void *)(uintptr_t)va;
	bulk->size = (uint32_t)m->size;
	*out = m;
	return VIPER_OK;
}

/*
 * The bulk buffer of kernel channel `i`, if it has one: made, mapped, and
 * listed after the channel end for the root process.
 */
static err_t make_channel_bulk(pb_size_t i, struct root_grant *grants, unsigned max,
			       unsigned *count)
{
	const viper_manifest_Channel *c = &manifest.channels[i];
	struct memory_object *m;
	err_t err;

	if (c->bulk_memory == 0)
		return VIPER_OK;
	if (c->bulk_memory > manifest.memories_count)
		return VIPER_E_CORRUPT;
	if (*count >= max)
		return VIPER_E_LIMIT;
	err = make_bulk(manifest.memories[c->bulk_memory - 1].size, &channel_bulk[i], &m);
	if (err)
		return err;
	grants[*count].object = &m->obj; /* the creation reference moves to the caller */
	grants[*count].rights = BULK_ROOT_RIGHTS;
	(*count)++;
	return VIPER_OK;
}

/*
 * Creates the channels with a kernel end, and their bulk buffers; the
 * other ends (each followed by its bulk buffer) go to the root process.
 */
static err_t make_channels(struct root_grant *grants, unsigned max, unsigned *count)
{
	for (pb_size_t i = 0; i < manifest.channels_count; i++) {
		const viper_manifest_Channel *c = &manifest.channels[i];
		bool kernel_sends = c->kernel_end == viper_manifest_Channel_KERNEL_END_SEND;
		struct kobject *mine, *theirs;
		struct channel *ch;
		err_t err;

		if (c->kernel_end == viper_manifest_Channel_KERNEL_END_NONE)
			continue;
		if (*count >= max)
			return VIPER_E_LIMIT;
		err = channel_create(c->depth ? c->depth : VIPER_CHANNEL_DEFAULT_DEPTH,
				     kernel_process.as.account, &ch);
		if (err)
			return err;
		mine = kernel_sends ? &ch->send_end : &ch->recv_end;
		theirs = kernel_sends ? &ch->recv_end : &ch->send_end;
		for (pb_size_t g = 0; g < kernel_record->grants_count && !err; g++) {
			const viper_manifest_Grant *gr = &kernel_record->grants[g];
			uint32_t want = kernel_sends ? viper_manifest_GrantKind_GRANT_CHANNEL_SEND
						     : viper_manifest_GrantKind_GRANT_CHANNEL_RECV;
			if (gr->kind == want && gr->channel == i)
				err = handle_create(&kernel_process.handles, mine, gr->rights,
						    &grant_handles[g]);
		}
		kobject_unref(mine);
		if (err) {
			kobject_unref(theirs);
			return err;
		}
		grants[*count].object = theirs; /* the creation reference moves to the caller */
		grants[*count].rights = (kernel_sends ? VIPER_RIGHT_READ : VIPER_RIGHT_WRITE) |
					VIPER_RIGHT_TRANSFER | VIPER_RIGHT_DERIVE;
		(*count)++;
		err = make_channel_bulk(i, grants, max, count);
		if (err)
			return err;
	}
	return VIPER_OK;
}

/*
 * The kernel serves each channel of an instance on a thread of its own,
 * and its sessions on one more: ids 1 + i stand for an instance's serving
 * threads, 1 + MAX_INSTANCES + i for its run thread.
 */
static uint32_t kernel_serving_thread(unsigned i, const viper_manifest_Instance *r)
{
	return r->serves_count || r->sessions_max ? 1 + i : 0;
}

static bool kernel_serves_on_several(const viper_manifest_Instance *r)
{
	return r->serves_count + (r->sessions_max ? 1u : 0u) > 1;
}

static uint32_t kernel_run_thread(unsigned i)
{
	return 1 + MAX_INSTANCES + i;
}

/* A direct call's bulk buffer: a memory object mapped into the kernel window. */
static int32_t kernel_bulk_buffer(uint32_t size, void **at)
{
	struct kernel_bulk bulk;
	struct memory_object *m;
	err_t err = make_bulk(size, &bulk, &m);

	if (err)
		return err;
	kobject_unref(&m->obj); /* the mapping holds it */
	*at = bulk.at;
	return VIPER_OK;
}

static const struct host_placement kernel_placement = {
	.serving_thread = kernel_serving_thread,
	.serves_on_several = kernel_serves_on_several,
	.run_thread = kernel_run_thread,
	.bulk_buffer = kernel_bulk_buffer,
};

/* The kernel's bulk buffer of the channel behind grant `grant` (1-based). */
static const struct kernel_bulk *bulk_of_grant(uint32_t grant)
{
	return &channel_bulk[kernel_record->grants[grant - 1].channel]; /* checked by callers */
}

static err_t bind_slot(struct kernel_instance *in, unsigned index, const viper_manifest_Slot *s)
{
	struct viper_slot *slot = &in->slots[index];

	if (s->grant) {
		if (s->grant > kernel_record->grants_count || !grant_handles[s->grant - 1] ||
		    kernel_record->grants[s->grant - 1].channel >= MAX_CHANNELS)
			return VIPER_E_CORRUPT;
		slot->channel = grant_handles[s->grant - 1];
		slot->bulk = bulk_of_grant(s->grant)->at;
		slot->bulk_size = bulk_of_grant(s->grant)->size;
	} else if (s->local && s->local <= kernel_record->instances_count) {
		struct kernel_instance *peer = &instances[s->local - 1];
		const struct host_peer to = {peer->component, peer->state,
					     peer->locked ? &peer->lock : NULL,
					     peer->sessions.set ? &peer->sessions : NULL};
		/* Never a channel's connection number (channel + 1, below). */
		err_t err = host_bind_direct(&kernel_placement, slot, &to, s->interface_id,
					     next_local_connection++);
		if (err)
			return err;
	} else {
		return VIPER_E_CORRUPT;
	}
	in->env.slots[index] = slot;
	return VIPER_OK;
}

/* The board's device at physical `base`, or NULL: the manifest is checked against the board. */
static const struct board_device *board_device_at(const struct board_info *board, uint64_t base)
{
	for (unsigned i = 0; i < board->device_count; i++) {
		if (board->devices[i].base == base)
			return &board->devices[i];
	}
	return NULL;
}

/* The kernel reads a virtio-mmio slot through its own map of the device window. */
static uint32_t read_slot(void *context, uint64_t base, uint32_t offset)
{
	(void)context;
	return *(volatile const uint32_t *)((const volatile uint8_t *)phys_to_virt(base) + offset);
}

static bool board_has(void *context, uint64_t base)
{
	return board_device_at(context, base) != NULL;
}

/*
 * The kernel's device grants of a virtio kind, as the root task resolves a
 * process's (root/virtio_slots.h): probe every slot of the board, claim the
 * pinned ones, give each found one the first free slot holding its ID. The
 * kernel resolves before the root starts, so the root never sees these
 * slots. A device that is not there stops the boot.
 */
static err_t resolve_virtio(const struct board_info *board)
{
	struct virtio_slots slots;
	struct virtio_failure why;
	char text[192];

	if (manifest.virtio_slots_count == 0)
		return VIPER_OK;
	virtio_slots_probe(&manifest, read_slot, board_has, (void *)board, &slots);
	if (virtio_slots_claim(&manifest, kernel_record, &slots, &why) == VIPER_OK &&
	    virtio_slots_resolve(&manifest, kernel_record, &slots, &why) == VIPER_OK) {
		for (pb_size_t g = 0; g < kernel_record->grants_count; g++) {
			const viper_manifest_Grant *gr = &kernel_record->grants[g];
			if (gr->kind == viper_manifest_GrantKind_GRANT_DEVICE && gr->virtio_id)
				kprintf("kernel: %s in %s (0x%08llx) for grant %u\n",
					virtio_kind_name(gr->virtio_id), gr->device,
					(unsigned long long)gr->device_base, (unsigned)g + 1);
		}
		return VIPER_OK;
	}
	virtio_failure_text(&why, text, sizeof(text));
	kprintf("kernel: a kernel-placed instance lacks a device: %s\n", text);
	return VIPER_E_NOTFOUND;
}

/*
 * Device `d` of instance `rec`: the board device its grant names, mapped
 * through the kernel's device window, with its IRQ line (if any) as a
 * handle of the kernel process. The device is marked as the kernel's.
 */
static err_t give_device(struct kernel_instance *in, const viper_manifest_Instance *rec,
			 pb_size_t d, const struct board_info *board, struct root_start *root)
{
	const viper_manifest_Grant *g;
	const struct board_device *dev;
	struct viper_device *out = &in->env.devices[d];
	unsigned index;

	if (rec->devices[d] == 0 || rec->devices[d] > kernel_record->grants_count)
		return VIPER_E_CORRUPT;
	g = &kernel_record->grants[rec->devices[d] - 1];
	dev = board_device_at(board, g->device_base);
	if (g->kind != viper_manifest_GrantKind_GRANT_DEVICE || !dev) {
		kprintf("kernel: instance %s: device grant %u (%s at 0x%llx) is not a device of "
			"this board\n",
			rec->name, (unsigned)rec->devices[d], g->device,
			(unsigned long long)g->device_base);
		return VIPER_E_CORRUPT;
	}
	index = (unsigned)(dev - board->devices);
	if (root->device_kept[index]) {
		kprintf("kernel: instance %s: device %s at 0x%llx is granted twice\n", rec->name,
			g->device, (unsigned long long)g->device_base);
		return VIPER_E_CORRUPT;
	}
	root->device_kept[index] = true;
	/* The kernel maps every board device in its own half. */
	out->regs = phys_to_virt(dev->base);
	out->size = dev->size;
	out->phys = dev->base;
	out->irq = VIPER_HANDLE_INVALID;
	out->irq_line = dev->irq;
	if (dev->irq) {
		struct irq_line *l = irq_line_create(dev->irq);
		if (!l) {
			kprintf("kernel: instance %s: IRQ %u of device %s is taken or out of "
				"memory\n",
				rec->name, dev->irq, g->device);
			return VIPER_E_BUSY;
		}
		/* The line keeps the interrupt handler's reference for ever. */
		return handle_create(&kernel_process.handles, &l->obj,
				     VIPER_RIGHT_IRQ | VIPER_RIGHT_READ, &out->irq);
	}
	return VIPER_OK;
}

/* The physical address of each page of pinned `m`, from the kernel heap. */
static err_t dma_pages(const struct memory_object *m, const uint64_t **out)
{
	uint64_t *pages = kmalloc(m->pages * sizeof(uint64_t));

	if (!pages)
		return VIPER_E_NOMEM;
	for (uint64_t i = 0; i < m->pages; i++) {
		err_t err = memory_object_dma_address(m, i * PAGE_SIZE, &pages[i]);
		if (err) {
			kfree(pages);
			return err;
		}
	}
	*out = pages;
	return VIPER_OK;
}

/*
 * DMA region `d` of instance `rec`: a memory object of the kernel process
 * (contiguous or pinned, as the region says) made now, mapped into the
 * kernel window, with a handle of the grant's rights and its physical
 * addresses.
 */
static err_t give_dma(struct kernel_instance *in, const viper_manifest_Instance *rec, pb_size_t d)
{
	const viper_manifest_Grant *g;
	const viper_manifest_DmaRegion *region;
	struct viper_dma *out = &in->env.dma[d];
	struct memory_object *m;
	uint32_t flags;
	uint64_t va;
	err_t err;

	if (rec->dma[d] == 0 || rec->dma[d] > kernel_record->grants_count)
		return VIPER_E_CORRUPT;
	g = &kernel_record->grants[rec->dma[d] - 1];
	if (g->kind != viper_manifest_GrantKind_GRANT_DMA ||
	    g->dma_region >= manifest.dma_regions_count ||
	    (g->rights & ~(uint32_t)VIPER_RIGHTS_ALL))
		return VIPER_E_CORRUPT;
	region = &manifest.dma_regions[g->dma_region];
	flags = region->contiguous ? VIPER_MEMORY_CONTIGUOUS : VIPER_MEMORY_PINNED;
	err = memory_object_check(region->size, flags);
	if (!err)
		err = memory_object_create(region->size, flags, kernel_process.as.account, &m);
	if (err) {
		kprintf("kernel: instance %s: cannot make DMA region %s (%llu bytes): %s\n",
			rec->name, region->name, (unsigned long long)region->size, err_name(err));
		return err;
	}
	struct map_request rq = {&m->obj, 0, m->size, VIPER_PROT_READ | VIPER_PROT_WRITE, 0, 0};
	err = aspace_map(&kernel_process.as, &rq, &va);
	if (!err && !m->contiguous)
		err = dma_pages(m, &out->pages);
	if (!err)
		err = memory_object_dma_address(m, 0, &out->phys);
	if (err) {
		kobject_unref(&m->obj);
		return err;
	}
	out->virt = (void *)(uintptr_t)va;
	out->size = m->size;
	out->contiguous = m->contiguous;
	if (!m->contiguous)
		out->phys = 0;
	/* The handle takes the creation reference; the mapping holds its own. */
	return handle_give(&kernel_process.handles, &m->obj, g->rights, &out->memory);
}

/*
 * A capability of one of the kernel's own objects (the system or the spawn
 * object) for an instance whose record grants it: grant index `grant`
 * (Instance.system or Instance.spawn; 0: none) must name a grant of `kind`.
 */
static err_t give_kernel_cap(const viper_manifest_Instance *rec, uint32_t grant, uint32_t kind,
			     struct kobject *object, viper_handle_t *out)
{
	const viper_manifest_Grant *g;

	*out = VIPER_HANDLE_INVALID;
	if (grant == 0)
		return VIPER_OK;
	if (grant > kernel_record->grants_count)
		return VIPER_E_CORRUPT;
	g = &kernel_record->grants[grant - 1];
	if ((uint32_t)g->kind != kind || (g->rights & ~(uint32_t)VIPER_RIGHTS_ALL)) {
		kprintf("kernel: instance %s: grant %u is not a %s grant\n", rec->name,
			(unsigned)grant,
			kind == viper_manifest_GrantKind_GRANT_SYSTEM ? "system" : "spawn");
		return VIPER_E_CORRUPT;
	}
	return handle_create(&kernel_process.handles, object, g->rights, out);
}

static err_t make_instance(struct kernel_instance *in, const viper_manifest_Instance *rec,
			   const struct board_info *board, struct root_start *root)
{
	err_t err;

	in->component = viper_component_find(rec->component);
	if (!in->component) {
		kprintf("kernel: component %s of instance %s is not linked into the kernel\n",
			rec->component, rec->name);
		return VIPER_E_NOTFOUND;
	}
	if (rec->slots_count != in->component->slot_count ||
	    rec->slots_count > VIPER_COMPONENT_MAX_SLOTS)
		return VIPER_E_CORRUPT;
	in->state = kmalloc(in->component->state_size ? in->component->state_size : 1); /* zeroed */
	if (!in->state)
		return VIPER_E_NOMEM;
	in->env.name = rec->name;
	in->env.slot_count = rec->slots_count;
	for (pb_size_t p = 0; p < rec->params_count && p < VIPER_COMPONENT_MAX_PARAMS; p++)
		in->env.params[in->env.param_count++] = rec->params[p];
	err = give_kernel_cap(rec, rec->system, viper_manifest_GrantKind_GRANT_SYSTEM,
			      system_object(), &in->env.system);
	if (!err)
		err = give_kernel_cap(rec, rec->spawn, viper_manifest_GrantKind_GRANT_SPAWN,
				      spawn_object(), &in->env.spawn);
	for (pb_size_t d = 0; d < rec->devices_count && d < VIPER_COMPONENT_MAX_DEVICES && !err;
	     d++) {
		err = give_device(in, rec, d, board, root);
		in->env.device_count = d + 1;
	}
	for (pb_size_t d = 0; d < rec->dma_count && d < VIPER_COMPONENT_MAX_DMA && !err; d++) {
		err = give_dma(in, rec, d);
		in->env.dma_count = d + 1;
	}
	return err;
}

/* An entry lock's wake-up channel, both ends in the kernel process's table. */
static err_t make_entry_lock(struct viper_entry_lock *lock)
{
	lock->holders = 0;
	return vc_channel_create(&lock->wake_send, &lock->wake_recv);
}

/*
 * Gives an entry lock to each instance several kernel threads reach: each
 * served channel has a thread of its own, and co-located callers bring
 * theirs (entry_lock.h).
 */
static err_t add_entry_locks(void)
{
	unsigned count = kernel_record->instances_count;
	const viper_manifest_Instance *records[MAX_INSTANCES];
	const struct viper_component *components[MAX_INSTANCES];
	struct entry_threads entered[MAX_INSTANCES] = {{0}};
	err_t err = VIPER_OK;

	for (unsigned i = 0; i < count; i++) {
		records[i] = &kernel_record->instances[i];
		components[i] = instances[i].component;
	}
	host_plan_entry_locks(&kernel_placement, records, components, count, entered);
	for (unsigned i = 0; i < count && !err; i++) {
		instances[i].locked = entered[i].several;
		if (instances[i].locked)
			err = make_entry_lock(&instances[i].lock);
	}
	return err;
}

/* The session host and poll set of an instance that may open sessions. */
static err_t add_session_host(struct kernel_instance *in, const viper_manifest_Instance *rec)
{
	struct poll_set *ps;
	viper_handle_t poll;
	err_t err;

	if (rec->sessions_max == 0)
		return VIPER_OK;
	err = poll_set_create(kernel_process.as.account, &ps);
	if (!err)
		err = handle_give(&kernel_process.handles, &ps->obj,
				  VIPER_RIGHT_READ | VIPER_RIGHT_WRITE, &poll);
	if (!err)
		err = serve_set_init(&in->session_set, poll, rec->sessions_max);
	if (err)
		return err;
	in->sessions = (struct viper_session_host){
		.state = in->state,
		.lock = in->locked ? &in->lock : NULL,
		.max = rec->sessions_max,
		.per_client = rec->sessions_per_client,
		.next_connection = SESSION_CONNECTION_BASE,
		.set = &in->session_set,
	};
	return VIPER_OK;
}

err_t kernel_components_prepare(const struct board_info *board, struct root_start *root)
{
	pb_istream_t in = pb_istream_from_buffer(viper_manifest, viper_manifest_size);
	unsigned *count = &root->grant_count;
	err_t err;

	*count = 0;
	if (!pb_decode(&in, viper_manifest_Manifest_fields, &manifest)) {
		kprintf("kernel: the boot manifest does not decode: %s\n", PB_GET_ERROR(&in));
		return VIPER_E_CORRUPT;
	}
	kernel_record = find_kernel_record();
	if (!kernel_record)
		return VIPER_OK;
	/* What system_processes reports for the kernel's own process: its threads'. */
	if (kernel_record->priority && kernel_record->priority <= VIPER_PRIORITY_MAX)
		kernel_process.priority = kernel_record->priority;
	err = resolve_virtio(board);
	if (!err)
		err = make_channels(root->grants, ROOT_GRANTS_MAX, count);
	for (pb_size_t i = 0; i < kernel_record->instances_count && !err; i++)
		err = make_instance(&instances[i], &kernel_record->instances[i], board, root);
	if (!err)
		err = add_entry_locks();
	for (pb_size_t i = 0; i < kernel_record->instances_count && !err; i++)
		err = add_session_host(&instances[i], &kernel_record->instances[i]);
	for (pb_size_t i = 0; i < kernel_record->instances_count && !err; i++) {
		const viper_manifest_Instance *rec = &kernel_record->instances[i];
		for (pb_size_t s = 0; s < rec->slots_count && !err; s++)
			err = bind_slot(&instances[i], s, &rec->slots[s]);
	}
	if (!err)
		err = init_instances(kernel_record->instances_count);
	if (!err)
		kprintf("kernel: %u kernel-placed component instances, %u handles for the root "
			"(channel ends and bulk buffers)\n",
			(unsigned)kernel_record->instances_count, *count);
	return err;
}

/* Whether every co-located provider that instance `i`'s slots call directly is set up. */
static bool providers_ready(unsigned i, unsigned count, const bool *ready)
{
	const struct kernel_instance *ki = &instances[i];

	for (unsigned s = 0; s < ki->env.slot_count; s++) {
		for (unsigned p = 0; p < count; p++) {
			if (p != i && !ready[p] && ki->slots[s].peer == instances[p].state)
				return false;
		}
	}
	return true;
}

/*
 * Runs every instance's init, each after the kernel-placed providers it
 * calls directly (an init may call them: a network stack asks its driver
 * and its entropy source), in manifest order otherwise; a cycle of
 * co-located calls falls back to manifest order for what remains.
 */
static err_t init_instances(unsigned count)
{
	bool ready[MAX_INSTANCES] = {false};

	for (unsigned done = 0; done < count;) {
		unsigned before = done;

		for (unsigned pass = 0; pass < 2 && done == before; pass++) {
			for (unsigned i = 0; i < count; i++) {
				struct kernel_instance *ki = &instances[i];

				if (ready[i] || (pass == 0 && !providers_ready(i, count, ready)))
					continue;
				int32_t r = ki->component->init
						    ? ki->component->init(ki->state, &ki->env)
						    : 0;
				if (r < 0) {
					kprintf("kernel: instance %s failed to start: %s\n",
						ki->env.name, err_name((err_t)r));
					return (err_t)r;
				}
				ready[i] = true;
				done++;
				if (pass == 1)
					break; /* one at a time out of a cycle */
			}
		}
	}
	return 0;
}

/* Kernel threads never exit: one whose work ended sleeps for good. */
static void park(void)
{
	for (;;)
		(void)viper_sleep(INT64_MAX);
}

static void run_instance(void *arg)
{
	struct kernel_instance *ki = arg;
	int32_t r = ki->component->run(ki->state);

	vc_log("kernel: instance %s finished with status %d", ki->env.name, (int)r);
	park();
}

static void serve(void *arg)
{
	struct serve_loop *loop = arg;
	int64_t r = serve_forever(loop);

	vc_log("kernel: serving %s stopped: %s", loop->provided->interface->name,
	       err_name((err_t)r));
	park();
}

static void serve_sessions(void *arg)
{
	struct kernel_instance *ki = arg;
	int64_t r = serve_set_run(&ki->session_set, true);

	vc_log("kernel: serving the sessions of %s stopped: %s", ki->env.name, err_name((err_t)r));
	park();
}

static err_t start(void (*fn)(void *), void *arg)
{
	unsigned priority =
		kernel_record->priority ? kernel_record->priority : VIPER_PRIORITY_DEFAULT;
	struct thread *t = kthread_create(fn, arg, priority);

	if (!t)
		return VIPER_E_NOMEM;
	thread_start(t);
	return VIPER_OK;
}

err_t kernel_components_start(void)
{
	err_t err = VIPER_OK;

	if (!kernel_record)
		return VIPER_OK;
	for (pb_size_t i = 0; i < kernel_record->instances_count && !err; i++) {
		const viper_manifest_Instance *rec = &kernel_record->instances[i];
		struct kernel_instance *ki = &instances[i];
		for (pb_size_t s = 0; s < rec->serves_count && !err; s++) {
			const viper_manifest_Serve *sv = &rec->serves[s];
			struct serve_loop *l = &loops[loop_count];
			const struct viper_provided *p =
				viper_component_provided(ki->component, sv->interface_id);
			if (!p || !sv->grant || sv->grant > kernel_record->grants_count ||
			    kernel_record->grants[sv->grant - 1].channel >= MAX_CHANNELS)
				return VIPER_E_CORRUPT;
			l->channel = grant_handles[sv->grant - 1];
			l->provided = p;
			l->state = ki->state;
			l->lock = ki->locked ? &ki->lock : NULL;
			/* Stable across boots: the manifest's channel number, as in processes. */
			l->ctx.connection = kernel_record->grants[sv->grant - 1].channel + 1;
			l->ctx.bulk = bulk_of_grant(sv->grant)->at;
			l->ctx.bulk_size = bulk_of_grant(sv->grant)->size;
			l->ctx.sessions = ki->sessions.set ? &ki->sessions : NULL;
			loop_count++;
			err = start(serve, l);
		}
		if (!err && ki->sessions.set)
			err = start(serve_sessions, ki);
		if (!err && ki->component->run)
			err = start(run_instance, ki);
	}
	return err;
}
