#include <kernel/err.h>

#include <viper/error_name.h>

const char *err_name(err_t err)
{
	const char *name = viper_error_short_name(err);

	return name ? name : "E_UNKNOWN";
}
