#include <kernel/handle.h>

#include <kernel/kmalloc.h>

static viper_handle_t encode(uint32_t index, uint32_t gen)
{
	return index | (gen << HANDLE_INDEX_BITS);
}

void handle_table_init(struct handle_table *t, uint32_t limit)
{
	for (uint32_t i = 0; i < VIPER_HANDLES_MAX; i++) {
		t->slots[i] = NULL;
		t->gens[i] = 1;
	}
	t->used = 0;
	t->limit = limit > VIPER_HANDLES_MAX ? VIPER_HANDLES_MAX : limit;
}

static err_t install(struct handle_table *t, struct cap *c, viper_handle_t *out)
{
	for (uint32_t i = 0; i < t->limit; i++) {
		if (!t->slots[i]) {
			t->slots[i] = c;
			t->used++;
			c->table = t;
			c->index = i;
			*out = encode(i, t->gens[i]);
			return VIPER_OK;
		}
	}
	return VIPER_E_LIMIT;
}

/* Empties the slot `c` occupies; the old handle becomes stale. */
static void vacate(struct cap *c)
{
	struct handle_table *t = c->table;

	if (!t)
		return;
	t->slots[c->index] = NULL;
	t->gens[c->index] = (t->gens[c->index] + 1) & HANDLE_GEN_MASK;
	if (t->gens[c->index] == 0)
		t->gens[c->index] = 1;
	t->used--;
	c->table = NULL;
}

static void link_child(struct cap *parent, struct cap *c)
{
	c->parent = parent;
	c->prev_sibling = NULL;
	c->next_sibling = parent->children;
	if (parent->children)
		parent->children->prev_sibling = c;
	parent->children = c;
}

static void unlink_from_parent(struct cap *c)
{
	if (!c->parent)
		return;
	if (c->prev_sibling)
		c->prev_sibling->next_sibling = c->next_sibling;
	else
		c->parent->children = c->next_sibling;
	if (c->next_sibling)
		c->next_sibling->prev_sibling = c->prev_sibling;
	c->parent = c->next_sibling = c->prev_sibling = NULL;
}

/*
 * Destroys `c` and its descendants (depth is bounded by CAP_MAX_DEPTH).
 * A detached cap only loses its object: the message holding it frees it.
 * Returns how many caps died.
 */
static int destroy(struct cap *c)
{
	int n = 1;
	struct kobject *o = c->object;
	bool detached = c->table == NULL;

	while (c->children)
		n += destroy(c->children);
	unlink_from_parent(c);
	sched_cancel_waits(c);
	vacate(c);
	c->object = NULL;
	if (o)
		kobject_handle_drop(o, c);
	if (!detached)
		kfree(c);
	return n;
}

void handle_table_clear(struct handle_table *t)
{
	for (uint32_t i = 0; i < VIPER_HANDLES_MAX; i++) {
		if (t->slots[i])
			(void)destroy(t->slots[i]);
	}
}

err_t handle_create(struct handle_table *t, struct kobject *o, uint32_t rights, viper_handle_t *out)
{
	struct cap *c;
	err_t err;

	if (t->used >= t->limit)
		return VIPER_E_LIMIT;
	c = kmalloc(sizeof(*c));
	if (!c)
		return VIPER_E_NOMEM;
	c->object = o;
	c->rights = rights & VIPER_RIGHTS_ALL;
	err = install(t, c, out);
	if (err) {
		kfree(c);
		return err;
	}
	kobject_handle_ref(o);
	return VIPER_OK;
}

err_t handle_give(struct handle_table *t, struct kobject *o, uint32_t rights, viper_handle_t *out)
{
	err_t err = handle_create(t, o, rights, out);

	kobject_unref(o); /* the handle holds it now, or it is gone */
	return err;
}

err_t handle_lookup(struct handle_table *t, viper_handle_t h, uint32_t kind, uint32_t rights,
		    struct cap **out)
{
	struct cap *c = handle_cap(t, h);

	if (!c)
		return VIPER_E_BADHANDLE;
	if (kind && c->object->kind != kind)
		return VIPER_E_KIND;
	if ((c->rights & rights) != rights)
		return VIPER_E_RIGHTS;
	*out = c;
	return VIPER_OK;
}

err_t handle_derive(struct handle_table *t, viper_handle_t h, uint32_t rights, viper_handle_t *out)
{
	return handle_derive_into(t, h, rights, t, out);
}

err_t handle_derive_into(struct handle_table *from, viper_handle_t h, uint32_t rights,
			 struct handle_table *t, viper_handle_t *out)
{
	struct cap *parent, *c;
	err_t err = handle_lookup(from, h, 0, VIPER_RIGHT_DERIVE, &parent);

	if (err)
		return err;
	if (rights & ~parent->rights)
		return VIPER_E_RIGHTS;
	if (parent->depth + 1 >= CAP_MAX_DEPTH || t->used >= t->limit)
		return VIPER_E_LIMIT;
	c = kmalloc(sizeof(*c));
	if (!c)
		return VIPER_E_NOMEM;
	c->object = parent->object;
	c->rights = rights;
	c->depth = parent->depth + 1;
	err = install(t, c, out);
	if (err) {
		kfree(c);
		return err;
	}
	link_child(parent, c);
	kobject_handle_ref(c->object);
	return VIPER_OK;
}

int handle_revoke(struct handle_table *t, viper_handle_t h)
{
	struct cap *c;
	int n = 0;
	err_t err = handle_lookup(t, h, 0, 0, &c);

	if (err)
		return err;
	while (c->children)
		n += destroy(c->children);
	return n;
}

err_t handle_close(struct handle_table *t, viper_handle_t h)
{
	struct cap *c;
	err_t err = handle_lookup(t, h, 0, 0, &c);

	if (err)
		return err;
	(void)destroy(c);
	return VIPER_OK;
}

err_t handle_detach(struct handle_table *t, viper_handle_t h, struct cap **out)
{
	struct cap *c;
	err_t err = handle_lookup(t, h, 0, VIPER_RIGHT_TRANSFER, &c);

	if (err)
		return err;
	vacate(c);
	*out = c;
	return VIPER_OK;
}

err_t handle_attach(struct handle_table *t, struct cap *c, viper_handle_t *out)
{
	return install(t, c, out);
}

void cap_destroy_detached(struct cap *c)
{
	if (c->object)
		(void)destroy(c);
	else
		unlink_from_parent(c);
	kfree(c);
}

bool handle_entry(const struct handle_table *t, uint32_t index, struct viper_handle_entry *out)
{
	const struct cap *c;

	if (index >= VIPER_HANDLES_MAX || !(c = t->slots[index]))
		return false;
	out->handle = encode(index, t->gens[index]);
	out->kind = c->object->kind;
	out->rights = c->rights;
	out->reserved = 0;
	out->koid = c->object->koid;
	return true;
}

uint32_t handle_table_free(const struct handle_table *t)
{
	return t->limit - t->used;
}
