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
	case VIPER_E_BADHANDLE:
		return "E_BADHANDLE";
	case VIPER_E_RIGHTS:
		return "E_RIGHTS";
	case VIPER_E_KIND:
		return "E_KIND";
	case VIPER_E_FAULT:
		return "E_FAULT";
	case VIPER_E_WOULDBLOCK:
		return "E_WOULDBLOCK";
	case VIPER_E_TIMEOUT:
		return "E_TIMEOUT";
	case VIPER_E_PEERCLOSED:
		return "E_PEERCLOSED";
	case VIPER_E_CLOSED:
		return "E_CLOSED";
	case VIPER_E_TOOBIG:
		return "E_TOOBIG";
	case VIPER_E_LIMIT:
		return "E_LIMIT";
	case VIPER_E_BUSY:
		return "E_BUSY";
	case VIPER_E_NOSYS:
		return "E_NOSYS";
	}
	return "E_UNKNOWN";
}
