#include <stdlib.h>

#include "arch/cc.h"

void lwip_port_assert(const char *msg, const char *file, int line)
{
	(void)msg;
	(void)file;
	(void)line;
	abort();
}
