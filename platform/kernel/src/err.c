#include <kernel/err.h>

const char *err_name(err_t err)
{
	switch (err) {
	case VIPER_OK:
		return "OK";
	case VIPER_E_INVAL:
		return "E_INVAL";
	case VIPER_E_NOMEM:
		return "E_NOMEM";
	case VIPER_E_NOTFOUND:
		return "E_NOTFOUND";
	case VIPER_E_CORRUPT:
		return "E_CORRUPT";
	case VIPER_E_RANGE:
		return "E_RANGE";
	case VIPER_E_UNSUPPORTED:
		return "E_UNSUPPORTED";
	}
	return "E_UNKNOWN";
}
