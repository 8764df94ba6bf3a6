/*
 * supervision_test: an active component that checks what a client of
 * interface faulty (interfaces/faulty.proto) sees while the root task
 * supervises the server: see README.md. Its state is public for host tests,
 * which read the tallies after `run`.
 */
#ifndef SUPERVISION_TEST_SUPERVISION_TEST_H
#define SUPERVISION_TEST_SUPERVISION_TEST_H

#include <viper/rpc.h>

/* One instance's state; the component host zeroes it before init. */
struct supervision_test {
	const char *name;	    /* the instance's name: the scenario */
	struct viper_slot *service; /* slot `service`: the server under supervision */
	struct viper_slot *second;  /* slot `second`: another server, as the scenario says */
	unsigned passed;
	unsigned failed;
};

#endif
