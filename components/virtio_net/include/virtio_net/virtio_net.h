/*
 * virtio_net: interface netdev (interfaces/netdev.proto) over a virtio
 * network device (virtio 1.1, 5.1; device ID 1), legacy or modern, through
 * the transport library of //platform/virtio, in the kernel or in a
 * process.
 *
 * The driver owns VIRTIO_NET_BUFFERS packet buffers of 2048 bytes in its
 * `buffers` DMA region, the first VIRTIO_NET_RX_BUFFERS for receiving and
 * the rest for transmitting, and tracks who holds each: the device (posted
 * for receive, or being sent), the driver (free) or the client. Every
 * device request is a chain of two descriptors, the buffer's virtio header
 * (10 bytes legacy, 12 modern, in the `ring` region where no client
 * reaches it) and the buffer. Frames move to and from the one client
 * through four rings of netdev Frames in a memory object the driver makes
 * at each Attach; the client maps the buffers themselves (the DMA region's
 * own memory when its handle may be passed on, else a copy the driver
 * keeps in step: see virtio_net_memory).
 *
 * The device is trusted with its DMA memory and nothing else: a frame of
 * the wrong length is dropped and its buffer posted again; a queue the
 * device corrupts (viper/virtq.h: a used element naming no request in
 * flight, a length past the buffer) makes the driver reset the device and
 * start it again, every buffer it held reclaimed, at most
 * VIRTIO_NET_MAX_RESTARTS times before it gives up (VIPER_E_IO).
 *
 * The run thread (virtio_net_run) and the served methods share all of
 * this under `lock`; every function below takes it itself.
 */
#ifndef VIRTIO_NET_VIRTIO_NET_H
#define VIRTIO_NET_VIRTIO_NET_H

#include <stdbool.h>
#include <stdint.h>

#include <viper/component.h>
#include <viper/ring.h>
#include <viper/virtq.h>

#include "netdev.viper.h"

#define VIRTIO_NET_DEVICE_ID 1u
#define VIRTIO_NET_RX_QUEUE  0u
#define VIRTIO_NET_TX_QUEUE  1u

/* Feature bits (virtio 1.1, 5.1.3) the driver accepts; MAC is required. */
#define VIRTIO_NET_F_MAC     (1ull << 5)
#define VIRTIO_NET_F_STATUS  (1ull << 16)
#define VIRTIO_NET_S_LINK_UP 1u /* the configuration's status field */

/* Frames (without FCS) and their buffers. */
#define VIRTIO_NET_MTU	       1500u
#define VIRTIO_NET_MIN_FRAME   14u   /* an Ethernet header */
#define VIRTIO_NET_MAX_FRAME   1514u /* the header and an MTU of payload */
#define VIRTIO_NET_BUFFER_SIZE 2048u
#define VIRTIO_NET_RX_BUFFERS  64u /* buffers [0, 64) */
#define VIRTIO_NET_TX_BUFFERS  64u /* buffers [64, 128) */
#define VIRTIO_NET_BUFFERS     (VIRTIO_NET_RX_BUFFERS + VIRTIO_NET_TX_BUFFERS)
/* The `buffers` DMA region, and what the client maps: 256 KiB, a power of two. */
#define VIRTIO_NET_DMA_BYTES (VIRTIO_NET_BUFFERS * VIRTIO_NET_BUFFER_SIZE)

/* The virtio header before every frame (virtio 1.1, 5.1.6). */
#define VIRTIO_NET_HEADER_LEGACY 10u /* without MRG_RXBUF, which is never accepted */
#define VIRTIO_NET_HEADER_MODERN 12u /* num_buffers is always there under VERSION_1 */
#define VIRTIO_NET_HEADER_STRIDE 16u

/*
 * The `ring` DMA region, 16 KiB: each queue in a block of its own (receive
 * first), VIRTIO_NET_QUEUE_SIZE descriptors (two a buffer), and at the end
 * of each block the headers of that queue's buffers.
 */
#define VIRTIO_NET_QUEUE_SIZE  128u
#define VIRTIO_NET_QUEUE_BYTES 8192u
#define VIRTIO_NET_HEADERS_AT                                                                      \
	(VIRTIO_NET_QUEUE_BYTES - VIRTIO_NET_RX_BUFFERS * VIRTIO_NET_HEADER_STRIDE)
#define VIRTIO_NET_RING_BYTES (2u * VIRTIO_NET_QUEUE_BYTES)

/*
 * The client's rings: one memory object of four rings, in the order of
 * enum virtio_net_ring, each VIRTIO_NET_RING_STRIDE bytes (the ring's
 * viper_ring_bytes rounded up to a page) of VIRTIO_NET_RING_CAPACITY
 * Frames: enough for every buffer at once, so a ring is never full while
 * the client keeps to the contract.
 */
#define VIRTIO_NET_RING_CAPACITY 64u
#define VIRTIO_NET_RING_STRIDE	 4096u
#define VIRTIO_NET_RINGS_BYTES	 (4u * VIRTIO_NET_RING_STRIDE)

enum virtio_net_ring {
	VIRTIO_NET_RING_RX,	 /* driver -> client: a received frame */
	VIRTIO_NET_RING_RX_FREE, /* client -> driver: a receive buffer given back */
	VIRTIO_NET_RING_TX,	 /* client -> driver: a frame to send */
	VIRTIO_NET_RING_TX_DONE, /* driver -> client: a transmit buffer the client holds again */
	VIRTIO_NET_RING_COUNT,
};

/* The rights of the client's handle to the buffers: no DMA (nor derive). */
#define VIRTIO_NET_CLIENT_RIGHTS                                                                   \
	((uint32_t)(VIPER_RIGHT_READ | VIPER_RIGHT_WRITE | VIPER_RIGHT_MAP | VIPER_RIGHT_TRANSFER))

/* Restarts of a device that corrupted its queues, before it is given up. */
#define VIRTIO_NET_MAX_RESTARTS 16u

enum virtio_net_owner {
	VIRTIO_NET_OWNER_DRIVER, /* free: a receive buffer to post, a transmit buffer to give */
	VIRTIO_NET_OWNER_DEVICE, /* posted for receive, or being sent */
	VIRTIO_NET_OWNER_CLIENT, /* a received frame, or a transmit buffer to fill */
};

/*
 * The driver's memory. `ring` and `buffers` are its DMA regions
 * (VIRTIO_NET_RING_BYTES and VIRTIO_NET_DMA_BYTES at least, page-aligned,
 * physical below 4 GiB for a legacy device). `shared` is the memory object
 * each client gets a handle to (derived with VIRTIO_NET_CLIENT_RIGHTS),
 * mapped by the driver at `shared_virt`: the buffers' own when that handle
 * may be derived (shared_virt == buffers.virt: zero copy), else an object of
 * VIRTIO_NET_DMA_BYTES the driver made, into which each received frame is
 * copied before the client sees it and out of which each frame to send is
 * copied before the device does.
 */
struct virtio_net_memory {
	struct virtq_memory ring;
	struct virtq_memory buffers;
	viper_handle_t shared;
	uint8_t *shared_virt;
};

/* InfoReply's counters. */
struct virtio_net_counters {
	uint64_t rx_frames;
	uint64_t rx_bytes;
	uint64_t tx_frames;
	uint64_t tx_bytes;
	uint64_t rx_dropped;
	uint64_t client_errors;
};

/* The attached client: its rings (the driver's ends) and its wake-up channel. */
struct virtio_net_client {
	bool attached;
	struct viper_ring rings[VIRTIO_NET_RING_COUNT];
	void *rings_map; /* the driver's mapping of the rings' memory */
	uint64_t rings_size;
	viper_handle_t wake; /* send end of the client's notification channel */
};

struct virtio_net {
	struct vc_lock lock; /* guards everything below */
	struct virtio_bus bus;
	struct virtio_device dev;
	struct virtq rxq;
	struct virtq txq;
	struct virtio_net_memory mem;
	struct virtq_waiter waiter; /* the run thread's interrupt wait */
	uint32_t header_bytes;	    /* 10 or 12, from the negotiated features */
	uint8_t mac[6];
	uint8_t owner[VIRTIO_NET_BUFFERS];	  /* enum virtio_net_owner */
	uint16_t tx_length[VIRTIO_NET_BUFFERS];	  /* of the frame being sent from each */
	uint8_t rx_buffer[VIRTIO_NET_QUEUE_SIZE]; /* by head of a receive in flight: its buffer */
	uint8_t tx_buffer[VIRTIO_NET_QUEUE_SIZE]; /* by head of a send in flight: its buffer */
	uint32_t kicks; /* queues to notify once the lock is given: bit (1 << queue) */
	struct virtio_net_client client;
	struct virtio_net_counters count;
	uint32_t restarts; /* of a device that corrupted its queues */
	int32_t failed;	   /* VIPER_OK, or VIPER_E_IO once the device is given up (reset) */
};

/*
 * Starts the device behind `bus` with the memory `mem` (copied), waiting
 * for its interrupt with `waiter` in virtio_net_run: makes the lock,
 * accepts MAC and STATUS (and VERSION_1), reads the MAC, sets up both
 * queues, posts every receive buffer and sets DRIVER_OK. No client is
 * attached: frames received before Attach are dropped. Errors:
 * VIPER_E_INVAL for memory too small, the lock's error, virtio_device_init's
 * (VIPER_E_NOTFOUND for no virtio network device, VIPER_E_UNSUPPORTED for
 * one without a MAC) and virtq_setup's.
 */
int32_t virtio_net_start(struct virtio_net *net, const struct virtio_bus *bus,
			 const struct virtio_net_memory *mem, const struct virtq_waiter *waiter);

/*
 * One pass of the run thread, after an interrupt (or a wait that timed
 * out): takes the device's interrupt causes, the completed receives (each
 * frame of a valid length to the client's rx ring, else dropped) and sends
 * (each buffer to tx_done), restarts a device that corrupted a queue,
 * takes what the client left in rx_free and tx, and posts every free
 * receive buffer again.
 */
void virtio_net_poll(struct virtio_net *net);

/*
 * The run thread: waits with the waiter and polls, for ever; returns the
 * waiter's error other than VIPER_E_TIMEOUT (the wait's handle closed).
 */
int32_t virtio_net_run(struct virtio_net *net);

extern const struct netdev_server virtio_net_server;

#endif
