/*
 * The methods of interface socket: each call on a session reaches them
 * with the socket as ctx->session, decodes and checks its request, maps its
 * lease outside the stack's lock, then does its work under the lock
 * (src/tcp_socket.c, src/udp_socket.c).
 */
#include <net_stack/net_stack.h>

#include "lwip/tcp.h"
#include "lwip/udp.h"
#include "socket_ops.h"

const struct viper_provided net_socket_sessions = {
	.interface = &socket_interface,
	.ops = &net_socket_server,
	.session_closed = net_socket_closed,
};

struct net_socket *net_socket_new(struct net_stack *s, viper_net_Kind kind, uint8_t family)
{
	struct net_socket *so = vc_alloc(sizeof(*so));

	if (so == NULL)
		return NULL;
	vc_memset(so, 0, sizeof(*so));
	so->stack = s;
	so->kind = kind;
	so->family = family;
	so->wake = VIPER_HANDLE_INVALID;
	so->next = s->sockets;
	s->sockets = so;
	s->socket_count++;
	return so;
}

void net_socket_free(struct net_socket *so)
{
	struct net_stack *s = so->stack;

	for (struct net_socket **p = &s->sockets; *p; p = &(*p)->next) {
		if (*p == so) {
			*p = so->next;
			s->socket_count--;
			break;
		}
	}
	if (so->wake != VIPER_HANDLE_INVALID)
		(void)vc_handle_close(so->wake);
	vc_free(so);
}

void net_socket_close(struct net_socket *so)
{
	if (so->kind == viper_net_Kind_TCP)
		net_tcp_close(so);
	else
		net_udp_close(so);
	net_socket_free(so);
}

void net_socket_notify(struct net_socket *so)
{
	if (so->wake != VIPER_HANDLE_INVALID && so->wake_bits)
		(void)vc_notify(so->wake, so->wake_bits);
}

void net_socket_closed(void *self, void *session)
{
	struct net_stack *s = self;
	struct net_socket *so = session;

	net_enter(s);
	net_socket_close(so);
	net_leave(s);
}

/* The lease of a data call, mapped: at most NET_STACK_IO_MAX bytes of it. */
static int32_t map_data(struct viper_rpc_context *ctx, uint8_t **data, uint32_t *len)
{
	struct viper_lease_view *v = &ctx->leases[0];

	if (ctx->lease_count != 1)
		return VIPER_E_INVAL;
	if (v->length > NET_STACK_IO_MAX)
		return VIPER_E_RANGE;
	*len = (uint32_t)v->length;
	*data = NULL;
	return v->length ? vc_lease_map(v, data) : VIPER_OK;
}

/* A request's address and port: VIPER_E_INVAL for a malformed one. */
static int32_t peer_of(const uint8_t *bytes, uint32_t size, uint32_t port, bool port_needed,
		       ip_addr_t *out)
{
	if (port > 0xffff || (port_needed && port == 0))
		return VIPER_E_INVAL;
	if (size == 0 && !port_needed) {
		*out = *IP_ANY_TYPE;
		return VIPER_OK;
	}
	return net_addr_from_bytes(bytes, size, out) ? VIPER_OK : VIPER_E_INVAL;
}

static int32_t so_connect(void *self, struct viper_rpc_context *ctx,
			  const viper_socket_ConnectRequest *req, viper_socket_ConnectReply *rep)
{
	struct net_socket *so = ctx->session;
	ip_addr_t to;
	int32_t err = peer_of(req->address.bytes, req->address.size, req->port, true, &to);

	(void)rep;
	if (err)
		return err;
	net_enter(self);
	if (so->kind == viper_net_Kind_TCP)
		err = net_tcp_connect(so, &to, (uint16_t)req->port);
	else
		err = net_udp_connect(so, &to, (uint16_t)req->port);
	net_leave(self);
	return err;
}

static int32_t so_bind(void *self, struct viper_rpc_context *ctx,
		       const viper_socket_BindRequest *req, viper_socket_BindReply *rep)
{
	struct net_socket *so = ctx->session;
	ip_addr_t at;
	int32_t err = peer_of(req->address.bytes, req->address.size, req->port, false, &at);

	if (err)
		return err;
	net_enter(self);
	if (so->kind == viper_net_Kind_TCP)
		err = net_tcp_bind(so, &at, (uint16_t)req->port, &rep->port);
	else
		err = net_udp_bind(so, &at, (uint16_t)req->port, &rep->port);
	net_leave(self);
	return err;
}

static int32_t so_listen(void *self, struct viper_rpc_context *ctx,
			 const viper_socket_ListenRequest *req, viper_socket_ListenReply *rep)
{
	struct net_socket *so = ctx->session;
	int32_t err = VIPER_E_UNSUPPORTED;

	(void)rep;
	net_enter(self);
	if (so->kind == viper_net_Kind_TCP)
		err = net_tcp_listen(so, req->backlog);
	net_leave(self);
	return err;
}

static int32_t so_accept(void *self, struct viper_rpc_context *ctx,
			 const viper_socket_AcceptRequest *req, viper_socket_AcceptReply *rep)
{
	struct net_socket *ls = ctx->session, *so = NULL;
	int32_t err = VIPER_OK;

	net_enter(self);
	if (!ls->listening)
		err = VIPER_E_UNSUPPORTED;
	else if (req->wake == VIPER_HANDLE_INVALID || req->wake_bits == 0 || (req->wake_bits >> 63))
		err = VIPER_E_INVAL;
	else if ((so = net_tcp_take_pending(ls)) == NULL)
		err = VIPER_E_WOULDBLOCK;
	if (so) {
		err = vc_session_open(ctx, &net_socket_sessions, so, &rep->socket);
		if (err) {
			net_socket_close(so);
		} else {
			so->in_session = true;
			so->wake = req->wake;
			so->wake_bits = req->wake_bits;
			rep->address.size = (pb_size_t)net_addr_to_bytes(
				so->pcb.tcp ? &so->pcb.tcp->remote_ip : NULL, rep->address.bytes);
			rep->port = so->pcb.tcp ? so->pcb.tcp->remote_port : 0;
		}
	}
	net_leave(self);
	if (err && req->wake != VIPER_HANDLE_INVALID)
		(void)vc_handle_close(req->wake); /* it moved here with the call */
	return err;
}

static int32_t so_send(void *self, struct viper_rpc_context *ctx,
		       const viper_socket_SendRequest *req, viper_socket_SendReply *rep)
{
	struct net_socket *so = ctx->session;
	uint8_t *data;
	uint32_t len;
	int32_t err = map_data(ctx, &data, &len);

	(void)req;
	if (err)
		return err;
	net_enter(self);
	if (so->kind == viper_net_Kind_TCP)
		err = net_tcp_send(so, data, len, &rep->sent);
	else if ((err = net_udp_send(so, data, len, NULL, 0)) == VIPER_OK)
		rep->sent = len;
	net_leave(self);
	return err;
}

static int32_t so_receive(void *self, struct viper_rpc_context *ctx,
			  const viper_socket_ReceiveRequest *req, viper_socket_ReceiveReply *rep)
{
	struct net_socket *so = ctx->session;
	viper_socket_ReceiveFromReply from = viper_socket_ReceiveFromReply_init_zero;
	uint8_t *data;
	uint32_t len;
	int32_t err = map_data(ctx, &data, &len);

	(void)req;
	if (err)
		return err;
	net_enter(self);
	if (so->kind == viper_net_Kind_TCP) {
		err = net_tcp_receive(so, data, len, &rep->received, &rep->end);
	} else {
		err = net_udp_receive(so, data, len, &from);
		rep->received = from.received;
	}
	net_leave(self);
	return err;
}

static int32_t so_send_to(void *self, struct viper_rpc_context *ctx,
			  const viper_socket_SendToRequest *req, viper_socket_SendReply *rep)
{
	struct net_socket *so = ctx->session;
	ip_addr_t to;
	uint8_t *data;
	uint32_t len;
	int32_t err = peer_of(req->address.bytes, req->address.size, req->port, true, &to);

	if (err)
		return err;
	if (so->kind != viper_net_Kind_UDP)
		return VIPER_E_UNSUPPORTED;
	err = map_data(ctx, &data, &len);
	if (err)
		return err;
	net_enter(self);
	err = net_udp_send(so, data, len, &to, (uint16_t)req->port);
	net_leave(self);
	if (err == VIPER_OK)
		rep->sent = len;
	return err;
}

static int32_t so_receive_from(void *self, struct viper_rpc_context *ctx,
			       const viper_socket_ReceiveRequest *req,
			       viper_socket_ReceiveFromReply *rep)
{
	struct net_socket *so = ctx->session;
	uint8_t *data;
	uint32_t len;
	int32_t err;

	(void)req;
	if (so->kind != viper_net_Kind_UDP)
		return VIPER_E_UNSUPPORTED;
	err = map_data(ctx, &data, &len);
	if (err)
		return err;
	net_enter(self);
	err = net_udp_receive(so, data, len, rep);
	net_leave(self);
	return err;
}

static int32_t so_shutdown(void *self, struct viper_rpc_context *ctx,
			   const viper_socket_ShutdownRequest *req, viper_socket_ShutdownReply *rep)
{
	struct net_socket *so = ctx->session;
	int32_t err = VIPER_OK;

	(void)rep;
	net_enter(self);
	if (so->kind == viper_net_Kind_TCP) {
		err = net_tcp_shutdown(so, req->read, req->write);
	} else {
		so->shut_read |= req->read;
		so->shut_write |= req->write;
	}
	net_leave(self);
	return err;
}

static int32_t so_status(void *self, struct viper_rpc_context *ctx,
			 const viper_socket_StatusRequest *req, viper_socket_StatusReply *rep)
{
	(void)req;
	net_enter(self);
	net_socket_status(ctx->session, rep);
	net_leave(self);
	return VIPER_OK;
}

const struct socket_server net_socket_server = {
	.connect = so_connect,
	.bind = so_bind,
	.listen = so_listen,
	.accept = so_accept,
	.send = so_send,
	.receive = so_receive,
	.send_to = so_send_to,
	.receive_from = so_receive_from,
	.shutdown = so_shutdown,
	.status = so_status,
};
