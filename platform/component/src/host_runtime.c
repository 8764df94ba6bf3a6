/*
 * The component runtime (viper/component.h) on the host, for the host
 * simulation: the C library does the work; logs go to stderr. Memory
 * objects are heap buffers behind a small handle table that checks what
 * the kernel checks (live handle, kind, size, mapping limits), so a
 * component sees the same errors as on the target.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime under -std=c17 */

#include <viper/component.h>

#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "host_memory.h"

/* The linker brackets section viper_components; weak for images without any. */
extern const struct viper_component __start_viper_components[] __attribute__((weak));
extern const struct viper_component __stop_viper_components[] __attribute__((weak));

const struct viper_component *viper_component_find(const char *name)
{
	for (const struct viper_component *c = __start_viper_components;
	     c != NULL && c < __stop_viper_components; c++) {
		if (strcmp(c->name, name) == 0)
			return c;
	}
	return NULL;
}

void *vc_alloc(size_t size)
{
	return calloc(1, size);
}

void vc_free(void *p)
{
	free(p);
}

void vc_log(const char *fmt, ...)
{
	char line[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s\n", line);
}

int vc_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	return vsnprintf(buf, size, fmt, ap);
}

int vc_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

void vc_yield(void)
{
	sched_yield();
}

uint64_t vc_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * Memory objects. A handle is HOST_MEMORY_TAG | generation << 8 | slot, so a
 * closed handle never names the slot's next occupant, and no other host
 * handle (channels are 0x40000000 + n) or small test value looks like one.
 */
#define HOST_MEMORY_TAG	     0x20000000u
#define HOST_MEMORY_TAG_MASK 0xf0000000u
#define HOST_MEMORY_HANDLES  256u
#define HOST_MEMORY_MAPPINGS 64u /* as the kernel's ASPACE_MAX_MAPPINGS */
#define HOST_PAGE_SIZE	     4096u
#define HOST_GEN_MASK	     0xfffffu

struct host_object {
	uint8_t *bytes;
	uint64_t size;
	unsigned refs; /* handles and mappings */
};

struct host_handle {
	struct host_object *object; /* NULL when the slot is free */
	uint32_t gen;
};

struct host_mapping {
	void *at;
	struct host_object *object; /* NULL when unused */
};

static struct host_handle handles[HOST_MEMORY_HANDLES];
static struct host_mapping mappings[HOST_MEMORY_MAPPINGS];
static unsigned object_count;

static void object_unref(struct host_object *o)
{
	if (--o->refs > 0)
		return;
	free(o->bytes);
	free(o);
	object_count--;
}

static struct host_handle *handle_of(viper_handle_t h)
{
	uint32_t slot = h & 0xffu;

	if ((h & HOST_MEMORY_TAG_MASK) != HOST_MEMORY_TAG)
		return NULL;
	if (!handles[slot].object || handles[slot].gen != ((h >> 8) & HOST_GEN_MASK))
		return NULL;
	return &handles[slot];
}

/* A new handle to `o` (taking a reference) in *out; VIPER_E_LIMIT when the table is full. */
static int32_t handle_new(struct host_object *o, viper_handle_t *out)
{
	for (uint32_t i = 0; i < HOST_MEMORY_HANDLES; i++) {
		struct host_handle *h = &handles[i];

		if (h->object)
			continue;
		h->gen = ((h->gen + 1) & HOST_GEN_MASK) ? (h->gen + 1) & HOST_GEN_MASK : 1;
		h->object = o;
		o->refs++;
		*out = HOST_MEMORY_TAG | h->gen << 8 | i;
		return VIPER_OK;
	}
	return VIPER_E_LIMIT;
}

static void handle_free(struct host_handle *h)
{
	struct host_object *o = h->object;

	h->object = NULL;
	object_unref(o);
}

bool host_memory_is_handle(viper_handle_t h)
{
	return (h & HOST_MEMORY_TAG_MASK) == HOST_MEMORY_TAG;
}

bool host_memory_is_live(viper_handle_t h)
{
	return handle_of(h) != NULL;
}

int32_t host_memory_move(viper_handle_t h, viper_handle_t *out)
{
	struct host_handle *hh = handle_of(h);
	struct host_object *o;
	int32_t r;

	if (!hh)
		return VIPER_E_BADHANDLE;
	o = hh->object;
	o->refs++; /* keep it across the move */
	handle_free(hh);
	r = handle_new(o, out);
	object_unref(o);
	return r;
}

void host_memory_reset(void)
{
	for (uint32_t i = 0; i < HOST_MEMORY_MAPPINGS; i++) {
		if (mappings[i].object)
			object_unref(mappings[i].object);
		mappings[i].object = NULL;
	}
	for (uint32_t i = 0; i < HOST_MEMORY_HANDLES; i++) {
		if (handles[i].object)
			handle_free(&handles[i]);
	}
}

unsigned host_memory_objects(void)
{
	return object_count;
}

int32_t vc_memory_create(uint64_t size, viper_handle_t *memory)
{
	struct host_object *o;
	int32_t r;

	*memory = VIPER_HANDLE_INVALID;
	if (size == 0 || size > VC_MEMORY_MAX)
		return VIPER_E_INVAL;
	o = calloc(1, sizeof(*o));
	if (!o)
		return VIPER_E_NOMEM;
	o->size = (size + HOST_PAGE_SIZE - 1) & ~(uint64_t)(HOST_PAGE_SIZE - 1);
	o->bytes = aligned_alloc(HOST_PAGE_SIZE, o->size);
	if (!o->bytes) {
		free(o);
		return VIPER_E_NOMEM;
	}
	memset(o->bytes, 0, o->size);
	object_count++;
	o->refs = 1; /* ours until the handle has it */
	r = handle_new(o, memory);
	object_unref(o);
	return r;
}

int32_t vc_memory_size(viper_handle_t memory, uint64_t *size)
{
	struct host_handle *h = handle_of(memory);

	*size = 0;
	if (!h)
		return VIPER_E_BADHANDLE; /* the host has no other handles to name */
	*size = h->object->size;
	return VIPER_OK;
}

int32_t vc_memory_map(viper_handle_t memory, void **p, uint64_t *size)
{
	struct host_handle *h = handle_of(memory);

	*p = NULL;
	*size = 0;
	if (!h)
		return VIPER_E_BADHANDLE;
	for (uint32_t i = 0; i < HOST_MEMORY_MAPPINGS; i++) {
		struct host_mapping *m = &mappings[i];

		if (m->object)
			continue;
		m->object = h->object;
		m->at = h->object->bytes;
		h->object->refs++;
		*p = m->at;
		*size = h->object->size;
		return VIPER_OK;
	}
	return VIPER_E_LIMIT;
}

int32_t vc_memory_unmap(void *p, uint64_t size)
{
	for (uint32_t i = 0; i < HOST_MEMORY_MAPPINGS; i++) {
		struct host_mapping *m = &mappings[i];

		if (!m->object || m->at != p)
			continue;
		if (m->object->size != size)
			return VIPER_E_INVAL;
		object_unref(m->object);
		m->object = NULL;
		return VIPER_OK;
	}
	return VIPER_E_NOTFOUND;
}

int32_t vc_handle_close(viper_handle_t handle)
{
	struct host_handle *h = handle_of(handle);

	if (!h)
		return VIPER_E_BADHANDLE;
	handle_free(h);
	return VIPER_OK;
}
