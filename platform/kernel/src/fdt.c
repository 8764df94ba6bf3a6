#include <kernel/fdt.h>

#include <kernel/string.h>

enum {
	FDT_MAGIC = 0xd00dfeed,
	FDT_BEGIN_NODE = 1,
	FDT_END_NODE = 2,
	FDT_PROP = 3,
	FDT_NOP = 4,
	FDT_END = 9,
	FDT_HEADER_SIZE = 40,
};

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t align4(uint32_t v)
{
	return (v + 3u) & ~3u;
}

/* True when [off, off + len) lies inside a region of `size` bytes. */
static bool fits(uint32_t off, uint32_t len, uint32_t size)
{
	return off <= size && len <= size - off;
}

err_t fdt_open(struct fdt *fdt, const void *blob, size_t max_size)
{
	const uint8_t *p = blob;
	uint32_t total;

	if (!blob || max_size < FDT_HEADER_SIZE || be32(p) != FDT_MAGIC)
		return VIPER_E_CORRUPT;
	total = be32(p + 4);
	if (total < FDT_HEADER_SIZE || total > max_size)
		return VIPER_E_CORRUPT;
	/* Version 16 is the oldest layout with the fields used here. */
	if (be32(p + 20) < 16 || be32(p + 24) > 17)
		return VIPER_E_CORRUPT;
	fdt->base = p;
	fdt->size = total;
	fdt->struct_off = be32(p + 8);
	fdt->strings_off = be32(p + 12);
	fdt->strings_size = be32(p + 32);
	fdt->struct_size = be32(p + 36);
	if (!fits(fdt->struct_off, fdt->struct_size, total) ||
	    !fits(fdt->strings_off, fdt->strings_size, total) || fdt->struct_off % 4 != 0)
		return VIPER_E_CORRUPT;
	return VIPER_OK;
}

/* Length of the NUL-terminated string at `off` in a region, or -1 if unterminated. */
static int64_t bounded_strlen(const uint8_t *region, uint32_t size, uint32_t off)
{
	for (uint32_t i = off; i < size; i++) {
		if (region[i] == '\0')
			return (int64_t)(i - off);
	}
	return -1;
}

struct token {
	uint32_t kind;
	uint32_t next;	 /* offset of the following token */
	const char *str; /* node name or property name */
	struct fdt_prop prop;
};

/* Decodes the token at `off` of the structure block. */
static err_t read_token(const struct fdt *fdt, uint32_t off, struct token *t)
{
	const uint8_t *s = fdt->base + fdt->struct_off;
	uint32_t size = fdt->struct_size;

	if (!fits(off, 4, size))
		return VIPER_E_CORRUPT;
	t->kind = be32(s + off);
	off += 4;
	switch (t->kind) {
	case FDT_BEGIN_NODE: {
		int64_t n = bounded_strlen(s, size, off);
		if (n < 0)
			return VIPER_E_CORRUPT;
		t->str = (const char *)s + off;
		t->next = align4(off + (uint32_t)n + 1);
		break;
	}
	case FDT_PROP: {
		uint32_t len, nameoff;
		int64_t n;
		if (!fits(off, 8, size))
			return VIPER_E_CORRUPT;
		len = be32(s + off);
		nameoff = be32(s + off + 4);
		off += 8;
		if (!fits(off, len, size))
			return VIPER_E_CORRUPT;
		n = bounded_strlen(fdt->base + fdt->strings_off, fdt->strings_size, nameoff);
		if (nameoff >= fdt->strings_size || n < 0)
			return VIPER_E_CORRUPT;
		t->str = (const char *)fdt->base + fdt->strings_off + nameoff;
		t->prop.data = s + off;
		t->prop.len = len;
		t->next = align4(off + len);
		break;
	}
	case FDT_END_NODE:
	case FDT_NOP:
	case FDT_END:
		t->next = off;
		break;
	default:
		return VIPER_E_CORRUPT;
	}
	return VIPER_OK;
}

err_t fdt_walk(const struct fdt *fdt, fdt_node_fn fn, void *ctx)
{
	/* cells[d] are the cell counts that nodes at depth d use for "reg". */
	uint32_t addr_cells[FDT_MAX_DEPTH + 1] = {2};
	uint32_t size_cells[FDT_MAX_DEPTH + 1] = {1};
	uint32_t off = 0;
	int depth = -1;
	bool seen_root = false;
	struct token t;
	err_t err;

	for (;;) {
		err = read_token(fdt, off, &t);
		if (err)
			return err;
		switch (t.kind) {
		case FDT_BEGIN_NODE: {
			struct fdt_node node;
			if (depth + 1 >= FDT_MAX_DEPTH || (depth < 0 && seen_root))
				return VIPER_E_CORRUPT;
			depth++;
			seen_root = true;
			/* Defaults for this node's children, per the devicetree spec. */
			addr_cells[depth + 1] = 2;
			size_cells[depth + 1] = 1;
			node = (struct fdt_node){
				.name = t.str,
				.depth = depth,
				.props_off = t.next,
				.addr_cells = addr_cells[depth],
				.size_cells = size_cells[depth],
			};
			err = fn(ctx, fdt, &node);
			if (err)
				return err;
			break;
		}
		case FDT_PROP:
			if (depth < 0)
				return VIPER_E_CORRUPT;
			if (strcmp(t.str, "#address-cells") == 0 && t.prop.len == 4)
				addr_cells[depth + 1] = be32(t.prop.data);
			else if (strcmp(t.str, "#size-cells") == 0 && t.prop.len == 4)
				size_cells[depth + 1] = be32(t.prop.data);
			break;
		case FDT_END_NODE:
			if (depth < 0)
				return VIPER_E_CORRUPT;
			depth--;
			break;
		case FDT_NOP:
			break;
		case FDT_END:
			return depth == -1 && seen_root ? VIPER_OK : VIPER_E_CORRUPT;
		}
		off = t.next;
	}
}

err_t fdt_get_prop(const struct fdt *fdt, const struct fdt_node *node, const char *name,
		   struct fdt_prop *out)
{
	uint32_t off = node->props_off;
	struct token t;

	for (;;) {
		err_t err = read_token(fdt, off, &t);
		if (err)
			return err;
		if (t.kind == FDT_PROP && strcmp(t.str, name) == 0) {
			*out = t.prop;
			return VIPER_OK;
		}
		if (t.kind != FDT_PROP && t.kind != FDT_NOP)
			return VIPER_E_NOTFOUND;
		off = t.next;
	}
}

bool fdt_prop_has_string(const struct fdt_prop *prop, const char *s)
{
	uint32_t i = 0;

	while (i < prop->len) {
		uint32_t start = i;
		while (i < prop->len && prop->data[i] != '\0')
			i++;
		if (i == prop->len)
			return false; /* unterminated tail */
		if (strcmp((const char *)prop->data + start, s) == 0)
			return true;
		i++;
	}
	return false;
}

bool fdt_prop_is_string(const struct fdt_prop *prop, const char *s)
{
	return prop->len > 0 && prop->data[prop->len - 1] == '\0' &&
	       strcmp((const char *)prop->data, s) == 0;
}

err_t fdt_prop_cell(const struct fdt_prop *prop, uint32_t index, uint32_t *out)
{
	if (index >= prop->len / 4)
		return VIPER_E_RANGE;
	*out = be32(prop->data + 4 * index);
	return VIPER_OK;
}

static uint64_t read_cells(const uint8_t *p, uint32_t cells)
{
	uint64_t v = 0;

	for (uint32_t i = 0; i < cells; i++)
		v = v << 32 | be32(p + 4 * i);
	return v;
}

err_t fdt_node_reg(const struct fdt *fdt, const struct fdt_node *node, uint32_t index,
		   uint64_t *addr, uint64_t *size)
{
	struct fdt_prop reg;
	uint32_t entry;
	err_t err;

	if (node->addr_cells > 2 || node->size_cells > 2 || node->addr_cells == 0)
		return VIPER_E_UNSUPPORTED;
	err = fdt_get_prop(fdt, node, "reg", &reg);
	if (err)
		return err;
	entry = 4 * (node->addr_cells + node->size_cells);
	if (index >= reg.len / entry)
		return VIPER_E_RANGE;
	*addr = read_cells(reg.data + index * entry, node->addr_cells);
	*size = read_cells(reg.data + index * entry + 4 * node->addr_cells, node->size_cells);
	return VIPER_OK;
}
