/* A kernel with no kernel-placed components. */
#include <kernel/components.h>

err_t kernel_components_prepare(const struct board_info *board, struct root_grant *grants,
				unsigned max, unsigned *count)
{
	(void)board;
	(void)grants;
	(void)max;
	*count = 0;
	return VIPER_OK;
}

err_t kernel_components_start(void)
{
	return VIPER_OK;
}
