/* A kernel with no kernel-placed components. */
#include <kernel/components.h>

err_t kernel_components_prepare(const struct board_info *board, struct root_start *root)
{
	(void)board;
	root->grant_count = 0; /* and the kernel keeps no device */
	return VIPER_OK;
}

err_t kernel_components_start(void)
{
	return VIPER_OK;
}
