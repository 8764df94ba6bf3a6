/*
 * The names of the error codes (enum viper_error), in one table for the
 * kernel, the root task, processes and the shell. A test
 * (//platform/abi:error_name_test) checks that it names every code abi.h
 * declares, in order.
 */
#ifndef VIPER_ERROR_NAME_H
#define VIPER_ERROR_NAME_H

#include <stddef.h>
#include <stdint.h>

#include <viper/abi.h>

/* "VIPER_E_INVAL" for VIPER_E_INVAL, ...; NULL for a value that names no code. */
static inline const char *viper_error_full_name(int64_t error)
{
	static const char *const names[] = {
		"VIPER_OK",
		"VIPER_E_INVAL",
		"VIPER_E_NOMEM",
		"VIPER_E_NOTFOUND",
		"VIPER_E_CORRUPT",
		"VIPER_E_RANGE",
		"VIPER_E_UNSUPPORTED",
		"VIPER_E_BADHANDLE",
		"VIPER_E_RIGHTS",
		"VIPER_E_KIND",
		"VIPER_E_FAULT",
		"VIPER_E_WOULDBLOCK",
		"VIPER_E_TIMEOUT",
		"VIPER_E_PEERCLOSED",
		"VIPER_E_CLOSED",
		"VIPER_E_TOOBIG",
		"VIPER_E_LIMIT",
		"VIPER_E_BUSY",
		"VIPER_E_NOSYS",
		"VIPER_E_IO",
		"VIPER_E_READONLY",
		"VIPER_E_EXISTS",
		"VIPER_E_NOTEMPTY",
		"VIPER_E_NOSPACE",
		"VIPER_E_NAMETOOLONG",
		"VIPER_E_NOTDIR",
		"VIPER_E_ISDIR",
		"VIPER_E_LOOP",
		"VIPER_E_REFUSED",
		"VIPER_E_RESET",
		"VIPER_E_UNREACHABLE",
		"VIPER_E_NOTCONN",
		"VIPER_E_ADDRINUSE",
	};

	if (error <= 0 && -error < (int64_t)(sizeof(names) / sizeof(names[0])))
		return names[-error];
	return NULL;
}

/* The name without its prefix ("E_INVAL"), as docs/syscalls.md writes it; NULL as above. */
static inline const char *viper_error_short_name(int64_t error)
{
	const char *name = viper_error_full_name(error);

	return name ? name + sizeof("VIPER_") - 1 : NULL;
}

#endif
