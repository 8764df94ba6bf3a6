/*
 * Resolve: names through lwIP's DNS client against the configured servers
 * (the description's, never DHCP's or a router's), kept calls answered
 * from the run loop. Family 0 asks for A, then AAAA, and answers with
 * both. lwIP reports "no answer" the same way for a name that does not
 * exist and for servers that never replied; the two are told apart by
 * time: a negative answer comes before lwIP's first retry, one second in.
 */
#include <net_stack/net_stack.h>

#include "lwip/dns.h"
#include "lwip/ip_addr.h"

#define NEGATIVE_WITHIN_NS 1000000000ull

enum { PHASE_A = 1, PHASE_AAAA, PHASE_ASKING = 8, PHASE_DONE = 16 };

static void add_address(struct net_pending *r, const ip_addr_t *a)
{
	viper_net_ResolveReply *rep = &r->reply;

	if (rep->addresses_count < 4) {
		rep->addresses[rep->addresses_count].size =
			(pb_size_t)net_addr_to_bytes(a, rep->addresses[rep->addresses_count].bytes);
		rep->addresses_count++;
	}
}

static void found(const char *name, const ip_addr_t *a, void *arg)
{
	struct net_pending *r = arg;

	(void)name;
	if (a)
		add_address(r, a);
	else if (vc_now_ns() - r->started_ns >= NEGATIVE_WITHIN_NS)
		r->deadline_ns = 1; /* marks "no server answered" */
	r->phase &= ~(uint32_t)PHASE_ASKING;
	r->phase |= PHASE_DONE;
}

/* Asks for the phase's record type: the error, or VIPER_OK once asked or answered from the cache.
 */
static int32_t ask(struct net_pending *r)
{
	ip_addr_t a;
	u8_t type = (r->phase & PHASE_AAAA) ? LWIP_DNS_ADDRTYPE_IPV6 : LWIP_DNS_ADDRTYPE_IPV4;
	err_t e;

	r->phase |= PHASE_ASKING;
	r->phase &= ~(uint32_t)PHASE_DONE;
	e = dns_gethostbyname_addrtype(r->name, &a, found, r, type);
	if (e == ERR_OK) {
		add_address(r, &a);
		r->phase &= ~(uint32_t)PHASE_ASKING;
		r->phase |= PHASE_DONE;
		return VIPER_OK;
	}
	if (e == ERR_INPROGRESS)
		return VIPER_OK;
	r->phase &= ~(uint32_t)PHASE_ASKING;
	return e == ERR_VAL ? VIPER_E_UNREACHABLE : net_error_from_lwip(e);
}

static bool valid_name(const char *name)
{
	size_t n = vc_strlen(name);

	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (c <= ' ' || c > '~')
			return false;
	}
	return true;
}

/* An address literal: answered at once, without DNS. */
static int32_t literal(const viper_net_ResolveRequest *req, const ip_addr_t *a,
		       viper_net_ResolveReply *rep)
{
	if ((req->family == 4 && IP_IS_V6(a)) || (req->family == 6 && !IP_IS_V6(a)))
		return VIPER_E_NOTFOUND;
	rep->addresses_count = 1;
	rep->addresses[0].size = (pb_size_t)net_addr_to_bytes(a, rep->addresses[0].bytes);
	return VIPER_OK;
}

static bool have_server(void)
{
	for (u8_t i = 0; i < DNS_MAX_SERVERS; i++) {
		if (!ip_addr_isany(dns_getserver(i)))
			return true;
	}
	return false;
}

int32_t net_resolve_start(struct net_stack *s, struct viper_rpc_context *ctx,
			  const viper_net_ResolveRequest *req, viper_net_ResolveReply *rep)
{
	struct net_pending *r = NULL;
	ip_addr_t a;
	int32_t err;

	if (!valid_name(req->name) || (req->family != 0 && req->family != 4 && req->family != 6))
		return VIPER_E_INVAL;
	if (vc_strlen(req->name) > 239)
		return VIPER_E_NAMETOOLONG;
	if (ipaddr_aton(req->name, &a))
		return literal(req, &a, rep);
	if (req->family != 6 && dns_local_lookup(req->name, &a, LWIP_DNS_ADDRTYPE_IPV4) == ERR_OK)
		return literal(req, &a, rep); /* "gateway" */
	if (!have_server())
		return VIPER_E_UNREACHABLE;
	for (unsigned i = 0; i < NET_STACK_PENDING_MAX && !r; i++)
		r = s->resolves[i].used ? NULL : &s->resolves[i];
	if (r == NULL)
		return VIPER_E_LIMIT;
	vc_memset(r, 0, sizeof(*r));
	vc_memcpy(r->name, req->name, vc_strlen(req->name) + 1);
	r->family = req->family;
	r->phase = req->family == 6 ? PHASE_AAAA : PHASE_A;
	r->started_ns = vc_now_ns();
	err = ask(r);
	if (err)
		return err;
	r->used = true; /* lwIP calls back into it now, whatever happens to the call */
	err = vc_defer(ctx, &r->token);
	if (err) {
		r->orphan = true; /* freed when lwIP's answer comes */
		return err;
	}
	return VIPER_DEFERRED;
}

/* Answers `r` with what it found, or why not. */
static void answer(struct net_pending *r)
{
	int32_t status = VIPER_OK;

	if (r->reply.addresses_count == 0)
		status = r->deadline_ns == 1 ? VIPER_E_TIMEOUT : VIPER_E_NOTFOUND;
	r->used = false;
	(void)net_resolve_complete(r->token, status, &r->reply);
}

void net_resolve_advance(struct net_stack *s)
{
	for (unsigned i = 0; i < NET_STACK_PENDING_MAX; i++) {
		struct net_pending *r = &s->resolves[i];

		if (!r->used || !(r->phase & PHASE_DONE))
			continue;
		if (r->orphan) {
			r->used = false; /* lwIP has answered: the slot is free again */
			continue;
		}
		if (r->family == 0 && (r->phase & PHASE_A)) {
			r->phase = PHASE_AAAA;
			if (ask(r) == VIPER_OK)
				continue; /* asked, or answered from the cache: next pass */
		}
		answer(r);
	}
}
