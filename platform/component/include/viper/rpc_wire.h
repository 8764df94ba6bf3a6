/*
 * Protocol Buffers wire primitives for the encoders and decoders the
 * interface generator writes (see viper/rpc_codec.h, struct viper_codec).
 * Not for component code.
 *
 * Encoders write into a buffer the caller sized for the message's worst
 * case, so they never check room. Decoders read [p, end) and return the
 * position after what they read, or NULL when the input is malformed; they
 * never read past `end`.
 */
#ifndef VIPER_RPC_WIRE_H
#define VIPER_RPC_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum viper_wire_type {
	VIPER_WIRE_VARINT = 0,
	VIPER_WIRE_I64 = 1,
	VIPER_WIRE_LEN = 2,
	VIPER_WIRE_I32 = 5,
};

static inline uint8_t *viper_wire_put_varint(uint8_t *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

static inline uint8_t *viper_wire_put_i32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
	return p + 4;
}

static inline uint8_t *viper_wire_put_i64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
	return p + 8;
}

/*
 * Copies a field's `n` bytes, eight a step, inline: fields are short, and a
 * call of memcpy costs them as much again. Each word's copy is one load and
 * one store where unaligned accesses are allowed (processes, the host and
 * kernel-placed components: COMPONENT_COPTS), bytes elsewhere.
 */
#ifdef __clang__
#define VIPER_WIRE_NO_UNROLL _Pragma("clang loop unroll(disable)")
#else
#define VIPER_WIRE_NO_UNROLL
#endif

static inline void viper_wire_copy(void *dst, const void *src, uint32_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	/* Not unrolled: the set-up of an unrolled loop costs more than these few words. */
	VIPER_WIRE_NO_UNROLL
	for (; n >= 8; n -= 8, d += 8, s += 8) {
		uint64_t w;

		__builtin_memcpy(&w, s, sizeof(w));
		__builtin_memcpy(d, &w, sizeof(w));
	}
	VIPER_WIRE_NO_UNROLL
	while (n--)
		*d++ = *s++;
}

/* A length-delimited field's length and bytes (the tag is the caller's). */
static inline uint8_t *viper_wire_put_bytes(uint8_t *p, const void *bytes, uint32_t len)
{
	p = viper_wire_put_varint(p, len);
	viper_wire_copy(p, bytes, len);
	return p + len;
}

/* The length of string `s` in an array of `cap` bytes; `cap` when it has no NUL. */
static inline uint32_t viper_wire_strlen(const char *s, uint32_t cap)
{
	uint32_t n = 0;

	/*
	 * Eight bytes a step while they lie in the array; the lowest bit the
	 * zero-byte test sets marks the first NUL exactly (little-endian).
	 */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	for (; n + 8 <= cap; n += 8) {
		uint64_t w, zero;

		__builtin_memcpy(&w, s + n, sizeof(w));
		zero = (w - 0x0101010101010101ull) & ~w & 0x8080808080808080ull;
		if (zero)
			return n + (uint32_t)__builtin_ctzll(zero) / 8;
	}
#endif
	while (n < cap && s[n] != '\0')
		n++;
	return n;
}

static inline uint64_t viper_wire_zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static inline int64_t viper_wire_unzigzag(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

/* A varint of at most 10 bytes whose value fits 64 bits. */
static inline const uint8_t *viper_wire_varint(const uint8_t *p, const uint8_t *end,
					       uint64_t *value)
{
	uint64_t v = 0;

	if (p != end && *p < 0x80) { /* one byte: the common case */
		*value = *p;
		return p + 1;
	}
	for (unsigned shift = 0; shift < 64; shift += 7) {
		if (p == end)
			return NULL;
		uint8_t b = *p++;
		if (shift == 63 && b > 1)
			return NULL;
		v |= (uint64_t)(b & 0x7f) << shift;
		if (b < 0x80) {
			*value = v;
			return p;
		}
	}
	return NULL;
}

/* A field's tag: field number 1..2^29-1 and wire type, as one value. Needs p < end. */
static inline const uint8_t *viper_wire_tag(const uint8_t *p, const uint8_t *end, uint32_t *tag)
{
	uint64_t v;

	if (*p < 0x80 && *p >= 0x08) { /* one byte: the common case */
		*tag = *p;
		return p + 1;
	}
	p = viper_wire_varint(p, end, &v);
	if (p == NULL || v > UINT32_MAX || (v >> 3) == 0)
		return NULL;
	*tag = (uint32_t)v;
	return p;
}

static inline const uint8_t *viper_wire_i32(const uint8_t *p, const uint8_t *end, uint32_t *value)
{
	if (end - p < 4)
		return NULL;
	*value = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
	return p + 4;
}

static inline const uint8_t *viper_wire_i64(const uint8_t *p, const uint8_t *end, uint64_t *value)
{
	uint32_t lo, hi;

	p = viper_wire_i32(p, end, &lo);
	if (p != NULL)
		p = viper_wire_i32(p, end, &hi);
	if (p != NULL)
		*value = (uint64_t)hi << 32 | lo;
	return p;
}

/* A length-delimited field of at most `max` bytes into `dst`, its length into *len. */
static inline const uint8_t *viper_wire_bytes(const uint8_t *p, const uint8_t *end, void *dst,
					      uint32_t max, uint32_t *len)
{
	uint64_t n;

	p = viper_wire_varint(p, end, &n);
	if (p == NULL || n > max || n > (uint64_t)(end - p))
		return NULL;
	viper_wire_copy(dst, p, (uint32_t)n);
	*len = (uint32_t)n;
	return p + n;
}

/* Skips the value of a field this decoder does not know. */
static inline const uint8_t *viper_wire_skip(const uint8_t *p, const uint8_t *end, uint32_t tag)
{
	uint64_t n;

	switch (tag & 7) {
	case VIPER_WIRE_VARINT:
		return viper_wire_varint(p, end, &n);
	case VIPER_WIRE_I64:
		return end - p >= 8 ? p + 8 : NULL;
	case VIPER_WIRE_LEN:
		p = viper_wire_varint(p, end, &n);
		return p != NULL && n <= (uint64_t)(end - p) ? p + n : NULL;
	case VIPER_WIRE_I32:
		return end - p >= 4 ? p + 4 : NULL;
	default: /* groups (3, 4) and the unused types 6 and 7 */
		return NULL;
	}
}

#endif
