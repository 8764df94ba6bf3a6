/* A program's slot declaration, compiled as C as every program is, for program_slots_test. */
#include <viper/program_slots.h>

VIPER_PROGRAM_SLOTS({"console", "console"}, {"store", "kv"});

const void *declared_note(uint32_t *size);
viper_handle_t declared_slot(const struct viper_startup *s, const char *name);

const void *declared_note(uint32_t *size)
{
	*size = (uint32_t)sizeof(viper_program_slots_note);
	return &viper_program_slots_note;
}

viper_handle_t declared_slot(const struct viper_startup *s, const char *name)
{
	return viper_slot(s, name);
}
