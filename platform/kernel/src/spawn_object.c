/* The spawn capability (kernel/spawn_object.h). */
#include <kernel/spawn_object.h>

static struct kobject spawn_obj;

/* The one spawn object is never destroyed: its own reference keeps it. */
static const struct kobject_ops spawn_ops = {NULL, NULL, NULL, NULL};

void spawn_init(void)
{
	kobject_register(VIPER_OBJ_SPAWN, &spawn_ops);
	kobject_init(&spawn_obj, VIPER_OBJ_SPAWN);
}

struct kobject *spawn_object(void)
{
	return &spawn_obj;
}
