/*
 * Ping: ICMP and ICMPv6 echo requests through two raw pcbs, each answered
 * as a kept call (net.proto's Ping) when its reply comes, or with
 * VIPER_E_TIMEOUT at its deadline. Replies are matched by the stack's
 * echo identifier, the sequence and the address; other ICMP goes on to
 * lwIP, which answers echo requests to the stack itself.
 */
#include <net_stack/net_stack.h>

#include "lwip/icmp.h"
#include "lwip/inet_chksum.h"
#include "lwip/ip.h"
#include "lwip/prot/icmp6.h"
#include "lwip/prot/ip4.h"
#include "lwip/prot/ip6.h"
#include "lwip/raw.h"
#include "lwip/stats.h"
#include "net_random.h"

#define ECHO_HEADER   8u
#define PING_MAX_SIZE 1400u
#define PING_MAX_WAIT 60000u

struct echo_header {
	uint8_t type, code;
	uint16_t checksum, id, seq;
};

static struct net_pending *find_ping(struct net_stack *s, const ip_addr_t *from, uint16_t seq)
{
	for (unsigned i = 0; i < NET_STACK_PENDING_MAX; i++) {
		struct net_pending *p = &s->pings[i];

		if (p->used && p->sequence == seq && ip_addr_cmp(&p->to, from))
			return p;
	}
	return NULL;
}

/* An echo reply in `p` (from the IP header on), or not ours: 0 lets lwIP go on. */
static u8_t on_icmp(void *arg, struct raw_pcb *pcb, struct pbuf *p, const ip_addr_t *from)
{
	struct net_stack *s = arg;
	struct echo_header h;
	uint16_t skip, ttl;
	bool v6 = IP_IS_V6(from);

	(void)pcb;
	if (v6) {
		skip = IP6_HLEN;
		ttl = p->len >= IP6_HLEN ? IP6H_HOPLIM((struct ip6_hdr *)p->payload) : 0;
	} else {
		if (p->len < IP_HLEN)
			return 0;
		skip = IPH_HL_BYTES((struct ip_hdr *)p->payload);
		ttl = IPH_TTL((struct ip_hdr *)p->payload);
	}
	if (pbuf_copy_partial(p, &h, sizeof(h), skip) != sizeof(h))
		return 0;
	if (h.type != (v6 ? ICMP6_TYPE_EREP : ICMP_ER) || h.code != 0 ||
	    lwip_ntohs(h.id) != s->ping_id)
		return 0;
	if (v6)
		ICMP6_STATS_INC(icmp6.recv); /* taken here, before lwIP's ICMP counts it */
	else
		ICMP_STATS_INC(icmp.recv);
	struct net_pending *w = find_ping(s, from, lwip_ntohs(h.seq));
	if (w) {
		viper_net_PingReply rep = {.rtt_ns = vc_now_ns() - w->started_ns,
					   .ttl = ttl,
					   .size = p->tot_len - skip - ECHO_HEADER};
		w->used = false;
		(void)net_ping_complete(w->token, VIPER_OK, &rep);
	}
	pbuf_free(p);
	return 1;
}

int32_t net_ping_setup(struct net_stack *s)
{
	s->ping4 = raw_new_ip_type(IPADDR_TYPE_V4, IP_PROTO_ICMP);
	s->ping6 = raw_new_ip_type(IPADDR_TYPE_V6, IP6_NEXTH_ICMP6);
	if (s->ping4 == NULL || s->ping6 == NULL)
		return VIPER_E_NOMEM;
	s->ping6->chksum_reqd = 1; /* lwIP adds the pseudo-header checksum */
	s->ping6->chksum_offset = 2;
	raw_recv(s->ping4, on_icmp, s);
	raw_recv(s->ping6, on_icmp, s);
	s->ping_id = (uint16_t)net_random_u32();
	return VIPER_OK;
}

static int32_t send_echo(struct net_stack *s, const ip_addr_t *to, uint16_t seq, uint32_t size)
{
	struct pbuf *p = pbuf_alloc(PBUF_IP, (u16_t)(ECHO_HEADER + size), PBUF_RAM);
	bool v6 = IP_IS_V6(to);
	struct echo_header *h;
	err_t e;

	if (p == NULL)
		return VIPER_E_NOMEM;
	h = p->payload;
	h->type = v6 ? ICMP6_TYPE_EREQ : ICMP_ECHO;
	h->code = 0;
	h->checksum = 0;
	h->id = lwip_htons(s->ping_id);
	h->seq = lwip_htons(seq);
	for (uint32_t i = 0; i < size; i++)
		((uint8_t *)p->payload)[ECHO_HEADER + i] = (uint8_t)i;
	if (!v6)
		h->checksum = inet_chksum(p->payload, p->len);
	e = raw_sendto(v6 ? s->ping6 : s->ping4, p, to);
	pbuf_free(p);
	if (e == ERR_OK && v6)
		ICMP6_STATS_INC(icmp6.xmit);
	else if (e == ERR_OK)
		ICMP_STATS_INC(icmp.xmit);
	return net_error_from_lwip(e);
}

int32_t net_ping_start(struct net_stack *s, struct viper_rpc_context *ctx,
		       const viper_net_PingRequest *req)
{
	struct net_pending *w = NULL;
	ip_addr_t to;
	int32_t err;

	if (!net_addr_from_bytes(req->address.bytes, req->address.size, &to) ||
	    req->size > PING_MAX_SIZE || req->timeout_ms == 0 || req->timeout_ms > PING_MAX_WAIT ||
	    req->sequence > 0xffff)
		return VIPER_E_INVAL;
	for (unsigned i = 0; i < NET_STACK_PENDING_MAX && !w; i++)
		w = s->pings[i].used ? NULL : &s->pings[i];
	if (w == NULL || find_ping(s, &to, (uint16_t)req->sequence))
		return VIPER_E_LIMIT;
	err = send_echo(s, &to, (uint16_t)req->sequence, req->size);
	if (err)
		return err;
	err = vc_defer(ctx, &w->token);
	if (err)
		return err;
	w->used = true;
	w->to = to;
	w->sequence = (uint16_t)req->sequence;
	w->started_ns = vc_now_ns();
	w->deadline_ns = w->started_ns + req->timeout_ms * 1000000ull;
	return VIPER_DEFERRED;
}

void net_ping_expire(struct net_stack *s, uint64_t now_ns)
{
	for (unsigned i = 0; i < NET_STACK_PENDING_MAX; i++) {
		struct net_pending *w = &s->pings[i];

		if (w->used && now_ns >= w->deadline_ns) {
			viper_net_PingReply rep = viper_net_PingReply_init_zero;

			w->used = false;
			(void)net_ping_complete(w->token, VIPER_E_TIMEOUT, &rep);
		}
	}
}
