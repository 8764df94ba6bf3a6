/* The protocol halves of the socket calls (src/tcp_socket.c, src/udp_socket.c,
 * src/socket_status.c). */
#ifndef NET_STACK_SOCKET_OPS_H
#define NET_STACK_SOCKET_OPS_H

#include <net_stack/net_stack.h>

int32_t net_tcp_connect(struct net_socket *so, const ip_addr_t *to, uint16_t port);
int32_t net_tcp_bind(struct net_socket *so, const ip_addr_t *at, uint16_t port, uint32_t *bound);
int32_t net_tcp_listen(struct net_socket *so, uint32_t backlog);
struct net_socket *net_tcp_take_pending(struct net_socket *so);
int32_t net_tcp_send(struct net_socket *so, const uint8_t *data, uint32_t len, uint32_t *sent);
int32_t net_tcp_receive(struct net_socket *so, uint8_t *out, uint32_t cap, uint32_t *got,
			bool *end);
int32_t net_tcp_shutdown(struct net_socket *so, bool rd, bool wr);

int32_t net_udp_bind(struct net_socket *so, const ip_addr_t *at, uint16_t port, uint32_t *bound);
int32_t net_udp_connect(struct net_socket *so, const ip_addr_t *to, uint16_t port);
int32_t net_udp_send(struct net_socket *so, const uint8_t *data, uint32_t len, const ip_addr_t *to,
		     uint16_t port);
int32_t net_udp_receive(struct net_socket *so, uint8_t *out, uint32_t cap,
			viper_socket_ReceiveFromReply *rep);

/* What Status and Sockets report of `so`. */
void net_socket_status(struct net_socket *so, viper_socket_StatusReply *rep);
void net_socket_entry(struct net_socket *so, viper_net_SocketEntry *e);

#endif
