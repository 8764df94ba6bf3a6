#include <kernel/format.h>

#include <stdbool.h>
#include <stdint.h>

struct spec {
	bool left;
	bool zero;
	int width;
	int precision; /* -1: none */
	int length;    /* -2 hh, -1 h, 0 int, 1 l, 2 ll, 3 z */
};

struct out {
	format_sink_fn sink;
	void *ctx;
	size_t count;
};

static void emit(struct out *o, const char *s, size_t n)
{
	if (n == 0)
		return;
	o->sink(o->ctx, s, n);
	o->count += n;
}

static void pad(struct out *o, char c, int n)
{
	char block[16];

	for (size_t i = 0; i < sizeof(block); i++)
		block[i] = c;
	while (n > 0) {
		int chunk = n < (int)sizeof(block) ? n : (int)sizeof(block);
		emit(o, block, (size_t)chunk);
		n -= chunk;
	}
}

/* Emits `s` of length `n` padded to the spec's width. */
static void emit_field(struct out *o, const struct spec *sp, const char *s, size_t n)
{
	int fill = sp->width > (int)n ? sp->width - (int)n : 0;

	if (!sp->left)
		pad(o, ' ', fill);
	emit(o, s, n);
	if (sp->left)
		pad(o, ' ', fill);
}

/* A number to print: its magnitude and sign, base, digit case and prefix ("0x" or NULL). */
struct number {
	uint64_t value;
	bool negative;
	unsigned base;
	bool upper;
	const char *prefix;
};

static void emit_number(struct out *o, const struct spec *sp, const struct number *num)
{
	const char *digits = num->upper ? "0123456789ABCDEF" : "0123456789abcdef";
	const char *prefix = num->prefix;
	uint64_t value = num->value;
	bool negative = num->negative;
	unsigned base = num->base;
	char buf[24];
	size_t n = 0;
	size_t prefix_len = 0;
	int fill;

	do {
		buf[sizeof(buf) - 1 - n++] = digits[value % base];
		value /= base;
	} while (value != 0);
	while (prefix && prefix[prefix_len])
		prefix_len++;
	fill = sp->width - (int)(n + prefix_len + (negative ? 1 : 0));
	if (fill < 0)
		fill = 0;
	if (!sp->left && !sp->zero)
		pad(o, ' ', fill);
	if (negative)
		emit(o, "-", 1);
	emit(o, prefix, prefix_len);
	if (!sp->left && sp->zero)
		pad(o, '0', fill);
	emit(o, &buf[sizeof(buf) - n], n);
	if (sp->left)
		pad(o, ' ', fill);
}

static uint64_t take_unsigned(const struct spec *sp, va_list *ap)
{
	switch (sp->length) {
	case -2:
		return (unsigned char)va_arg(*ap, unsigned int);
	case -1:
		return (unsigned short)va_arg(*ap, unsigned int);
	case 0:
		return va_arg(*ap, unsigned int);
	case 1:
		return va_arg(*ap, unsigned long);
	case 2:
		return va_arg(*ap, unsigned long long);
	default:
		return va_arg(*ap, size_t);
	}
}

static int64_t take_signed(const struct spec *sp, va_list *ap)
{
	switch (sp->length) {
	case -2:
		return (signed char)va_arg(*ap, int);
	case -1:
		return (short)va_arg(*ap, int);
	case 0:
		return va_arg(*ap, int);
	case 1:
		return va_arg(*ap, long);
	case 2:
		return va_arg(*ap, long long);
	default:
		return (int64_t)va_arg(*ap, size_t);
	}
}

/* Parses the flags, width, precision and length of one conversion. */
static const char *parse_spec(const char *f, struct spec *sp, va_list *ap)
{
	*sp = (struct spec){.precision = -1};
	for (;; f++) {
		if (*f == '-')
			sp->left = true;
		else if (*f == '0')
			sp->zero = true;
		else
			break;
	}
	if (*f == '*') {
		sp->width = va_arg(*ap, int);
		if (sp->width < 0) {
			sp->left = true;
			sp->width = -sp->width;
		}
		f++;
	} else {
		while (*f >= '0' && *f <= '9')
			sp->width = sp->width * 10 + (*f++ - '0');
	}
	if (*f == '.') {
		f++;
		sp->precision = 0;
		if (*f == '*') {
			sp->precision = va_arg(*ap, int);
			f++;
		} else {
			while (*f >= '0' && *f <= '9')
				sp->precision = sp->precision * 10 + (*f++ - '0');
		}
	}
	if (*f == 'h') {
		sp->length = -1;
		if (*++f == 'h') {
			sp->length = -2;
			f++;
		}
	} else if (*f == 'l') {
		sp->length = 1;
		if (*++f == 'l') {
			sp->length = 2;
			f++;
		}
	} else if (*f == 'z') {
		sp->length = 3;
		f++;
	}
	return f;
}

size_t format_v(format_sink_fn sink, void *ctx, const char *fmt, va_list ap)
{
	struct out o = {.sink = sink, .ctx = ctx};
	va_list args;
	const char *f = fmt;

	va_copy(args, ap);
	while (*f) {
		const char *start = f;
		struct spec sp;

		while (*f && *f != '%')
			f++;
		emit(&o, start, (size_t)(f - start));
		if (!*f)
			break;
		start = f++;
		f = parse_spec(f, &sp, &args);
		switch (*f) {
		case 'd':
		case 'i': {
			int64_t v = take_signed(&sp, &args);
			uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
			emit_number(&o, &sp, &(struct number){mag, v < 0, 10, false, NULL});
			break;
		}
		case 'u':
			emit_number(&o, &sp,
				    &(struct number){take_unsigned(&sp, &args), false, 10, false,
						     NULL});
			break;
		case 'x':
		case 'X':
			emit_number(&o, &sp,
				    &(struct number){take_unsigned(&sp, &args), false, 16,
						     *f == 'X', NULL});
			break;
		case 'p':
			emit_number(&o, &sp,
				    &(struct number){(uintptr_t)va_arg(args, void *), false, 16,
						     false, "0x"});
			break;
		case 'c': {
			char c = (char)va_arg(args, int);
			emit_field(&o, &sp, &c, 1);
			break;
		}
		case 's': {
			const char *s = va_arg(args, const char *);
			size_t n = 0;
			if (!s)
				s = "(null)";
			while (s[n] && (sp.precision < 0 || n < (size_t)sp.precision))
				n++;
			emit_field(&o, &sp, s, n);
			break;
		}
		case '%':
			emit(&o, "%", 1);
			break;
		default:
			/* Unknown or truncated conversion: copy it as written. */
			if (*f)
				f++;
			emit(&o, start, (size_t)(f - start));
			continue;
		}
		f++;
	}
	va_end(args);
	return o.count;
}

struct buffer {
	char *buf;
	size_t size;
	size_t used;
};

static void buffer_sink(void *ctx, const char *s, size_t n)
{
	struct buffer *b = ctx;

	for (size_t i = 0; i < n; i++) {
		if (b->used + 1 < b->size)
			b->buf[b->used] = s[i];
		b->used++;
	}
}

size_t format_buf(char *buf, size_t size, const char *fmt, ...)
{
	struct buffer b = {.buf = buf, .size = size};
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	n = format_v(buffer_sink, &b, fmt, ap);
	va_end(ap);
	if (size > 0)
		buf[b.used < size ? b.used : size - 1] = '\0';
	return n;
}
