// The user string functions (src/string.c) and the kernel's
// (platform/kernel/src/string.c) against the host's C library: every
// alignment, a difference or an end in every byte of a word, and strings
// that end just before an unmapped page.
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <string>

extern "C" {
void *user_memcpy(void *dst, const void *src, size_t n);
void *user_memset(void *dst, int c, size_t n);
int user_strcmp(const char *a, const char *b);
void *kernel_memcpy(void *dst, const void *src, size_t n);
void *kernel_memset(void *dst, int c, size_t n);
int kernel_strcmp(const char *a, const char *b);
}

namespace
{

struct Impl {
	const char *name;
	void *(*memcpy)(void *, const void *, size_t);
	void *(*memset)(void *, int, size_t);
	int (*strcmp)(const char *, const char *);
};

class StringFunctions : public ::testing::TestWithParam<Impl>
{
};

int sign(int v)
{
	return (v > 0) - (v < 0);
}

TEST_P(StringFunctions, StrcmpMatchesLibcAtEveryAlignmentAndLength)
{
	alignas(16) char a[64];
	alignas(16) char b[64];
	for (size_t oa = 0; oa < 8; oa++) {
		for (size_t ob = 0; ob < 8; ob++) {
			for (size_t len = 0; len < 40; len++) {
				memset(a, 0, sizeof(a));
				memset(b, 0, sizeof(b));
				for (size_t i = 0; i < len; i++)
					a[oa + i] = b[ob + i] = char('a' + i % 26);
				EXPECT_EQ(GetParam().strcmp(a + oa, b + ob), 0)
					<< oa << " " << ob << " " << len;
				for (size_t at = 0; at <= len; at++) {
					b[ob + at] = char(
						0x80 | at); // differs, and sorts above (unsigned)
					EXPECT_EQ(sign(GetParam().strcmp(a + oa, b + ob)),
						  sign(strcmp(a + oa, b + ob)))
						<< oa << " " << ob << " " << len << " " << at;
					EXPECT_LT(GetParam().strcmp(a + oa, b + ob), 0);
					EXPECT_GT(GetParam().strcmp(b + ob, a + oa), 0);
					b[ob + at] = at < len ? a[oa + at] : 0;
				}
			}
		}
	}
}

TEST_P(StringFunctions, StrcmpStopsAtTheFirstNulEvenIfBytesAfterItDiffer)
{
	alignas(16) char a[16] = "abc\0xxxxxxxxxxx";
	alignas(16) char b[16] = "abc\0yyyyyyyyyyy";
	EXPECT_EQ(GetParam().strcmp(a, b), 0);
	EXPECT_GT(GetParam().strcmp("abd", "abc"), 0);
	EXPECT_LT(GetParam().strcmp("ab", "abc"), 0);
	EXPECT_GT(GetParam().strcmp("abc", "ab"), 0);
}

TEST_P(StringFunctions, NeverReadsPastAStringEndingAtAnUnmappedPage)
{
	long page = sysconf(_SC_PAGESIZE);
	ASSERT_EQ(page, 4096);
	auto *map = static_cast<char *>(mmap(nullptr, 4 * page, PROT_READ | PROT_WRITE,
					     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	ASSERT_NE(map, MAP_FAILED);
	// Two readable pages, each followed by an unmapped one.
	ASSERT_EQ(munmap(map + page, page), 0);
	ASSERT_EQ(munmap(map + 3 * page, page), 0);
	char *end_a = map + page;
	char *end_b = map + 3 * page;
	for (size_t len = 0; len < 24; len++) {
		char *a = end_a - len - 1;
		char *b = end_b - len - 1;
		for (size_t i = 0; i < len; i++)
			a[i] = b[i] = char('k' + i % 7);
		a[len] = b[len] = 0;
		EXPECT_EQ(GetParam().strcmp(a, b), 0) << len;
		alignas(16) char copy[32] = {0};
		GetParam().memcpy(copy, a, len + 1); // a source that ends at the unmapped page
		EXPECT_STREQ(copy, a) << len;
		EXPECT_EQ(GetParam().strcmp(a, b + 1 > end_b - 1 ? b : b + 1) == 0, len == 0)
			<< len;
	}
	munmap(map, page);
	munmap(map + 2 * page, page);
}

TEST_P(StringFunctions, MemcpyAndMemsetMatchLibc)
{
	alignas(16) unsigned char src[80];
	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (unsigned char)(i * 7 + 1);
	for (size_t off = 0; off < 8; off++) {
		for (size_t n = 0; n < 64; n++) {
			alignas(16) unsigned char got[80], want[80];
			memset(got, 0xee, sizeof(got));
			memset(want, 0xee, sizeof(want));
			GetParam().memcpy(got + off, src + (n % 5), n);
			memcpy(want + off, src + (n % 5), n);
			EXPECT_EQ(memcmp(got, want, sizeof(got)), 0) << off << " " << n;
			GetParam().memset(got + off, 0x5a, n);
			memset(want + off, 0x5a, n);
			EXPECT_EQ(memcmp(got, want, sizeof(got)), 0) << off << " " << n;
		}
	}
}

INSTANTIATE_TEST_SUITE_P(UserAndKernel, StringFunctions,
			 ::testing::Values(Impl{"user", user_memcpy, user_memset, user_strcmp},
					   Impl{"kernel", kernel_memcpy, kernel_memset,
						kernel_strcmp}),
			 [](const ::testing::TestParamInfo<Impl> &i) { return i.param.name; });

} // namespace
