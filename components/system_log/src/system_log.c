/* system_log: see include/system_log/system_log.h and README.md. */
#include <system_log/system_log.h>

#include <viper/component.h>

#include "system_log_slots.h"

_Static_assert(sizeof(((viper_log_WriteRequest *)0)->source) == SYSTEM_LOG_SOURCE_MAX,
	       "an entry's source holds what a request's does");
_Static_assert(sizeof(((viper_log_WriteRequest *)0)->text) == SYSTEM_LOG_TEXT_MAX,
	       "an entry's text holds what a request's does");
/* The longest console line ("log: " source ": " text "\n") fits one Write. */
_Static_assert(5 + (SYSTEM_LOG_SOURCE_MAX - 1) + 2 + (SYSTEM_LOG_TEXT_MAX - 1) + 1 <=
		       sizeof(((viper_console_WriteRequest *)0)->data.bytes),
	       "a log line fits one console Write");

/* The length of the NUL-terminated string in `s[0..size)`, or `size` when it has no NUL. */
static uint32_t bounded_length(const char *s, uint32_t size)
{
	uint32_t n = 0;

	while (n < size && s[n] != '\0')
		n++;
	return n;
}

/* The number of the oldest entry kept (1 while nothing has been written). */
static uint64_t oldest_kept(const struct system_log *log)
{
	return log->written > SYSTEM_LOG_ENTRIES ? log->written - SYSTEM_LOG_ENTRIES + 1 : 1;
}

/* Appends `n` bytes of `s` to the console line, control characters as spaces. */
static void line_append(viper_console_WriteRequest *line, const char *s, uint32_t n)
{
	for (uint32_t i = 0; i < n && line->data.size < sizeof(line->data.bytes); i++) {
		uint8_t c = (uint8_t)s[i];
		line->data.bytes[line->data.size++] = c < 0x20 || c == 0x7f ? ' ' : c;
	}
}

/*
 * Writes "log: <source>: <text>" as one line to the console. The entry is
 * already kept, so a console that refuses or is gone costs only the copy:
 * counted, logged the first time, never retried.
 */
static void copy_to_console(struct system_log *log, const struct system_log_entry *e)
{
	viper_console_WriteRequest line;
	viper_console_WriteReply rep;
	uint32_t source_len = bounded_length(e->source, sizeof(e->source));

	if (log->console == NULL)
		return;
	vc_memset(&line, 0, sizeof(line));
	line_append(&line, "log: ", 5);
	if (source_len > 0) {
		line_append(&line, e->source, source_len);
		line_append(&line, ": ", 2);
	}
	line_append(&line, e->text, bounded_length(e->text, sizeof(e->text)));
	line.data.bytes[line.data.size++] = '\n'; /* room: see the assertion above */
	int32_t r = console_write(log->console, &line, &rep);
	if (r < 0 && log->console_failures++ == 0)
		vc_log("system_log: the console refused a copy (%d); entries are still kept", r);
}

static int32_t log_append(void *self, struct viper_rpc_context *ctx,
			  const viper_log_WriteRequest *req, viper_log_WriteReply *rep)
{
	struct system_log *log = self;
	(void)ctx;

	int32_t level = (int32_t)req->level;
	uint32_t source_len = bounded_length(req->source, sizeof(req->source));
	uint32_t text_len = bounded_length(req->text, sizeof(req->text));
	if (level < (int32_t)viper_log_Level_LEVEL_DEBUG ||
	    level > (int32_t)viper_log_Level_LEVEL_ERROR)
		return VIPER_E_INVAL;
	if (text_len == 0 || text_len == sizeof(req->text) || source_len == sizeof(req->source))
		return VIPER_E_INVAL; /* empty, or not terminated (a direct caller's mistake) */

	uint64_t seq = log->written + 1;
	struct system_log_entry *e = &log->entries[(seq - 1) % SYSTEM_LOG_ENTRIES];
	vc_memset(e, 0, sizeof(*e));
	e->seq = seq;
	e->time_ns = vc_now_ns();
	e->level = (uint32_t)level;
	vc_memcpy(e->source, req->source, source_len);
	vc_memcpy(e->text, req->text, text_len);
	log->written = seq;
	rep->seq = seq;
	if (level >= (int32_t)viper_log_Level_LEVEL_WARNING)
		copy_to_console(log, e);
	return VIPER_OK;
}

static int32_t log_fetch(void *self, struct viper_rpc_context *ctx,
			 const viper_log_ReadRequest *req, viper_log_ReadReply *rep)
{
	const struct system_log *log = self;
	(void)ctx;

	uint64_t oldest = oldest_kept(log);
	uint64_t next = log->written + 1;
	uint64_t seq = req->from_seq > oldest ? req->from_seq : oldest;
	rep->oldest = oldest;
	rep->next = next;
	if (seq >= next)
		return VIPER_OK; /* found stays false */
	const struct system_log_entry *e = &log->entries[(seq - 1) % SYSTEM_LOG_ENTRIES];
	rep->found = true;
	rep->seq = e->seq;
	rep->time_ns = e->time_ns;
	rep->level = (viper_log_Level)e->level;
	vc_memcpy(rep->source, e->source, sizeof(rep->source));
	vc_memcpy(rep->text, e->text, sizeof(rep->text));
	return VIPER_OK;
}

const struct log_server system_log_server = {
	.write = log_append,
	.read = log_fetch,
};

static int32_t system_log_init(void *state, const struct viper_instance_env *env)
{
	struct system_log *log = state;

	log->console = env->slot_count > SYSTEM_LOG_SLOT_CONSOLE
			       ? env->slots[SYSTEM_LOG_SLOT_CONSOLE]
			       : NULL;
	return VIPER_OK;
}

VIPER_COMPONENT(system_log) = {
	.name = "system_log",
	.state_size = sizeof(struct system_log),
	.slot_count = SYSTEM_LOG_SLOT_COUNT,
	.init = system_log_init,
	.provides = {{.interface = &log_interface, .ops = &system_log_server}},
	.provide_count = 1,
};
