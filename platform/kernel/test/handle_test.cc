// Host tests of capabilities and handle tables.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <functional>
#include <initializer_list>
#include <memory>
#include <random>
#include <set>
#include <vector>

#include "platform/kernel/test/host_kernel.h"

extern "C" {
#include <kernel/handle.h>
#include <kernel/object.h>
}

namespace
{

using host_kernel::state;

constexpr uint32_t kIndexMask = (1u << HANDLE_INDEX_BITS) - 1;

uint32_t IndexOf(viper_handle_t h)
{
	return h & kIndexMask;
}

uint32_t GenOf(viper_handle_t h)
{
	return h >> HANDLE_INDEX_BITS;
}

std::set<const cap *> Cancelled()
{
	return std::set<const cap *>(state().cancelled.begin(), state().cancelled.end());
}

class HandleTest : public ::testing::Test
{
      protected:
	void SetUp() override
	{
		host_kernel::reset();
		t_ = NewTable(VIPER_HANDLES_MAX);
		obj_.kind = VIPER_OBJ_TIMER;
	}

	void TearDown() override
	{
		for (auto &t : tables_)
			handle_table_clear(t.get());
		for (auto &t : tables_)
			EXPECT_EQ(t->used, 0u);
		EXPECT_EQ(obj_.handles, 0u);
		EXPECT_EQ(obj_.refs, 0u);
		EXPECT_TRUE(state().live.empty()) << state().live.size() << " caps leaked";
		EXPECT_EQ(state().bad_frees, 0u);
		EXPECT_EQ(state().handle_underflows, 0u);
	}

	struct handle_table *NewTable(uint32_t limit)
	{
		tables_.push_back(std::make_unique<struct handle_table>());
		handle_table_init(tables_.back().get(), limit);
		return tables_.back().get();
	}

	viper_handle_t Create(uint32_t rights, struct kobject *o = nullptr,
			      struct handle_table *t = nullptr)
	{
		viper_handle_t h = VIPER_HANDLE_INVALID;
		EXPECT_EQ(handle_create(t ? t : t_, o ? o : &obj_, rights, &h), VIPER_OK);
		EXPECT_NE(h, VIPER_HANDLE_INVALID);
		return h;
	}

	viper_handle_t Derive(viper_handle_t parent, uint32_t rights)
	{
		viper_handle_t h = VIPER_HANDLE_INVALID;
		EXPECT_EQ(handle_derive(t_, parent, rights, &h), VIPER_OK);
		EXPECT_NE(h, VIPER_HANDLE_INVALID);
		return h;
	}

	struct cap *Cap(viper_handle_t h, struct handle_table *t = nullptr)
	{
		struct cap *c = nullptr;
		EXPECT_EQ(handle_lookup(t ? t : t_, h, 0, 0, &c), VIPER_OK) << std::hex << h;
		return c;
	}

	err_t Lookup(viper_handle_t h, uint32_t kind = 0, uint32_t rights = 0,
		     struct handle_table *t = nullptr)
	{
		struct cap *c = nullptr;
		err_t err = handle_lookup(t ? t : t_, h, kind, rights, &c);
		EXPECT_EQ(err == VIPER_OK, c != nullptr);
		return err;
	}

	std::vector<std::unique_ptr<struct handle_table>> tables_;
	struct handle_table *t_ = nullptr;
	struct kobject obj_ = {};
};

TEST_F(HandleTest, CreateAndLookup)
{
	viper_handle_t h = Create(VIPER_RIGHT_READ | VIPER_RIGHT_WRITE);
	EXPECT_EQ(obj_.handles, 1u);
	EXPECT_EQ(obj_.refs, 1u);
	EXPECT_EQ(t_->used, 1u);
	EXPECT_EQ(handle_table_free(t_), VIPER_HANDLES_MAX - 1);
	struct cap *c = nullptr;
	ASSERT_EQ(handle_lookup(t_, h, VIPER_OBJ_TIMER, VIPER_RIGHT_READ, &c), VIPER_OK);
	ASSERT_NE(c, nullptr);
	EXPECT_EQ(c->object, &obj_);
	EXPECT_EQ(c->rights, VIPER_RIGHT_READ | VIPER_RIGHT_WRITE);
	EXPECT_EQ(c->depth, 0u);
	EXPECT_EQ(c->parent, nullptr);
	EXPECT_EQ(c->children, nullptr);
	EXPECT_EQ(c->table, t_);
	EXPECT_EQ(c->index, IndexOf(h));
	EXPECT_EQ(h >> 31, 0u);
	EXPECT_LT(IndexOf(h), VIPER_HANDLES_MAX);
	EXPECT_NE(GenOf(h), 0u);
	// Lookups change nothing.
	EXPECT_EQ(Cap(h), c);
	EXPECT_EQ(obj_.handles, 1u);
}

// handle_entry describes occupied slots exactly as a lookup sees them, and
// nothing for empty, vacated or out-of-range slots.
TEST_F(HandleTest, EntryDescribesOccupiedSlotsOnly)
{
	struct kobject other = {};
	other.kind = VIPER_OBJ_MEMORY;
	other.koid = 77;
	obj_.koid = 42;
	viper_handle_t a = Create(VIPER_RIGHT_READ | VIPER_RIGHT_DERIVE);
	viper_handle_t b = Create(VIPER_RIGHT_WRITE, &other);
	viper_handle_t c = Derive(a, VIPER_RIGHT_READ);
	struct viper_handle_entry e;

	memset(&e, 0xab, sizeof(e));
	ASSERT_TRUE(handle_entry(t_, IndexOf(a), &e));
	EXPECT_EQ(e.handle, a);
	EXPECT_EQ(e.kind, static_cast<uint32_t>(VIPER_OBJ_TIMER));
	EXPECT_EQ(e.rights, VIPER_RIGHT_READ | VIPER_RIGHT_DERIVE);
	EXPECT_EQ(e.reserved, 0u);
	EXPECT_EQ(e.koid, 42u);
	ASSERT_TRUE(handle_entry(t_, IndexOf(b), &e));
	EXPECT_EQ(e.handle, b);
	EXPECT_EQ(e.kind, static_cast<uint32_t>(VIPER_OBJ_MEMORY));
	EXPECT_EQ(e.rights, static_cast<uint32_t>(VIPER_RIGHT_WRITE));
	EXPECT_EQ(e.koid, 77u);
	ASSERT_TRUE(handle_entry(t_, IndexOf(c), &e));
	EXPECT_EQ(e.handle, c);
	EXPECT_EQ(e.rights, static_cast<uint32_t>(VIPER_RIGHT_READ));
	EXPECT_EQ(e.koid, 42u);
	// A closed handle's slot is empty; the entry is left as it was.
	ASSERT_EQ(handle_close(t_, b), VIPER_OK);
	memset(&e, 0xab, sizeof(e));
	EXPECT_FALSE(handle_entry(t_, IndexOf(b), &e));
	EXPECT_EQ(e.kind, 0xababababu);
	EXPECT_FALSE(handle_entry(t_, VIPER_HANDLES_MAX, &e));
	EXPECT_FALSE(handle_entry(t_, 0xffffffffu, &e));
	// Slots reused get the new handle value.
	viper_handle_t again = Create(VIPER_RIGHT_READ, &other);
	ASSERT_TRUE(handle_entry(t_, IndexOf(again), &e));
	EXPECT_EQ(e.handle, again);
	EXPECT_NE(e.handle, b);
	ASSERT_EQ(handle_close(t_, again), VIPER_OK);
	EXPECT_EQ(other.handles, 0u);
}

TEST_F(HandleTest, CreateKeepsOnlyKnownRights)
{
	viper_handle_t h = Create(0xffffffffu);
	EXPECT_EQ(Cap(h)->rights, (uint32_t)VIPER_RIGHTS_ALL);
	viper_handle_t none = Create(0);
	EXPECT_EQ(Cap(none)->rights, 0u);
	EXPECT_EQ(Lookup(none, VIPER_OBJ_TIMER, 0), VIPER_OK);
	EXPECT_EQ(Lookup(none, 0, VIPER_RIGHT_READ), VIPER_E_RIGHTS);
}

TEST_F(HandleTest, EachHandleNamesItsOwnSlot)
{
	std::set<viper_handle_t> handles;
	std::set<uint32_t> indices;
	for (int i = 0; i < 10; i++) {
		viper_handle_t h = Create(VIPER_RIGHT_READ);
		handles.insert(h);
		indices.insert(IndexOf(h));
	}
	EXPECT_EQ(handles.size(), 10u);
	EXPECT_EQ(indices.size(), 10u);
	EXPECT_EQ(obj_.handles, 10u);
	std::set<struct cap *> caps;
	for (viper_handle_t h : handles)
		caps.insert(Cap(h));
	EXPECT_EQ(caps.size(), 10u);
}

TEST_F(HandleTest, ForgedHandlesNameNothing)
{
	viper_handle_t h = Create(VIPER_RIGHTS_ALL);
	uint32_t gen = h & ~kIndexMask;
	const viper_handle_t forged[] = {
		VIPER_HANDLE_INVALID,
		gen | VIPER_HANDLES_MAX,		    // index out of range
		gen | 300,				    // index out of range
		gen | kIndexMask,			    // index out of range
		gen | (IndexOf(h) + 1),			    // never used
		gen | (VIPER_HANDLES_MAX - 1),		    // never used
		h | 0x80000000u,			    // bit 31
		h + (1u << HANDLE_INDEX_BITS),		    // wrong generation
		h - (1u << HANDLE_INDEX_BITS),		    // generation 0
		h ^ (HANDLE_GEN_MASK << HANDLE_INDEX_BITS), // wrong generation
		0xffffffffu,
		0x7fffffffu,
	};
	for (viper_handle_t f : forged) {
		SCOPED_TRACE(::testing::Message() << std::hex << f);
		ASSERT_NE(f, h);
		struct cap *c = nullptr;
		viper_handle_t out = 0;
		EXPECT_EQ(handle_lookup(t_, f, 0, 0, &c), VIPER_E_BADHANDLE);
		EXPECT_EQ(c, nullptr);
		EXPECT_EQ(handle_derive(t_, f, VIPER_RIGHT_READ, &out), VIPER_E_BADHANDLE);
		EXPECT_EQ(handle_revoke(t_, f), VIPER_E_BADHANDLE);
		EXPECT_EQ(handle_close(t_, f), VIPER_E_BADHANDLE);
		EXPECT_EQ(handle_detach(t_, f, &c), VIPER_E_BADHANDLE);
	}
	EXPECT_EQ(obj_.handles, 1u);
	EXPECT_EQ(t_->used, 1u);
	EXPECT_EQ(Lookup(h), VIPER_OK);
	EXPECT_TRUE(state().cancelled.empty());
}

TEST_F(HandleTest, HandlesGoStaleWhenClosed)
{
	viper_handle_t h = Create(VIPER_RIGHT_READ);
	struct cap *c = Cap(h);
	ASSERT_EQ(handle_close(t_, h), VIPER_OK);
	EXPECT_EQ(obj_.handles, 0u);
	EXPECT_EQ(t_->used, 0u);
	EXPECT_EQ(state().cancelled, std::vector<const cap *>{c});
	EXPECT_EQ(state().drops, std::vector<const kobject *>{&obj_});
	EXPECT_EQ(Lookup(h), VIPER_E_BADHANDLE);
	EXPECT_EQ(handle_close(t_, h), VIPER_E_BADHANDLE);
	// The slot is reused under a different handle; the old one stays stale.
	viper_handle_t again = Create(VIPER_RIGHT_READ);
	EXPECT_EQ(IndexOf(again), IndexOf(h));
	EXPECT_NE(again, h);
	EXPECT_EQ(Lookup(h), VIPER_E_BADHANDLE);
	EXPECT_EQ(Lookup(again), VIPER_OK);
	// And so on, many times over.
	std::set<viper_handle_t> seen = {h, again};
	viper_handle_t last = again;
	for (int i = 0; i < 2000; i++) {
		ASSERT_EQ(handle_close(t_, last), VIPER_OK);
		viper_handle_t next = Create(VIPER_RIGHT_READ);
		ASSERT_EQ(IndexOf(next), IndexOf(h));
		ASSERT_TRUE(seen.insert(next).second) << "handle value reused: " << next;
		ASSERT_EQ(Lookup(last), VIPER_E_BADHANDLE);
		last = next;
	}
	EXPECT_EQ(obj_.handles, 1u);
}

TEST_F(HandleTest, GenerationWrapsAroundWithoutZero)
{
	t_->gens[0] = HANDLE_GEN_MASK;
	viper_handle_t h = Create(VIPER_RIGHT_READ);
	ASSERT_EQ(IndexOf(h), 0u);
	EXPECT_EQ(GenOf(h), HANDLE_GEN_MASK);
	EXPECT_EQ(h >> 31, 0u);
	EXPECT_EQ(Lookup(h), VIPER_OK);
	ASSERT_EQ(handle_close(t_, h), VIPER_OK);
	viper_handle_t next = Create(VIPER_RIGHT_READ);
	ASSERT_EQ(IndexOf(next), 0u);
	EXPECT_EQ(GenOf(next), 1u);
	EXPECT_NE(next, VIPER_HANDLE_INVALID);
	EXPECT_EQ(Lookup(h), VIPER_E_BADHANDLE);
	EXPECT_EQ(Lookup(next), VIPER_OK);
}

TEST_F(HandleTest, KindMismatch)
{
	viper_handle_t h = Create(VIPER_RIGHT_READ);
	EXPECT_EQ(Lookup(h, VIPER_OBJ_TIMER), VIPER_OK);
	EXPECT_EQ(Lookup(h, 0), VIPER_OK);
	EXPECT_EQ(Lookup(h, VIPER_OBJ_CHANNEL_SEND), VIPER_E_KIND);
	EXPECT_EQ(Lookup(h, VIPER_OBJ_PROCESS), VIPER_E_KIND);
	// The kind is checked before the rights.
	EXPECT_EQ(Lookup(h, VIPER_OBJ_MEMORY, VIPER_RIGHT_WRITE), VIPER_E_KIND);
	struct kobject mem = {};
	mem.kind = VIPER_OBJ_MEMORY;
	viper_handle_t m = Create(VIPER_RIGHT_MAP, &mem);
	EXPECT_EQ(Lookup(m, VIPER_OBJ_MEMORY, VIPER_RIGHT_MAP), VIPER_OK);
	EXPECT_EQ(Lookup(m, VIPER_OBJ_TIMER, VIPER_RIGHT_MAP), VIPER_E_KIND);
	ASSERT_EQ(handle_close(t_, m), VIPER_OK);
	EXPECT_EQ(mem.handles, 0u);
}

TEST_F(HandleTest, MissingRights)
{
	viper_handle_t h = Create(VIPER_RIGHT_READ | VIPER_RIGHT_MAP);
	EXPECT_EQ(Lookup(h, 0, VIPER_RIGHT_READ), VIPER_OK);
	EXPECT_EQ(Lookup(h, 0, VIPER_RIGHT_READ | VIPER_RIGHT_MAP), VIPER_OK);
	EXPECT_EQ(Lookup(h, 0, VIPER_RIGHT_WRITE), VIPER_E_RIGHTS);
	EXPECT_EQ(Lookup(h, 0, VIPER_RIGHT_READ | VIPER_RIGHT_WRITE), VIPER_E_RIGHTS);
	EXPECT_EQ(Lookup(h, VIPER_OBJ_TIMER, VIPER_RIGHT_EXEC), VIPER_E_RIGHTS);
	EXPECT_EQ(Lookup(h, 0, VIPER_RIGHTS_ALL), VIPER_E_RIGHTS);
}

TEST_F(HandleTest, DeriveMakesAChildWithFewerRights)
{
	viper_handle_t root = Create(VIPER_RIGHTS_ALL);
	viper_handle_t child = Derive(root, VIPER_RIGHT_READ | VIPER_RIGHT_DERIVE);
	EXPECT_NE(child, root);
	struct cap *r = Cap(root), *c = Cap(child);
	EXPECT_EQ(c->object, &obj_);
	EXPECT_EQ(c->rights, VIPER_RIGHT_READ | VIPER_RIGHT_DERIVE);
	EXPECT_EQ(c->depth, 1u);
	EXPECT_EQ(c->parent, r);
	EXPECT_EQ(r->children, c);
	EXPECT_EQ(c->table, t_);
	EXPECT_EQ(obj_.handles, 2u);
	EXPECT_EQ(t_->used, 2u);
	// Equal rights are allowed too.
	viper_handle_t same = Derive(child, VIPER_RIGHT_READ | VIPER_RIGHT_DERIVE);
	EXPECT_EQ(Cap(same)->depth, 2u);
	EXPECT_EQ(Cap(same)->parent, c);
	viper_handle_t none = Derive(child, 0);
	EXPECT_EQ(Cap(none)->rights, 0u);
	EXPECT_EQ(obj_.handles, 4u);
}

TEST_F(HandleTest, DeriveCannotAddRights)
{
	viper_handle_t root = Create(VIPER_RIGHT_READ | VIPER_RIGHT_DERIVE);
	viper_handle_t out = VIPER_HANDLE_INVALID;
	for (uint32_t extra : {(uint32_t)VIPER_RIGHT_WRITE, (uint32_t)VIPER_RIGHT_TRANSFER,
			       (uint32_t)VIPER_RIGHTS_ALL, 1u << 9, 1u << 31}) {
		EXPECT_EQ(handle_derive(t_, root, VIPER_RIGHT_READ | extra, &out), VIPER_E_RIGHTS)
			<< extra;
	}
	EXPECT_EQ(out, VIPER_HANDLE_INVALID);
	EXPECT_EQ(obj_.handles, 1u);
	EXPECT_EQ(t_->used, 1u);
	EXPECT_EQ(Cap(root)->children, nullptr);
}

TEST_F(HandleTest, DeriveNeedsTheDeriveRight)
{
	viper_handle_t root = Create(VIPER_RIGHTS_ALL & ~VIPER_RIGHT_DERIVE);
	viper_handle_t out = VIPER_HANDLE_INVALID;
	EXPECT_EQ(handle_derive(t_, root, VIPER_RIGHT_READ, &out), VIPER_E_RIGHTS);
	EXPECT_EQ(handle_derive(t_, root, 0, &out), VIPER_E_RIGHTS);
	// Nor can a child without it derive further.
	viper_handle_t parent = Create(VIPER_RIGHTS_ALL);
	viper_handle_t child = Derive(parent, VIPER_RIGHT_READ);
	EXPECT_EQ(handle_derive(t_, child, VIPER_RIGHT_READ, &out), VIPER_E_RIGHTS);
	EXPECT_EQ(out, VIPER_HANDLE_INVALID);
	EXPECT_EQ(obj_.handles, 3u);
	EXPECT_EQ(t_->used, 3u);
}

TEST_F(HandleTest, DerivationDepthIsLimited)
{
	viper_handle_t root = Create(VIPER_RIGHTS_ALL);
	std::vector<viper_handle_t> chain = {root};
	std::vector<const cap *> caps = {Cap(root)};
	viper_handle_t out = VIPER_HANDLE_INVALID;
	err_t err;
	while ((err = handle_derive(t_, chain.back(), VIPER_RIGHTS_ALL, &out)) == VIPER_OK) {
		chain.push_back(out);
		caps.push_back(Cap(out));
		ASSERT_LE(chain.size(), 100u);
	}
	EXPECT_EQ(err, VIPER_E_LIMIT);
	EXPECT_EQ(chain.size(), (size_t)CAP_MAX_DEPTH);
	EXPECT_EQ(Cap(chain.back())->depth, (uint32_t)CAP_MAX_DEPTH - 1);
	EXPECT_EQ(obj_.handles, (uint32_t)CAP_MAX_DEPTH);
	EXPECT_EQ(t_->used, (uint32_t)CAP_MAX_DEPTH);
	// A shallower cap can still derive.
	viper_handle_t side = Derive(chain[3], VIPER_RIGHT_READ);
	caps.push_back(Cap(side));
	// Closing the root takes the whole tree with it.
	state().cancelled.clear();
	ASSERT_EQ(handle_close(t_, root), VIPER_OK);
	EXPECT_EQ(Cancelled(), std::set<const cap *>(caps.begin(), caps.end()));
	EXPECT_EQ(state().cancelled.size(), caps.size());
	EXPECT_EQ(obj_.handles, 0u);
	EXPECT_EQ(t_->used, 0u);
	for (viper_handle_t h : chain)
		EXPECT_EQ(Lookup(h), VIPER_E_BADHANDLE);
	EXPECT_TRUE(state().live.empty());
}

// root -> {a -> {a1 -> {a11}, a2}, b}
struct Tree {
	viper_handle_t root, a, a1, a11, a2, b;
};

class HandleTreeTest : public HandleTest
{
      protected:
	void SetUp() override
	{
		HandleTest::SetUp();
		const uint32_t all = VIPER_RIGHTS_ALL;
		t.root = Create(all);
		t.a = Derive(t.root, all);
		t.a1 = Derive(t.a, all);
		t.a11 = Derive(t.a1, VIPER_RIGHT_READ);
		t.a2 = Derive(t.a, VIPER_RIGHT_READ);
		t.b = Derive(t.root, VIPER_RIGHT_READ | VIPER_RIGHT_TRANSFER);
		ASSERT_EQ(obj_.handles, 6u);
		state().cancelled.clear();
		state().drops.clear();
	}

	std::set<const cap *> Caps(std::initializer_list<viper_handle_t> handles)
	{
		std::set<const cap *> caps;
		for (viper_handle_t h : handles)
			caps.insert(Cap(h));
		return caps;
	}

	Tree t;
};

TEST_F(HandleTreeTest, RevokeDestroysEveryDescendantButKeepsTheHandle)
{
	std::set<const cap *> doomed = Caps({t.a, t.a1, t.a11, t.a2, t.b});
	struct cap *root = Cap(t.root);
	EXPECT_EQ(handle_revoke(t_, t.root), 5);
	EXPECT_EQ(Cancelled(), doomed);
	EXPECT_EQ(state().cancelled.size(), 5u);
	EXPECT_EQ(state().drops.size(), 5u);
	EXPECT_EQ(obj_.handles, 1u);
	EXPECT_EQ(t_->used, 1u);
	EXPECT_EQ(state().live.size(), 1u);
	for (viper_handle_t h : {t.a, t.a1, t.a11, t.a2, t.b})
		EXPECT_EQ(Lookup(h), VIPER_E_BADHANDLE);
	EXPECT_EQ(Cap(t.root), root);
	EXPECT_EQ(root->children, nullptr);
	// Nothing left to revoke; the handle still derives.
	EXPECT_EQ(handle_revoke(t_, t.root), 0);
	viper_handle_t again = Derive(t.root, VIPER_RIGHT_READ);
	EXPECT_EQ(Cap(again)->parent, root);
}

TEST_F(HandleTreeTest, RevokeInTheMiddleOfTheTree)
{
	std::set<const cap *> doomed = Caps({t.a1, t.a11, t.a2});
	struct cap *a = Cap(t.a);
	EXPECT_EQ(handle_revoke(t_, t.a), 3);
	EXPECT_EQ(Cancelled(), doomed);
	EXPECT_EQ(obj_.handles, 3u);
	EXPECT_EQ(Lookup(t.a), VIPER_OK);
	EXPECT_EQ(Lookup(t.b), VIPER_OK);
	EXPECT_EQ(Lookup(t.root), VIPER_OK);
	EXPECT_EQ(Lookup(t.a1), VIPER_E_BADHANDLE);
	EXPECT_EQ(Lookup(t.a11), VIPER_E_BADHANDLE);
	EXPECT_EQ(Lookup(t.a2), VIPER_E_BADHANDLE);
	EXPECT_EQ(a->children, nullptr);
	EXPECT_EQ(a->parent, Cap(t.root));
	// A leaf has nothing to revoke.
	state().cancelled.clear();
	EXPECT_EQ(handle_revoke(t_, t.b), 0);
	EXPECT_TRUE(state().cancelled.empty());
	EXPECT_EQ(obj_.handles, 3u);
}

TEST_F(HandleTreeTest, CloseDestroysTheCapAndItsDescendants)
{
	std::set<const cap *> doomed = Caps({t.a, t.a1, t.a11, t.a2});
	ASSERT_EQ(handle_close(t_, t.a), VIPER_OK);
	EXPECT_EQ(Cancelled(), doomed);
	EXPECT_EQ(state().cancelled.size(), 4u);
	EXPECT_EQ(obj_.handles, 2u);
	EXPECT_EQ(t_->used, 2u);
	for (viper_handle_t h : {t.a, t.a1, t.a11, t.a2})
		EXPECT_EQ(Lookup(h), VIPER_E_BADHANDLE);
	// The sibling is still linked under the root, alone.
	struct cap *root = Cap(t.root), *b = Cap(t.b);
	EXPECT_EQ(root->children, b);
	EXPECT_EQ(b->next_sibling, nullptr);
	EXPECT_EQ(b->prev_sibling, nullptr);
	EXPECT_EQ(handle_revoke(t_, t.root), 1);
	EXPECT_EQ(obj_.handles, 1u);
}

TEST_F(HandleTreeTest, ClosingALeafUnlinksItFromItsSiblings)
{
	// a's children: a2 then a1 (newest first); close each in turn.
	struct cap *a = Cap(t.a), *a1 = Cap(t.a1);
	ASSERT_EQ(handle_close(t_, t.a2), VIPER_OK);
	EXPECT_EQ(a->children, a1);
	EXPECT_EQ(a1->prev_sibling, nullptr);
	EXPECT_EQ(a1->next_sibling, nullptr);
	ASSERT_EQ(handle_close(t_, t.a11), VIPER_OK);
	EXPECT_EQ(a1->children, nullptr);
	EXPECT_EQ(handle_revoke(t_, t.a), 1);
	EXPECT_EQ(obj_.handles, 3u);
}

TEST_F(HandleTest, TableFull)
{
	struct handle_table *small = NewTable(8);
	EXPECT_EQ(handle_table_free(small), 8u);
	std::vector<viper_handle_t> handles;
	for (int i = 0; i < 8; i++)
		handles.push_back(Create(VIPER_RIGHTS_ALL, nullptr, small));
	EXPECT_EQ(handle_table_free(small), 0u);
	viper_handle_t out = VIPER_HANDLE_INVALID;
	EXPECT_EQ(handle_create(small, &obj_, VIPER_RIGHT_READ, &out), VIPER_E_LIMIT);
	EXPECT_EQ(handle_derive(small, handles[0], VIPER_RIGHT_READ, &out), VIPER_E_LIMIT);
	EXPECT_EQ(out, VIPER_HANDLE_INVALID);
	EXPECT_EQ(obj_.handles, 8u);
	EXPECT_EQ(small->used, 8u);
	EXPECT_EQ(state().live.size(), 8u);
	for (viper_handle_t h : handles)
		EXPECT_LT(IndexOf(h), 8u);
	// Closing one makes room for one.
	ASSERT_EQ(handle_close(small, handles[5]), VIPER_OK);
	EXPECT_EQ(handle_table_free(small), 1u);
	viper_handle_t h = Create(VIPER_RIGHT_READ, nullptr, small);
	EXPECT_EQ(IndexOf(h), IndexOf(handles[5]));
	EXPECT_EQ(handle_create(small, &obj_, VIPER_RIGHT_READ, &out), VIPER_E_LIMIT);
	handle_table_clear(small);
	EXPECT_EQ(obj_.handles, 0u);
	EXPECT_EQ(handle_table_free(small), 8u);
}

TEST_F(HandleTest, TableLimitIsCappedAndEverySlotUsable)
{
	struct handle_table *big = NewTable(100000);
	EXPECT_EQ(big->limit, VIPER_HANDLES_MAX);
	EXPECT_EQ(handle_table_free(big), VIPER_HANDLES_MAX);
	std::set<uint32_t> indices;
	for (uint32_t i = 0; i < VIPER_HANDLES_MAX; i++)
		indices.insert(IndexOf(Create(VIPER_RIGHT_READ, nullptr, big)));
	EXPECT_EQ(indices.size(), VIPER_HANDLES_MAX);
	viper_handle_t out;
	EXPECT_EQ(handle_create(big, &obj_, VIPER_RIGHT_READ, &out), VIPER_E_LIMIT);
	EXPECT_EQ(obj_.handles, VIPER_HANDLES_MAX);
	struct handle_table *none = NewTable(0);
	EXPECT_EQ(handle_create(none, &obj_, VIPER_RIGHT_READ, &out), VIPER_E_LIMIT);
}

TEST_F(HandleTest, OutOfMemory)
{
	viper_handle_t root = Create(VIPER_RIGHTS_ALL);
	state().kmalloc_budget = 0;
	viper_handle_t out = VIPER_HANDLE_INVALID;
	EXPECT_EQ(handle_create(t_, &obj_, VIPER_RIGHT_READ, &out), VIPER_E_NOMEM);
	EXPECT_EQ(handle_derive(t_, root, VIPER_RIGHT_READ, &out), VIPER_E_NOMEM);
	EXPECT_EQ(out, VIPER_HANDLE_INVALID);
	EXPECT_EQ(obj_.handles, 1u);
	EXPECT_EQ(t_->used, 1u);
	EXPECT_EQ(Cap(root)->children, nullptr);
	state().kmalloc_budget = -1;
}

TEST_F(HandleTest, DetachAndAttachMoveTheCap)
{
	viper_handle_t h = Create(VIPER_RIGHT_READ | VIPER_RIGHT_TRANSFER);
	struct cap *original = Cap(h);
	struct cap *c = nullptr;
	ASSERT_EQ(handle_detach(t_, h, &c), VIPER_OK);
	EXPECT_EQ(c, original);
	EXPECT_EQ(c->table, nullptr);
	EXPECT_EQ(c->object, &obj_);
	EXPECT_EQ(t_->used, 0u);
	EXPECT_EQ(obj_.handles, 1u); // in flight, still a handle
	EXPECT_EQ(Lookup(h), VIPER_E_BADHANDLE);
	EXPECT_TRUE(state().cancelled.empty());
	// Into another table.
	struct handle_table *other = NewTable(VIPER_HANDLES_MAX);
	viper_handle_t moved = VIPER_HANDLE_INVALID;
	ASSERT_EQ(handle_attach(other, c, &moved), VIPER_OK);
	EXPECT_EQ(Cap(moved, other), c);
	EXPECT_EQ(c->table, other);
	EXPECT_EQ(c->rights, VIPER_RIGHT_READ | VIPER_RIGHT_TRANSFER);
	EXPECT_EQ(other->used, 1u);
	EXPECT_EQ(obj_.handles, 1u);
	EXPECT_EQ(Lookup(h), VIPER_E_BADHANDLE);
	// And back: the old handle stays stale even though the slot is the same.
	ASSERT_EQ(handle_detach(other, moved, &c), VIPER_OK);
	viper_handle_t back = VIPER_HANDLE_INVALID;
	ASSERT_EQ(handle_attach(t_, c, &back), VIPER_OK);
	EXPECT_EQ(IndexOf(back), IndexOf(h));
	EXPECT_NE(back, h);
	EXPECT_EQ(Lookup(h), VIPER_E_BADHANDLE);
	EXPECT_EQ(Lookup(moved, 0, 0, other), VIPER_E_BADHANDLE);
	EXPECT_EQ(Cap(back), original);
	EXPECT_EQ(obj_.handles, 1u);
	EXPECT_EQ(state().kmallocs, 1u);
}

TEST_F(HandleTest, DetachNeedsTheTransferRight)
{
	viper_handle_t h = Create(VIPER_RIGHTS_ALL & ~VIPER_RIGHT_TRANSFER);
	struct cap *c = nullptr;
	EXPECT_EQ(handle_detach(t_, h, &c), VIPER_E_RIGHTS);
	EXPECT_EQ(c, nullptr);
	EXPECT_EQ(Lookup(h), VIPER_OK);
	EXPECT_EQ(t_->used, 1u);
}

TEST_F(HandleTest, AttachToAFullTableFails)
{
	viper_handle_t h = Create(VIPER_RIGHT_TRANSFER);
	struct cap *c = nullptr;
	ASSERT_EQ(handle_detach(t_, h, &c), VIPER_OK);
	struct handle_table *full = NewTable(1);
	Create(VIPER_RIGHT_READ, nullptr, full);
	viper_handle_t out = VIPER_HANDLE_INVALID;
	EXPECT_EQ(handle_attach(full, c, &out), VIPER_E_LIMIT);
	EXPECT_EQ(out, VIPER_HANDLE_INVALID);
	EXPECT_EQ(c->table, nullptr);
	EXPECT_EQ(full->used, 1u);
	EXPECT_EQ(obj_.handles, 2u);
	// The undelivered cap is destroyed with its message.
	cap_destroy_detached(c);
	EXPECT_EQ(obj_.handles, 1u);
	EXPECT_EQ(state().cancelled, std::vector<const cap *>{c});
	EXPECT_EQ(state().live.size(), 1u);
}

TEST_F(HandleTest, RevokingAnAncestorKillsADetachedCap)
{
	viper_handle_t root = Create(VIPER_RIGHTS_ALL);
	viper_handle_t child =
		Derive(root, VIPER_RIGHT_READ | VIPER_RIGHT_TRANSFER | VIPER_RIGHT_DERIVE);
	viper_handle_t grandchild = Derive(child, VIPER_RIGHT_READ);
	struct cap *g = Cap(grandchild);
	struct cap *c = nullptr;
	ASSERT_EQ(handle_detach(t_, child, &c), VIPER_OK);
	EXPECT_EQ(obj_.handles, 3u);
	EXPECT_EQ(handle_revoke(t_, root), 2);
	// The detached cap is dead but not freed: its message still holds it.
	EXPECT_EQ(c->object, nullptr);
	EXPECT_EQ(c->table, nullptr);
	EXPECT_EQ(c->parent, nullptr);
	EXPECT_EQ(c->children, nullptr);
	EXPECT_EQ(state().live.count(c), 1u);
	EXPECT_EQ(Cancelled(), (std::set<const cap *>{c, g}));
	EXPECT_EQ(obj_.handles, 1u);
	EXPECT_EQ(Lookup(grandchild), VIPER_E_BADHANDLE);
	EXPECT_EQ(Cap(root)->children, nullptr);
	size_t drops = state().drops.size();
	cap_destroy_detached(c);
	EXPECT_EQ(state().live.count(c), 0u);
	EXPECT_EQ(state().drops.size(), drops); // its handle was already dropped
	EXPECT_EQ(obj_.handles, 1u);
	EXPECT_EQ(state().live.size(), 1u);
}

TEST_F(HandleTest, ClosingAnAncestorKillsADetachedCap)
{
	viper_handle_t root = Create(VIPER_RIGHTS_ALL);
	viper_handle_t child = Derive(root, VIPER_RIGHT_TRANSFER);
	struct cap *c = nullptr;
	ASSERT_EQ(handle_detach(t_, child, &c), VIPER_OK);
	ASSERT_EQ(handle_close(t_, root), VIPER_OK);
	EXPECT_EQ(c->object, nullptr);
	EXPECT_EQ(obj_.handles, 0u);
	EXPECT_EQ(state().live.size(), 1u);
	cap_destroy_detached(c);
	EXPECT_TRUE(state().live.empty());
}

TEST_F(HandleTest, DestroyingALiveDetachedCapTakesItsDescendants)
{
	viper_handle_t root = Create(VIPER_RIGHTS_ALL);
	viper_handle_t child = Derive(root, VIPER_RIGHTS_ALL);
	viper_handle_t sibling = Derive(root, VIPER_RIGHT_READ);
	viper_handle_t grandchild = Derive(child, VIPER_RIGHT_READ);
	struct cap *g = Cap(grandchild), *s = Cap(sibling);
	struct cap *c = nullptr;
	ASSERT_EQ(handle_detach(t_, child, &c), VIPER_OK);
	cap_destroy_detached(c);
	EXPECT_EQ(Cancelled(), (std::set<const cap *>{c, g}));
	EXPECT_EQ(obj_.handles, 2u);
	EXPECT_EQ(Lookup(grandchild), VIPER_E_BADHANDLE);
	EXPECT_EQ(Lookup(sibling), VIPER_OK);
	EXPECT_EQ(state().live.size(), 2u);
	// It left the tree: only the sibling is left under the root.
	EXPECT_EQ(Cap(root)->children, s);
	EXPECT_EQ(s->next_sibling, nullptr);
	EXPECT_EQ(s->prev_sibling, nullptr);
	EXPECT_EQ(handle_revoke(t_, root), 1);
}

TEST_F(HandleTest, RevokeReachesIntoOtherTables)
{
	struct handle_table *other = NewTable(VIPER_HANDLES_MAX);
	viper_handle_t root = Create(VIPER_RIGHTS_ALL);
	viper_handle_t child = Derive(root, VIPER_RIGHTS_ALL);
	viper_handle_t grandchild = Derive(child, VIPER_RIGHT_READ);
	struct cap *c = nullptr;
	ASSERT_EQ(handle_detach(t_, child, &c), VIPER_OK);
	viper_handle_t moved = VIPER_HANDLE_INVALID;
	ASSERT_EQ(handle_attach(other, c, &moved), VIPER_OK);
	EXPECT_EQ(t_->used, 2u);
	EXPECT_EQ(other->used, 1u);
	EXPECT_EQ(handle_revoke(t_, root), 2);
	EXPECT_EQ(other->used, 0u);
	EXPECT_EQ(t_->used, 1u);
	EXPECT_EQ(Lookup(moved, 0, 0, other), VIPER_E_BADHANDLE);
	EXPECT_EQ(Lookup(grandchild), VIPER_E_BADHANDLE);
	EXPECT_EQ(obj_.handles, 1u);
	EXPECT_EQ(state().live.size(), 1u);
}

// handle_derive_into: the child lives in another table (a new process's)
// but stays in the parent's tree, with at most the parent's rights.
TEST_F(HandleTest, DeriveIntoAnotherTable)
{
	struct handle_table *other = NewTable(4);
	viper_handle_t root = Create(VIPER_RIGHT_READ | VIPER_RIGHT_DERIVE | VIPER_RIGHT_TRANSFER);
	viper_handle_t given = VIPER_HANDLE_INVALID;

	ASSERT_EQ(handle_derive_into(t_, root, VIPER_RIGHT_READ, other, &given), VIPER_OK);
	EXPECT_EQ(t_->used, 1u);
	EXPECT_EQ(other->used, 1u);
	struct cap *c = Cap(given, other);
	ASSERT_NE(c, nullptr);
	EXPECT_EQ(c->table, other);
	EXPECT_EQ(c->rights, (uint32_t)VIPER_RIGHT_READ);
	EXPECT_EQ(c->parent, Cap(root));
	EXPECT_EQ(c->depth, 1u);
	EXPECT_EQ(obj_.handles, 2u);

	// Never more rights than the parent, never without its derive right, never a
	// forged parent; nothing changes then.
	viper_handle_t out = VIPER_HANDLE_INVALID;
	EXPECT_EQ(handle_derive_into(t_, root, VIPER_RIGHT_WRITE, other, &out), VIPER_E_RIGHTS);
	EXPECT_EQ(handle_derive_into(t_, root, VIPER_RIGHTS_ALL, other, &out), VIPER_E_RIGHTS);
	viper_handle_t weak = VIPER_HANDLE_INVALID;
	ASSERT_EQ(handle_derive(t_, root, VIPER_RIGHT_READ, &weak), VIPER_OK);
	EXPECT_EQ(handle_derive_into(t_, weak, VIPER_RIGHT_READ, other, &out), VIPER_E_RIGHTS);
	EXPECT_EQ(handle_derive_into(t_, 0x5555, VIPER_RIGHT_READ, other, &out), VIPER_E_BADHANDLE);
	EXPECT_EQ(out, VIPER_HANDLE_INVALID);
	EXPECT_EQ(other->used, 1u);
	EXPECT_EQ(t_->used, 2u); // root and weak

	// A full target table is refused.
	for (int i = 0; i < 3; i++)
		ASSERT_EQ(handle_derive_into(t_, root, 0, other, &out), VIPER_OK);
	EXPECT_EQ(handle_derive_into(t_, root, 0, other, &out), VIPER_E_LIMIT);
	EXPECT_EQ(other->used, 4u);

	// Revoking the parent reaches into the other table; so does closing it.
	EXPECT_EQ(handle_revoke(t_, root), 5); // four in `other`, weak in t_
	EXPECT_EQ(other->used, 0u);
	EXPECT_EQ(Lookup(given, 0, 0, other), VIPER_E_BADHANDLE);
	ASSERT_EQ(handle_derive_into(t_, root, VIPER_RIGHT_READ, other, &given), VIPER_OK);
	EXPECT_EQ(handle_close(t_, root), VIPER_OK);
	EXPECT_EQ(other->used, 0u);
	EXPECT_EQ(obj_.handles, 0u);
}

TEST_F(HandleTest, ClearClosesEveryHandle)
{
	struct kobject other = {};
	other.kind = VIPER_OBJ_CHANNEL_SEND;
	std::vector<viper_handle_t> handles;
	viper_handle_t r1 = Create(VIPER_RIGHTS_ALL);
	viper_handle_t r2 = Create(VIPER_RIGHTS_ALL, &other);
	handles = {r1, r2};
	for (int i = 0; i < 5; i++) {
		handles.push_back(Derive(handles[handles.size() - 2], VIPER_RIGHTS_ALL));
		handles.push_back(Derive(r1, VIPER_RIGHT_READ));
	}
	std::set<const cap *> caps;
	for (viper_handle_t h : handles)
		caps.insert(Cap(h));
	EXPECT_EQ(obj_.handles + other.handles, handles.size());
	handle_table_clear(t_);
	EXPECT_EQ(obj_.handles, 0u);
	EXPECT_EQ(obj_.refs, 0u);
	EXPECT_EQ(other.handles, 0u);
	EXPECT_EQ(other.refs, 0u);
	EXPECT_EQ(t_->used, 0u);
	EXPECT_EQ(handle_table_free(t_), VIPER_HANDLES_MAX);
	EXPECT_TRUE(state().live.empty());
	EXPECT_EQ(state().cancelled.size(), handles.size());
	EXPECT_EQ(Cancelled(), caps);
	EXPECT_EQ(state().drops.size(), handles.size());
	for (viper_handle_t h : handles)
		EXPECT_EQ(Lookup(h), VIPER_E_BADHANDLE);
	// The table works afterwards.
	viper_handle_t h = Create(VIPER_RIGHT_READ);
	EXPECT_EQ(Lookup(h), VIPER_OK);
	EXPECT_TRUE(std::find(handles.begin(), handles.end(), h) == handles.end());
}

TEST_F(HandleTest, ClearLeavesDetachedCapsDead)
{
	viper_handle_t root = Create(VIPER_RIGHTS_ALL);
	viper_handle_t child = Derive(root, VIPER_RIGHT_TRANSFER);
	struct cap *c = nullptr;
	ASSERT_EQ(handle_detach(t_, child, &c), VIPER_OK);
	handle_table_clear(t_);
	EXPECT_EQ(c->object, nullptr);
	EXPECT_EQ(obj_.handles, 0u);
	cap_destroy_detached(c);
	EXPECT_TRUE(state().live.empty());
}

// Random operations checked against a model of the derivation tree.
TEST_F(HandleTest, RandomOperationsMatchAModel)
{
	struct Node {
		viper_handle_t h;
		int parent; // index into nodes, -1 for a root
		uint32_t rights;
		uint32_t depth;
		bool alive;
	};
	struct handle_table *t = NewTable(48);
	std::vector<Node> nodes;
	std::vector<viper_handle_t> dead;
	size_t destroyed = 0;
	std::mt19937 rng(2024);
	auto alive = [&] {
		std::vector<int> v;
		for (size_t i = 0; i < nodes.size(); i++) {
			if (nodes[i].alive)
				v.push_back((int)i);
		}
		return v;
	};
	// Kills the descendants of `n` (and `n` when `self`); returns how many.
	std::function<int(int, bool)> kill = [&](int n, bool self) {
		int count = 0;
		for (size_t i = 0; i < nodes.size(); i++) {
			if (nodes[i].alive && nodes[i].parent == n)
				count += kill((int)i, true);
		}
		if (self) {
			nodes[n].alive = false;
			dead.push_back(nodes[n].h);
			count++;
		}
		return count;
	};
	for (int op = 0; op < 6000; op++) {
		std::vector<int> live = alive();
		int kind = live.empty() ? 0 : rng() % 6;
		int n = live.empty() ? -1 : live[rng() % live.size()];
		uint32_t rights = rng() % 2 ? (uint32_t)VIPER_RIGHTS_ALL : rng() & VIPER_RIGHTS_ALL;
		viper_handle_t out = VIPER_HANDLE_INVALID;
		switch (kind) {
		case 0: { // create
			err_t err = handle_create(t, &obj_, rights, &out);
			if (live.size() >= 48) {
				ASSERT_EQ(err, VIPER_E_LIMIT);
				break;
			}
			ASSERT_EQ(err, VIPER_OK);
			nodes.push_back({out, -1, rights, 0, true});
			break;
		}
		case 1:
		case 2: { // derive: usually a subset of the parent's rights
			const Node &p = nodes[n];
			uint32_t want = rng() % 8 ? rights & p.rights : rights;
			err_t expect = VIPER_OK;
			if (!(p.rights & VIPER_RIGHT_DERIVE) || (want & ~p.rights))
				expect = VIPER_E_RIGHTS;
			else if (p.depth + 1 >= CAP_MAX_DEPTH || live.size() >= 48)
				expect = VIPER_E_LIMIT;
			ASSERT_EQ(handle_derive(t, p.h, want, &out), expect) << "op " << op;
			if (expect == VIPER_OK)
				nodes.push_back({out, n, want, p.depth + 1, true});
			break;
		}
		case 3: { // close
			ASSERT_EQ(handle_close(t, nodes[n].h), VIPER_OK);
			destroyed += kill(n, true);
			break;
		}
		case 4: { // revoke
			int expect = kill(n, false);
			ASSERT_EQ(handle_revoke(t, nodes[n].h), expect) << "op " << op;
			destroyed += expect;
			break;
		}
		case 5: { // move within the table
			struct cap *c = nullptr;
			err_t err = handle_detach(t, nodes[n].h, &c);
			if (!(nodes[n].rights & VIPER_RIGHT_TRANSFER)) {
				ASSERT_EQ(err, VIPER_E_RIGHTS);
				break;
			}
			ASSERT_EQ(err, VIPER_OK);
			ASSERT_EQ(handle_attach(t, c, &out), VIPER_OK);
			dead.push_back(nodes[n].h);
			nodes[n].h = out;
			break;
		}
		}
		// Check the whole state against the model.
		live = alive();
		ASSERT_EQ(t->used, live.size()) << "op " << op;
		ASSERT_EQ(obj_.handles, live.size()) << "op " << op;
		ASSERT_EQ(state().cancelled.size(), destroyed) << "op " << op;
		ASSERT_EQ(state().live.size(), live.size()) << "op " << op;
		for (int i : live) {
			struct cap *c = nullptr;
			ASSERT_EQ(
				handle_lookup(t, nodes[i].h, VIPER_OBJ_TIMER, nodes[i].rights, &c),
				VIPER_OK)
				<< "op " << op;
			ASSERT_EQ(c->rights, nodes[i].rights);
			ASSERT_EQ(c->depth, nodes[i].depth);
			struct cap *parent = nullptr;
			if (nodes[i].parent >= 0) {
				ASSERT_EQ(handle_lookup(t, nodes[nodes[i].parent].h, 0, 0, &parent),
					  VIPER_OK);
			}
			ASSERT_EQ(c->parent, parent) << "op " << op;
		}
		for (size_t k = 0; k < 4 && !dead.empty(); k++) {
			struct cap *c = nullptr;
			ASSERT_EQ(handle_lookup(t, dead[rng() % dead.size()], 0, 0, &c),
				  VIPER_E_BADHANDLE)
				<< "op " << op;
		}
	}
	handle_table_clear(t);
	EXPECT_EQ(obj_.handles, 0u);
	EXPECT_TRUE(state().live.empty());
}

} // namespace

namespace
{

TEST_F(HandleTest, GiveHandsTheCreationReferenceToTheHandle)
{
	viper_handle_t h = VIPER_HANDLE_INVALID;

	obj_.refs = 1; /* the creator's reference */
	ASSERT_EQ(handle_give(t_, &obj_, VIPER_RIGHT_READ, &h), VIPER_OK);
	EXPECT_EQ(obj_.refs, 1u); /* now the handle's */
	EXPECT_EQ(obj_.handles, 1u);
	ASSERT_EQ(handle_close(t_, h), VIPER_OK);

	/* On failure the creator's reference is dropped all the same. */
	struct handle_table *full = NewTable(0);
	obj_.refs = 1;
	EXPECT_EQ(handle_give(full, &obj_, VIPER_RIGHT_READ, &h), VIPER_E_LIMIT);
	EXPECT_EQ(obj_.refs, 0u);
	EXPECT_EQ(obj_.handles, 0u);
}

} // namespace
