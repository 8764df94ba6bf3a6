/* The stack's randomness (src/net_random.c); lwIP's hooks are in port/net_hooks.h. */
#ifndef NET_STACK_NET_RANDOM_H
#define NET_STACK_NET_RANDOM_H

#include <stdbool.h>
#include <stdint.h>

#include "net_hooks.h"

#define NET_RANDOM_SEED_BYTES 32

/* SipHash-2-4 of `len` bytes under the 128-bit `key`. */
uint64_t net_siphash(const uint64_t key[2], const uint8_t *data, uint32_t len);

/* Keys both generators from `seed` (entropy device bytes); before lwIP starts. */
void net_random_seed(const uint8_t seed[NET_RANDOM_SEED_BYTES]);
bool net_random_seeded(void);

#endif
