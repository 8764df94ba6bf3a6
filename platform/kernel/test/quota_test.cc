// Host tests of quota resolution and memory accounting.
#include <gtest/gtest.h>

#include <cstdint>

extern "C" {
#include <kernel/quota.h>
}

namespace
{

quota_limits Limits(uint64_t memory, uint32_t handles, uint32_t threads)
{
	quota_limits l;
	l.memory = memory;
	l.handles = handles;
	l.threads = threads;
	return l;
}

viper_quota Quota(uint32_t memory_kib, uint32_t handles, uint32_t threads)
{
	viper_quota q = {memory_kib, handles, threads, 0};
	return q;
}

TEST(QuotaTest, DefaultHasNoMemoryOrThreadLimit)
{
	quota_limits d;
	quota_default(&d);
	EXPECT_EQ(d.memory, QUOTA_NO_MEMORY_LIMIT);
	EXPECT_EQ(d.handles, VIPER_HANDLES_MAX);
	EXPECT_EQ(d.threads, VIPER_QUOTA_UNLIMITED);
}

TEST(QuotaTest, NullRequestInheritsTheDefaultCappedAtTheParent)
{
	quota_limits def, out;
	quota_default(&def);
	ASSERT_EQ(quota_resolve(&def, nullptr, &out), VIPER_OK);
	EXPECT_EQ(out.memory, QUOTA_NO_MEMORY_LIMIT);
	EXPECT_EQ(out.handles, VIPER_HANDLES_MAX);
	EXPECT_EQ(out.threads, VIPER_QUOTA_UNLIMITED);

	quota_limits parent = Limits(512 * 1024, 40, 3);
	ASSERT_EQ(quota_resolve(&parent, nullptr, &out), VIPER_OK);
	EXPECT_EQ(out.memory, 512u * 1024);
	EXPECT_EQ(out.handles, 40u);
	EXPECT_EQ(out.threads, 3u);
}

TEST(QuotaTest, ZeroFieldsInheritOneByOne)
{
	quota_limits parent = Limits(1024 * 1024, 64, 8), out;
	viper_quota q = Quota(256, 0, 2);
	ASSERT_EQ(quota_resolve(&parent, &q, &out), VIPER_OK);
	EXPECT_EQ(out.memory, 256u * 1024);
	EXPECT_EQ(out.handles, 64u);
	EXPECT_EQ(out.threads, 2u);
	q = Quota(0, 10, 0);
	ASSERT_EQ(quota_resolve(&parent, &q, &out), VIPER_OK);
	EXPECT_EQ(out.memory, 1024u * 1024);
	EXPECT_EQ(out.handles, 10u);
	EXPECT_EQ(out.threads, 8u);
}

TEST(QuotaTest, EqualToTheParentIsAllowedAboveIsNot)
{
	quota_limits parent = Limits(1024 * 1024, 64, 8), out;
	viper_quota q = Quota(1024, 64, 8);
	EXPECT_EQ(quota_resolve(&parent, &q, &out), VIPER_OK);
	q = Quota(1025, 0, 0);
	EXPECT_EQ(quota_resolve(&parent, &q, &out), VIPER_E_LIMIT);
	q = Quota(0, 65, 0);
	EXPECT_EQ(quota_resolve(&parent, &q, &out), VIPER_E_LIMIT);
	q = Quota(0, 0, 9);
	EXPECT_EQ(quota_resolve(&parent, &q, &out), VIPER_E_LIMIT);
	// "No limit" is above any limit.
	q = Quota(VIPER_QUOTA_UNLIMITED, 0, 0);
	EXPECT_EQ(quota_resolve(&parent, &q, &out), VIPER_E_LIMIT);
	q = Quota(0, 0, VIPER_QUOTA_UNLIMITED);
	EXPECT_EQ(quota_resolve(&parent, &q, &out), VIPER_E_LIMIT);
}

TEST(QuotaTest, UnlimitedParentGivesAnyLimit)
{
	quota_limits def, out;
	quota_default(&def);
	viper_quota q = Quota(VIPER_QUOTA_UNLIMITED, VIPER_HANDLES_MAX, VIPER_QUOTA_UNLIMITED);
	ASSERT_EQ(quota_resolve(&def, &q, &out), VIPER_OK);
	EXPECT_EQ(out.memory, QUOTA_NO_MEMORY_LIMIT);
	q = Quota(VIPER_QUOTA_UNLIMITED - 1, 1, 1);
	ASSERT_EQ(quota_resolve(&def, &q, &out), VIPER_OK);
	EXPECT_EQ(out.memory, (uint64_t)(VIPER_QUOTA_UNLIMITED - 1) * 1024);
	q = Quota(0, VIPER_HANDLES_MAX + 1, 0);
	EXPECT_EQ(quota_resolve(&def, &q, &out), VIPER_E_LIMIT);
}

TEST(QuotaTest, ReservedMustBeZero)
{
	quota_limits def, out;
	quota_default(&def);
	viper_quota q = Quota(0, 0, 0);
	q.reserved = 1;
	EXPECT_EQ(quota_resolve(&def, &q, &out), VIPER_E_INVAL);
}

TEST(QuotaTest, ReportGivesKibAndUnlimited)
{
	quota_limits def;
	viper_quota q;
	quota_default(&def);
	quota_report(&def, &q);
	EXPECT_EQ(q.memory_kib, VIPER_QUOTA_UNLIMITED);
	EXPECT_EQ(q.handles, VIPER_HANDLES_MAX);
	EXPECT_EQ(q.threads, VIPER_QUOTA_UNLIMITED);
	EXPECT_EQ(q.reserved, 0u);
	quota_limits l = Limits(300 * 1024, 20, 2);
	quota_report(&l, &q);
	EXPECT_EQ(q.memory_kib, 300u);
	EXPECT_EQ(q.handles, 20u);
	EXPECT_EQ(q.threads, 2u);
	// A resolved request reports back what was asked.
	viper_quota asked = Quota(768, 33, 5), back;
	quota_limits out;
	ASSERT_EQ(quota_resolve(&def, &asked, &out), VIPER_OK);
	quota_report(&out, &back);
	EXPECT_EQ(back.memory_kib, 768u);
	EXPECT_EQ(back.handles, 33u);
	EXPECT_EQ(back.threads, 5u);
}

TEST(QuotaTest, ChargeUpToTheLimitThenRefuse)
{
	mem_account a = {1, 3 * 4096, 0, 0};
	EXPECT_EQ(mem_charge(&a, 4096), VIPER_OK);
	EXPECT_EQ(mem_charge(&a, 2 * 4096), VIPER_OK);
	EXPECT_EQ(a.used, 3u * 4096);
	EXPECT_EQ(mem_charge(&a, 1), VIPER_E_LIMIT);
	EXPECT_EQ(a.used, 3u * 4096); // a refused charge takes nothing
	EXPECT_EQ(mem_charge(&a, 0), VIPER_OK);
	mem_uncharge(&a, 4096);
	EXPECT_EQ(a.used, 2u * 4096);
	EXPECT_EQ(mem_charge(&a, 8192), VIPER_E_LIMIT);
	EXPECT_EQ(mem_charge(&a, 4096), VIPER_OK);
	mem_uncharge(&a, 3 * 4096);
	EXPECT_EQ(a.used, 0u);
}

TEST(QuotaTest, HugeChargesDoNotOverflow)
{
	mem_account a = {1, QUOTA_NO_MEMORY_LIMIT, 0, 0};
	EXPECT_EQ(mem_charge(&a, UINT64_MAX - 10), VIPER_OK);
	EXPECT_EQ(mem_charge(&a, 11), VIPER_E_LIMIT);
	EXPECT_EQ(mem_charge(&a, 10), VIPER_OK);
	EXPECT_EQ(mem_charge(&a, 1), VIPER_E_LIMIT);
	mem_account b = {1, 100, 50, 0};
	EXPECT_EQ(mem_charge(&b, UINT64_MAX), VIPER_E_LIMIT);
	EXPECT_EQ(b.used, 50u);
}

TEST(QuotaTest, KernelBookkeepingSharesTheLimit)
{
	mem_account a = {1, 4 * 4096, 0, 0};
	EXPECT_EQ(mem_charge_kernel(&a, 4096 + 100), VIPER_OK);
	EXPECT_EQ(a.kernel, 4196u);
	EXPECT_EQ(a.used, 0u);
	// Memory proper gets what the bookkeeping leaves, and the other way round.
	EXPECT_EQ(mem_charge(&a, 3 * 4096), VIPER_E_LIMIT);
	EXPECT_EQ(mem_charge(&a, 2 * 4096), VIPER_OK);
	EXPECT_EQ(mem_charge_kernel(&a, 4096 - 100 + 1), VIPER_E_LIMIT);
	EXPECT_EQ(mem_charge_kernel(&a, 4096 - 100), VIPER_OK);
	EXPECT_EQ(mem_charge(&a, 1), VIPER_E_LIMIT);
	EXPECT_EQ(mem_charge_kernel(&a, 1), VIPER_E_LIMIT);
	mem_uncharge_kernel(&a, 2 * 4096);
	EXPECT_EQ(a.kernel, 0u);
	EXPECT_EQ(mem_charge(&a, 2 * 4096), VIPER_OK);
	mem_uncharge_kernel(&a, 1); // never below zero
	EXPECT_EQ(a.kernel, 0u);
	// Nothing overflows when the two together exceed the limit.
	mem_account b = {1, 100, 90, UINT64_MAX - 50};
	EXPECT_EQ(mem_charge(&b, 1), VIPER_E_LIMIT);
	EXPECT_EQ(mem_charge_kernel(&b, 1), VIPER_E_LIMIT);
}

TEST(QuotaTest, UnchargeNeverGoesBelowZero)
{
	mem_account a = {1, 100, 10, 0};
	mem_uncharge(&a, 20);
	EXPECT_EQ(a.used, 0u);
}

} // namespace
