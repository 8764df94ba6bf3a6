/*
 * The root task's supervision messages through the log service.
 *
 * The root never waits for the log: the log may be the very process it is
 * restarting, and its console too. A writer thread makes the log Write
 * calls; the supervising thread hands it each line through a private
 * channel, whose kernel queue keeps the lines in order and bounds them. A
 * call to a log that is down waits in the log's channel (the root keeps its
 * receive end) and is served by the restarted log, so nothing is lost
 * across a restart. A line goes to the kernel console instead when the
 * queue is full or the log will never answer (VIPER_E_PEERCLOSED: its
 * server will not run again), and from then on every line does.
 *
 * The log copies warnings to the console as whole lines ("log: root:
 * ..."), which the console writes between the shell's lines.
 */
#include "supervisor_log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <viper/rpc.h>
#include <viper/runtime.h>
#include <viper/syscall.h>

#include "log.viper.h"

#define QUEUE_DEPTH	32
#define TEXT_MAX	sizeof(((viper_log_WriteRequest *)0)->text)
#define WRITER_PRIORITY 15

static viper_handle_t queue_send = VIPER_HANDLE_INVALID;
static viper_handle_t queue_recv = VIPER_HANDLE_INVALID;
static struct viper_slot log_slot;
static int log_usable; /* read and written with __atomic: both threads */

static void console_line(const char *text)
{
	viper_printf("root: %s\n", text);
}

static bool usable(void)
{
	return __atomic_load_n(&log_usable, __ATOMIC_ACQUIRE) != 0;
}

static void write_entry(const char *text)
{
	viper_log_WriteRequest req;
	viper_log_WriteReply rep;
	int32_t r;

	if (!usable()) {
		console_line(text);
		return;
	}
	memset(&req, 0, sizeof(req));
	req.level = viper_log_Level_LEVEL_WARNING;
	strcpy(req.source, "root");
	strncpy(req.text, text, TEXT_MAX - 1);
	r = log_write(&log_slot, &req, &rep);
	if (r == VIPER_OK)
		return;
	/* Gone for good, or refusing: the console from now on, this line first. */
	__atomic_store_n(&log_usable, 0, __ATOMIC_RELEASE);
	console_line(text);
	viper_printf("root: supervisor log failed (%lld); messages go to the console\n",
		     (long long)r);
}

static void writer(void *arg)
{
	char text[TEXT_MAX];
	struct viper_msg_info info;

	(void)arg;
	for (;;) {
		int64_t r = viper_channel_recv(queue_recv, text, sizeof(text) - 1, NULL, &info, 0);

		if (r < 0)
			return;
		if (info.reply) {
			/* supervisor_log_finish's call: every line before it is written. */
			(void)viper_channel_reply(info.reply, NULL, 0, NULL, 0);
			continue;
		}
		text[info.bytes < sizeof(text) ? info.bytes : sizeof(text) - 1] = '\0';
		write_entry(text);
	}
}

int64_t supervisor_log_start(viper_handle_t log_send)
{
	int64_t r = viper_channel_create(&queue_send, &queue_recv, QUEUE_DEPTH);

	if (r < 0)
		return r;
	log_slot = (struct viper_slot){.interface = &log_interface, .channel = log_send};
	__atomic_store_n(&log_usable, 1, __ATOMIC_RELEASE);
	r = viper_thread_start(writer, NULL, WRITER_PRIORITY);
	if (r < 0) {
		__atomic_store_n(&log_usable, 0, __ATOMIC_RELEASE);
		return r;
	}
	return VIPER_OK;
}

void supervisor_say(const char *fmt, ...)
{
	char text[TEXT_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(text))
		n = (int)sizeof(text) - 1;
	if (usable() &&
	    viper_channel_send(queue_send, text, (uint64_t)n, NULL, 0, VIPER_MSG_NONBLOCK) == 0)
		return;
	console_line(text);
}

void supervisor_log_finish(uint64_t timeout_ns)
{
	struct viper_call call = {.timeout_ns = (int64_t)timeout_ns};

	if (!usable())
		return;
	/* A call, not a line: the writer answers it once it has written all before it. */
	(void)viper_channel_call(queue_send, &call);
	__atomic_store_n(&log_usable, 0, __ATOMIC_RELEASE);
}
