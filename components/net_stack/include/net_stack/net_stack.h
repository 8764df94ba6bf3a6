/*
 * net_stack: a TCP/IP stack on lwIP 2.1.3 as a component (README.md).
 * It provides interface net (sockets, name resolution, ping, what netstat
 * shows) and serves each socket as a session of interface socket; it
 * reaches the wire through a provider of interface netdev (slot link) and
 * seeds its randomness from a provider of interface entropy.
 *
 * lwIP runs in NO_SYS mode: every call into it, from the run thread
 * (frames, timers) and from the methods (sockets), holds the stack's lock.
 * lwIP's state is static, so an address space holds one stack.
 */
#ifndef NET_STACK_NET_STACK_H
#define NET_STACK_NET_STACK_H

#include <stdbool.h>
#include <stdint.h>

#include <viper/component.h>
#include <viper/ring.h>

#include "lwip/ip_addr.h"
#include "lwip/netif.h"
#include "net.viper.h"
#include "netdev.viper.h"
#include "socket.viper.h"

#define NET_STACK_TX_MAX	  256 /* transmit buffers the stack can hold */
#define NET_STACK_RX_BATCH	  64  /* frames taken per pass of the run loop */
#define NET_STACK_TX_LOW	  8   /* fewer free transmit buffers: wait for completions */
#define NET_STACK_PENDING_MAX	  8   /* Resolve and Ping calls kept at once, each */
#define NET_STACK_UDP_QUEUE	  16  /* datagrams held per UDP socket */
#define NET_STACK_UDP_QUEUED_MAX  64  /* datagrams held by all UDP sockets together */
#define NET_STACK_SMALL_SEGMENT	  512 /* received segments this small leave the pool (copied) */
#define NET_STACK_SEND_HEAP_SHARE (MEM_SIZE * 6 / 10) /* of lwIP's heap for send buffers */
#define NET_STACK_BACKLOG_MAX	  16
#define NET_STACK_IO_MAX	  (1u << 20) /* bytes per Send or Receive */
#define NET_STACK_TIMER_WAIT_NS	  250000000ll
#define NET_STACK_GATEWAY_NAME	  "gateway" /* resolves to the IPv4 gateway, without DNS */
#define NET_STACK_LINK_RETRY_NS	  1000000000ull

/* The link: the driver's rings and buffers, from netdev's Attach. */
struct net_link {
	struct viper_slot *dev;
	struct viper_ring rx, rx_free, tx, tx_done;
	uint8_t *rings;
	uint64_t rings_size;
	uint8_t *buffers;
	uint64_t buffers_size;
	uint32_t buffer_size;
	uint32_t max_frame;
	uint32_t tx_free[NET_STACK_TX_MAX]; /* offsets of transmit buffers the stack holds */
	uint32_t tx_free_count;
	bool kick;		  /* frames or buffers were pushed: Transmit before sleeping */
	bool failed;		  /* the driver refused a ring or went away */
	uint64_t retry_ns;	  /* when to try attaching again */
	uint64_t no_tx_buffer;	  /* frames dropped for want of a transmit buffer */
	uint64_t no_memory;	  /* frames dropped for want of a pbuf */
	viper_handle_t wake_recv; /* where the driver's notifications arrive */
};

struct net_datagram {
	struct pbuf *p;
	ip_addr_t from;
	uint16_t port;
};

/* One socket: a session of interface socket (or a connection not yet accepted). */
struct net_socket {
	struct net_stack *stack;
	struct net_socket *next; /* in the stack's list, for Sockets */
	viper_net_Kind kind;
	uint8_t family;	 /* 4 or 6 */
	bool in_session; /* a client holds it (not a pending accept) */
	bool listening;
	bool connecting;
	bool connected;
	bool end; /* TCP: the peer's FIN came */
	bool shut_read;
	bool shut_write;
	int32_t error; /* the connection's error, VIPER_OK when none */
	union {
		struct tcp_pcb *tcp;
		struct udp_pcb *udp;
	} pcb;
	struct pbuf *rx;   /* TCP: received, not yet read */
	uint32_t rx_taken; /* bytes of rx's first pbuf read already */
	uint32_t rx_bytes; /* bytes waiting in rx (a pbuf chain's tot_len is 16 bits) */
	struct net_datagram dgram[NET_STACK_UDP_QUEUE]; /* UDP: a FIFO */
	uint32_t dgram_head, dgram_count;
	struct net_socket *pending[NET_STACK_BACKLOG_MAX]; /* listening: accepted, not taken */
	uint32_t pending_count, backlog;
	viper_handle_t wake;
	uint64_t wake_bits;
};

/* A kept Resolve or Ping call. */
struct net_pending {
	bool used;
	bool orphan; /* no call waits for it, but lwIP will still call back into it */
	viper_deferred_t token;
	uint64_t started_ns, deadline_ns;
	/* Resolve */
	char name[240];
	uint32_t family, phase;
	viper_net_ResolveReply reply;
	/* Ping */
	ip_addr_t to;
	uint16_t sequence;
	uint32_t size;
};

struct net_stack {
	struct vc_lock lock;
	const struct viper_instance_env *env; /* kept by the host for the instance's life */
	struct net_link link;
	struct netif netif;
	bool up;
	viper_net_Ipv4Config ipv4_config;
	uint64_t dhcp_deadline_ns;
	ip4_addr_t static_ip, static_mask, static_gw;
	struct net_socket *sockets;
	uint32_t socket_count;
	uint32_t udp_queued; /* datagrams held by every UDP socket together */
	struct raw_pcb *ping4, *ping6;
	uint16_t ping_id;
	struct net_pending resolves[NET_STACK_PENDING_MAX];
	struct net_pending pings[NET_STACK_PENDING_MAX];
};

/*
 * The run thread's work, apart for host tests and the fuzzer: start seeds
 * the randomness, starts lwIP, attaches the link and configures the
 * addresses (VIPER_OK or why not); poll makes one pass (frames, timers,
 * kept calls) and returns how long to sleep, 0 when there is more to do.
 */
int32_t net_stack_start(struct net_stack *s);
int64_t net_stack_poll(struct net_stack *s);

/* Taking and leaving the stack: leaving kicks the driver if frames wait. */
void net_enter(struct net_stack *s);
void net_leave(struct net_stack *s);

/* src/link.c: the netif over the driver's rings. */
int32_t net_link_attach(struct net_stack *s, struct viper_slot *dev);
void net_link_poll(struct net_stack *s);
void net_link_flush(struct net_stack *s);
/* After a failed link, attaches again (a restarted driver) at most once a second. */
void net_link_retry(struct net_stack *s, uint64_t now_ns);
bool net_link_arm(struct net_stack *s);

/* src/addresses.c: addresses between the wire format and lwIP's. */
bool net_addr_from_bytes(const uint8_t *bytes, uint32_t size, ip_addr_t *out);
uint32_t net_addr_to_bytes(const ip_addr_t *a, uint8_t out[16]);
int32_t net_error_from_lwip(int err);

/* src/tcp_socket.c, src/udp_socket.c: the socket calls. */
struct net_socket *net_socket_new(struct net_stack *s, viper_net_Kind kind, uint8_t family);
void net_socket_free(struct net_socket *so);
/* Closes the socket's protocol block and frees it. */
void net_socket_close(struct net_socket *so);
void net_socket_notify(struct net_socket *so);
int32_t net_tcp_open(struct net_socket *so);
void net_tcp_close(struct net_socket *so);
int32_t net_udp_open(struct net_socket *so);
void net_udp_close(struct net_socket *so);
extern const struct socket_server net_socket_server;
extern const struct viper_provided net_socket_sessions;
void net_socket_closed(void *self, void *session);

/* src/resolve.c and src/ping.c: kept calls, answered from the run loop. */
int32_t net_resolve_start(struct net_stack *s, struct viper_rpc_context *ctx,
			  const viper_net_ResolveRequest *req, viper_net_ResolveReply *rep);
void net_resolve_advance(struct net_stack *s);
int32_t net_ping_setup(struct net_stack *s);
int32_t net_ping_start(struct net_stack *s, struct viper_rpc_context *ctx,
		       const viper_net_PingRequest *req);
void net_ping_expire(struct net_stack *s, uint64_t now_ns);

/* src/net_report.c: Configuration, Counters and Sockets. */
void net_report_configuration(struct net_stack *s, viper_net_ConfigurationReply *rep);
void net_report_counters(struct net_stack *s, viper_net_CountersReply *rep);
void net_report_sockets(struct net_stack *s, uint32_t start, viper_net_SocketsReply *rep);

/* The stack's one instance (lwIP's callbacks find it here). */
extern struct net_stack *net_the_stack;

#endif
