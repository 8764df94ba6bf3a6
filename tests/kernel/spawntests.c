/*
 * In-QEMU tests of programs started at run time: the root process of
 * //tests/kernel:spawn_tests. It embeds the ELF file of
 * //tests/kernel:spawnee, which is in no boot image, and starts it from a
 * memory object (process_spawn_image, and the launcher viper_spawn_image
 * with the program's declared slots). It checks the program runs with the
 * permissions its segments ask for, that every kind of bad ELF file is
 * refused with its documented error and leaves no memory behind, that
 * nothing starts without the spawn capability, that the handles a parent
 * gives are derived from ones it holds with at most its rights, and that
 * the launcher names the slot a caller did not give. The same program
 * plays helper roles when spawned with a non-zero argument. Prints
 * "N passed, N failed".
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <viper/program_slots.h>
#include <viper/runtime.h>
#include <viper/spawn_image.h>

#include "guest_check.h"
#include "spawnee.h"

/* The ELF file of //tests/kernel:spawnee (embedded_program in toolchain/system.bzl). */
extern const uint8_t spawnee_elf[];
extern const uint64_t spawnee_elf_size;

enum role {
	ROLE_SUITE = 0,
	ROLE_NO_SPAWN = 1,  /* given the file but no spawn capability: starts nothing */
	ROLE_LAUNCHER = 2,  /* given the file, a spawn capability and a send end: starts spawnee */
	ROLE_SPIN_IDLE = 3, /* exits 0 (a boot-image program started through a derived handle) */
};

static const struct viper_startup *startup;
static viper_handle_t spawner; /* our spawn capability */
static viper_handle_t file;    /* a memory object holding spawnee's ELF file */

/* ELF64 headers, to break copies of the file. */
struct ehdr {
	uint8_t ident[16];
	uint16_t type, machine;
	uint32_t version;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

#define PT_LOAD	   1
#define PT_NOTE	   4
#define PF_X	   1
#define PF_W	   2
#define MAX_FILE   (128 * 1024)
#define ELF_RANGES 16 /* loadable segments, the stack and the startup page */

static uint8_t scratch[MAX_FILE]; /* a copy of the file being broken */

/* A new memory object holding `size` bytes from `bytes` (and room for `extra` more). */
static viper_handle_t object_with(const void *bytes, uint64_t size, uint64_t extra)
{
	uint64_t span = (size + extra + PAGE - 1) & ~(uint64_t)(PAGE - 1);
	int64_t m = viper_memory_create(span ? span : PAGE, 0), va;

	if (m < 0)
		return VIPER_HANDLE_INVALID;
	va = viper_memory_map((viper_handle_t)m, 0, span, VIPER_PROT_READ | VIPER_PROT_WRITE, 0);
	if (va < 0) {
		viper_handle_close((viper_handle_t)m);
		return VIPER_HANDLE_INVALID;
	}
	memcpy((void *)(uintptr_t)va, bytes, size);
	viper_memory_unmap((uint64_t)va, span);
	return (viper_handle_t)m;
}

/* process_spawn_image of spawnee in `image` through `spawn`. */
static int64_t spawn_file_with(viper_handle_t spawn, viper_handle_t image, uint64_t size,
			       const struct viper_spawn_grant *grants, uint32_t count,
			       uint64_t argument)
{
	struct viper_image_spawn a = {
		.image = image,
		.priority = VIPER_PRIORITY_DEFAULT,
		.image_size = size,
		.name = "spawnee",
		.name_len = 7,
		.grant_count = count,
		.grants = grants,
		.argument = argument,
	};
	return viper_process_spawn_image(spawn, &a);
}

static int64_t spawn_file(const struct viper_spawn_grant *grants, uint32_t count, uint64_t argument)
{
	return spawn_file_with(spawner, file, spawnee_elf_size, grants, count, argument);
}

static int64_t wait_status(int64_t p)
{
	int64_t status = -12345, r;

	if (p < 0)
		return p;
	r = viper_process_wait((viper_handle_t)p, &status, 20 * SECONDS);
	viper_handle_close((viper_handle_t)p);
	return r < 0 ? r : status;
}

/* Receives one message of text on `r` into buf (NUL-terminated); its length or an error. */
static int64_t receive_text(viper_handle_t r, char *buf, uint64_t size)
{
	struct viper_msg_info info;
	int64_t n = viper_channel_recv(r, buf, size - 1, NULL, &info, 0);

	buf[n > 0 ? n : 0] = '\0';
	return n;
}

static viper_handle_t system_handle(void)
{
	for (uint32_t i = 0; i < startup->handle_count; i++) {
		if (startup->handles[i].kind == VIPER_OBJ_SYSTEM)
			return startup->handles[i].handle;
	}
	return VIPER_HANDLE_INVALID;
}

/* What we hold and what the system has free: a refused spawn must change neither. */
struct footprint {
	uint64_t memory, kernel, free;
	uint32_t handles;
};

static struct footprint footprint(void)
{
	struct viper_usage u = usage_of(startup->self_process);
	struct viper_system_info info = {0};

	viper_system_info(system_handle(), &info);
	return (struct footprint){u.memory_bytes, u.kernel_bytes, info.memory_free_bytes,
				  u.handles};
}

#define CHECK_SAME_FOOTPRINT(before)                                                               \
	do {                                                                                       \
		struct footprint after_ = footprint();                                             \
		CHECK_EQ(after_.memory, (before).memory);                                          \
		CHECK_EQ(after_.kernel, (before).kernel);                                          \
		CHECK_EQ(after_.handles, (before).handles);                                        \
		CHECK_EQ(after_.free, (before).free);                                              \
	} while (0)

/* --- starting a program that is not in the boot image --- */

static void test_not_in_the_boot_image(void)
{
	CHECK(spawnee_elf_size > 4096 && spawnee_elf_size <= MAX_FILE);
	CHECK(memcmp(spawnee_elf, "\177ELF", 4) == 0);
	CHECK_EQ(viper_spawn(spawner, "spawnee", 0, NULL, 0), VIPER_E_NOTFOUND);
}

static void test_runs_from_a_memory_object(void)
{
	viper_handle_t s, r;
	struct viper_handle_info info;
	struct viper_process_entry procs[8];
	char text[64];
	int64_t p, n;
	bool listed = false;

	CHECK_EQ(viper_channel_create(&s, &r, 0), 0);
	struct viper_spawn_grant g = {s, VIPER_RIGHT_WRITE};
	p = spawn_file(&g, 1, 7);
	CHECK(p > 0);
	/* It is listed under the name it was given, as our child. */
	n = viper_system_processes(system_handle(), procs, 8);
	for (int64_t i = 0; i < n && i < 8; i++) {
		if (strcmp(procs[i].name, "spawnee") == 0) {
			listed = true;
			CHECK_EQ(procs[i].parent_koid, procs[1].koid);
		}
	}
	CHECK(listed);
	CHECK_EQ(receive_text(r, text, sizeof(text)), 13);
	CHECK(strcmp(text, "spawnee 7 ran") == 0);
	CHECK_EQ(wait_status(p), SPAWNEE_RAN_STATUS(7));
	/* We keep our own handle, rights and all. */
	CHECK_EQ(viper_handle_query(s, &info), 0);
	CHECK_EQ(info.rights, VIPER_RIGHT_WRITE | VIPER_RIGHT_TRANSFER | VIPER_RIGHT_DERIVE);
	/* Its checks of itself: data, bss, rodata, no spawn capability, its slot. */
	p = spawn_file(&g, 1, SPAWNEE_CHECKS);
	CHECK(p > 0);
	CHECK_EQ(receive_text(r, text, sizeof(text)), 7);
	CHECK(strcmp(text, "checked") == 0);
	CHECK_EQ(wait_status(p), 0);
	viper_handle_close(s);
	viper_handle_close(r);
}

static void test_segment_permissions(void)
{
	CHECK_EQ(wait_status(spawn_file(NULL, 0, SPAWNEE_WRITE_RODATA)), VIPER_EXIT_FAULT);
	CHECK_EQ(wait_status(spawn_file(NULL, 0, SPAWNEE_EXEC_DATA)), VIPER_EXIT_FAULT);
	CHECK_EQ(wait_status(spawn_file(NULL, 0, SPAWNEE_WRITE_TEXT)), VIPER_EXIT_FAULT);
}

/* The child has a copy: the file may change (or go) as soon as the call returned. */
static void test_child_owns_its_copy(void)
{
	viper_handle_t s, r, mine = object_with(spawnee_elf, spawnee_elf_size, 0);
	uint64_t span = (spawnee_elf_size + PAGE - 1) & ~(uint64_t)(PAGE - 1);
	char text[64];
	int64_t p, va;

	CHECK(mine != VIPER_HANDLE_INVALID);
	CHECK_EQ(viper_channel_create(&s, &r, 0), 0);
	struct viper_spawn_grant g = {s, VIPER_RIGHT_WRITE};
	p = spawn_file_with(spawner, mine, spawnee_elf_size, &g, 1, SPAWNEE_CHECKS);
	CHECK(p > 0);
	va = viper_memory_map(mine, 0, span, VIPER_PROT_READ | VIPER_PROT_WRITE, 0);
	CHECK(va > 0);
	if (va > 0) {
		memset((void *)(uintptr_t)va, 0, span);
		viper_memory_unmap((uint64_t)va, span);
	}
	viper_handle_close(mine);
	CHECK_EQ(receive_text(r, text, sizeof(text)), 7);
	CHECK_EQ(wait_status(p), 0);
	viper_handle_close(s);
	viper_handle_close(r);
}

/* A child's memory is its own: what it took is given back when it exits. */
static void test_nothing_left_behind(void)
{
	struct footprint before;

	/* Once to warm the kernel's caches, then measured. */
	CHECK_EQ(wait_status(spawn_file(NULL, 0, 3)), SPAWNEE_RAN_STATUS(3));
	before = footprint();
	CHECK_EQ(wait_status(spawn_file(NULL, 0, 3)), SPAWNEE_RAN_STATUS(3));
	CHECK_SAME_FOOTPRINT(before);
}

/* --- bad ELF files --- */

static struct ehdr *eh(void)
{
	return (struct ehdr *)(void *)scratch;
}

static struct phdr *ph(unsigned i)
{
	return (struct phdr *)(void *)(scratch + eh()->phoff) + i;
}

/* The index of the n-th PT_LOAD header of the scratch copy (0: the code). */
static unsigned load(unsigned n)
{
	for (unsigned i = 0; i < eh()->phnum; i++) {
		if (ph(i)->type == PT_LOAD && n-- == 0)
			return i;
	}
	return 0;
}

/* The index of the last PT_LOAD header (the bss). */
static unsigned last_load(void)
{
	unsigned last = 0;

	for (unsigned i = 0; i < eh()->phnum; i++) {
		if (ph(i)->type == PT_LOAD)
			last = i;
	}
	return last;
}

/* Where the loadable segments' file bytes end. */
static uint64_t end_of_loads(void)
{
	uint64_t end = 0;

	for (unsigned i = 0; i < eh()->phnum; i++) {
		if (ph(i)->type == PT_LOAD && ph(i)->offset + ph(i)->filesz > end)
			end = ph(i)->offset + ph(i)->filesz;
	}
	return end;
}

/* Moves load header `i` to `vaddr`'s page, keeping it aligned as its file offset. */
static void move_load(unsigned i, uint64_t page)
{
	ph(i)->vaddr = page + (ph(i)->offset & (PAGE - 1));
}

struct bad_elf {
	const char *what;
	int64_t error;
	uint64_t (*breaks)(void); /* breaks the scratch copy; returns the size to pass */
	uint32_t quota_kib;	  /* the child's memory limit; 0: the default */
};

static uint64_t whole(void)
{
	return spawnee_elf_size;
}
static uint64_t empty(void)
{
	return 0;
}
static uint64_t cut_in_header(void)
{
	return 63;
}
static uint64_t cut_in_program_headers(void)
{
	return eh()->phoff + sizeof(struct phdr) + 10;
}
static uint64_t cut_in_segments(void)
{
	return end_of_loads() - 1;
}
static uint64_t past_the_object(void)
{
	return (spawnee_elf_size + PAGE - 1) / PAGE * PAGE + 1;
}
static uint64_t x86_64(void)
{
	eh()->machine = 62;
	return whole();
}
static uint64_t shared_object(void)
{
	eh()->type = 3;
	return whole();
}
static uint64_t class_32(void)
{
	eh()->ident[4] = 1;
	return whole();
}
static uint64_t big_endian(void)
{
	eh()->ident[5] = 2;
	return whole();
}
static uint64_t overlapping(void)
{
	move_load(load(1), ph(load(0))->vaddr & ~(uint64_t)(PAGE - 1));
	return whole();
}
static uint64_t in_the_stack_area(void)
{
	move_load(load(1), 0x00007fff00000000ull - 2 * PAGE);
	return whole();
}
static uint64_t above_the_image_area(void)
{
	move_load(load(1), 0x0000100000000000ull); /* where memory_map places mappings */
	return whole();
}
static uint64_t in_the_first_page(void)
{
	move_load(load(1), 0);
	return whole();
}
static uint64_t kernel_address(void)
{
	move_load(load(1), 0xffff000040200000ull);
	return whole();
}
static uint64_t over_64_mib(void)
{
	ph(last_load())->memsz = (64ull << 20) + PAGE;
	return whole();
}
static uint64_t over_the_quota(void)
{
	ph(last_load())->memsz = 8ull << 20;
	return whole();
}
static uint64_t writable_code(void)
{
	ph(load(0))->flags |= PF_W | PF_X;
	return whole();
}
static uint64_t executable_data(void)
{
	ph(last_load())->flags |= PF_W | PF_X;
	return whole();
}
static uint64_t misaligned_segment(void)
{
	ph(load(1))->offset += 8;
	return whole();
}
static uint64_t misaligned_entry(void)
{
	eh()->entry += 2;
	return whole();
}
static uint64_t entry_in_data(void)
{
	eh()->entry = ph(last_load())->vaddr;
	return whole();
}
static uint64_t too_many_headers(void)
{
	eh()->phnum = 65;
	return whole();
}
static uint64_t nothing_to_load(void)
{
	for (unsigned i = 0; i < eh()->phnum; i++) {
		if (ph(i)->type == PT_LOAD)
			ph(i)->type = PT_NOTE + 0x100; /* an unknown kind: not loaded */
	}
	return whole();
}

static const struct bad_elf bad_elfs[] = {
	{"empty", VIPER_E_INVAL, empty, 0},
	{"cut in the file header", VIPER_E_CORRUPT, cut_in_header, 0},
	{"cut in the program headers", VIPER_E_CORRUPT, cut_in_program_headers, 0},
	{"cut in the segments", VIPER_E_CORRUPT, cut_in_segments, 0},
	{"longer than its memory object", VIPER_E_RANGE, past_the_object, 0},
	{"for x86-64", VIPER_E_UNSUPPORTED, x86_64, 0},
	{"a shared object", VIPER_E_UNSUPPORTED, shared_object, 0},
	{"32-bit", VIPER_E_CORRUPT, class_32, 0},
	{"big-endian", VIPER_E_CORRUPT, big_endian, 0},
	{"overlapping segments", VIPER_E_CORRUPT, overlapping, 0},
	{"a segment in the stack area", VIPER_E_CORRUPT, in_the_stack_area, 0},
	{"a segment where mappings go", VIPER_E_CORRUPT, above_the_image_area, 0},
	{"a segment in the first page", VIPER_E_CORRUPT, in_the_first_page, 0},
	{"a segment at a kernel address", VIPER_E_CORRUPT, kernel_address, 0},
	{"a segment over 64 MiB", VIPER_E_INVAL, over_64_mib, 0},
	{"segments over the child's quota", VIPER_E_LIMIT, over_the_quota, 1024},
	{"writable and executable code", VIPER_E_CORRUPT, writable_code, 0},
	{"writable and executable data", VIPER_E_CORRUPT, executable_data, 0},
	{"a misaligned segment", VIPER_E_CORRUPT, misaligned_segment, 0},
	{"a misaligned entry point", VIPER_E_CORRUPT, misaligned_entry, 0},
	{"the entry point in data", VIPER_E_CORRUPT, entry_in_data, 0},
	{"65 program headers", VIPER_E_CORRUPT, too_many_headers, 0},
	{"nothing to load", VIPER_E_CORRUPT, nothing_to_load, 0},
};

static void test_bad_elf_files(void)
{
	/* Warm the kernel's caches with one refusal, so the measures below are exact. */
	CHECK_EQ(spawn_file_with(spawner, file, 63, NULL, 0, 0), VIPER_E_CORRUPT);
	for (unsigned i = 0; i < sizeof(bad_elfs) / sizeof(bad_elfs[0]); i++) {
		const struct bad_elf *b = &bad_elfs[i];
		struct viper_quota q = {b->quota_kib, 0, 0, 0};
		struct viper_image_spawn a = {.priority = VIPER_PRIORITY_DEFAULT,
					      .name = "spawnee",
					      .name_len = 7,
					      .quota = &q};
		struct footprint before;
		int64_t r;

		memcpy(scratch, spawnee_elf, spawnee_elf_size);
		a.image_size = b->breaks();
		a.image = object_with(scratch, spawnee_elf_size, 0);
		CHECK(a.image != VIPER_HANDLE_INVALID);
		before = footprint();
		r = viper_process_spawn_image(spawner, &a);
		if (r != b->error) {
			viper_printf("  FAIL bad ELF files: %s: %s, expected %s\n", b->what,
				     viper_error_name(r), viper_error_name(b->error));
			current_ok = false;
			if (r > 0)
				wait_status(r);
		}
		CHECK_SAME_FOOTPRINT(before);
		viper_handle_close(a.image);
	}
	/* The unbroken file still starts. */
	CHECK_EQ(wait_status(spawn_file(NULL, 0, 1)), SPAWNEE_RAN_STATUS(1));
}

/* --- the spawn capability --- */

static void test_needs_the_spawn_capability(void)
{
	struct footprint before = footprint();
	int64_t weak, p;

	CHECK_EQ(spawn_file_with(VIPER_HANDLE_INVALID, file, spawnee_elf_size, NULL, 0, 1),
		 VIPER_E_BADHANDLE);
	CHECK_EQ(spawn_file_with(0x5555, file, spawnee_elf_size, NULL, 0, 1), VIPER_E_BADHANDLE);
	CHECK_EQ(spawn_file_with(startup->self_process, file, spawnee_elf_size, NULL, 0, 1),
		 VIPER_E_KIND);
	CHECK_EQ(spawn_file_with(file, file, spawnee_elf_size, NULL, 0, 1), VIPER_E_KIND);
	CHECK_EQ(viper_process_spawn_image(VIPER_HANDLE_INVALID, (void *)8), VIPER_E_BADHANDLE);
	weak = viper_handle_derive(spawner, VIPER_RIGHT_TRANSFER | VIPER_RIGHT_DERIVE);
	CHECK(weak > 0);
	CHECK_EQ(spawn_file_with((viper_handle_t)weak, file, spawnee_elf_size, NULL, 0, 1),
		 VIPER_E_RIGHTS);
	viper_handle_close((viper_handle_t)weak);
	CHECK_SAME_FOOTPRINT(before);
	/* Exec alone is enough. */
	weak = viper_handle_derive(spawner, VIPER_RIGHT_EXEC);
	p = spawn_file_with((viper_handle_t)weak, file, spawnee_elf_size, NULL, 0, 2);
	CHECK_EQ(wait_status(p), SPAWNEE_RAN_STATUS(2));
	viper_handle_close((viper_handle_t)weak);
}

static void test_image_handle_checked(void)
{
	struct footprint before = footprint();
	viper_handle_t s, r;
	int64_t weak;

	CHECK_EQ(spawn_file_with(spawner, VIPER_HANDLE_INVALID, spawnee_elf_size, NULL, 0, 1),
		 VIPER_E_BADHANDLE);
	CHECK_EQ(viper_channel_create(&s, &r, 0), 0);
	CHECK_EQ(spawn_file_with(spawner, r, spawnee_elf_size, NULL, 0, 1), VIPER_E_KIND);
	weak = viper_handle_derive(file, VIPER_RIGHT_MAP | VIPER_RIGHT_EXEC);
	CHECK_EQ(spawn_file_with(spawner, (viper_handle_t)weak, spawnee_elf_size, NULL, 0, 1),
		 VIPER_E_RIGHTS);
	viper_handle_close((viper_handle_t)weak);
	viper_handle_close(s);
	viper_handle_close(r);
	/* Read alone is enough. */
	weak = viper_handle_derive(file, VIPER_RIGHT_READ);
	CHECK_EQ(wait_status(spawn_file_with(spawner, (viper_handle_t)weak, spawnee_elf_size, NULL,
					     0, 4)),
		 SPAWNEE_RAN_STATUS(4));
	viper_handle_close((viper_handle_t)weak);
	CHECK_SAME_FOOTPRINT(before);
}

/* A child without the capability starts nothing, however it tries. */
static int role_no_spawn(void)
{
	viper_handle_t image = startup->handles[0].handle;
	struct viper_spawn s = {.image = "spawntests", .image_len = 10, .argument = ROLE_SPIN_IDLE};
	int bad = 0;

	bad += viper_spawn_capability() != VIPER_HANDLE_INVALID;
	for (viper_handle_t h = 0; h < 64; h++) {
		int64_t r = spawn_file_with(h, image, spawnee_elf_size, NULL, 0, 1);
		bad += r >= 0 || (r != VIPER_E_BADHANDLE && r != VIPER_E_KIND);
		r = viper_process_spawn(h, &s);
		bad += r >= 0 || (r != VIPER_E_BADHANDLE && r != VIPER_E_KIND);
	}
	for (uint32_t i = 0; i < startup->handle_count; i++) {
		viper_handle_t h = startup->handles[i].handle;
		bad += spawn_file_with(h, image, spawnee_elf_size, NULL, 0, 1) != VIPER_E_KIND;
	}
	return bad;
}

/* Given a spawn capability (startup handle 1), it starts spawnee reporting on handle 2. */
static int role_launcher(void)
{
	viper_handle_t image = startup->handles[0].handle, report = startup->handles[2].handle;
	struct viper_slot_grant slot = {"report", "spawn_report", report, 0};
	struct viper_image_launch l = {.name = "spawnee",
				       .image = image,
				       .image_size = spawnee_elf_size,
				       .slots = &slot,
				       .slot_count = 1,
				       .priority = VIPER_PRIORITY_DEFAULT,
				       .argument = 9};
	struct viper_launch_error why = {""};
	int64_t p;

	if (startup->handles[1].kind != VIPER_OBJ_SPAWN ||
	    viper_spawn_capability() != startup->handles[1].handle)
		return 1;
	p = viper_spawn_image(viper_spawn_capability(), &l, &why);
	if (p < 0) {
		viper_printf("  launcher: %s\n", why.text);
		return 2;
	}
	return (int)wait_status(p);
}

static void test_spawn_capability_is_granted(void)
{
	viper_handle_t s, r, give[3];
	char text[64];
	int64_t p;

	/* Without it: nothing, whatever the child names. */
	give[0] = (viper_handle_t)viper_handle_derive(file, VIPER_RIGHT_READ | VIPER_RIGHT_MAP |
								    VIPER_RIGHT_TRANSFER);
	p = viper_spawn(spawner, "spawntests", ROLE_NO_SPAWN, give, 1);
	CHECK(p > 0);
	CHECK_EQ(wait_status(p), 0);
	/* With a derived one (exec and transfer), the child starts spawnee itself. */
	CHECK_EQ(viper_channel_create(&s, &r, 0), 0);
	give[0] = (viper_handle_t)viper_handle_derive(file, VIPER_RIGHT_READ | VIPER_RIGHT_MAP |
								    VIPER_RIGHT_TRANSFER);
	give[1] = (viper_handle_t)viper_handle_derive(spawner,
						      VIPER_RIGHT_EXEC | VIPER_RIGHT_TRANSFER);
	give[2] = s;
	p = viper_spawn(spawner, "spawntests", ROLE_LAUNCHER, give, 3);
	CHECK(p > 0);
	CHECK_EQ(receive_text(r, text, sizeof(text)), 13);
	CHECK(strcmp(text, "spawnee 9 ran") == 0);
	CHECK_EQ(wait_status(p), SPAWNEE_RAN_STATUS(9));
	viper_handle_close(r);
}

/* --- what a parent can give --- */

static void test_grants_refused(void)
{
	viper_handle_t s, r, closed_s, closed_r;
	struct viper_spawn_grant g[VIPER_SPAWN_MAX_GRANTS + 1];
	struct viper_quota q = {0, 2, 0, 0};
	struct viper_image_spawn a = {.image = file,
				      .image_size = spawnee_elf_size,
				      .name = "spawnee",
				      .name_len = 7,
				      .grants = g,
				      .grant_count = 1};
	struct footprint before;
	int64_t nodrv, notx;

	CHECK_EQ(viper_channel_create(&s, &r, 0), 0);
	CHECK_EQ(viper_channel_create(&closed_s, &closed_r, 0), 0);
	viper_handle_close(closed_s);
	nodrv = viper_handle_derive(s, VIPER_RIGHT_WRITE | VIPER_RIGHT_TRANSFER);
	notx = viper_handle_derive(s, VIPER_RIGHT_WRITE | VIPER_RIGHT_DERIVE);
	CHECK(nodrv > 0 && notx > 0);
	before = footprint();
	/* Handles it does not hold. */
	g[0] = (struct viper_spawn_grant){0x5555, VIPER_RIGHT_WRITE};
	CHECK_EQ(viper_process_spawn_image(spawner, &a), VIPER_E_BADHANDLE);
	g[0] = (struct viper_spawn_grant){closed_s, VIPER_RIGHT_WRITE};
	CHECK_EQ(viper_process_spawn_image(spawner, &a), VIPER_E_BADHANDLE);
	g[0] = (struct viper_spawn_grant){VIPER_HANDLE_INVALID, 0};
	CHECK_EQ(viper_process_spawn_image(spawner, &a), VIPER_E_BADHANDLE);
	/* Rights it does not have: more than the handle's, or without derive or transfer. */
	g[0] = (struct viper_spawn_grant){s, VIPER_RIGHT_READ};
	CHECK_EQ(viper_process_spawn_image(spawner, &a), VIPER_E_RIGHTS);
	g[0] = (struct viper_spawn_grant){s, VIPER_RIGHTS_ALL};
	CHECK_EQ(viper_process_spawn_image(spawner, &a), VIPER_E_RIGHTS);
	g[0] = (struct viper_spawn_grant){(viper_handle_t)nodrv, VIPER_RIGHT_WRITE};
	CHECK_EQ(viper_process_spawn_image(spawner, &a), VIPER_E_RIGHTS);
	g[0] = (struct viper_spawn_grant){(viper_handle_t)notx, VIPER_RIGHT_WRITE};
	CHECK_EQ(viper_process_spawn_image(spawner, &a), VIPER_E_RIGHTS);
	g[0] = (struct viper_spawn_grant){s, 0x200};
	CHECK_EQ(viper_process_spawn_image(spawner, &a), VIPER_E_INVAL);
	/* One bad grant among good ones: nothing is given. */
	g[0] = (struct viper_spawn_grant){s, VIPER_RIGHT_WRITE};
	g[1] = (struct viper_spawn_grant){s, VIPER_RIGHT_READ};
	a.grant_count = 2;
	CHECK_EQ(viper_process_spawn_image(spawner, &a), VIPER_E_RIGHTS);
	/* Too many, or more than the child's handle limit holds. */
	for (unsigned i = 0; i <= VIPER_SPAWN_MAX_GRANTS; i++)
		g[i] = (struct viper_spawn_grant){s, VIPER_RIGHT_WRITE};
	a.grant_count = VIPER_SPAWN_MAX_GRANTS + 1;
	CHECK_EQ(viper_process_spawn_image(spawner, &a), VIPER_E_TOOBIG);
	a.grant_count = 1;
	a.quota = &q;
	CHECK_EQ(viper_process_spawn_image(spawner, &a), VIPER_E_LIMIT);
	a.quota = NULL;
	/* Bad arguments. */
	a.name_len = 0;
	CHECK_EQ(viper_process_spawn_image(spawner, &a), VIPER_E_INVAL);
	a.name_len = 32;
	CHECK_EQ(viper_process_spawn_image(spawner, &a), VIPER_E_INVAL);
	a.name = "spawn\0ee";
	a.name_len = 8;
	CHECK_EQ(viper_process_spawn_image(spawner, &a), VIPER_E_INVAL);
	a.name = "spawnee";
	a.name_len = 7;
	a.priority = 16;
	CHECK_EQ(viper_process_spawn_image(spawner, &a), VIPER_E_INVAL);
	a.priority = 0;
	a.grants = (void *)8;
	CHECK_EQ(viper_process_spawn_image(spawner, &a), VIPER_E_FAULT);
	a.grants = g;
	CHECK_EQ(viper_process_spawn_image(spawner, (void *)8), VIPER_E_FAULT);
	CHECK_SAME_FOOTPRINT(before);
	viper_handle_close((viper_handle_t)nodrv);
	viper_handle_close((viper_handle_t)notx);
	viper_handle_close(closed_r);
	viper_handle_close(s);
	viper_handle_close(r);
}

/* A given handle is derived from ours: revoking ours takes the child's. */
static void test_grants_are_revocable(void)
{
	viper_handle_t s, r, go_s, go_r;
	char text[16];
	int64_t p;

	CHECK_EQ(viper_channel_create(&s, &r, 0), 0);
	CHECK_EQ(viper_channel_create(&go_s, &go_r, 0), 0);
	struct viper_spawn_grant g[2] = {{s, VIPER_RIGHT_WRITE}, {go_r, VIPER_RIGHT_READ}};
	p = spawn_file(g, 2, SPAWNEE_AFTER_REVOKE);
	CHECK(p > 0);
	CHECK_EQ(receive_text(r, text, sizeof(text)), 5);
	CHECK_EQ(viper_handle_revoke(s), 1);
	CHECK_EQ(viper_channel_send(go_s, "go", 2, NULL, 0, 0), 0);
	CHECK_EQ(wait_status(p), SPAWNEE_REVOKED);
	viper_handle_close(s);
	viper_handle_close(r);
	viper_handle_close(go_s);
	viper_handle_close(go_r);
}

/* --- the program cache (kernel/program_cache.h) --- */

static struct viper_system_info system_now(void)
{
	struct viper_system_info info;

	memset(&info, 0, sizeof(info));
	CHECK_EQ(viper_system_info(system_handle(), &info), 0);
	return info;
}

/* Checks that the cache keeps what it kept when `then` was taken. */
static void check_cache_keeps(const struct viper_system_info *then)
{
	struct viper_system_info now = system_now();

	CHECK_EQ(now.program_cache_images, then->program_cache_images);
	CHECK_EQ(now.program_cache_bytes, then->program_cache_bytes);
}

/* Where SPAWNEE_MARK's n-th copy (0: read-only data, 1: writable) is in scratch, or 0. */
static uint64_t mark_at(unsigned n)
{
	const uint64_t len = sizeof(SPAWNEE_MARK) - 1;

	for (uint64_t at = 0; at + len + 1 <= spawnee_elf_size; at++) {
		if (memcmp(scratch + at, SPAWNEE_MARK, len) == 0 && n-- == 0)
			return at + len;
	}
	return 0;
}

/* Starts the file in scratch with SPAWNEE_MARKS; its exit status. */
static int64_t marks_of_scratch(void)
{
	viper_handle_t copy = object_with(scratch, spawnee_elf_size, 0);
	int64_t status;

	CHECK(copy != VIPER_HANDLE_INVALID);
	status = wait_status(
		spawn_file_with(spawner, copy, spawnee_elf_size, NULL, 0, SPAWNEE_MARKS));
	viper_handle_close(copy);
	return status;
}

/* The same bytes, in any memory object, map the pages the last load kept. */
static void test_loads_share_kept_pages(void)
{
	struct viper_system_info a, b;
	viper_handle_t other = object_with(spawnee_elf, spawnee_elf_size, 0);

	CHECK_EQ(wait_status(spawn_file(NULL, 0, 5)), SPAWNEE_RAN_STATUS(5));
	a = system_now();
	CHECK(a.program_cache_images >= 1);
	CHECK(a.program_cache_bytes > 0);
	CHECK_EQ(wait_status(spawn_file(NULL, 0, 6)), SPAWNEE_RAN_STATUS(6));
	CHECK_EQ(wait_status(spawn_file_with(spawner, other, spawnee_elf_size, NULL, 0, 7)),
		 SPAWNEE_RAN_STATUS(7));
	b = system_now();
	CHECK_EQ(b.program_cache_hits, a.program_cache_hits + 2);
	CHECK_EQ(b.program_cache_misses, a.program_cache_misses);
	check_cache_keeps(&a);
	viper_handle_close(other);
}

/* A file that differs in one byte, read-only or writable, is loaded afresh. */
static void test_changed_file_loads_afresh(void)
{
	struct viper_system_info a, b;
	uint64_t ro, rw;

	memcpy(scratch, spawnee_elf, spawnee_elf_size);
	ro = mark_at(0);
	rw = mark_at(1);
	CHECK(ro != 0 && rw != 0 && scratch[ro] == 'A' && scratch[rw] == 'A');
	if (!ro || !rw)
		return;
	CHECK_EQ(marks_of_scratch(), SPAWNEE_MARKS_STATUS('A', 'A'));
	a = system_now();
	scratch[ro] = 'B';
	CHECK_EQ(marks_of_scratch(), SPAWNEE_MARKS_STATUS('B', 'A'));
	scratch[rw] = 'C';
	CHECK_EQ(marks_of_scratch(), SPAWNEE_MARKS_STATUS('B', 'C'));
	scratch[ro] = 'A';
	scratch[rw] = 'A';
	CHECK_EQ(marks_of_scratch(), SPAWNEE_MARKS_STATUS('A', 'A'));
	CHECK_EQ(marks_of_scratch(), SPAWNEE_MARKS_STATUS('A', 'A'));
	b = system_now();
	CHECK_EQ(b.program_cache_misses, a.program_cache_misses + 2);
	CHECK_EQ(b.program_cache_hits, a.program_cache_hits + 2);
}

/* The memory a live child is charged with: spawnee in `image`, started with SPAWNEE_WAIT. */
static uint64_t charged_to_waiting_child(viper_handle_t image)
{
	viper_handle_t s, r, go_s, go_r;
	struct viper_usage u = {0};
	char text[16];
	int64_t p;

	CHECK_EQ(viper_channel_create(&s, &r, 0), 0);
	CHECK_EQ(viper_channel_create(&go_s, &go_r, 0), 0);
	struct viper_spawn_grant g[2] = {{s, VIPER_RIGHT_WRITE}, {go_r, VIPER_RIGHT_READ}};
	p = spawn_file_with(spawner, image, spawnee_elf_size, g, 2, SPAWNEE_WAIT);
	CHECK(p > 0);
	if (p > 0) {
		CHECK_EQ(receive_text(r, text, sizeof(text)), 5);
		u = usage_of((viper_handle_t)p);
		CHECK_EQ(viper_channel_send(go_s, "go", 2, NULL, 0, 0), 0);
		CHECK_EQ(wait_status(p), 0);
	}
	viper_handle_close(s);
	viper_handle_close(r);
	viper_handle_close(go_s);
	viper_handle_close(go_r);
	return u.memory_bytes;
}

/* Distinct values of va >> shift over the pages of [start, end), added to `seen`. */
static void note_tables(uint64_t start, uint64_t end, unsigned shift, uint64_t *seen, unsigned *n)
{
	for (uint64_t va = start; va < end; va += PAGE) {
		unsigned i = 0;
		while (i < *n && seen[i] != va >> shift)
			i++;
		if (i == *n && *n < 64)
			seen[(*n)++] = va >> shift;
	}
}

/*
 * What a child running scratch's program is charged, exactly: the pages
 * its loadable segments cover, its 64 KiB stack (just below ours, at the
 * same place) and its startup page (where ours is), and the translation
 * tables those need (4 KiB pages, four levels: the root, and one table per
 * distinct 512 GiB, 1 GiB and 2 MiB block of the mapped pages).
 */
static uint64_t own_charge(void)
{
	uint64_t ranges[ELF_RANGES][2], seen[3][64], bytes = 0, local = 0;
	unsigned count = 0, n[3] = {0, 0, 0};

	for (unsigned i = 0; i < eh()->phnum && count < ELF_RANGES - 2; i++) {
		if (ph(i)->type != PT_LOAD || ph(i)->memsz == 0)
			continue;
		ranges[count][0] = ph(i)->vaddr & ~(uint64_t)(PAGE - 1);
		ranges[count][1] = (ph(i)->vaddr + ph(i)->memsz + PAGE - 1) & ~(uint64_t)(PAGE - 1);
		count++;
	}
	ranges[count][0] = ((uint64_t)(uintptr_t)&local & ~(uint64_t)0xffff);
	ranges[count][1] = ranges[count][0] + (64u << 10);
	count++;
	ranges[count][0] = (uint64_t)(uintptr_t)startup;
	ranges[count][1] = ranges[count][0] + PAGE;
	count++;
	for (unsigned i = 0; i < count; i++) {
		bytes += ranges[i][1] - ranges[i][0];
		for (unsigned level = 0; level < 3; level++)
			note_tables(ranges[i][0], ranges[i][1], 39 - 9 * level, seen[level],
				    &n[level]);
	}
	return bytes + (1 + n[0] + n[1] + n[2]) * PAGE;
}

/* A child that maps kept pages is charged for them as for a copy of its own. */
static void test_shared_pages_are_charged(void)
{
	struct viper_system_info a, b, c;
	uint64_t afresh, kept, at;
	viper_handle_t copy;

	memcpy(scratch, spawnee_elf, spawnee_elf_size);
	at = mark_at(0);
	CHECK(at != 0);
	scratch[at] = 'D'; /* bytes no load has seen */
	copy = object_with(scratch, spawnee_elf_size, 0);
	a = system_now();
	afresh = charged_to_waiting_child(copy);
	b = system_now();
	kept = charged_to_waiting_child(copy);
	c = system_now();
	CHECK_EQ(b.program_cache_misses, a.program_cache_misses + 1);
	CHECK_EQ(c.program_cache_hits, b.program_cache_hits + 1);
	CHECK_EQ(afresh, own_charge());
	CHECK_EQ(kept, afresh);
	viper_handle_close(copy);
}

/* A program larger than the cache's budget runs; it is not kept. */
static void test_larger_than_the_cache(void)
{
	struct viper_system_info a, b;
	viper_handle_t copy;
	unsigned bss;

	memcpy(scratch, spawnee_elf, spawnee_elf_size);
	bss = last_load();
	CHECK(ph(bss)->flags & PF_W);
	ph(bss)->memsz += 9ull << 20; /* a budget is at most 8 MiB */
	copy = object_with(scratch, spawnee_elf_size, 0);
	a = system_now();
	CHECK_EQ(wait_status(spawn_file_with(spawner, copy, spawnee_elf_size, NULL, 0, 8)),
		 SPAWNEE_RAN_STATUS(8));
	b = system_now();
	CHECK_EQ(b.program_cache_misses, a.program_cache_misses + 1);
	check_cache_keeps(&a);
	viper_handle_close(copy);
}

#define FILL_OBJECTS 16

/*
 * Kept images no process maps are given back when memory runs short: with
 * all but the last MiB or two promised to objects of ours, one more object
 * a little larger than what is free still comes, and the cache is empty.
 */
static void test_kept_pages_given_back(void)
{
	viper_handle_t held[FILL_OBJECTS];
	unsigned n = 0;
	struct viper_system_info info;
	uint64_t size;
	int64_t m;

	CHECK_EQ(wait_status(spawn_file(NULL, 0, 9)), SPAWNEE_RAN_STATUS(9));
	info = system_now();
	CHECK(info.program_cache_bytes >= 2 * PAGE);
	while (n < FILL_OBJECTS - 1 && (info = system_now()).memory_free_bytes > (2ull << 20)) {
		size = info.memory_free_bytes - (1ull << 20);
		size = size > (64ull << 20) ? 64ull << 20 : size & ~(uint64_t)(PAGE - 1);
		m = viper_memory_create(size, 0);
		CHECK(m > 0);
		if (m <= 0)
			break;
		held[n++] = (viper_handle_t)m;
	}
	info = system_now();
	size = (info.memory_free_bytes + info.program_cache_bytes / 2) & ~(uint64_t)(PAGE - 1);
	CHECK(size > info.memory_free_bytes);
	m = viper_memory_create(size, 0);
	CHECK(m > 0);
	if (m > 0)
		held[n++] = (viper_handle_t)m;
	CHECK_EQ(system_now().program_cache_bytes, 0);
	CHECK_EQ(system_now().program_cache_images, 0);
	while (n > 0)
		viper_handle_close(held[--n]);
	/* And the program loads again, afresh. */
	info = system_now();
	CHECK_EQ(wait_status(spawn_file(NULL, 0, 10)), SPAWNEE_RAN_STATUS(10));
	CHECK_EQ(system_now().program_cache_misses, info.program_cache_misses + 1);
}

/* --- the launcher and declared slots --- */

static void test_declared_slots(void)
{
	struct viper_slot_decl d[4];

	CHECK_EQ(viper_program_slots(spawnee_elf, spawnee_elf_size, d, 4), 1);
	CHECK(strcmp(d[0].slot, "report") == 0);
	CHECK(strcmp(d[0].interface, "spawn_report") == 0);
}

static int64_t launch(const struct viper_slot_grant *slots, uint32_t count, viper_handle_t image,
		      uint64_t size, struct viper_launch_error *why)
{
	struct viper_image_launch l = {.name = "spawnee",
				       .image = image,
				       .image_size = size,
				       .slots = slots,
				       .slot_count = count,
				       .priority = VIPER_PRIORITY_DEFAULT,
				       .argument = 5};

	memset(why, 0, sizeof(*why));
	return viper_spawn_image(spawner, &l, why);
}

#define CHECK_TEXT(why, expected)                                                                  \
	do {                                                                                       \
		if (strcmp((why).text, (expected)) != 0) {                                         \
			viper_printf("  FAIL %s: line %d: said \"%s\"\n", current_test, __LINE__,  \
				     (why).text);                                                  \
			current_ok = false;                                                        \
		}                                                                                  \
	} while (0)

static void test_launcher(void)
{
	struct viper_launch_error why;
	viper_handle_t s, r, for_x86, with_wx;
	char text[64];
	struct footprint before;
	int64_t p;

	memcpy(scratch, spawnee_elf, spawnee_elf_size);
	x86_64();
	for_x86 = object_with(scratch, spawnee_elf_size, 0);
	memcpy(scratch, spawnee_elf, spawnee_elf_size);
	writable_code();
	with_wx = object_with(scratch, spawnee_elf_size, 0);
	CHECK_EQ(viper_channel_create(&s, &r, 0), 0);
	struct viper_slot_grant good = {"report", "spawn_report", s, 0};
	p = launch(&good, 1, file, spawnee_elf_size, &why);
	CHECK(p > 0);
	CHECK_EQ(receive_text(r, text, sizeof(text)), 13);
	CHECK(strcmp(text, "spawnee 5 ran") == 0);
	CHECK_EQ(wait_status(p), SPAWNEE_RAN_STATUS(5));
	before = footprint();
	/* A service the caller did not give, named with its interface. */
	CHECK_EQ(launch(NULL, 0, file, spawnee_elf_size, &why), VIPER_E_NOTFOUND);
	CHECK_TEXT(why, "program spawnee needs slot 'report' (interface spawn_report), which you "
			"did not give");
	struct viper_slot_grant two[2] = {good, {"console", NULL, s, 0}};
	CHECK_EQ(launch(two, 2, file, spawnee_elf_size, &why), VIPER_E_INVAL);
	CHECK_TEXT(why, "program spawnee has no slot 'console' (it declares 'report')");
	struct viper_slot_grant other = {"report", "log", s, 0};
	CHECK_EQ(launch(&other, 1, file, spawnee_elf_size, &why), VIPER_E_INVAL);
	CHECK_TEXT(why,
		   "program spawnee's slot 'report' takes interface spawn_report, but you gave "
		   "it log");
	struct viper_slot_grant recv = {"report", NULL, r, VIPER_RIGHT_READ};
	CHECK_EQ(launch(&recv, 1, file, spawnee_elf_size, &why), VIPER_E_KIND);
	CHECK_TEXT(why,
		   "slot 'report' of program spawnee takes a channel send end (a connection or "
		   "session), but you gave a handle of kind 4");
	struct viper_slot_grant forged = {"report", NULL, 0x5555, 0};
	CHECK_EQ(launch(&forged, 1, file, spawnee_elf_size, &why), VIPER_E_BADHANDLE);
	CHECK_TEXT(why, "slot 'report' of program spawnee: the handle you gave: E_BADHANDLE");
	/* A bad program is told apart from a missing service. */
	CHECK_EQ(launch(&good, 1, file, 63, &why), VIPER_E_CORRUPT);
	CHECK_TEXT(why, "program spawnee is not a valid program: its ELF file or its slot "
			"declarations are malformed");
	CHECK_EQ(launch(&good, 1, for_x86, spawnee_elf_size, &why), VIPER_E_UNSUPPORTED);
	CHECK_TEXT(why, "cannot start spawnee: process_spawn_image: E_UNSUPPORTED (not an AArch64 "
			"executable)");
	CHECK_EQ(launch(&good, 1, with_wx, spawnee_elf_size, &why), VIPER_E_CORRUPT);
	CHECK_TEXT(why, "cannot start spawnee: process_spawn_image: E_CORRUPT (not a valid "
			"program)");
	CHECK_SAME_FOOTPRINT(before);
	viper_handle_close(for_x86);
	viper_handle_close(with_wx);
	viper_handle_close(s);
	viper_handle_close(r);
}

int main(const struct viper_startup *s)
{
	startup = s;
	switch ((enum role)s->argument) {
	case ROLE_SUITE:
		break;
	case ROLE_NO_SPAWN:
		return role_no_spawn();
	case ROLE_LAUNCHER:
		return role_launcher();
	case ROLE_SPIN_IDLE:
	default:
		return 0;
	}
	viper_printf("spawntests: run-time program suite on %u CPU%s\n", s->cpu_count,
		     s->cpu_count == 1 ? "" : "s");
	spawner = viper_spawn_capability();
	file = object_with(spawnee_elf, spawnee_elf_size, 0);
	run("spawnee is not in the boot image", test_not_in_the_boot_image);
	run("a program runs from a memory object", test_runs_from_a_memory_object);
	run("its segments have their permissions", test_segment_permissions);
	run("the child owns its copy of the file", test_child_owns_its_copy);
	run("a child leaves nothing behind", test_nothing_left_behind);
	run("bad ELF files are refused without a trace", test_bad_elf_files);
	run("nothing starts without the spawn capability", test_needs_the_spawn_capability);
	run("the file's handle is checked", test_image_handle_checked);
	run("the spawn capability is given, not inherited", test_spawn_capability_is_granted);
	run("a parent gives only what it holds", test_grants_refused);
	run("given handles are revocable", test_grants_are_revocable);
	run("programs declare their slots", test_declared_slots);
	run("the launcher names what is missing", test_launcher);
	run("loads of the same bytes share kept pages", test_loads_share_kept_pages);
	run("a changed file loads afresh", test_changed_file_loads_afresh);
	run("kept pages are charged as copies", test_shared_pages_are_charged);
	run("a program larger than the cache runs", test_larger_than_the_cache);
	run("kept pages are given back when memory runs short", test_kept_pages_given_back);
	return summary();
}
