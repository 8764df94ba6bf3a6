// A system description run whole on the host (viper/host_system.h): every
// instance wired from the assembled manifest as the target's hosts would,
// every active instance run on a thread of its own. Each must return 0,
// and the system must leave no memory object behind and drop no handle. One source for every
// viper_host_system_test() target (toolchain/system.bzl).
#include <gtest/gtest.h>

extern "C" {
#include <viper/host_system.h>
#include <viper/host_transport.h>
}

namespace
{

TEST(WholeSystemTest, EveryActiveInstanceSucceeds)
{
	char why[256] = "";
	viper_host_system *s = viper_host_system_start(viper_host_manifest,
						       viper_host_manifest_size, why, sizeof(why));
	ASSERT_NE(s, nullptr) << why;
	EXPECT_EQ(viper_host_system_run(s), 0) << "an active instance failed (see its log lines)";
	EXPECT_EQ(viper_host_memory_objects(), 0u) << "a memory object outlived the system's runs";
	EXPECT_EQ(viper_host_dropped_handles(), 0u) << "a handle sent in a message was lost";
	viper_host_system_stop(s);
}

TEST(WholeSystemTest, ABadManifestIsRefused)
{
	const uint8_t garbage[] = {0x12, 0xff, 0xff, 0x0f};
	char why[256] = "";
	EXPECT_EQ(viper_host_system_start(garbage, sizeof(garbage), why, sizeof(why)), nullptr);
	EXPECT_NE(std::string(why).find("bad manifest"), std::string::npos) << why;
}

} // namespace
