/*
 * pipe_relay: provides interface relay. Take receives a session on a pipe
 * from its client (the handle moves here) and talks to the pipe's provider
 * directly through it: reads what the pipe holds, writes the answer, and
 * closes the session. KeepAndFault keeps the end it is given and faults,
 * so the pipe's provider sees a client die with a session open.
 */
#include <viper/component.h>

#include "pipe.viper.h"
#include "relay.viper.h"

static int32_t take_and_answer(void *self, struct viper_rpc_context *ctx,
			       const viper_relay_TakeRequest *req, viper_relay_TakeReply *rep)
{
	struct viper_slot pipe;
	viper_pipe_ReadRequest rd = {.max = sizeof(rep->read.bytes)};
	viper_pipe_ReadReply got;
	viper_pipe_WriteRequest wr;
	viper_pipe_WriteReply held;
	viper_pipe_SerialRequest sreq = {0};
	viper_pipe_SerialReply serial;
	int32_t err;

	(void)self;
	(void)ctx;
	if (req->pipe == VIPER_HANDLE_INVALID)
		return VIPER_E_INVAL;
	vc_slot_bind(&pipe, &pipe_interface, req->pipe);
	err = pipe_serial(&pipe, &sreq, &serial);
	if (err == VIPER_OK)
		err = pipe_read(&pipe, &rd, &got);
	if (err == VIPER_OK && req->answer.size) {
		vc_memset(&wr, 0, sizeof(wr));
		vc_memcpy(wr.data.bytes, req->answer.bytes, req->answer.size);
		wr.data.size = req->answer.size;
		err = pipe_write(&pipe, &wr, &held);
	}
	(void)vc_slot_close(&pipe);
	if (err < 0)
		return err;
	vc_memcpy(rep->read.bytes, got.data.bytes, got.data.size);
	rep->read.size = got.data.size;
	rep->serial = serial.serial;
	return VIPER_OK;
}

static int32_t keep_and_fault(void *self, struct viper_rpc_context *ctx,
			      const viper_relay_KeepRequest *req, viper_relay_KeepReply *rep)
{
	(void)self;
	(void)ctx;
	(void)rep;
	if (req->pipe == VIPER_HANDLE_INVALID)
		return VIPER_E_INVAL;
#if defined(__aarch64__)
	vc_log("pipe_relay: faulting on purpose, holding a session");
	*(volatile uint32_t *)(uintptr_t)8 = req->pipe; /* the kernel ends this process */
	return VIPER_OK;
#else
	/* The host simulation has no processes to end: what a death leaves behind. */
	(void)vc_handle_close(req->pipe);
	return VIPER_E_PEERCLOSED;
#endif
}

static const struct relay_server pipe_relay_server = {
	.take = take_and_answer,
	.keep_and_fault = keep_and_fault,
};

VIPER_COMPONENT(pipe_relay) = {
	.name = "pipe_relay",
	.state_size = 1,
	.provides = {{.interface = &relay_interface, .ops = &pipe_relay_server}},
	.provide_count = 1,
};
