// The library checks on the host (the same checks run on aarch64 in
// //tests/libraries:library_checks_aarch64).
#include <gtest/gtest.h>

extern "C" {
#include "tests/libraries/library_checks.h"
}

namespace
{

#define EXPECT_CHECK(fn)                                                                           \
	do {                                                                                       \
		const char *failure = fn();                                                        \
		EXPECT_EQ(failure, nullptr) << failure;                                            \
	} while (0)

TEST(Libraries, NanopbRoundTrip)
{
	EXPECT_CHECK(check_nanopb_round_trip);
}

TEST(Libraries, NanopbRejectsBadInput)
{
	EXPECT_CHECK(check_nanopb_rejects_bad_input);
}

TEST(Libraries, BearsslSha256)
{
	EXPECT_CHECK(check_sha256_vectors);
}

TEST(Libraries, BearsslAesGcm)
{
	EXPECT_CHECK(check_aes_gcm_vectors);
}

TEST(Libraries, Lwip)
{
	EXPECT_CHECK(check_lwip);
}

TEST(Libraries, TableListsEveryCheck)
{
	EXPECT_EQ(library_check_count, 5u);
}

} // namespace
