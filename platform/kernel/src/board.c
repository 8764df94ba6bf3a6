#include <kernel/board.h>

#include <kernel/fdt.h>

enum {
	GIC_SPI_BASE = 32,
	GIC_PPI_BASE = 16,
	GIC_IRQ_CELLS = 3,
};

static const struct {
	const char *compatible;
	enum device_kind kind;
} device_table[] = {
	{"arm,pl011", DEVICE_UART_PL011},    {"arm,pl031", DEVICE_RTC_PL031},
	{"virtio,mmio", DEVICE_VIRTIO_MMIO}, {"qemu,fw-cfg-mmio", DEVICE_FW_CFG},
	{"arm,pl061", DEVICE_GPIO_PL061},
};

/* Converts the GIC interrupt specifier `index` of a property to an interrupt id. */
static err_t irq_from_prop(const struct fdt_prop *prop, uint32_t index, uint32_t *irq)
{
	uint32_t type, number;
	err_t err;

	err = fdt_prop_cell(prop, index * GIC_IRQ_CELLS, &type);
	if (!err)
		err = fdt_prop_cell(prop, index * GIC_IRQ_CELLS + 1, &number);
	if (err)
		return VIPER_E_CORRUPT;
	if (type == 0 && number < 988)
		*irq = number + GIC_SPI_BASE;
	else if (type == 1 && number < 16)
		*irq = number + GIC_PPI_BASE;
	else
		return VIPER_E_CORRUPT;
	return VIPER_OK;
}

static bool is_disabled(const struct fdt *fdt, const struct fdt_node *node)
{
	struct fdt_prop status;

	return fdt_get_prop(fdt, node, "status", &status) == VIPER_OK &&
	       !fdt_prop_is_string(&status, "okay") && !fdt_prop_is_string(&status, "ok");
}

static void copy_string(char *dst, size_t cap, const struct fdt_prop *prop)
{
	size_t i = 0;

	for (; i + 1 < cap && i < prop->len && prop->data[i] != '\0'; i++)
		dst[i] = (char)prop->data[i];
	dst[i] = '\0';
}

static err_t add_memory(struct board_info *b, const struct fdt *fdt, const struct fdt_node *node)
{
	for (uint32_t i = 0;; i++) {
		uint64_t base, size;
		err_t err = fdt_node_reg(fdt, node, i, &base, &size);
		if (err == VIPER_E_RANGE)
			return VIPER_OK;
		if (err)
			return VIPER_E_CORRUPT;
		if (size == 0 || base + size < base)
			return VIPER_E_CORRUPT;
		if (b->memory_count < BOARD_MAX_MEMORY)
			b->memory[b->memory_count++] = (struct mem_range){base, size};
	}
}

static err_t add_gic(struct board_info *b, const struct fdt *fdt, const struct fdt_node *node,
		     unsigned version)
{
	uint64_t size;
	err_t err;

	if (b->gic_version != 0)
		return VIPER_OK; /* the first interrupt controller wins */
	err = fdt_node_reg(fdt, node, 0, &b->gicd_base, &size);
	if (!err && version == 2)
		err = fdt_node_reg(fdt, node, 1, &b->gicc_base, &size);
	if (!err && version == 3)
		err = fdt_node_reg(fdt, node, 1, &b->gicr_base, &b->gicr_size);
	if (err)
		return VIPER_E_CORRUPT;
	b->gic_version = version;
	return VIPER_OK;
}

static err_t add_timer(struct board_info *b, const struct fdt *fdt, const struct fdt_node *node)
{
	struct fdt_prop irqs;

	/* Order: secure physical, non-secure physical, virtual, hypervisor. */
	if (fdt_get_prop(fdt, node, "interrupts", &irqs) != VIPER_OK)
		return VIPER_E_CORRUPT;
	if (irq_from_prop(&irqs, 1, &b->timer_phys_irq) != VIPER_OK ||
	    irq_from_prop(&irqs, 2, &b->timer_virt_irq) != VIPER_OK)
		return VIPER_E_CORRUPT;
	return VIPER_OK;
}

static err_t add_device(struct board_info *b, const struct fdt *fdt, const struct fdt_node *node,
			enum device_kind kind)
{
	struct board_device dev = {.kind = kind};
	struct fdt_prop irqs;
	unsigned i;

	if (is_disabled(fdt, node))
		return VIPER_OK;
	if (fdt_node_reg(fdt, node, 0, &dev.base, &dev.size) != VIPER_OK)
		return VIPER_E_CORRUPT;
	if (fdt_get_prop(fdt, node, "interrupts", &irqs) == VIPER_OK &&
	    irq_from_prop(&irqs, 0, &dev.irq) != VIPER_OK)
		return VIPER_E_CORRUPT;
	if (b->device_count == BOARD_MAX_DEVICES) {
		b->devices_dropped++;
		return VIPER_OK;
	}
	/* Keep the list sorted by address, whatever order the tree uses. */
	i = b->device_count++;
	for (; i > 0 && b->devices[i - 1].base > dev.base; i--)
		b->devices[i] = b->devices[i - 1];
	b->devices[i] = dev;
	return VIPER_OK;
}

static err_t visit(void *ctx, const struct fdt *fdt, const struct fdt_node *node)
{
	struct board_info *b = ctx;
	struct fdt_prop p;
	bool has_compat = fdt_get_prop(fdt, node, "compatible", &p) == VIPER_OK;
	struct fdt_prop compat = p;

	if (fdt_get_prop(fdt, node, "device_type", &p) == VIPER_OK) {
		if (fdt_prop_is_string(&p, "memory"))
			return add_memory(b, fdt, node);
		if (fdt_prop_is_string(&p, "cpu")) {
			b->cpu_count++;
			return VIPER_OK;
		}
	}
	if (node->depth == 1 && fdt_get_prop(fdt, node, "bootargs", &p) == VIPER_OK)
		copy_string(b->bootargs, sizeof(b->bootargs), &p);
	if (!has_compat)
		return VIPER_OK;
	if (fdt_prop_has_string(&compat, "arm,cortex-a15-gic") ||
	    fdt_prop_has_string(&compat, "arm,gic-400"))
		return add_gic(b, fdt, node, 2);
	if (fdt_prop_has_string(&compat, "arm,gic-v3"))
		return add_gic(b, fdt, node, 3);
	if (fdt_prop_has_string(&compat, "arm,armv8-timer") ||
	    fdt_prop_has_string(&compat, "arm,armv7-timer"))
		return add_timer(b, fdt, node);
	if (fdt_prop_has_string(&compat, "arm,psci-0.2") ||
	    fdt_prop_has_string(&compat, "arm,psci-1.0")) {
		if (fdt_get_prop(fdt, node, "method", &p) != VIPER_OK)
			return VIPER_E_CORRUPT;
		b->psci = fdt_prop_is_string(&p, "smc")	  ? PSCI_SMC
			  : fdt_prop_is_string(&p, "hvc") ? PSCI_HVC
							  : PSCI_NONE;
		return VIPER_OK;
	}
	for (size_t i = 0; i < sizeof(device_table) / sizeof(device_table[0]); i++) {
		if (fdt_prop_has_string(&compat, device_table[i].compatible))
			return add_device(b, fdt, node, device_table[i].kind);
	}
	return VIPER_OK;
}

err_t board_from_fdt(const void *blob, size_t max_size, struct board_info *out)
{
	struct fdt fdt;
	err_t err;

	*out = (struct board_info){0};
	err = fdt_open(&fdt, blob, max_size);
	if (!err)
		err = fdt_walk(&fdt, visit, out);
	if (err)
		return err;
	if (out->memory_count == 0 || out->gic_version == 0 || out->timer_virt_irq == 0)
		return VIPER_E_NOTFOUND;
	if (out->cpu_count == 0)
		out->cpu_count = 1;
	return VIPER_OK;
}

const struct board_device *board_find_device(const struct board_info *board, enum device_kind kind)
{
	for (unsigned i = 0; i < board->device_count; i++) {
		if (board->devices[i].kind == kind)
			return &board->devices[i];
	}
	return NULL;
}

const char *board_device_name(enum device_kind kind)
{
	switch (kind) {
	case DEVICE_UART_PL011:
		return "pl011";
	case DEVICE_RTC_PL031:
		return "pl031";
	case DEVICE_VIRTIO_MMIO:
		return "virtio-mmio";
	case DEVICE_FW_CFG:
		return "fw-cfg";
	case DEVICE_GPIO_PL061:
		return "pl061";
	}
	return "unknown";
}

uint64_t board_memory_size(const struct board_info *board)
{
	uint64_t total = 0;

	for (unsigned i = 0; i < board->memory_count; i++)
		total += board->memory[i].size;
	return total;
}
