/* The shell's line editor: see include/vinit/line_editor.h. */
#include <vinit/line_editor.h>

enum {
	KEY_CTRL_A = 0x01,
	KEY_CTRL_C = 0x03,
	KEY_CTRL_E = 0x05,
	KEY_BELL = 0x07,
	KEY_BACKSPACE = 0x08,
	KEY_TAB = 0x09,
	KEY_LF = 0x0a,
	KEY_CTRL_K = 0x0b,
	KEY_CR = 0x0d,
	KEY_CTRL_U = 0x15,
	KEY_ESC = 0x1b,
	KEY_DEL = 0x7f,
};

/* What an escape sequence meant. */
enum key {
	KEY_NONE,
	KEY_UP,
	KEY_DOWN,
	KEY_LEFT,
	KEY_RIGHT,
	KEY_HOME,
	KEY_END,
	KEY_DELETE,
};

static void emit(struct line_editor *le, const char *data, size_t len)
{
	if (len > 0)
		le->sink(le->sink_ctx, data, len);
}

static void emit_str(struct line_editor *le, const char *s)
{
	emit(le, s, __builtin_strlen(s));
}

static void bell(struct line_editor *le)
{
	emit(le, "\a", 1);
}

/* Characters of the line that fit on the row after the prompt, leaving the last column free. */
static size_t window(const struct line_editor *le)
{
	if (le->prompt_len + 2 > LINE_EDITOR_COLUMNS)
		return 1;
	return LINE_EDITOR_COLUMNS - le->prompt_len - 1;
}

/* Writes `n` in decimal. */
static void emit_number(struct line_editor *le, size_t n)
{
	char digits[20];
	size_t i = sizeof(digits);
	do {
		digits[--i] = (char)('0' + n % 10);
		n /= 10;
	} while (n > 0 && i > 0);
	emit(le, digits + i, sizeof(digits) - i);
}

/*
 * Picks the first character shown so the cursor is on the row. The view
 * jumps by half a row at a time, so typing on at the end of a long line
 * (piped input, say) redraws once every half row, not at every key.
 */
static void fit_scroll(struct line_editor *le)
{
	size_t w = window(le);
	size_t half = w / 2 > 0 ? w / 2 : 1;

	if (le->pos < le->scroll)
		le->scroll = le->pos > half ? le->pos - half : 0;
	else if (le->pos - le->scroll > w)
		le->scroll = le->pos - half;
	/* After deleting: show more of the line rather than blank space. */
	if (le->scroll > 0 && le->len - le->scroll < half) {
		size_t s = le->len > half ? le->len - half : 0;
		if (s < le->scroll)
			le->scroll = s;
	}
}

/* Redraws the whole row: prompt, the visible part of the line, cursor in place. */
static void refresh(struct line_editor *le)
{
	fit_scroll(le);
	size_t shown = le->len - le->scroll;
	if (shown > window(le))
		shown = window(le);
	emit(le, "\r", 1);
	emit(le, le->prompt, le->prompt_len);
	emit(le, le->line + le->scroll, shown);
	emit_str(le, "\x1b[K\r");
	size_t column = le->prompt_len + le->pos - le->scroll;
	if (column > 0) {
		emit_str(le, "\x1b[");
		emit_number(le, column);
		emit(le, "C", 1);
	}
}

static bool is_space(char c)
{
	return c == ' ';
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static void insert_char(struct line_editor *le, char c)
{
	if (le->len >= LINE_EDITOR_MAX) {
		bell(le);
		return;
	}
	__builtin_memmove(le->line + le->pos + 1, le->line + le->pos, le->len - le->pos);
	le->line[le->pos] = c;
	le->len++;
	le->pos++;
	le->line[le->len] = '\0';
	/* At the end of a line that still fits: a plain echo. */
	if (le->pos == le->len && le->pos - le->scroll <= window(le))
		emit(le, &c, 1);
	else
		refresh(le);
}

static void move_left(struct line_editor *le)
{
	if (le->pos == 0)
		return;
	le->pos--;
	if (le->pos >= le->scroll)
		emit(le, "\b", 1);
	else
		refresh(le);
}

static void move_right(struct line_editor *le)
{
	if (le->pos == le->len)
		return;
	le->pos++;
	if (le->pos - le->scroll <= window(le))
		emit(le, le->line + le->pos - 1, 1); /* rewriting the character moves past it */
	else
		refresh(le);
}

static void move_to(struct line_editor *le, size_t pos)
{
	if (pos == le->pos)
		return;
	le->pos = pos;
	refresh(le);
}

static void backspace(struct line_editor *le)
{
	if (le->pos == 0)
		return;
	__builtin_memmove(le->line + le->pos - 1, le->line + le->pos, le->len - le->pos);
	le->pos--;
	le->len--;
	le->line[le->len] = '\0';
	if (le->pos == le->len && le->scroll == 0)
		emit_str(le, "\b \b");
	else
		refresh(le);
}

static void delete_char(struct line_editor *le)
{
	if (le->pos == le->len)
		return;
	__builtin_memmove(le->line + le->pos, le->line + le->pos + 1, le->len - le->pos - 1);
	le->len--;
	le->line[le->len] = '\0';
	refresh(le);
}

static void kill_to_start(struct line_editor *le)
{
	if (le->pos == 0)
		return;
	__builtin_memmove(le->line, le->line + le->pos, le->len - le->pos);
	le->len -= le->pos;
	le->pos = 0;
	le->line[le->len] = '\0';
	refresh(le);
}

static void kill_to_end(struct line_editor *le)
{
	if (le->pos == le->len)
		return;
	le->len = le->pos;
	le->line[le->len] = '\0';
	refresh(le);
}

static void set_line(struct line_editor *le, const char *text, size_t len)
{
	__builtin_memcpy(le->line, text, len);
	le->len = len;
	le->pos = len;
	le->line[len] = '\0';
	refresh(le);
}

static char *history_slot(struct line_editor *le, size_t i)
{
	return le->history[(le->history_first + i) % LINE_EDITOR_HISTORY];
}

static void history_show(struct line_editor *le, size_t index)
{
	le->browse = index;
	if (index == le->history_count) {
		set_line(le, le->draft, le->draft_len);
	} else {
		const char *h = history_slot(le, index);
		set_line(le, h, __builtin_strlen(h));
	}
}

static void history_up(struct line_editor *le)
{
	if (le->browse == 0) {
		bell(le);
		return;
	}
	if (le->browse == le->history_count) {
		__builtin_memcpy(le->draft, le->line, le->len);
		le->draft_len = le->len;
	}
	history_show(le, le->browse - 1);
}

static void history_down(struct line_editor *le)
{
	if (le->browse >= le->history_count) {
		bell(le);
		return;
	}
	history_show(le, le->browse + 1);
}

/* Keeps `line` unless it is blank or repeats the newest entry. */
static void history_add(struct line_editor *le, const char *line, size_t len)
{
	size_t i;
	for (i = 0; i < len && is_space(line[i]); i++)
		;
	if (i == len)
		return;
	if (le->history_count > 0) {
		const char *newest = history_slot(le, le->history_count - 1);
		if (__builtin_strlen(newest) == len && __builtin_memcmp(newest, line, len) == 0)
			return;
	}
	char *slot;
	if (le->history_count == LINE_EDITOR_HISTORY) {
		slot = le->history[le->history_first];
		le->history_first = (le->history_first + 1) % LINE_EDITOR_HISTORY;
	} else {
		slot = history_slot(le, le->history_count);
		le->history_count++;
	}
	__builtin_memcpy(slot, line, len);
	slot[len] = '\0';
	le->history_added++;
}

/* Whether `word` starts with the `n` characters at `prefix`, ignoring case. */
static bool has_prefix(const char *word, const char *prefix, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (word[i] == '\0' || lower(word[i]) != lower(prefix[i]))
			return false;
	}
	return true;
}

/* Replaces line[start, pos) with `n` characters of `text`, the cursor after them. */
static bool replace_before_cursor(struct line_editor *le, size_t start, const char *text, size_t n)
{
	size_t old = le->pos - start;
	if (le->len - old + n > LINE_EDITOR_MAX)
		return false;
	__builtin_memmove(le->line + start + n, le->line + le->pos, le->len - le->pos);
	__builtin_memcpy(le->line + start, text, n);
	le->len = le->len - old + n;
	le->pos = start + n;
	le->line[le->len] = '\0';
	return true;
}

/* Lists `prefix`'s matches below the line, then draws the prompt and line again. */
static void list_matches(struct line_editor *le, const char *prefix, size_t n)
{
	size_t column = 0;
	emit(le, "\n", 1);
	for (size_t i = 0; i < le->word_count; i++) {
		const char *w = le->words[i];
		if (!has_prefix(w, prefix, n))
			continue;
		size_t wl = __builtin_strlen(w);
		if (column > 0 && column + 2 + wl >= LINE_EDITOR_COLUMNS) {
			emit(le, "\n", 1);
			column = 0;
		}
		if (column > 0) {
			emit(le, "  ", 2);
			column += 2;
		}
		emit(le, w, wl);
		column += wl;
	}
	emit(le, "\n", 1);
	le->scroll = 0;
	refresh(le);
}

static void complete(struct line_editor *le)
{
	size_t start = 0;
	while (start < le->len && is_space(le->line[start]))
		start++;
	/* Only the first word, with the cursor at its end. */
	if (le->pos < start) {
		bell(le);
		return;
	}
	for (size_t i = start; i < le->pos; i++) {
		if (is_space(le->line[i])) {
			bell(le);
			return;
		}
	}
	if (le->pos < le->len && !is_space(le->line[le->pos])) {
		bell(le);
		return;
	}

	const char *prefix = le->line + start;
	size_t n = le->pos - start;
	const char *first = NULL;
	size_t matches = 0;
	size_t common = 0;
	for (size_t i = 0; i < le->word_count; i++) {
		const char *w = le->words[i];
		if (!has_prefix(w, prefix, n))
			continue;
		if (matches == 0) {
			first = w;
			common = __builtin_strlen(w);
		} else {
			size_t k = n;
			while (k < common && w[k] != '\0' && lower(w[k]) == lower(first[k]))
				k++;
			common = k;
		}
		matches++;
	}

	if (matches == 0) {
		bell(le);
		return;
	}
	if (matches == 1) {
		char word[LINE_EDITOR_MAX + 1];
		size_t wl = __builtin_strlen(first);
		bool space_follows = le->pos < le->len;
		if (wl > LINE_EDITOR_MAX - 1) {
			bell(le);
			return;
		}
		__builtin_memcpy(word, first, wl);
		if (!space_follows)
			word[wl++] = ' ';
		if (!replace_before_cursor(le, start, word, wl)) {
			bell(le);
			return;
		}
		if (space_follows)
			le->pos++; /* past the space already there */
		refresh(le);
		return;
	}
	if (common > n) {
		char word[LINE_EDITOR_MAX + 1];
		if (common > LINE_EDITOR_MAX) {
			bell(le);
			return;
		}
		__builtin_memcpy(word, first, common);
		if (!replace_before_cursor(le, start, word, common)) {
			bell(le);
			return;
		}
		refresh(le);
		le->tab_pending = true;
		return;
	}
	if (le->tab_pending) {
		char copy[LINE_EDITOR_MAX + 1];
		__builtin_memcpy(copy, prefix, n);
		list_matches(le, copy, n);
		return;
	}
	bell(le);
	le->tab_pending = true;
}

static void cancel_line(struct line_editor *le)
{
	if (le->pos != le->len)
		move_to(le, le->len);
	if (le->prompt_len + le->pos - le->scroll + 2 > LINE_EDITOR_COLUMNS)
		emit(le, "\n", 1); /* no room for ^C on this row */
	emit_str(le, "^C\n");
	le->len = 0;
	le->pos = 0;
	le->line[0] = '\0';
	le->browse = le->history_count;
	line_editor_prompt(le);
}

static enum line_editor_event enter(struct line_editor *le)
{
	if (le->pos != le->len)
		move_to(le, le->len);
	emit(le, "\n", 1);
	__builtin_memcpy(le->done, le->line, le->len + 1);
	history_add(le, le->line, le->len);
	le->len = 0;
	le->pos = 0;
	le->scroll = 0;
	le->line[0] = '\0';
	le->browse = le->history_count;
	return LINE_EDITOR_LINE;
}

static void do_key(struct line_editor *le, enum key key)
{
	switch (key) {
	case KEY_UP:
		history_up(le);
		break;
	case KEY_DOWN:
		history_down(le);
		break;
	case KEY_LEFT:
		move_left(le);
		break;
	case KEY_RIGHT:
		move_right(le);
		break;
	case KEY_HOME:
		move_to(le, 0);
		break;
	case KEY_END:
		move_to(le, le->len);
		break;
	case KEY_DELETE:
		delete_char(le);
		break;
	case KEY_NONE:
		break;
	}
}

/* The key a finished SS3 sequence (ESC O final) stands for: arrows, Home, End. */
static enum key ss3_key(uint8_t final)
{
	switch (final) {
	case 'A':
		return KEY_UP;
	case 'B':
		return KEY_DOWN;
	case 'C':
		return KEY_RIGHT;
	case 'D':
		return KEY_LEFT;
	case 'H':
		return KEY_HOME;
	case 'F':
		return KEY_END;
	default:
		return KEY_NONE;
	}
}

/* The key a finished CSI sequence (ESC [ params final) stands for. */
static enum key csi_key(const struct line_editor *le, uint8_t final)
{
	if (le->esc_overflow)
		return KEY_NONE;
	if (final != '~')
		return ss3_key(final); /* the same letters as ESC O */
	if (le->esc_param_len != 1)
		return KEY_NONE;
	switch (le->esc_params[0]) {
	case '1':
	case '7':
		return KEY_HOME;
	case '4':
	case '8':
		return KEY_END;
	case '3':
		return KEY_DELETE;
	default:
		return KEY_NONE;
	}
}

/*
 * One byte of an escape sequence. Returns false when the byte ends the
 * sequence without belonging to it (a control byte): it is then taken as
 * an ordinary key.
 */
static bool escape_byte(struct line_editor *le, uint8_t byte)
{
	if (byte < 0x20 || byte >= 0x7f) {
		le->escape = LINE_EDITOR_ESC_NONE;
		return false;
	}
	switch (le->escape) {
	case LINE_EDITOR_ESC_START:
		if (byte == '[') {
			le->escape = LINE_EDITOR_ESC_CSI;
			le->esc_param_len = 0;
			le->esc_overflow = false;
		} else if (byte == 'O') {
			le->escape = LINE_EDITOR_ESC_SS3;
		} else {
			le->escape = LINE_EDITOR_ESC_NONE; /* ESC x (Alt+x): ignored */
		}
		break;
	case LINE_EDITOR_ESC_CSI:
		if (byte >= 0x40) { /* the final byte */
			le->escape = LINE_EDITOR_ESC_NONE;
			do_key(le, csi_key(le, byte));
		} else if (le->esc_param_len < LINE_EDITOR_ESC_PARAMS) {
			le->esc_params[le->esc_param_len++] = (char)byte;
		} else {
			le->esc_overflow = true;
		}
		break;
	case LINE_EDITOR_ESC_SS3:
		le->escape = LINE_EDITOR_ESC_NONE;
		do_key(le, ss3_key(byte));
		break;
	case LINE_EDITOR_ESC_NONE:
		break;
	}
	return true;
}

void line_editor_init(struct line_editor *le, const char *prompt, const char *const *words,
		      size_t word_count, line_editor_sink sink, void *sink_ctx)
{
	__builtin_memset(le, 0, sizeof(*le));
	le->sink = sink;
	le->sink_ctx = sink_ctx;
	le->prompt_len = __builtin_strlen(prompt);
	if (le->prompt_len > LINE_EDITOR_PROMPT_MAX)
		le->prompt_len = LINE_EDITOR_PROMPT_MAX;
	__builtin_memcpy(le->prompt, prompt, le->prompt_len);
	le->words = words;
	le->word_count = word_count;
}

void line_editor_prompt(struct line_editor *le)
{
	le->scroll = 0;
	if (le->len == 0)
		emit(le, le->prompt, le->prompt_len);
	else
		refresh(le);
}

enum line_editor_event line_editor_feed(struct line_editor *le, uint8_t byte)
{
	bool after_cr = le->after_cr;
	bool tab_pending = le->tab_pending;

	le->after_cr = false;
	le->tab_pending = false;
	if (le->escape != LINE_EDITOR_ESC_NONE && escape_byte(le, byte))
		return LINE_EDITOR_NONE;

	if (byte >= 0x20 && byte < 0x7f) {
		insert_char(le, (char)byte);
		return LINE_EDITOR_NONE;
	}
	switch (byte) {
	case KEY_CR:
		le->after_cr = true;
		return enter(le);
	case KEY_LF:
		if (after_cr)
			return LINE_EDITOR_NONE; /* CR LF: one Enter */
		return enter(le);
	case KEY_ESC:
		le->escape = LINE_EDITOR_ESC_START;
		break;
	case KEY_DEL:
	case KEY_BACKSPACE:
		backspace(le);
		break;
	case KEY_CTRL_A:
		move_to(le, 0);
		break;
	case KEY_CTRL_E:
		move_to(le, le->len);
		break;
	case KEY_CTRL_U:
		kill_to_start(le);
		break;
	case KEY_CTRL_K:
		kill_to_end(le);
		break;
	case KEY_CTRL_C:
		cancel_line(le);
		break;
	case KEY_TAB:
		le->tab_pending = tab_pending;
		complete(le);
		break;
	default:
		break; /* other control bytes and bytes over 0x7e: ignored */
	}
	return LINE_EDITOR_NONE;
}

const char *line_editor_line(const struct line_editor *le)
{
	return le->done;
}

size_t line_editor_history_count(const struct line_editor *le)
{
	return le->history_count;
}

const char *line_editor_history_line(const struct line_editor *le, size_t i)
{
	if (i >= le->history_count)
		return NULL;
	return le->history[(le->history_first + i) % LINE_EDITOR_HISTORY];
}

uint32_t line_editor_history_number(const struct line_editor *le, size_t i)
{
	if (i >= le->history_count)
		return 0;
	return le->history_added - (uint32_t)le->history_count + (uint32_t)i + 1;
}
