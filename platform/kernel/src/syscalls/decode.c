/* What the decode files share (decode.h). */
#include "decode.h"

int64_t new_handle(struct kobject *o, uint32_t rights)
{
	viper_handle_t h;
	err_t err;

	if (!o)
		return VIPER_E_NOMEM;
	err = handle_give(handles(), o, rights, &h);
	return err ? err : (int64_t)h;
}

err_t wait_through(struct waitq *q, const struct handle_wait *w, struct cap **c)
{
	err_t err;

	if (w->timeout == 0)
		return VIPER_E_WOULDBLOCK;
	err = wait_on(q, w->deadline, *c);
	if (err)
		return err;
	return lookup(w->handle, w->kind, w->rights, c) ? VIPER_E_CLOSED : VIPER_OK;
}
