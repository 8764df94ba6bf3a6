// Host tests of the kernel's printf-style formatter.
#include <gtest/gtest.h>

#include <climits>
#include <cstdint>
#include <string>

extern "C" {
#include <kernel/format.h>
}

namespace
{

template <typename... Args> std::string Fmt(const char *fmt, Args... args)
{
	char buf[256];
	size_t n = format_buf(buf, sizeof(buf), fmt, args...);
	EXPECT_EQ(n, std::string(buf).size());
	return buf;
}

TEST(Format, Integers)
{
	EXPECT_EQ(Fmt("%d %i %u", -42, 7, 4000000000u), "-42 7 4000000000");
	EXPECT_EQ(Fmt("%x %X", 0xbeefu, 0xbeefu), "beef BEEF");
	EXPECT_EQ(Fmt("%lld", (long long)INT64_MIN), "-9223372036854775808");
	EXPECT_EQ(Fmt("%llu", (unsigned long long)UINT64_MAX), "18446744073709551615");
	EXPECT_EQ(Fmt("%zu", (size_t)12345), "12345");
	EXPECT_EQ(Fmt("%hhu %hd", 300, 70000), "44 4464");
	EXPECT_EQ(Fmt("%d", 0), "0");
}

TEST(Format, WidthAndFlags)
{
	EXPECT_EQ(Fmt("[%5d]", 42), "[   42]");
	EXPECT_EQ(Fmt("[%-5d]", 42), "[42   ]");
	EXPECT_EQ(Fmt("[%05d]", -42), "[-0042]");
	EXPECT_EQ(Fmt("[%016llx]", 0xabcull), "[0000000000000abc]");
	EXPECT_EQ(Fmt("[%*d]", 4, 7), "[   7]");
	EXPECT_EQ(Fmt("[%*d]", -4, 7), "[7   ]");
	EXPECT_EQ(Fmt("[%-6s]", "ab"), "[ab    ]");
	EXPECT_EQ(Fmt("[%3c]", 'x'), "[  x]");
}

TEST(Format, StringsAndPointers)
{
	EXPECT_EQ(Fmt("%s", "hello"), "hello");
	EXPECT_EQ(Fmt("%.3s", "hello"), "hel");
	EXPECT_EQ(Fmt("%.*s", 2, "hello"), "he");
	EXPECT_EQ(Fmt("%s", (const char *)nullptr), "(null)");
	EXPECT_EQ(Fmt("%p", (void *)0x1234), "0x1234");
	EXPECT_EQ(Fmt("100%%"), "100%");
}

TEST(Format, UnknownConversionIsCopied)
{
	char buf[32];
	const char *fmt = "a%qb";
	format_buf(buf, sizeof(buf), fmt);
	EXPECT_STREQ(buf, "a%qb");
	const char *tail = "end%";
	format_buf(buf, sizeof(buf), tail);
	EXPECT_STREQ(buf, "end%");
}

TEST(Format, TruncatesAndTerminates)
{
	char buf[6];
	memset(buf, 'x', sizeof(buf));
	EXPECT_EQ(format_buf(buf, sizeof(buf), "%s", "truncated"), 9u);
	EXPECT_STREQ(buf, "trunc");
	EXPECT_EQ(format_buf(buf, 1, "%d", 12345), 5u);
	EXPECT_STREQ(buf, "");
	EXPECT_EQ(format_buf(nullptr, 0, "%d", 12345), 5u);
}

} // namespace
