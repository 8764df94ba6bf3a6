/*
 * The table of components linked into an image: every VIPER_COMPONENT
 * descriptor lands in section viper_components, which the linker brackets
 * with __start_viper_components and __stop_viper_components. The same in
 * processes, the kernel and the host simulation.
 */
#include <viper/component.h>

/* Weak: a host test image may have no component at all. */
extern const struct viper_component __start_viper_components[] __attribute__((weak));
extern const struct viper_component __stop_viper_components[] __attribute__((weak));

static int same(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

const struct viper_component *viper_component_find(const char *name)
{
	for (const struct viper_component *c = __start_viper_components;
	     c != NULL && c < __stop_viper_components; c++) {
		if (same(c->name, name))
			return c;
	}
	return NULL;
}

const struct viper_provided *viper_component_provided(const struct viper_component *c,
						      uint32_t interface_id)
{
	for (unsigned i = 0; i < c->provide_count && i < VIPER_COMPONENT_MAX_PROVIDES; i++) {
		if (c->provides[i].interface && c->provides[i].interface->id == interface_id)
			return &c->provides[i];
	}
	return NULL;
}
