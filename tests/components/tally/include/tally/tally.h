/*
 * tally: a provider of interface tally (interfaces/tally.proto) for tests of
 * concurrent calls. Its Add reads the total, yields, then writes it back, so
 * two Adds inside at once would lose an update; it counts such overlaps.
 */
#ifndef TALLY_TALLY_H
#define TALLY_TALLY_H

#include <stdint.h>

#include "tally.viper.h"

struct tally {
	uint64_t total;
	uint32_t overlaps; /* calls that found another call inside */
	uint32_t done;
	uint32_t inside; /* calls inside now (atomic) */
};

extern const struct tally_server tally_server;

#endif
