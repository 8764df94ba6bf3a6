/*
 * A fake network device for net_stack's host tests and its fuzzer: a
 * provider of interface netdev in memory, with four rings and 32 + 32
 * buffers like virtio_net's. Frames the stack sends are kept for the test
 * to read; frames (or raw, possibly hostile, descriptors) are put on the
 * receive ring for the stack's next poll.
 */
#ifndef NET_STACK_FAKE_LINK_H
#define NET_STACK_FAKE_LINK_H

#include <stdbool.h>
#include <stdint.h>

#include <viper/component.h>
#include <viper/ring.h>

#include "entropy.viper.h"
#include "netdev.viper.h"

#ifdef __cplusplus
extern "C" {
#endif

#define FAKE_LINK_BUFFERS     32u /* of each kind */
#define FAKE_LINK_BUFFER_SIZE 2048u
#define FAKE_LINK_SENT_MAX    256u

struct fake_frame {
	uint32_t length;
	uint8_t bytes[FAKE_LINK_BUFFER_SIZE];
};

struct fake_link {
	struct viper_ring rx, rx_free, tx, tx_done;
	uint8_t *rings, *buffers;
	bool rx_owned[FAKE_LINK_BUFFERS]; /* receive buffer i is with the stack */
	bool attached;
	viper_handle_t wake;
	struct fake_frame sent[FAKE_LINK_SENT_MAX];
	uint32_t sent_count; /* kept, oldest first */
	uint64_t sent_total; /* every frame sent */
	uint32_t transmits;  /* Transmit calls */
};

extern const struct netdev_server fake_link_server;
extern const struct entropy_server fake_entropy_server;

/* A frame for the stack: false when no receive buffer or ring room is free. */
bool fake_link_inject(struct fake_link *l, const void *frame, uint32_t length);
/* A raw descriptor on the receive ring, naming any offset and length. */
bool fake_link_inject_descriptor(struct fake_link *l, uint32_t offset, uint32_t length);
/* Forgets the frames kept so far. */
void fake_link_clear(struct fake_link *l);

#ifdef __cplusplus
}
#endif

#endif
