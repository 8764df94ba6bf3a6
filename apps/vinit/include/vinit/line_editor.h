/*
 * The shell's line editor: pure logic with no runtime calls, so host tests
 * drive it key by key. It is fed the bytes a terminal sends, one at a time;
 * it keeps the line being typed, echoes and redraws it through a sink, and
 * hands back each line when Enter completes it.
 *
 * Keys: printable ASCII inserts at the cursor; Enter is CR, LF or CR LF
 * (one Enter); Left/Right; Home/End (ESC[H ESC[F ESC[1~ ESC[4~ ESC[7~
 * ESC[8~ ESC O H ESC O F, Ctrl+A, Ctrl+E); Delete (ESC[3~); Backspace
 * (0x7f, 0x08); Ctrl+U kills to the start, Ctrl+K to the end; Ctrl+C
 * abandons the line (prints ^C and a fresh prompt); Up/Down walk the
 * history; Tab completes the first word from a list of words. Other
 * control bytes, bytes over 0x7e and unknown escape sequences are ignored.
 * A refused key (the line is full, nothing to complete, the end of the
 * history) sounds the bell (0x07).
 *
 * Display: the editor assumes a terminal of LINE_EDITOR_COLUMNS columns and
 * never writes past it. A line longer than fits after the prompt scrolls
 * sideways by half a row at a time, so the cursor never wraps to another
 * row (cursor moves cannot cross rows on a serial terminal). Plain typing at the end of a line that
 * fits is echoed byte for byte; other edits redraw the row as "\r", the
 * prompt, the visible part of the line, ESC[K (erase to the end of the
 * row), "\r" and ESC[nC to put the cursor back.
 */
#ifndef VINIT_LINE_EDITOR_H
#define VINIT_LINE_EDITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LINE_EDITOR_MAX	       200u /* characters in a line */
#define LINE_EDITOR_HISTORY    32u  /* lines the history keeps */
#define LINE_EDITOR_COLUMNS    80u  /* the terminal width assumed */
#define LINE_EDITOR_PROMPT_MAX 32u  /* characters in the prompt */
#define LINE_EDITOR_ESC_PARAMS 8u   /* parameter bytes kept of an escape sequence */

/* Where the editor's output goes: `len` bytes at `data`, in order. */
typedef void (*line_editor_sink)(void *ctx, const char *data, size_t len);

enum line_editor_event {
	LINE_EDITOR_NONE = 0, /* the byte was taken; no line yet */
	LINE_EDITOR_LINE = 1, /* Enter: line_editor_line() holds the line */
};

enum line_editor_escape {
	LINE_EDITOR_ESC_NONE = 0,
	LINE_EDITOR_ESC_START, /* after ESC */
	LINE_EDITOR_ESC_CSI,   /* after ESC [ */
	LINE_EDITOR_ESC_SS3,   /* after ESC O */
};

/* All state is inside; no allocation. Use the functions below only. */
struct line_editor {
	line_editor_sink sink;
	void *sink_ctx;
	char prompt[LINE_EDITOR_PROMPT_MAX + 1];
	size_t prompt_len;
	const char *const *words; /* what Tab completes */
	size_t word_count;

	char line[LINE_EDITOR_MAX + 1];
	size_t len;
	size_t pos;    /* the cursor, 0..len */
	size_t scroll; /* the first character shown */
	char done[LINE_EDITOR_MAX + 1];

	enum line_editor_escape escape;
	char esc_params[LINE_EDITOR_ESC_PARAMS];
	size_t esc_param_len;
	bool esc_overflow;
	bool after_cr;	  /* the last byte was CR: an LF now is the same Enter */
	bool tab_pending; /* the last key was a Tab that could not complete further */

	/* The history: a ring of history_count lines starting at history_first. */
	char history[LINE_EDITOR_HISTORY][LINE_EDITOR_MAX + 1];
	size_t history_first;
	size_t history_count;
	uint32_t history_added; /* lines ever added, to number them */
	size_t browse;		/* the entry shown; history_count: the draft */
	char draft[LINE_EDITOR_MAX + 1];
	size_t draft_len;
};

/*
 * Sets `le` up with an empty line and history. `prompt` is copied (cut to
 * LINE_EDITOR_PROMPT_MAX); `words` (kept, not copied) are what Tab
 * completes, matched without regard to case. Output goes to `sink`.
 */
void line_editor_init(struct line_editor *le, const char *prompt, const char *const *words,
		      size_t word_count, line_editor_sink sink, void *sink_ctx);

/* Writes the prompt (and the line, if one is being edited) on a fresh row. */
void line_editor_prompt(struct line_editor *le);

/*
 * Takes one byte from the terminal. Returns LINE_EDITOR_LINE when it was
 * Enter: the line is then in line_editor_line() (the editor has written
 * "\n" and starts an empty line; call line_editor_prompt() when ready for
 * the next). Otherwise LINE_EDITOR_NONE.
 */
enum line_editor_event line_editor_feed(struct line_editor *le, uint8_t byte);

/* The last line Enter completed, NUL-terminated; valid until the next Enter. */
const char *line_editor_line(const struct line_editor *le);

/* The number of lines in the history (at most LINE_EDITOR_HISTORY). */
size_t line_editor_history_count(const struct line_editor *le);

/* History line `i`, 0 the oldest kept; NULL when `i` is out of range. */
const char *line_editor_history_line(const struct line_editor *le, size_t i);

/* History line `i`'s number: 1 for the first line ever added. 0 when out of range. */
uint32_t line_editor_history_number(const struct line_editor *le, size_t i);

#endif
