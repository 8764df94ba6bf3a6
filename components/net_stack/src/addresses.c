/* Addresses between the interfaces' bytes and lwIP's, and lwIP's errors as ours. */
#include <net_stack/net_stack.h>

#include "lwip/err.h"
#include "lwip/ip6_zone.h"
#include "lwip/netif.h"

bool net_addr_from_bytes(const uint8_t *bytes, uint32_t size, ip_addr_t *out)
{
	if (size == 4) {
		uint32_t a;

		vc_memcpy(&a, bytes, 4);
		ip_addr_set_ip4_u32_val(*out, a);
		return true;
	}
	if (size == 16) {
		ip_addr_t v6 = IPADDR6_INIT(0, 0, 0, 0);

		vc_memcpy(ip_2_ip6(&v6)->addr, bytes, 16);
		ip6_addr_assign_zone(ip_2_ip6(&v6), IP6_UNICAST, netif_default);
		*out = v6;
		return true;
	}
	return false;
}

uint32_t net_addr_to_bytes(const ip_addr_t *a, uint8_t out[16])
{
	if (a == NULL)
		return 0;
	if (IP_IS_V6(a)) {
		vc_memcpy(out, ip_2_ip6(a)->addr, 16);
		return 16;
	}
	vc_memcpy(out, &ip_2_ip4(a)->addr, 4);
	return 4;
}

int32_t net_error_from_lwip(int err)
{
	switch (err) {
	case ERR_OK:
		return VIPER_OK;
	case ERR_MEM:
	case ERR_BUF:
		return VIPER_E_NOMEM;
	case ERR_TIMEOUT:
	case ERR_ABRT: /* lwIP aborts a connection whose retransmissions ran out */
		return VIPER_E_TIMEOUT;
	case ERR_RTE:
	case ERR_IF:
		return VIPER_E_UNREACHABLE;
	case ERR_INPROGRESS:
	case ERR_WOULDBLOCK:
		return VIPER_E_WOULDBLOCK;
	case ERR_USE:
		return VIPER_E_ADDRINUSE;
	case ERR_ALREADY:
	case ERR_ISCONN:
		return VIPER_E_BUSY;
	case ERR_CONN:
		return VIPER_E_NOTCONN;
	case ERR_RST:
		return VIPER_E_RESET;
	case ERR_CLSD:
		return VIPER_E_CLOSED;
	default:
		return VIPER_E_INVAL;
	}
}
