/*
 * ping HOST [COUNT n] [INTERVAL ms] [SIZE bytes] [TIMEOUT ms] [IPV4|IPV6]
 *
 * Sends `n` (default 4) ICMP or ICMPv6 echo requests to HOST (a name or an
 * address) through the network stack, one every INTERVAL ms (default
 * 1000), prints each reply's round trip and ends with the statistics.
 * Return code 0 when a reply came, 5 when some were lost, 10 when none
 * came or HOST cannot be found, 20 for bad arguments.
 */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <viper/component.h>
#include <viper/error_name.h>
#include <viper/posix.h>
#include <viper/program_slots.h>

#include "net.viper.h"

VIPER_PROGRAM_SLOTS({"console", "console"}, {"net", "net"});

struct ping_options {
	const char *host;
	unsigned long count, interval_ms, size, timeout_ms;
	int family;
};

struct ping_stats {
	unsigned sent, received;
	uint64_t min_ns, max_ns, total_ns;
};

static int usage(void)
{
	printf("Usage: ping HOST [COUNT n] [INTERVAL ms] [SIZE bytes] [TIMEOUT ms] [IPV4|IPV6]\n");
	return 20;
}

static bool number(const char *text, unsigned long lo, unsigned long hi, unsigned long *out)
{
	char *end;
	unsigned long v = strtoul(text, &end, 10);

	if (*text == '\0' || *end != '\0' || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

static bool parse(int argc, char **argv, struct ping_options *o)
{
	*o = (struct ping_options){NULL, 4, 1000, 56, 2000, AF_UNSPEC};
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool more = i + 1 < argc;

		if (!strcasecmp(a, "COUNT") && more && number(argv[++i], 1, 1000, &o->count))
			continue;
		if (!strcasecmp(a, "INTERVAL") && more &&
		    number(argv[++i], 10, 60000, &o->interval_ms))
			continue;
		if (!strcasecmp(a, "SIZE") && more && number(argv[++i], 0, 1400, &o->size))
			continue;
		if (!strcasecmp(a, "TIMEOUT") && more &&
		    number(argv[++i], 1, 60000, &o->timeout_ms))
			continue;
		if (!strcasecmp(a, "IPV4") || !strcasecmp(a, "IPV6")) {
			o->family = !strcasecmp(a, "IPV6") ? AF_INET6 : AF_INET;
			continue;
		}
		if (o->host || a[0] == '\0')
			return false;
		o->host = a;
	}
	return o->host != NULL;
}

/* The host's first address, as the interface's bytes, and as text. */
static int find_host(const struct ping_options *o, viper_net_PingRequest *req, char *text)
{
	struct addrinfo hints = {.ai_family = o->family}, *res;
	int e = getaddrinfo(o->host, NULL, &hints, &res);

	if (e) {
		printf("ping: %s: %s\n", o->host, gai_strerror(e));
		return 10;
	}
	if (res->ai_family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)res->ai_addr;
		memcpy(req->address.bytes, &a->sin6_addr, 16);
		req->address.size = 16;
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)res->ai_addr;
		memcpy(req->address.bytes, &a->sin_addr, 4);
		req->address.size = 4;
	}
	inet_ntop(res->ai_family, req->address.bytes, text, INET6_ADDRSTRLEN);
	freeaddrinfo(res);
	return 0;
}

static void ms(uint64_t ns, char *out, size_t size)
{
	snprintf(out, size, "%llu.%03llu", (unsigned long long)(ns / 1000000),
		 (unsigned long long)(ns / 1000 % 1000));
}

static void one(struct viper_slot *net, viper_net_PingRequest *req, const char *text,
		struct ping_stats *st)
{
	viper_net_PingReply rep;
	char t[32];
	int32_t err = net_ping(net, req, &rep);

	st->sent++;
	if (err) {
		printf("seq=%u %s\n", (unsigned)req->sequence,
		       err == VIPER_E_TIMEOUT	    ? "timed out"
		       : err == VIPER_E_UNREACHABLE ? "unreachable (no route)"
						    : viper_error_short_name(err));
		return;
	}
	st->received++;
	st->total_ns += rep.rtt_ns;
	if (st->received == 1 || rep.rtt_ns < st->min_ns)
		st->min_ns = rep.rtt_ns;
	if (rep.rtt_ns > st->max_ns)
		st->max_ns = rep.rtt_ns;
	ms(rep.rtt_ns, t, sizeof(t));
	printf("%u bytes from %s: seq=%u ttl=%u time=%s ms\n", (unsigned)rep.size, text,
	       (unsigned)req->sequence, (unsigned)rep.ttl, t);
}

static int summary(const char *host, const struct ping_stats *st)
{
	char lo[32], avg[32], hi[32];

	printf("--- %s ping statistics ---\n", host);
	printf("%u sent, %u received, %u%% lost\n", st->sent, st->received,
	       st->sent ? (st->sent - st->received) * 100 / st->sent : 0);
	if (st->received == 0)
		return 10;
	ms(st->min_ns, lo, sizeof(lo));
	ms(st->total_ns / st->received, avg, sizeof(avg));
	ms(st->max_ns, hi, sizeof(hi));
	printf("round trip min/avg/max = %s/%s/%s ms\n", lo, avg, hi);
	return st->received == st->sent ? 0 : 5;
}

int main(const struct viper_startup *s)
{
	struct ping_options o;
	viper_net_PingRequest req = viper_net_PingRequest_init_zero;
	struct ping_stats st = {0};
	struct viper_slot net;
	char text[INET6_ADDRSTRLEN];
	int argc, rc;
	char **argv;

	viper_posix_start(s, &argc, &argv);
	if (!parse(argc, argv, &o))
		return viper_posix_end(usage());
	if (viper_slot(s, "net") == VIPER_HANDLE_INVALID) {
		printf("ping: no network stack was given to it\n");
		return viper_posix_end(10);
	}
	vc_slot_bind(&net, &net_interface, viper_slot(s, "net"));
	rc = find_host(&o, &req, text);
	if (rc)
		return viper_posix_end(rc);
	printf("PING %s (%s): %lu data bytes\n", o.host, text, o.size);
	req.size = (uint32_t)o.size;
	req.timeout_ms = (uint32_t)o.timeout_ms;
	for (unsigned long i = 0; i < o.count; i++) {
		uint64_t start = vc_now_ns();

		req.sequence = (uint32_t)(i + 1);
		one(&net, &req, text, &st);
		uint64_t spent = vc_now_ns() - start, want = o.interval_ms * 1000000ull;
		if (i + 1 < o.count && spent < want)
			vc_sleep((int64_t)(want - spent));
	}
	return viper_posix_end(summary(o.host, &st));
}
