// Paths on the volume, as text: parts, "." and "..", the root, limits, assigns.
#include <gtest/gtest.h>

#include <string>

extern "C" {
#include <viper/abi.h>
#include <viper/volume_path.h>
}

namespace
{

std::string Append(std::string base, const char *path, int32_t *err = nullptr)
{
	char out[VOLUME_PATH_MAX + 1];
	size_t len = base.size();
	base.copy(out, len);
	out[len] = 0;
	int32_t e = volume_path_append(out, &len, path);
	if (err)
		*err = e;
	else
		EXPECT_EQ(e, VIPER_OK) << path;
	return e == VIPER_OK ? std::string(out, len) : "";
}

TEST(VolumePath, PartsDotsAndSlashes)
{
	EXPECT_EQ(Append("", "a/b//c/"), "a/b/c");
	EXPECT_EQ(Append("work", "./x/../y"), "work/y");
	EXPECT_EQ(Append("a/b", "../.."), "");
	EXPECT_EQ(Append("", ""), "");
	EXPECT_EQ(Append("a", "..."), "a/...") << "three dots are a name";
	int32_t err;
	Append("a", "../..", &err);
	EXPECT_EQ(err, VIPER_E_INVAL) << "above the root";
}

TEST(VolumePath, Limits)
{
	int32_t err;
	Append("", std::string(107, 'n').c_str(), &err);
	EXPECT_EQ(err, VIPER_OK);
	Append("", std::string(108, 'n').c_str(), &err);
	EXPECT_EQ(err, VIPER_E_NAMETOOLONG);
	std::string long_path;
	for (int i = 0; i < 40; i++)
		long_path += "abcd/";
	Append("", long_path.c_str(), &err);
	EXPECT_EQ(err, VIPER_OK) << "200 bytes";
	Append("", (long_path + "x").c_str(), &err);
	EXPECT_EQ(err, VIPER_E_NAMETOOLONG);
}

TEST(VolumePath, Assigns)
{
	char name[VOLUME_ASSIGN_MAX + 1];
	const char *rest;
	EXPECT_EQ(volume_path_assign("C:hello", name, &rest), 1);
	EXPECT_STREQ(name, "C");
	EXPECT_STREQ(rest, "hello");
	EXPECT_EQ(volume_path_assign("dir/a:b", name, &rest), 0) << "a colon after a slash";
	EXPECT_STREQ(rest, "dir/a:b");
	EXPECT_EQ(volume_path_assign(":x", name, &rest), VIPER_E_NOTFOUND);
	EXPECT_EQ(volume_path_assign("ABCDEFGHIJKLMNOP:x", name, &rest), VIPER_E_NOTFOUND);
	size_t parent;
	EXPECT_STREQ(volume_path_last("a/b/c", &parent), "c");
	EXPECT_EQ(parent, 3u);
	EXPECT_STREQ(volume_path_last("c", &parent), "c");
	EXPECT_EQ(parent, 0u);
}

} // namespace
