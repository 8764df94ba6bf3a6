/*
 * The shell's command-line parser: pure functions, no runtime calls.
 *
 * A command line is words separated by spaces. Double quotes group words
 * into one argument and are removed ("a b" is one argument a b; "" is an
 * empty argument; a"b c"d is one argument ab cd). A double quote cannot
 * appear inside an argument. Command names match without regard to case.
 */
#ifndef VINIT_COMMAND_LINE_H
#define VINIT_COMMAND_LINE_H

#include <stdbool.h>
#include <stddef.h>

#define COMMAND_LINE_MAX_ARGS 16u

enum command_line_status {
	COMMAND_LINE_OK = 0,
	COMMAND_LINE_UNTERMINATED = -1, /* a double quote is not closed */
	COMMAND_LINE_TOO_MANY = -2,	/* more than `max` arguments */
};

/*
 * Splits `line` in place into arguments: argv[0..*argc) point into `line`,
 * each NUL-terminated, and argv[*argc] is NULL when there is room. `max`
 * is the capacity of argv. An empty or blank line gives *argc == 0.
 * Returns COMMAND_LINE_OK or an error (then *argc is 0 and `line` is
 * undefined).
 */
enum command_line_status command_line_split(char *line, char **argv, size_t max, size_t *argc);

/* Whether `a` and `b` are equal, ignoring the case of ASCII letters. */
bool command_line_equal(const char *a, const char *b);

#endif
