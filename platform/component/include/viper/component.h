/*
 * The component runtime: the one API component code uses, implemented in
 * user processes, inside the kernel and on the host (simulation), so the
 * same source links in every placement. See docs/components.md.
 *
 * A component describes itself once with VIPER_COMPONENT; the host of its
 * process (or the kernel) finds it by name, gives each instance its state,
 * binds its slots, serves the interfaces it provides and runs its `run`
 * function, if any, on a thread of its own.
 */
#ifndef VIPER_COMPONENT_H
#define VIPER_COMPONENT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <viper/abi.h>
#include <viper/rpc.h>

#define VIPER_COMPONENT_MAX_PROVIDES 4
#define VIPER_COMPONENT_MAX_SLOTS    8
#define VIPER_COMPONENT_MAX_DEVICES  4

/* One interface a component provides: the generated interface and its vtable. */
struct viper_provided {
	const struct viper_interface *interface;
	const void *ops; /* struct <iface>_server, implemented by the component */
};

/* A device granted to an instance: its mapped registers and its IRQ line. */
struct viper_device {
	volatile void *regs; /* mapped MMIO, NULL when not granted */
	uint64_t size;
	viper_handle_t irq; /* VIPER_HANDLE_INVALID when none */
	uint32_t irq_line;
};

/* What an instance is given when it starts. */
struct viper_instance_env {
	const char *name; /* the instance's name in the system description */
	struct viper_slot *slots[VIPER_COMPONENT_MAX_SLOTS]; /* in declaration order */
	unsigned slot_count;
	struct viper_device devices[VIPER_COMPONENT_MAX_DEVICES];
	unsigned device_count;
};

struct viper_component {
	const char *name;
	size_t state_size; /* zeroed for each instance */
	struct viper_provided provides[VIPER_COMPONENT_MAX_PROVIDES];
	unsigned provide_count;
	unsigned slot_count;
	/* Sets up the instance before anything is served; VIPER_OK or an error. */
	int32_t (*init)(void *state, const struct viper_instance_env *env);
	/* For active components: runs on its own thread after every init. */
	int32_t (*run)(void *state);
};

/*
 * Declares a component. The descriptor goes in section viper_components,
 * where a host finds every component linked into its image.
 */
#define VIPER_COMPONENT(ident)                                                                     \
	__attribute__((used, section("viper_components"), aligned(8)))                             \
	const struct viper_component ident##_component

/*
 * Looks a linked-in component up by name; NULL when the image lacks it.
 * (src/component_table.c, the same in every environment.)
 */
const struct viper_component *viper_component_find(const char *name);

/* What `c` provides for interface `interface_id`; NULL when it does not. */
const struct viper_provided *viper_component_provided(const struct viper_component *c,
						      uint32_t interface_id);

/* Memory for the instance's own use (from its process's heap or the kernel's). */
void *vc_alloc(size_t size);
void vc_free(void *p);

/* One line of log output (the newline is added when missing); at most 255 bytes. */
void vc_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vc_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int vc_snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The monotonic clock in nanoseconds since boot. */
uint64_t vc_now_ns(void);

/* Lets other threads run first; returns at once when none is ready. */
void vc_yield(void);

/* Copy and compare helpers: the compiler's, which every environment links. */
static inline void *vc_memcpy(void *dst, const void *src, size_t n)
{
	return __builtin_memcpy(dst, src, n);
}

static inline void *vc_memset(void *dst, int c, size_t n)
{
	return __builtin_memset(dst, c, n);
}

static inline int vc_memcmp(const void *a, const void *b, size_t n)
{
	return __builtin_memcmp(a, b, n);
}

static inline size_t vc_strlen(const char *s)
{
	return __builtin_strlen(s);
}

static inline int vc_strcmp(const char *a, const char *b)
{
	return __builtin_strcmp(a, b);
}

#endif
