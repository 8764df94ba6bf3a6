/*
 * net_stack: the component (include/net_stack/net_stack.h). init seeds
 * the randomness from the entropy device, starts lwIP, attaches the link
 * and starts DHCP (falling back to the description's static address),
 * SLAAC and the DNS servers; the run thread moves frames and runs lwIP's
 * timers; the methods of interface net are here, those of socket in
 * src/socket_calls.c.
 */
#include <net_stack/net_stack.h>

#include "entropy.viper.h"
#include "lwip/dhcp.h"
#include "lwip/dns.h"
#include "lwip/init.h"
#include "lwip/timeouts.h"
#include "net_random.h"
#include "net_stack_slots.h"

struct net_stack *net_the_stack;

void net_enter(struct net_stack *s)
{
	vc_lock_take(&s->lock);
}

void net_leave(struct net_stack *s)
{
	net_link_flush(s);
	vc_lock_give(&s->lock);
}

static int32_t seed_random(struct viper_slot *entropy)
{
	viper_entropy_ReadRequest req = {.length = NET_RANDOM_SEED_BYTES};
	viper_entropy_ReadReply rep;
	int32_t err = entropy_read(entropy, &req, &rep);

	if (err == VIPER_OK && rep.data.size != NET_RANDOM_SEED_BYTES)
		err = VIPER_E_CORRUPT;
	if (err == VIPER_OK)
		net_random_seed(rep.data.bytes);
	vc_memset(&rep, 0, sizeof(rep));
	return err;
}

static void ip4_from_param(uint64_t v, ip4_addr_t *out)
{
	/* Parameters hold an IPv4 address as the number a.b.c.d = a<<24 | b<<16 | c<<8 | d. */
	ip4_addr_set_u32(out, lwip_htonl((uint32_t)v));
}

static void use_static(struct net_stack *s)
{
	if (ip4_addr_isany_val(s->static_ip)) {
		s->ipv4_config = viper_net_Ipv4Config_IPV4_NONE;
		vc_log("net: no DHCP answer and no static address: IPv4 is off");
		return;
	}
	dhcp_stop(&s->netif);
	netif_set_addr(&s->netif, &s->static_ip, &s->static_mask, &s->static_gw);
	s->ipv4_config = viper_net_Ipv4Config_STATIC;
}

/* The local name "gateway" for the gateway the interface has now. */
static void name_gateway(struct net_stack *s)
{
	ip_addr_t gw;

	(void)dns_local_removehost(NET_STACK_GATEWAY_NAME, NULL);
	if (ip4_addr_isany(netif_ip4_gw(&s->netif)))
		return;
	ip_addr_copy_from_ip4(gw, *netif_ip4_gw(&s->netif));
	(void)dns_local_addhost(NET_STACK_GATEWAY_NAME, &gw);
}

/* Reports the address DHCP gave, or falls back to the static one at the deadline. */
static void check_ipv4(struct net_stack *s, uint64_t now_ns)
{
	if (s->ipv4_config != viper_net_Ipv4Config_DHCP_PENDING)
		return;
	if (dhcp_supplied_address(&s->netif)) {
		char ip[IP4ADDR_STRLEN_MAX], gw[IP4ADDR_STRLEN_MAX];

		s->ipv4_config = viper_net_Ipv4Config_DHCP;
		ip4addr_ntoa_r(netif_ip4_addr(&s->netif), ip, sizeof(ip));
		ip4addr_ntoa_r(netif_ip4_gw(&s->netif), gw, sizeof(gw));
		vc_log("net: %s/%u from DHCP, gateway %s", ip,
		       (unsigned)__builtin_popcount(ip4_addr_get_u32(netif_ip4_netmask(&s->netif))),
		       gw);
		name_gateway(s);
	} else if (now_ns >= s->dhcp_deadline_ns) {
		use_static(s);
		if (s->ipv4_config == viper_net_Ipv4Config_STATIC)
			vc_log("net: no DHCP answer; static %s", ip4addr_ntoa(&s->static_ip));
		name_gateway(s);
	}
}

static void configure(struct net_stack *s, const struct viper_instance_env *env)
{
	const uint64_t *p = env->params;
	uint32_t prefix = (uint32_t)p[NET_STACK_PARAM_PREFIX];
	ip_addr_t dns;

	ip4_from_param(p[NET_STACK_PARAM_ADDRESS], &s->static_ip);
	ip4_from_param(prefix ? 0xffffffffull << (32 - prefix) : 0, &s->static_mask);
	ip4_from_param(p[NET_STACK_PARAM_GATEWAY], &s->static_gw);
	ip_addr_set_ip4_u32_val(dns, lwip_htonl((uint32_t)p[NET_STACK_PARAM_DNS]));
	if (p[NET_STACK_PARAM_DNS])
		dns_setserver(0, &dns);
	netif_create_ip6_linklocal_address(&s->netif, 1);
	netif_set_ip6_autoconfig_enabled(&s->netif, 1);
	if (p[NET_STACK_PARAM_DHCP_MS] == 0) {
		use_static(s);
		name_gateway(s);
		return;
	}
	s->ipv4_config = viper_net_Ipv4Config_DHCP_PENDING;
	s->dhcp_deadline_ns = vc_now_ns() + p[NET_STACK_PARAM_DHCP_MS] * 1000000ull;
	if (dhcp_start(&s->netif) != ERR_OK)
		use_static(s);
}

/*
 * Only local set-up here: a kernel-placed init may not wait for a device's
 * interrupt, and the providers it calls may not be set up yet. The run
 * thread starts the stack (net_stack_start); until then the methods answer
 * VIPER_E_UNREACHABLE.
 */
static int32_t net_init(void *state, const struct viper_instance_env *env)
{
	struct net_stack *s = state;

	if (env->slot_count != NET_STACK_SLOT_COUNT || env->param_count != NET_STACK_PARAM_COUNT)
		return VIPER_E_INVAL;
	if (net_the_stack != NULL) {
		vc_log("%s: one network stack per address space (lwIP's state is static)",
		       env->name);
		return VIPER_E_BUSY;
	}
	s->env = env;
	net_the_stack = s;
	return vc_lock_init(&s->lock);
}

int32_t net_stack_start(struct net_stack *s)
{
	const struct viper_instance_env *env = s->env;
	int32_t err;

	net_enter(s);
	err = seed_random(env->slots[NET_STACK_SLOT_ENTROPY]);
	if (err) {
		vc_log("%s: no entropy for the network stack's randomness (%d): not starting",
		       env->name, err);
		net_leave(s);
		return err;
	}
	lwip_init();
	err = net_link_attach(s, env->slots[NET_STACK_SLOT_LINK]);
	if (err)
		vc_log("%s: the network device does not attach (%d)", env->name, err);
	if (err == VIPER_OK)
		err = net_ping_setup(s);
	if (err == VIPER_OK) {
		configure(s, env);
		s->up = true;
	}
	net_leave(s);
	return err;
}

int64_t net_stack_poll(struct net_stack *s)
{
	net_enter(s);
	net_link_poll(s);
	sys_check_timeouts();
	uint64_t now = vc_now_ns();
	check_ipv4(s, now);
	net_link_retry(s, now);
	net_resolve_advance(s);
	net_ping_expire(s, now);
	uint32_t sleep_ms = sys_timeouts_sleeptime();
	bool busy = net_link_arm(s);
	net_leave(s);
	if (busy)
		return 0;
	int64_t wait = (int64_t)sleep_ms * 1000000ll;
	if (wait > NET_STACK_TIMER_WAIT_NS || sleep_ms == SYS_TIMEOUTS_SLEEPTIME_INFINITE)
		wait = NET_STACK_TIMER_WAIT_NS;
	return wait;
}

static int32_t net_run(void *state)
{
	struct net_stack *s = state;
	int32_t err = net_stack_start(s);

	if (err)
		return err;
	for (;;) {
		int64_t wait = net_stack_poll(s);

		if (wait > 0)
			(void)vc_notified_wait(s->link.wake_recv, wait);
	}
	return VIPER_OK;
}

/* The methods of interface net. */

static int32_t stack_socket(void *self, struct viper_rpc_context *ctx,
			    const viper_net_SocketRequest *req, viper_net_SocketReply *rep)
{
	struct net_stack *s = self;
	struct net_socket *so = NULL;
	int32_t err = VIPER_OK;

	if (!s->up)
		err = VIPER_E_UNREACHABLE;
	else if ((req->kind != viper_net_Kind_TCP && req->kind != viper_net_Kind_UDP) ||
		 (req->family != 4 && req->family != 6) || req->wake == VIPER_HANDLE_INVALID ||
		 req->wake_bits == 0 || (req->wake_bits >> 63))
		err = VIPER_E_INVAL;
	if (err) {
		if (req->wake != VIPER_HANDLE_INVALID)
			(void)vc_handle_close(req->wake);
		return err;
	}
	net_enter(s);
	if (err == VIPER_OK) {
		so = net_socket_new(s, req->kind, (uint8_t)req->family);
		err = so ? VIPER_OK : VIPER_E_NOMEM;
	}
	if (err == VIPER_OK)
		err = req->kind == viper_net_Kind_TCP ? net_tcp_open(so) : net_udp_open(so);
	if (err == VIPER_OK)
		err = vc_session_open(ctx, &net_socket_sessions, so, &rep->socket);
	if (err == VIPER_OK) {
		so->in_session = true;
		so->wake = req->wake;
		so->wake_bits = req->wake_bits;
	} else if (so) {
		net_socket_close(so);
	}
	net_leave(s);
	if (err && req->wake != VIPER_HANDLE_INVALID)
		(void)vc_handle_close(req->wake); /* it moved here with the call */
	return err;
}

static int32_t stack_resolve(void *self, struct viper_rpc_context *ctx,
			     const viper_net_ResolveRequest *req, viper_net_ResolveReply *rep)
{
	int32_t err;

	if (!((struct net_stack *)self)->up)
		return VIPER_E_UNREACHABLE;
	net_enter(self);
	err = net_resolve_start(self, ctx, req, rep);
	net_leave(self);
	return err;
}

static int32_t stack_ping(void *self, struct viper_rpc_context *ctx,
			  const viper_net_PingRequest *req, viper_net_PingReply *rep)
{
	int32_t err;

	(void)rep;
	if (!((struct net_stack *)self)->up)
		return VIPER_E_UNREACHABLE;
	net_enter(self);
	err = net_ping_start(self, ctx, req);
	net_leave(self);
	return err;
}

static int32_t stack_configuration(void *self, struct viper_rpc_context *ctx,
				   const viper_net_ConfigurationRequest *req,
				   viper_net_ConfigurationReply *rep)
{
	(void)ctx;
	(void)req;
	if (!((struct net_stack *)self)->up)
		return VIPER_E_UNREACHABLE;
	net_enter(self);
	net_report_configuration(self, rep);
	net_leave(self);
	return VIPER_OK;
}

static int32_t stack_counters(void *self, struct viper_rpc_context *ctx,
			      const viper_net_CountersRequest *req, viper_net_CountersReply *rep)
{
	(void)ctx;
	(void)req;
	if (!((struct net_stack *)self)->up)
		return VIPER_E_UNREACHABLE;
	net_report_counters(self, rep);
	return VIPER_OK;
}

static int32_t stack_sockets(void *self, struct viper_rpc_context *ctx,
			     const viper_net_SocketsRequest *req, viper_net_SocketsReply *rep)
{
	(void)ctx;
	if (!((struct net_stack *)self)->up)
		return VIPER_E_UNREACHABLE;
	net_report_sockets(self, req->start, rep);
	return VIPER_OK;
}

static const struct net_server net_stack_server = {
	.socket = stack_socket,
	.resolve = stack_resolve,
	.ping = stack_ping,
	.configuration = stack_configuration,
	.counters = stack_counters,
	.sockets = stack_sockets,
};

VIPER_COMPONENT(net_stack) = {
	.name = "net_stack",
	.state_size = sizeof(struct net_stack),
	.init = net_init,
	.run = net_run,
	.provides =
		{
			{.interface = &net_interface, .ops = &net_stack_server},
			{.interface = &socket_interface,
			 .ops = &net_socket_server,
			 .session_closed = net_socket_closed},
		},
	.provide_count = 2,
	.slot_count = NET_STACK_SLOT_COUNT,
};
