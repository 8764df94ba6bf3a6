/* Starting programs from ELF files in memory objects, slots bound (viper/spawn_image.h). */
#include <viper/spawn_image.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <viper/error_name.h>
#include <viper/syscall.h>

static int64_t fail(struct viper_launch_error *why, int64_t err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int64_t fail(struct viper_launch_error *why, int64_t err, const char *fmt, ...)
{
	va_list ap;

	if (why) {
		va_start(ap, fmt);
		vsnprintf(why->text, sizeof(why->text), fmt, ap);
		va_end(ap);
	}
	return err;
}

const char *viper_error_name(int64_t error)
{
	const char *name = viper_error_short_name(error);

	return name ? name : "error";
}

/* Reads the program's slot declarations from its file, mapped read-only for a moment. */
static int64_t read_slots(const struct viper_image_launch *l, const char *name,
			  struct viper_slot_decl *decls, struct viper_launch_error *why)
{
	uint64_t span = (l->image_size + VIPER_PAGE_SIZE - 1) & ~(uint64_t)(VIPER_PAGE_SIZE - 1);
	int64_t va;
	int32_t n;

	if (l->image_size == 0)
		return fail(why, VIPER_E_CORRUPT, "program %s is not a valid program: it is empty",
			    name);
	va = viper_memory_map(l->image, 0, span, VIPER_PROT_READ, 0);
	if (va < 0)
		return fail(why, va, "cannot read program %s: memory_map: %s", name,
			    viper_error_name(va));
	n = viper_program_slots((const uint8_t *)(uintptr_t)va, l->image_size, decls,
				VIPER_PROGRAM_MAX_SLOTS);
	viper_memory_unmap((uint64_t)va, span);
	if (n < 0)
		return fail(why, n,
			    "program %s is not a valid program: its ELF file or its slot "
			    "declarations are malformed",
			    name);
	return n;
}

/* The binding of slot `slot`, or NULL. */
static const struct viper_slot_grant *binding_of(const struct viper_image_launch *l,
						 const char *slot)
{
	for (uint32_t i = 0; i < l->slot_count; i++) {
		if (l->slots[i].slot && strcmp(l->slots[i].slot, slot) == 0)
			return &l->slots[i];
	}
	return NULL;
}

/* Checks binding `g` against declared slot `d` and makes its grant. */
static int64_t bind_one(const char *name, const struct viper_slot_decl *d,
			const struct viper_slot_grant *g, struct viper_spawn_grant *out,
			struct viper_launch_error *why)
{
	struct viper_handle_info info;
	int64_t r;

	if (!g)
		return fail(why, VIPER_E_NOTFOUND,
			    "program %s needs slot '%s' (interface %s), which you did not give",
			    name, d->slot, d->interface);
	if (g->interface && strcmp(g->interface, d->interface) != 0)
		return fail(why, VIPER_E_INVAL,
			    "program %s's slot '%s' takes interface %s, but you gave it %s", name,
			    d->slot, d->interface, g->interface);
	r = viper_handle_query(g->handle, &info);
	if (r < 0)
		return fail(why, r, "slot '%s' of program %s: the handle you gave: %s", d->slot,
			    name, viper_error_name(r));
	if (info.kind != VIPER_OBJ_CHANNEL_SEND)
		return fail(why, VIPER_E_KIND,
			    "slot '%s' of program %s takes a channel send end (a connection or "
			    "session), but you gave a handle of kind %u",
			    d->slot, name, info.kind);
	*out = (struct viper_spawn_grant){g->handle, g->rights ? g->rights : VIPER_RIGHT_WRITE};
	return VIPER_OK;
}

/* Every binding must name a declared slot. */
static int64_t check_undeclared(const struct viper_image_launch *l, const char *name,
				const struct viper_slot_decl *decls, uint32_t n,
				struct viper_launch_error *why)
{
	for (uint32_t i = 0; i < l->slot_count; i++) {
		const char *slot = l->slots[i].slot ? l->slots[i].slot : "";
		char list[96] = "";
		uint32_t j;

		for (j = 0; j < n && strcmp(decls[j].slot, slot) != 0; j++)
			;
		if (j < n)
			continue;
		for (j = 0; j < n; j++) {
			size_t len = strlen(list);
			snprintf(list + len, sizeof(list) - len, "%s'%s'", j ? ", " : "",
				 decls[j].slot);
		}
		return fail(why, VIPER_E_INVAL, "program %s has no slot '%s' (it declares %s)",
			    name, slot, n ? list : "none");
	}
	return VIPER_OK;
}

int64_t viper_spawn_image(viper_handle_t spawn, const struct viper_image_launch *l,
			  struct viper_launch_error *why)
{
	struct viper_slot_decl decls[VIPER_PROGRAM_MAX_SLOTS];
	struct viper_spawn_grant grants[VIPER_SPAWN_MAX_GRANTS];
	const char *name = l->name ? l->name : "?";
	int64_t n = read_slots(l, name, decls, why), r;

	if (n < 0)
		return n;
	if ((uint64_t)n + l->extra_count > VIPER_SPAWN_MAX_GRANTS)
		return fail(why, VIPER_E_TOOBIG,
			    "program %s: %lld slots and %u more handles are "
			    "more than %u",
			    name, (long long)n, l->extra_count, VIPER_SPAWN_MAX_GRANTS);
	for (int64_t i = 0; i < n; i++) {
		r = bind_one(name, &decls[i], binding_of(l, decls[i].slot), &grants[i], why);
		if (r < 0)
			return r;
	}
	r = check_undeclared(l, name, decls, (uint32_t)n, why);
	if (r < 0)
		return r;
	for (uint32_t i = 0; i < l->extra_count; i++)
		grants[n + i] = l->extra[i];
	struct viper_image_spawn args = {
		.image = l->image,
		.priority = l->priority,
		.image_size = l->image_size,
		.name = name,
		.name_len = (uint32_t)strlen(name),
		.grant_count = (uint32_t)n + l->extra_count,
		.grants = grants,
		.argument = l->argument,
		.quota = l->quota,
	};
	r = viper_process_spawn_image(spawn, &args);
	if (r < 0)
		return fail(why, r, "cannot start %s: process_spawn_image: %s%s", name,
			    viper_error_name(r),
			    r == VIPER_E_CORRUPT       ? " (not a valid program)"
			    : r == VIPER_E_UNSUPPORTED ? " (not an AArch64 executable)"
						       : "");
	return r;
}
