/*
 * Deferred calls: a (viper.deferrable) method keeps the call it is serving
 * (vc_defer) and answers it later, from any thread of its address space,
 * through the generated <iface>_<method>_complete, while its host goes on
 * serving other calls. The same code in a process, in the kernel and on
 * the host; only the final send (viper_transport_reply) differs.
 *
 * A token names an entry of one table per address space by index and
 * generation, so answering twice, answering a forged token or answering
 * after the entry was reused is VIPER_E_BADHANDLE, never a reply to the
 * wrong caller. An entry's word holds its generation and state; whoever
 * moves it from HELD to TAKEN with compare-and-swap owns it.
 *
 * A remote call is answered with its kernel reply token (a caller that
 * gave up or ended makes the answer VIPER_E_PEERCLOSED, and nothing more
 * happens). A direct call's caller waits on a notification channel that
 * vc_defer made; the answer is written into its reply and the channel
 * notified.
 */
#include <viper/component.h>
#include <viper/rpc_codec.h>

enum { ENTRY_FREE = 0, ENTRY_CLAIMED = 1, ENTRY_HELD = 2 };

struct deferred_entry {
	uint64_t word; /* generation << 2 | state, through __atomic builtins */
	uint32_t interface_id;
	uint16_t method;
	struct viper_deferred_call call;
};

static struct deferred_entry entries[VC_DEFERRED_MAX];

static uint64_t word_of(uint32_t gen, uint32_t state)
{
	return (uint64_t)gen << 2 | state;
}

/* Claims a free entry (FREE -> CLAIMED); its index, or -1 when all are in use. */
static int claim(void)
{
	for (int i = 0; i < (int)VC_DEFERRED_MAX; i++) {
		uint64_t w = __atomic_load_n(&entries[i].word, __ATOMIC_RELAXED);

		if ((w & 3) == ENTRY_FREE &&
		    __atomic_compare_exchange_n(&entries[i].word, &w,
						word_of((uint32_t)(w >> 2), ENTRY_CLAIMED), false,
						__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			return i;
	}
	return -1;
}

/* The wake-up channel a direct caller waits on. */
static int32_t direct_prepare(struct viper_direct_wait *wait)
{
	wait->status = VIPER_E_CORRUPT;
	return vc_channel_create(&wait->wake_send, &wait->wake_recv);
}

int32_t vc_defer(struct viper_rpc_context *ctx, viper_deferred_t *token)
{
	struct viper_call_state *call = ctx ? ctx->call : NULL;
	int32_t err;
	int i;

	if (call == NULL || !call->deferrable)
		return VIPER_E_UNSUPPORTED;
	if (call->deferred)
		return VIPER_E_BUSY;
	i = claim();
	if (i < 0)
		return VIPER_E_LIMIT;
	if (call->direct != NULL) {
		err = direct_prepare(call->direct);
		if (err < 0) {
			__atomic_store_n(&entries[i].word,
					 word_of((uint32_t)(entries[i].word >> 2), ENTRY_FREE),
					 __ATOMIC_RELEASE);
			return err;
		}
	}
	struct deferred_entry *e = &entries[i];
	uint32_t gen = (uint32_t)(e->word >> 2);

	e->interface_id = call->interface_id;
	e->method = call->method;
	e->call = (struct viper_deferred_call){
		.reply_token = call->reply_token,
		.request_id = call->request_id,
		.direct = call->direct,
	};
	/* A remote call's leases live until it is answered (a direct caller keeps its own). */
	for (uint32_t l = 0; !call->direct && l < call->lease_count && l < VIPER_MSG_MAX_HANDLES;
	     l++)
		e->call.leases[e->call.lease_count++] = call->leases[l];
	__atomic_store_n(&e->word, word_of(gen, ENTRY_HELD), __ATOMIC_RELEASE);
	call->deferred = true;
	call->token = (uint64_t)gen << 32 | (uint32_t)(i + 1);
	*token = call->token;
	return VIPER_OK;
}

/* HELD -> CLAIMED, keeping generation `gen`: the caller owns the entry's contents. */
static bool take_entry(struct deferred_entry *e, uint32_t gen)
{
	uint64_t want = word_of(gen, ENTRY_HELD);

	return __atomic_compare_exchange_n(&e->word, &want, word_of(gen, ENTRY_CLAIMED), false,
					   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

/* CLAIMED -> FREE with the next generation: every token of the old one is void. */
static void release_entry(struct deferred_entry *e, uint32_t gen)
{
	__atomic_store_n(&e->word, word_of(gen + 1, ENTRY_FREE), __ATOMIC_RELEASE);
}

int32_t viper_deferred_take(viper_deferred_t token, const struct viper_interface *iface,
			    uint16_t method, struct viper_deferred_call *call)
{
	uint32_t index = (uint32_t)token;
	uint32_t gen = (uint32_t)(token >> 32);

	if (index == 0 || index > VC_DEFERRED_MAX)
		return VIPER_E_BADHANDLE;
	struct deferred_entry *e = &entries[index - 1];
	if (!take_entry(e, gen))
		return VIPER_E_BADHANDLE; /* never given, answered already, or reused */
	if (e->method != method || e->interface_id != iface->id) {
		__atomic_store_n(&e->word, word_of(gen, ENTRY_HELD), __ATOMIC_RELEASE);
		return VIPER_E_INVAL;
	}
	*call = e->call;
	release_entry(e, gen);
	/* The call ends here: its leases' mappings and handles go. */
	viper_lease_close(call->leases, call->lease_count, true);
	call->lease_count = 0;
	return VIPER_OK;
}

/* Voids a token whose method answered at once after all. */
static void cancel(viper_deferred_t token)
{
	uint32_t index = (uint32_t)token;
	uint32_t gen = (uint32_t)(token >> 32);

	if (index == 0 || index > VC_DEFERRED_MAX)
		return;
	struct deferred_entry *e = &entries[index - 1];
	if (take_entry(e, gen)) {
		e->call.lease_count = 0; /* answered at once: the dispatch closes them */
		if (e->call.direct != NULL) {
			(void)vc_handle_close(e->call.direct->wake_send);
			(void)vc_handle_close(e->call.direct->wake_recv);
		}
		release_entry(e, gen);
	}
}

bool viper_rpc_keep_direct(int32_t status, struct viper_call_state *call)
{
	if (status == VIPER_DEFERRED)
		return true;
	cancel(call->token);
	call->deferred = false;
	return false;
}

bool viper_rpc_keep(struct viper_rpc_out *out, int32_t status, struct viper_call_state *call)
{
	if (!viper_rpc_keep_direct(status, call))
		return false;
	out->deferred = true;
	out->len = 0;
	out->handle_count = 0;
	return true;
}

int32_t viper_direct_finish(struct viper_direct_wait *wait, int32_t status)
{
	viper_handle_t send = wait->wake_send;

	__atomic_store_n(&wait->status, status, __ATOMIC_RELEASE);
	/* After this the caller may return: `wait` is gone. */
	return vc_notify(send, 1);
}

int32_t viper_direct_wait_reply(struct viper_direct_wait *wait)
{
	int64_t r = vc_notified_wait(wait->wake_recv, VIPER_TIMEOUT_NONE);
	int32_t status = r > 0 ? __atomic_load_n(&wait->status, __ATOMIC_ACQUIRE) : (int32_t)r;

	(void)vc_handle_close(wait->wake_send);
	(void)vc_handle_close(wait->wake_recv);
	return status;
}

int32_t viper_deferred_send(const struct viper_deferred_call *call, struct viper_rpc_out *out)
{
	return viper_transport_reply(call->reply_token, call->request_id, out);
}
