/* The shell's command-line parser: see include/vinit/command_line.h. */
#include <vinit/command_line.h>

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

bool command_line_equal(const char *a, const char *b)
{
	while (*a != '\0' && lower(*a) == lower(*b)) {
		a++;
		b++;
	}
	return *a == '\0' && *b == '\0';
}

enum command_line_status command_line_split(char *line, char **argv, size_t max, size_t *argc)
{
	/* Arguments are copied down in place: quotes only ever shorten them. */
	const char *in = line;
	char *out = line;
	size_t n = 0;

	*argc = 0;
	for (;;) {
		while (*in == ' ')
			in++;
		if (*in == '\0')
			break;
		if (n == max)
			return COMMAND_LINE_TOO_MANY;
		argv[n] = out;
		bool quoted = false;
		while (*in != '\0' && (quoted || *in != ' ')) {
			if (*in == '"')
				quoted = !quoted;
			else
				*out++ = *in;
			in++;
		}
		if (quoted)
			return COMMAND_LINE_UNTERMINATED;
		if (*in == ' ')
			in++;
		*out++ = '\0';
		n++;
	}
	if (n < max)
		argv[n] = NULL;
	*argc = n;
	return COMMAND_LINE_OK;
}
