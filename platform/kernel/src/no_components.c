/* A kernel with no kernel-placed components. */
#include <kernel/components.h>

err_t kernel_components_prepare(struct root_grant *grants, unsigned max, unsigned *count)
{
	(void)grants;
	(void)max;
	*count = 0;
	return VIPER_OK;
}

err_t kernel_components_start(void)
{
	return VIPER_OK;
}
