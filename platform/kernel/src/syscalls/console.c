/* debug_write: bytes to the kernel console. */
#include "decode.h"

#include <kernel/console.h>

#define DEBUG_WRITE_MAX 4096u

int64_t sys_debug_write(const uint64_t *a)
{
	char buf[256];
	uint64_t ptr = a[0], len = a[1];

	if (len > DEBUG_WRITE_MAX)
		return VIPER_E_TOOBIG;
	for (uint64_t done = 0; done < len;) {
		size_t chunk = len - done > sizeof(buf) ? sizeof(buf) : (size_t)(len - done);
		err_t err = copy_from_user(as(), buf, ptr + done, chunk);
		if (err)
			return err;
		kconsole_write(buf, chunk);
		done += chunk;
	}
	return (int64_t)len;
}
