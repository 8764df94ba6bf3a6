/* Paths on the volume, as text: see include/viper/volume_path.h. */
#include <viper/volume_path.h>

#include <viper/abi.h>

int32_t volume_path_append(char *out, size_t *len, const char *path)
{
	while (*path) {
		size_t n = 0;
		while (*path == '/')
			path++;
		while (path[n] && path[n] != '/')
			n++;
		if (n == 0)
			break;
		if (n == 2 && path[0] == '.' && path[1] == '.') {
			if (*len == 0)
				return VIPER_E_INVAL; /* above the root */
			while (*len > 0 && out[*len - 1] != '/')
				(*len)--;
			if (*len > 0)
				(*len)--;
		} else if (!(n == 1 && path[0] == '.')) {
			if (n > VOLUME_PATH_PART_MAX || *len + (*len ? 1 : 0) + n > VOLUME_PATH_MAX)
				return VIPER_E_NAMETOOLONG;
			if (*len)
				out[(*len)++] = '/';
			for (size_t i = 0; i < n; i++)
				out[*len + i] = path[i];
			*len += n;
		}
		path += n;
	}
	out[*len] = 0;
	return VIPER_OK;
}

int32_t volume_path_assign(const char *typed, char *name, const char **rest)
{
	size_t n = 0;

	while (typed[n] && typed[n] != ':' && typed[n] != '/')
		n++;
	if (typed[n] != ':') {
		*rest = typed;
		return 0;
	}
	if (n == 0 || n > VOLUME_ASSIGN_MAX)
		return VIPER_E_NOTFOUND;
	for (size_t i = 0; i < n; i++)
		name[i] = typed[i];
	name[n] = 0;
	*rest = typed + n + 1;
	return 1;
}

const char *volume_path_last(const char *path, size_t *parent_len)
{
	size_t len = 0, cut = 0;

	for (; path[len]; len++)
		if (path[len] == '/')
			cut = len + 1;
	*parent_len = cut ? cut - 1 : 0;
	return path + cut;
}
