/*
 * A program in no boot image: //tests/kernel:spawntests embeds its ELF file
 * and starts it with process_spawn_image. What it does depends on its
 * argument (spawnee.h).
 */
#include <stdio.h>
#include <string.h>

#include <viper/program_slots.h>
#include <viper/runtime.h>

#include "spawnee.h"

VIPER_PROGRAM_SLOTS({"report", "spawn_report"});

static const struct viper_startup *startup;
static volatile int initialised = 1234;	 /* .data */
static volatile int zeroed;		 /* .bss */
static const volatile int constant = 42; /* .rodata */
static volatile unsigned data_word;	 /* written at run time, so in writable data */
static const volatile char mark_ro[] = SPAWNEE_MARK "A";
static volatile char mark_rw[] = SPAWNEE_MARK "A";

#define REQUIRE(cond)                                                                              \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			viper_printf("  spawnee: line %d: %s\n", __LINE__, #cond);                 \
			return __LINE__;                                                           \
		}                                                                                  \
	} while (0)

static int64_t say(const char *text)
{
	return viper_channel_send(viper_slot(startup, "report"), text, strlen(text), NULL, 0, 0);
}

static int checks(void)
{
	struct viper_handle_info info;

	REQUIRE(initialised == 1234);
	initialised = 5678;
	REQUIRE(initialised == 5678);
	REQUIRE(zeroed == 0);
	zeroed = 9;
	REQUIRE(zeroed == 9);
	REQUIRE(constant == 42);
	REQUIRE(viper_spawn_capability() == VIPER_HANDLE_INVALID);
	REQUIRE(startup->handle_count == 1);
	REQUIRE(startup->handles[0].kind == VIPER_OBJ_CHANNEL_SEND);
	REQUIRE(viper_slot(startup, "report") == startup->handles[0].handle);
	REQUIRE(viper_handle_query(startup->handles[0].handle, &info) == 0);
	REQUIRE(info.rights == VIPER_RIGHT_WRITE);
	REQUIRE(say("checked") == 0);
	return 0;
}

static int after_revoke(void)
{
	char buf[8];
	struct viper_msg_info info;
	int64_t r;

	REQUIRE(startup->handle_count == 2);
	REQUIRE(say("ready") == 0);
	REQUIRE(viper_channel_recv(startup->handles[1].handle, buf, sizeof(buf), NULL, &info, 0) >=
		0);
	r = say("again");
	return r == VIPER_E_BADHANDLE ? SPAWNEE_REVOKED : (int)r;
}

static int wait_for_word(void)
{
	char buf[8];
	struct viper_msg_info info;

	REQUIRE(startup->handle_count == 2);
	REQUIRE(say("ready") == 0);
	REQUIRE(viper_channel_recv(startup->handles[1].handle, buf, sizeof(buf), NULL, &info, 0) >=
		0);
	return 0;
}

int main(const struct viper_startup *s)
{
	char text[32];

	startup = s;
	switch (s->argument) {
	case SPAWNEE_WRITE_RODATA:
		*(volatile int *)&constant = 1;
		return 1;
	case SPAWNEE_EXEC_DATA:
		data_word = 0xd65f03c0; /* ret */
		((void (*)(void))(uintptr_t)&data_word)();
		return 1;
	case SPAWNEE_WRITE_TEXT:
		*(volatile unsigned *)(uintptr_t)&main = 0;
		return 1;
	case SPAWNEE_CHECKS:
		return checks();
	case SPAWNEE_AFTER_REVOKE:
		return after_revoke();
	case SPAWNEE_MARKS:
		return SPAWNEE_MARKS_STATUS(mark_ro[sizeof(SPAWNEE_MARK) - 1],
					    mark_rw[sizeof(SPAWNEE_MARK) - 1]);
	case SPAWNEE_WAIT:
		return wait_for_word();
	default:
		snprintf(text, sizeof(text), "spawnee %u ran", (unsigned)s->argument);
		say(text);
		return SPAWNEE_RAN_STATUS((int)s->argument);
	}
}
