/*
 * The functions virtio_net's three files share: the device half
 * (device.c: the queues and the buffers on them), the client half
 * (client.c: the rings and the buffers the client holds) and the methods
 * and run thread (virtio_net.c). Every one is called with net->lock held.
 */
#ifndef VIRTIO_NET_PRIVATE_H
#define VIRTIO_NET_PRIVATE_H

#include <virtio_net/virtio_net.h>

/* Device half (device.c). */

/*
 * Negotiates, reads the MAC, sets up both queues, sets DRIVER_OK and posts
 * every receive buffer the driver holds (a kick to take). VIPER_OK, or the
 * transport's error with the device left FAILED.
 */
int32_t net_device_start(struct virtio_net *net);

/*
 * Resets a device that corrupted a queue and starts it again: what it held
 * comes back (receive buffers are posted anew, transmit buffers go to the
 * client), and after VIRTIO_NET_MAX_RESTARTS, or when it does not start,
 * it is given up: reset, net->failed = VIPER_E_IO.
 */
void net_device_restart(struct virtio_net *net);

/* Posts every receive buffer the driver holds (a kick to take when it posted any). */
void net_device_post_rx(struct virtio_net *net);

/*
 * Sends `length` bytes from transmit buffer `b`, which the driver holds
 * (copied from the shared memory first when it is a copy): the buffer goes
 * to the device, and a kick is to take. Errors: virtq_submit's (the queue
 * has no room, or is broken).
 */
int32_t net_device_send(struct virtio_net *net, uint32_t b, uint32_t length);

/*
 * The device is notified after the lock is given, not under it: QEMU
 * serves a queue inside the notification and interrupts at once, and the
 * run thread woken by that interrupt then finds the lock free instead of
 * sleeping on it. net_device_take_kicks (lock held): the queues given new
 * buffers since the last call, one bit a queue number; net_device_kick
 * (lock not held): notifies those queues.
 */
uint32_t net_device_take_kicks(struct virtio_net *net);
void net_device_kick(struct virtio_net *net, uint32_t kicks);

/* Whether the transmit queue has room for one more frame. */
bool net_device_tx_room(const struct virtio_net *net);

/*
 * Takes every completed receive and send: VIPER_OK, or VIPER_E_CORRUPT
 * when the device corrupted a queue (a receive's was counted as dropped),
 * which the caller answers with net_device_restart.
 */
int32_t net_device_take_used(struct virtio_net *net);

/* Client half (client.c). */

/*
 * Makes a client's rings and its handle to the buffers, changing nothing
 * the driver holds: *fresh (not yet attached) with `wake` as its wake-up
 * channel, and the two handles for the reply. VIPER_E_NOMEM when memory or
 * a handle cannot be made.
 */
int32_t net_client_make(struct virtio_net *net, viper_handle_t wake,
			struct virtio_net_client *fresh, viper_handle_t *rings,
			viper_handle_t *buffers);

/*
 * Attaches `fresh` in place of the client before (its rings unmapped, its
 * wake-up channel closed): every buffer that client held comes back, the
 * receive buffers are posted, and every transmit buffer the driver holds
 * goes to the new tx_done once. Those on the device stay there and go to
 * the new tx_done when sent.
 */
void net_client_replace(struct virtio_net *net, const struct virtio_net_client *fresh);

/*
 * Gives the client received frame `b` of `length` bytes (copied into the
 * shared memory first when it is a copy): true when it went to the rx ring
 * and the client holds the buffer, false when no client is attached or the
 * ring took nothing (the driver keeps the buffer).
 */
bool net_client_deliver(struct virtio_net *net, uint32_t b, uint32_t length);

/* Gives transmit buffer `b` (the driver's) back through tx_done, if a client takes it. */
void net_client_give_tx(struct virtio_net *net, uint32_t b);

/* net_client_give_tx of every transmit buffer the driver holds. */
void net_client_give_all_tx(struct virtio_net *net);

/*
 * Takes what the attached client left in rx_free (the buffers it gives
 * back) and tx (frames to send, as many as the transmit queue has room
 * for: the rest wait), refusing and counting every Frame that names no
 * buffer of the right kind the client holds or has a bad length. *queued:
 * the frames that went to the device (one kick to take). VIPER_OK, or
 * VIPER_E_CORRUPT when a ring's indexes are impossible.
 */
int32_t net_client_serve(struct virtio_net *net, uint32_t *queued);

#endif
