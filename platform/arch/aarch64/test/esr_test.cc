// Host tests of exception syndrome decoding for fault reports.
#include <gtest/gtest.h>

extern "C" {
#include <arch/trap.h>
}

namespace
{

std::string Describe(uint64_t esr)
{
	char buf[128];
	return esr_describe(esr, buf, sizeof(buf));
}

TEST(Esr, DataAborts)
{
	EXPECT_EQ(Describe(0x96000045),
		  "data abort from the same EL: translation fault, level 1, on write");
	EXPECT_EQ(Describe(0x92000007),
		  "data abort from a lower EL: translation fault, level 3, on read");
	EXPECT_EQ(Describe(0x9600004f),
		  "data abort from the same EL: permission fault, level 3, on write");
	EXPECT_EQ(Describe(0x96000040),
		  "data abort from the same EL: address size fault, level 0, on write");
	EXPECT_EQ(Describe(0x96000061), "data abort from the same EL: alignment fault, on write");
	EXPECT_EQ(Describe(0x96000010),
		  "data abort from the same EL: synchronous external abort, on read");
}

TEST(Esr, InstructionAbortsHaveNoDirection)
{
	EXPECT_EQ(Describe(0x86000006),
		  "instruction abort from the same EL: translation fault, level 2");
	EXPECT_EQ(Describe(0x8200000d),
		  "instruction abort from a lower EL: permission fault, level 1");
}

TEST(Esr, OtherClasses)
{
	EXPECT_EQ(esr_class(0x56000000), 0x15u);
	EXPECT_EQ(Describe(0x56000000), "SVC from AArch64 (ISS 0x0)");
	EXPECT_EQ(Describe(0xf2001234), "BRK instruction (ISS 0x1234)");
	EXPECT_EQ(Describe(0x1fe00000), "FP/SIMD access trapped (ISS 0x1e00000)");
	EXPECT_EQ(Describe(0x02000000), "unknown reason (ISS 0x0)");
	EXPECT_EQ(Describe(0xe8000000), "unrecognised exception class (ISS 0x0)");
}

TEST(Esr, ShortBufferIsTerminated)
{
	char buf[8];
	esr_describe(0x96000045, buf, sizeof(buf));
	EXPECT_STREQ(buf, "data ab");
}

} // namespace
