// The command-line parser: words, double quotes, bounds, and names in any case.
#include <gtest/gtest.h>

#include <string>
#include <vector>

extern "C" {
#include <vinit/command_line.h>
}

namespace
{

struct Split {
	enum command_line_status status;
	std::vector<std::string> args;
};

Split SplitLine(const std::string &text, size_t max = COMMAND_LINE_MAX_ARGS)
{
	std::vector<char> line(text.begin(), text.end());
	line.push_back('\0');
	std::vector<char *> argv(max + 1, nullptr);
	size_t argc = 99;
	Split s;
	s.status = command_line_split(line.data(), argv.data(), max, &argc);
	for (size_t i = 0; i < argc; i++)
		s.args.push_back(argv[i]);
	if (s.status == COMMAND_LINE_OK && argc < max) {
		EXPECT_EQ(argv[argc], nullptr) << "argv ends with NULL";
	}
	if (s.status != COMMAND_LINE_OK) {
		EXPECT_EQ(argc, 0u);
	}
	return s;
}

using Args = std::vector<std::string>;

TEST(CommandLine, WordsSeparatedBySpaces)
{
	EXPECT_EQ(SplitLine("Echo hello world").args, (Args{"Echo", "hello", "world"}));
	EXPECT_EQ(SplitLine("   Echo    a  b   ").args, (Args{"Echo", "a", "b"}));
	EXPECT_EQ(SplitLine("x").args, (Args{"x"}));
}

TEST(CommandLine, BlankLinesHaveNoWords)
{
	Split s = SplitLine("");
	EXPECT_EQ(s.status, COMMAND_LINE_OK);
	EXPECT_TRUE(s.args.empty());
	EXPECT_TRUE(SplitLine("     ").args.empty());
}

TEST(CommandLine, DoubleQuotesGroupWords)
{
	EXPECT_EQ(SplitLine("Echo \"hello   world\" x").args, (Args{"Echo", "hello   world", "x"}));
	EXPECT_EQ(SplitLine("Set a \"\"").args, (Args{"Set", "a", ""}));
	EXPECT_EQ(SplitLine("Echo a\"b c\"d").args, (Args{"Echo", "ab cd"}));
	EXPECT_EQ(SplitLine("\"Echo\"").args, (Args{"Echo"}));
	EXPECT_EQ(SplitLine("Echo \"\"\"\"").args, (Args{"Echo", ""}));
	EXPECT_EQ(SplitLine("Echo \" lead\" \"trail \"").args, (Args{"Echo", " lead", "trail "}));
}

TEST(CommandLine, UnterminatedQuoteIsAnError)
{
	EXPECT_EQ(SplitLine("Echo \"oops").status, COMMAND_LINE_UNTERMINATED);
	EXPECT_EQ(SplitLine("Echo a\"").status, COMMAND_LINE_UNTERMINATED);
	EXPECT_EQ(SplitLine("\"").status, COMMAND_LINE_UNTERMINATED);
}

TEST(CommandLine, TooManyWordsIsAnError)
{
	std::string line;
	for (unsigned i = 0; i < COMMAND_LINE_MAX_ARGS; i++)
		line += "w ";
	Split s = SplitLine(line);
	EXPECT_EQ(s.status, COMMAND_LINE_OK);
	EXPECT_EQ(s.args.size(), COMMAND_LINE_MAX_ARGS);
	EXPECT_EQ(SplitLine(line + "one-more").status, COMMAND_LINE_TOO_MANY);
	EXPECT_EQ(SplitLine("a b c", 2).status, COMMAND_LINE_TOO_MANY);
	EXPECT_EQ(SplitLine("a b", 2).args, (Args{"a", "b"}));
}

TEST(CommandLine, NamesMatchInAnyCase)
{
	EXPECT_TRUE(command_line_equal("EndShell", "endshell"));
	EXPECT_TRUE(command_line_equal("ECHO", "echo"));
	EXPECT_TRUE(command_line_equal("eChO", "EcHo"));
	EXPECT_TRUE(command_line_equal("", ""));
	EXPECT_FALSE(command_line_equal("Echo", "Ech"));
	EXPECT_FALSE(command_line_equal("Ech", "Echo"));
	EXPECT_FALSE(command_line_equal("Echo", "Echo "));
	EXPECT_FALSE(command_line_equal("[", "{")) << "only letters fold";
	EXPECT_FALSE(command_line_equal("@", "`"));
}

} // namespace
