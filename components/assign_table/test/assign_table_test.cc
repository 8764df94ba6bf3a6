// assign_table over the host transport: the system's assigns, names
// matched without regard to case, user assigns made, replaced, listed and
// removed, and what is refused.
#include <gtest/gtest.h>

#include <memory>
#include <string>

extern "C" {
#include <assign_table/assign_table.h>
#include <viper/host_transport.h>
}

namespace
{

class AssignTable : public ::testing::Test
{
      protected:
	void SetUp() override
	{
		assign_table_defaults(table_.get());
		viper_host_bind_remote(
			&slot_, &assigns_interface,
			viper_host_serve(&assigns_interface, &assign_table_server, table_.get()));
	}
	void TearDown() override
	{
		viper_host_reset();
	}
	int32_t Resolve(const char *name, std::string *target)
	{
		viper_assigns_ResolveRequest req = {};
		viper_assigns_ResolveReply rep = {};
		snprintf(req.name, sizeof(req.name), "%s", name);
		int32_t err = assigns_resolve(&slot_, &req, &rep);
		*target = rep.target;
		return err;
	}
	int32_t Set(const char *name, const char *target)
	{
		viper_assigns_SetRequest req = {};
		viper_assigns_SetReply rep;
		snprintf(req.name, sizeof(req.name), "%s", name);
		snprintf(req.target, sizeof(req.target), "%s", target);
		return assigns_set(&slot_, &req, &rep);
	}
	int32_t Remove(const char *name)
	{
		viper_assigns_RemoveRequest req = {};
		viper_assigns_RemoveReply rep;
		snprintf(req.name, sizeof(req.name), "%s", name);
		return assigns_remove(&slot_, &req, &rep);
	}
	std::unique_ptr<assign_table> table_ = std::make_unique<assign_table>();
	viper_slot slot_;
};

TEST_F(AssignTable, TheSystemsAssignsAndCase)
{
	std::string t;
	EXPECT_EQ(Resolve("SYS", &t), VIPER_OK);
	EXPECT_EQ(t, "");
	EXPECT_EQ(Resolve("c", &t), VIPER_OK);
	EXPECT_EQ(t, "C");
	EXPECT_EQ(Resolve("Certs", &t), VIPER_OK);
	EXPECT_EQ(t, "CERTS");
	EXPECT_EQ(Resolve("WORK", &t), VIPER_E_NOTFOUND);
	EXPECT_EQ(Set("sys", "elsewhere"), VIPER_E_RIGHTS);
	EXPECT_EQ(Remove("C"), VIPER_E_RIGHTS);
}

TEST_F(AssignTable, UserAssignsAreMadeReplacedListedAndRemoved)
{
	std::string t;
	ASSERT_EQ(Set("Work", "home/work"), VIPER_OK);
	EXPECT_EQ(Resolve("WORK", &t), VIPER_OK);
	EXPECT_EQ(t, "home/work");
	ASSERT_EQ(Set("work", "other"), VIPER_OK) << "replaced, whatever the case";
	EXPECT_EQ(Resolve("Work", &t), VIPER_OK);
	EXPECT_EQ(t, "other");
	viper_assigns_ListRequest req = {6};
	viper_assigns_ListReply rep = {};
	ASSERT_EQ(assigns_list(&slot_, &req, &rep), VIPER_OK);
	EXPECT_STREQ(rep.name, "Work") << "keeps the case it was made with";
	EXPECT_FALSE(rep.system);
	req.index = 7;
	EXPECT_EQ(assigns_list(&slot_, &req, &rep), VIPER_E_NOTFOUND);
	EXPECT_EQ(Remove("WORK"), VIPER_OK);
	EXPECT_EQ(Resolve("Work", &t), VIPER_E_NOTFOUND);
	EXPECT_EQ(Remove("Work"), VIPER_E_NOTFOUND);
}

TEST_F(AssignTable, RefusesBadNamesAndAFullTable)
{
	EXPECT_EQ(Set("", "x"), VIPER_E_INVAL);
	EXPECT_EQ(Set("a:b", "x"), VIPER_E_INVAL);
	EXPECT_EQ(Set("with space", "x"), VIPER_E_INVAL);
	ASSERT_EQ(Set("abcdefghijklmno", "x"), VIPER_OK) << "15 characters: the most";
	for (unsigned i = 0; i < ASSIGN_MAX - 7; i++)
		ASSERT_EQ(Set(("A" + std::to_string(i)).c_str(), "x"), VIPER_OK);
	EXPECT_EQ(Set("ONEMORE", "x"), VIPER_E_LIMIT);
}

} // namespace
