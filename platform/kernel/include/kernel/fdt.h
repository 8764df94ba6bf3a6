/*
 * A reader for flattened device trees (DTB, version 16 and 17). Every access
 * is bounds-checked against the blob's validated header, so a corrupt or
 * hostile blob yields VIPER_E_CORRUPT, never an out-of-bounds read.
 */
#ifndef KERNEL_FDT_H
#define KERNEL_FDT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <kernel/err.h>

#define FDT_MAX_DEPTH 16

/* A validated blob. */
struct fdt {
	const uint8_t *base;
	uint32_t size;
	uint32_t struct_off;
	uint32_t struct_size;
	uint32_t strings_off;
	uint32_t strings_size;
};

/* A node met during a walk. */
struct fdt_node {
	const char *name;    /* "" for the root, else e.g. "uart@9000000" */
	int depth;	     /* 0 for the root */
	uint32_t props_off;  /* offset of the node's first token after its name */
	uint32_t addr_cells; /* #address-cells of the parent: the cells of "reg" */
	uint32_t size_cells; /* #size-cells of the parent */
};

/* A property's raw big-endian value. */
struct fdt_prop {
	const uint8_t *data;
	uint32_t len;
};

/* Called for every node in document order; a non-zero result stops the walk. */
typedef err_t (*fdt_node_fn)(void *ctx, const struct fdt *fdt, const struct fdt_node *node);

/*
 * Validates the header of the blob at `blob`, which may be at most
 * `max_size` bytes long, and fills `fdt`. VIPER_E_CORRUPT when the magic,
 * version, sizes or offsets are wrong.
 */
MUST_CHECK err_t fdt_open(struct fdt *fdt, const void *blob, size_t max_size);

/*
 * Visits every node. Returns the first non-zero result of `fn`,
 * VIPER_E_CORRUPT when the structure block is malformed (bad token, name or
 * property outside the blob, nesting deeper than FDT_MAX_DEPTH, unbalanced
 * nodes), else VIPER_OK.
 */
MUST_CHECK err_t fdt_walk(const struct fdt *fdt, fdt_node_fn fn, void *ctx);

/* Finds property `name` of `node`. VIPER_E_NOTFOUND when it has none. */
MUST_CHECK err_t fdt_get_prop(const struct fdt *fdt, const struct fdt_node *node, const char *name,
			      struct fdt_prop *out);

/* True when the string-list property holds `s` as one of its strings. */
bool fdt_prop_has_string(const struct fdt_prop *prop, const char *s);

/* True when the property is one NUL-terminated string equal to `s`. */
bool fdt_prop_is_string(const struct fdt_prop *prop, const char *s);

/* Reads big-endian cell `index` of the property. VIPER_E_RANGE past its end. */
MUST_CHECK err_t fdt_prop_cell(const struct fdt_prop *prop, uint32_t index, uint32_t *out);

/*
 * Reads entry `index` of the node's "reg" property, using the parent's cell
 * counts. VIPER_E_NOTFOUND without reg, VIPER_E_RANGE past its end,
 * VIPER_E_UNSUPPORTED for cell counts above 2.
 */
MUST_CHECK err_t fdt_node_reg(const struct fdt *fdt, const struct fdt_node *node, uint32_t index,
			      uint64_t *addr, uint64_t *size);

#endif
