/* assign_table: see include/assign_table/assign_table.h. */
#include <assign_table/assign_table.h>

#include <viper/component.h>

static const char *const SYSTEM_ASSIGNS[][2] = {
	{"SYS", ""}, {"C", "C"}, {"S", "S"}, {"L", "L"}, {"T", "T"}, {"CERTS", "CERTS"},
};

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool same_name(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (lower(*a) != lower(*b))
			return false;
	return *a == *b;
}

static bool valid_name(const char *name)
{
	size_t n = 0;

	for (; name[n]; n++) {
		char c = lower(name[n]);
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
			return false;
	}
	return n >= 1 && n <= ASSIGN_NAME_MAX;
}

void assign_table_defaults(struct assign_table *t)
{
	t->count = 0;
	for (unsigned i = 0; i < sizeof(SYSTEM_ASSIGNS) / sizeof(SYSTEM_ASSIGNS[0]); i++) {
		struct assign *a = &t->entries[t->count++];
		vc_snprintf(a->name, sizeof(a->name), "%s", SYSTEM_ASSIGNS[i][0]);
		vc_snprintf(a->target, sizeof(a->target), "%s", SYSTEM_ASSIGNS[i][1]);
		a->system = true;
	}
}

static struct assign *find(struct assign_table *t, const char *name)
{
	for (unsigned i = 0; i < t->count; i++)
		if (same_name(t->entries[i].name, name))
			return &t->entries[i];
	return NULL;
}

static int32_t serve_resolve(void *self, struct viper_rpc_context *ctx,
			     const viper_assigns_ResolveRequest *req,
			     viper_assigns_ResolveReply *rep)
{
	struct assign *a = find(self, req->name);

	(void)ctx;
	if (!a)
		return VIPER_E_NOTFOUND;
	vc_snprintf(rep->target, sizeof(rep->target), "%s", a->target);
	return VIPER_OK;
}

static int32_t serve_set(void *self, struct viper_rpc_context *ctx,
			 const viper_assigns_SetRequest *req, viper_assigns_SetReply *rep)
{
	struct assign_table *t = self;
	struct assign *a = find(t, req->name);

	(void)ctx;
	(void)rep;
	if (!valid_name(req->name))
		return VIPER_E_INVAL;
	if (a && a->system)
		return VIPER_E_RIGHTS;
	if (!a) {
		if (t->count == ASSIGN_MAX)
			return VIPER_E_LIMIT;
		a = &t->entries[t->count++];
		vc_snprintf(a->name, sizeof(a->name), "%s", req->name);
		a->system = false;
	}
	vc_snprintf(a->target, sizeof(a->target), "%s", req->target);
	return VIPER_OK;
}

static int32_t serve_remove(void *self, struct viper_rpc_context *ctx,
			    const viper_assigns_RemoveRequest *req, viper_assigns_RemoveReply *rep)
{
	struct assign_table *t = self;
	struct assign *a = find(t, req->name);

	(void)ctx;
	(void)rep;
	if (!a)
		return VIPER_E_NOTFOUND;
	if (a->system)
		return VIPER_E_RIGHTS;
	for (struct assign *end = &t->entries[t->count - 1]; a < end; a++)
		*a = a[1];
	t->count--;
	return VIPER_OK;
}

static int32_t serve_list(void *self, struct viper_rpc_context *ctx,
			  const viper_assigns_ListRequest *req, viper_assigns_ListReply *rep)
{
	struct assign_table *t = self;

	(void)ctx;
	if (req->index >= t->count)
		return VIPER_E_NOTFOUND;
	vc_snprintf(rep->name, sizeof(rep->name), "%s", t->entries[req->index].name);
	vc_snprintf(rep->target, sizeof(rep->target), "%s", t->entries[req->index].target);
	rep->system = t->entries[req->index].system;
	return VIPER_OK;
}

const struct assigns_server assign_table_server = {
	.resolve = serve_resolve,
	.set = serve_set,
	.remove = serve_remove,
	.list = serve_list,
};

static int32_t assign_table_init(void *state, const struct viper_instance_env *env)
{
	(void)env;
	assign_table_defaults(state);
	return VIPER_OK;
}

VIPER_COMPONENT(assign_table) = {
	.name = "assign_table",
	.state_size = sizeof(struct assign_table),
	.init = assign_table_init,
	.provides = {{.interface = &assigns_interface, .ops = &assign_table_server}},
	.provide_count = 1,
};
