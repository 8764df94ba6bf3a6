/*
 * The one set of error codes ViperOS uses: returned by system calls, carried
 * in IPC replies and used inside the kernel. 0 is success; every failure is
 * a distinct negative number. Shared by the kernel and user space, so the
 * values are part of the ABI and never change meaning.
 */
#ifndef VIPER_ERRORS_H
#define VIPER_ERRORS_H

enum viper_error {
	VIPER_OK = 0,
	VIPER_E_INVAL = -1,	  /* an argument is malformed or out of range */
	VIPER_E_NOMEM = -2,	  /* no memory for the request */
	VIPER_E_NOTFOUND = -3,	  /* the named thing does not exist */
	VIPER_E_CORRUPT = -4,	  /* a data structure failed its consistency checks */
	VIPER_E_RANGE = -5,	  /* a value or buffer does not fit */
	VIPER_E_UNSUPPORTED = -6, /* the request is valid but not supported here */
};

#endif
