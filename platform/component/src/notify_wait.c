/* vc_notified_wait's loop: see notify_wait.h. */
#include "notify_wait.h"

#include <viper/component.h>
#include <viper/syscall.h>

/* What is left of a wait that ends at `deadline` (0: none), as a poll_wait timeout. */
static int64_t time_left(int64_t timeout_ns, uint64_t deadline)
{
	uint64_t now;

	if (timeout_ns < 0)
		return VIPER_TIMEOUT_NONE;
	now = vc_now_ns();
	return deadline > now ? (int64_t)(deadline - now) : VIPER_TIMEOUT_POLL;
}

int64_t notify_wait(viper_handle_t recv, int64_t timeout_ns)
{
	uint64_t deadline = timeout_ns > 0 ? vc_now_ns() + (uint64_t)timeout_ns : 0;
	struct viper_poll_event event;
	int64_t bits = viper_channel_take_notifications(recv), set, r;

	if (bits != 0) /* bits, or a bad handle */
		return bits;
	set = viper_poll_create();
	if (set < 0)
		return set;
	r = viper_poll_add((viper_handle_t)set, recv,
			   VIPER_SIGNAL_NOTIFIED | VIPER_SIGNAL_PEER_CLOSED, 0);
	while (r >= 0) {
		/* Taken after the poll set watches: bits set from now on wake it. */
		bits = viper_channel_take_notifications(recv);
		if (bits != 0) {
			r = bits;
			break;
		}
		r = viper_poll_wait((viper_handle_t)set, &event, 1,
				    time_left(timeout_ns, deadline));
		if (r == VIPER_E_WOULDBLOCK || r == VIPER_E_TIMEOUT) {
			r = VIPER_E_TIMEOUT;
			break;
		}
		if (r >= 0 && (event.ready & VIPER_SIGNAL_PEER_CLOSED)) {
			/* Bits sent before the last send end closed still count. */
			bits = viper_channel_take_notifications(recv);
			r = bits != 0 ? bits : VIPER_E_PEERCLOSED;
			break;
		}
	}
	(void)viper_handle_close((viper_handle_t)set);
	return r;
}
