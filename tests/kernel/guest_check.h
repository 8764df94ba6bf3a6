/*
 * The in-guest harness of the kernel test suites (usertests.c,
 * quotatests.c, lifetimetests.c): CHECK and CHECK_EQ record a failure and
 * go on, run() runs one case and prints "ok" or "FAIL" with its name, and
 * summary() prints the closing "N passed, N failed" line; REQUIRE is for
 * the program's children. Each program is one translation unit that
 * includes this once and defines `startup`.
 */
#ifndef TESTS_KERNEL_GUEST_CHECK_H
#define TESTS_KERNEL_GUEST_CHECK_H

#include <stdbool.h>
#include <string.h>

#include <viper/runtime.h>

#define PAGE	VIPER_PAGE_SIZE
#define SECONDS (1000ll * 1000000)

static int passed, failed;
static const char *current_test;
static bool current_ok;

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			viper_printf("  FAIL %s: line %d: %s\n", current_test, __LINE__, #cond);   \
			current_ok = false;                                                        \
		}                                                                                  \
	} while (0)

#define CHECK_EQ(a, b)                                                                             \
	do {                                                                                       \
		long long a_ = (long long)(a), b_ = (long long)(b);                                \
		if (a_ != b_) {                                                                    \
			viper_printf("  FAIL %s: line %d: %s == %lld, expected %lld\n",            \
				     current_test, __LINE__, #a, a_, b_);                          \
			current_ok = false;                                                        \
		}                                                                                  \
	} while (0)

static void run(const char *name, void (*fn)(void))
{
	current_test = name;
	current_ok = true;
	fn();
	if (current_ok)
		passed++;
	else
		failed++;
	viper_printf("%s %s\n", current_ok ? "ok  " : "FAIL", name);
}

/* In a child: the first failed check ends it with its line as the status. */
#define REQUIRE(cond)                                                                              \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			viper_printf("  child %llu: line %d: %s\n",                                \
				     (unsigned long long)startup->argument, __LINE__, #cond);      \
			return __LINE__;                                                           \
		}                                                                                  \
	} while (0)

/* What `process` holds and may hold (bytes 0xee when the call fails). */
static inline struct viper_usage usage_of(viper_handle_t process)
{
	struct viper_usage u;

	memset(&u, 0xee, sizeof(u));
	if (viper_process_usage(process, &u) < 0)
		memset(&u, 0xee, sizeof(u));
	return u;
}

/* Prints the closing line; returns the number of failed cases. */
static int summary(void)
{
	viper_printf("%d passed, %d failed\n", passed, failed);
	return failed;
}

#endif
