/* Devices named by kind, found in virtio-mmio slots at boot (include/root/virtio_slots.h). */
#include "root/virtio_slots.h"

uint32_t virtio_slot_probe(virtio_read32 read, void *context, uint64_t base)
{
	uint32_t version;

	if (read(context, base, VIRTIO_MMIO_MAGIC_VALUE) != VIRTIO_MMIO_MAGIC)
		return 0;
	version = read(context, base, VIRTIO_MMIO_VERSION);
	if (version != 1 && version != 2)
		return 0;
	return read(context, base, VIRTIO_MMIO_DEVICE_ID);
}

int virtio_slot_at(const viper_manifest_Manifest *m, uint64_t base)
{
	for (pb_size_t i = 0; i < m->virtio_slots_count && i < VIRTIO_SLOTS_MAX; i++) {
		if (m->virtio_slots[i].base == base)
			return (int)i;
	}
	return -1;
}

void virtio_slots_probe(const viper_manifest_Manifest *m, virtio_read32 read,
			bool (*mine)(void *context, uint64_t base), void *context,
			struct virtio_slots *s)
{
	for (unsigned i = 0; i < VIRTIO_SLOTS_MAX; i++) {
		bool present = i < m->virtio_slots_count && mine(context, m->virtio_slots[i].base);

		s->taken[i] = !present;
		s->device_id[i] =
			present ? virtio_slot_probe(read, context, m->virtio_slots[i].base) : 0;
	}
}

/* The name of the instance of `p` whose devices list grant `grant` (1-based), or "". */
static const char *instance_of(const viper_manifest_Process *p, uint32_t grant)
{
	for (pb_size_t i = 0; i < p->instances_count; i++) {
		for (pb_size_t d = 0; d < p->instances[i].devices_count; d++) {
			if (p->instances[i].devices[d] == grant)
				return p->instances[i].name;
		}
	}
	return "";
}

static int32_t failed(struct virtio_failure *why, enum virtio_problem problem,
		      const viper_manifest_Process *p, pb_size_t g, const char *slot,
		      uint32_t found)
{
	why->problem = problem;
	why->slot = slot;
	why->found = found;
	why->grant = g + 1;
	why->instance = instance_of(p, g + 1);
	why->wanted = p->grants[g].virtio_id;
	return VIPER_E_NOTFOUND;
}

int32_t virtio_slots_claim(const viper_manifest_Manifest *m, const viper_manifest_Process *p,
			   struct virtio_slots *s, struct virtio_failure *why)
{
	for (pb_size_t g = 0; g < p->grants_count; g++) {
		const viper_manifest_Grant *gr = &p->grants[g];
		int slot;

		if (gr->kind != viper_manifest_GRANT_DEVICE || gr->device_base == 0)
			continue;
		slot = virtio_slot_at(m, gr->device_base);
		if (slot < 0) {
			if (gr->virtio_id)
				return failed(why, VIRTIO_NOT_A_SLOT, p, g, gr->device, 0);
			continue; /* a device on no virtio slot: none of our business */
		}
		if (s->taken[slot])
			return failed(why, VIRTIO_PINNED_TAKEN, p, g, m->virtio_slots[slot].name,
				      s->device_id[slot]);
		if (gr->virtio_id && s->device_id[slot] != gr->virtio_id)
			return failed(why, VIRTIO_PINNED_OTHER, p, g, m->virtio_slots[slot].name,
				      s->device_id[slot]);
		s->taken[slot] = true;
	}
	return VIPER_OK;
}

/* Copies the slot's name into a grant's (at most what fits, always terminated). */
static void set_name(char *dst, size_t size, const char *src)
{
	size_t i = 0;

	for (; i + 1 < size && src[i] != '\0'; i++)
		dst[i] = src[i];
	dst[i] = '\0';
}

int32_t virtio_slots_resolve(const viper_manifest_Manifest *m, viper_manifest_Process *p,
			     struct virtio_slots *s, struct virtio_failure *why)
{
	for (pb_size_t g = 0; g < p->grants_count; g++) {
		viper_manifest_Grant *gr = &p->grants[g];
		pb_size_t i = 0;

		if (gr->kind != viper_manifest_GRANT_DEVICE || gr->device_base != 0 ||
		    gr->virtio_id == 0)
			continue;
		while (i < m->virtio_slots_count && i < VIRTIO_SLOTS_MAX &&
		       (s->taken[i] || s->device_id[i] != gr->virtio_id))
			i++;
		if (i == m->virtio_slots_count || i == VIRTIO_SLOTS_MAX)
			return failed(why, VIRTIO_NONE_FREE, p, g, "", 0);
		s->taken[i] = true;
		gr->device_base = m->virtio_slots[i].base;
		set_name(gr->device, sizeof(gr->device), m->virtio_slots[i].name);
		if (g + 1 < p->grants_count && p->grants[g + 1].kind == viper_manifest_GRANT_IRQ &&
		    p->grants[g + 1].irq == 0) {
			p->grants[g + 1].irq = m->virtio_slots[i].irq;
			p->grants[g + 1].device_base = gr->device_base;
			set_name(p->grants[g + 1].device, sizeof(p->grants[g + 1].device),
				 gr->device);
		}
	}
	return VIPER_OK;
}

/* A line being written into a fixed buffer: what does not fit is cut. */
struct line {
	char *out;
	size_t size, used;
};

static void put(struct line *l, const char *s)
{
	for (; *s != '\0'; s++) {
		if (l->used + 1 < l->size)
			l->out[l->used++] = *s;
	}
	if (l->size)
		l->out[l->used] = '\0';
}

static void put_number(struct line *l, uint32_t n)
{
	char digits[11];
	unsigned i = sizeof(digits) - 1;

	digits[i] = '\0';
	do {
		digits[--i] = (char)('0' + n % 10);
		n /= 10;
	} while (n);
	put(l, &digits[i]);
}

/* "a virtio-blk device (virtio id 2)" */
static void put_device(struct line *l, uint32_t id)
{
	put(l, "a ");
	put(l, virtio_kind_name(id));
	put(l, " device (virtio id ");
	put_number(l, id);
	put(l, ")");
}

void virtio_failure_text(const struct virtio_failure *why, char *out, size_t size)
{
	struct line l = {out, size, 0};

	put(&l, "instance '");
	put(&l, why->instance);
	if (why->problem == VIRTIO_NONE_FREE) {
		put(&l, "' needs ");
		put_device(&l, why->wanted);
		put(&l, ", but no free virtio-mmio slot holds one");
		return;
	}
	put(&l, "' is granted ");
	put(&l, why->slot);
	if (why->problem == VIRTIO_PINNED_TAKEN) {
		put(&l, ", which is already another instance's or the kernel's");
		return;
	}
	if (why->wanted) {
		put(&l, " for ");
		put_device(&l, why->wanted);
	}
	if (why->problem == VIRTIO_NOT_A_SLOT) {
		put(&l, ", but that is no virtio-mmio slot of the board");
		return;
	}
	put(&l, ", but ");
	put(&l, why->slot);
	if (why->found == 0) {
		put(&l, " holds no device");
		return;
	}
	put(&l, " holds virtio id ");
	put_number(&l, why->found);
	put(&l, " (");
	put(&l, virtio_kind_name(why->found));
	put(&l, ")");
}

const char *virtio_kind_name(uint32_t id)
{
	switch (id) {
	case 1:
		return "virtio-net";
	case 2:
		return "virtio-blk";
	case 3:
		return "virtio-console";
	case 4:
		return "virtio-rng";
	case 16:
		return "virtio-gpu";
	case 18:
		return "virtio-input";
	default:
		return "virtio";
	}
}
