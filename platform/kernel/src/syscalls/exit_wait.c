/* Waiting for a process or a thread to end (exit_wait.h). */
#include "exit_wait.h"

#include "decode.h"

int64_t wait_exit(const struct exit_kind *k, uint64_t h, uint64_t status_ptr, int64_t timeout)
{
	struct handle_wait w = {h, k->kind, VIPER_RIGHT_READ, timeout, deadline_after(timeout)};
	struct cap *c;
	int64_t s;
	err_t err = lookup(h, k->kind, VIPER_RIGHT_READ, &c);

	if (err)
		return err;
	if (c->object == &current_thread()->obj)
		return VIPER_E_INVAL; /* a thread waiting for itself */
	while (!k->ended(c->object)) {
		err = wait_through(&c->object->waiters, &w, &c);
		if (err)
			return err;
	}
	s = k->status(c->object);
	return status_ptr ? copy_to_user(as(), status_ptr, &s, sizeof(s)) : VIPER_OK;
}
