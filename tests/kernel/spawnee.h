/*
 * What //tests/kernel:spawnee does, by its argument: the program that is in
 * no boot image, which spawntests starts from its ELF file in a memory
 * object. It declares one slot, `report` (interface spawn_report): a channel
 * send end on which it says what it did.
 */
#ifndef TESTS_KERNEL_SPAWNEE_H
#define TESTS_KERNEL_SPAWNEE_H

/* 0..99: says "spawnee <argument> ran" on `report`, exits with 100 + argument. */
#define SPAWNEE_RAN_STATUS(arg) (100 + (arg))
#define SPAWNEE_WRITE_RODATA	200 /* writes its read-only data: must fault */
#define SPAWNEE_EXEC_DATA	201 /* jumps into its data: must fault */
#define SPAWNEE_WRITE_TEXT	202 /* writes its code: must fault */
/*
 * Checks itself (data as the file says and writable, bss zero, no spawn
 * capability, `report` its startup handle 0), says "checked", exits 0 (or
 * with the line of the first failed check).
 */
#define SPAWNEE_CHECKS 203
/*
 * Says "ready" on `report`, waits for a message on startup handle 1 (a
 * receive end), then sends again on `report`: exits with SPAWNEE_REVOKED
 * when that send finds the handle gone (its parent revoked it), 0 when it
 * went.
 */
#define SPAWNEE_AFTER_REVOKE 204
#define SPAWNEE_REVOKED	     50
/*
 * Exits with its two marks' last letters, SPAWNEE_MARKS_STATUS(read-only,
 * writable): the strings SPAWNEE_MARK in its read-only and in its writable
 * data, each followed by one letter ('A' in the file as built), which a
 * test patches in a copy of the file.
 */
#define SPAWNEE_MARKS		     205
#define SPAWNEE_MARK		     "spawnee-mark-"
#define SPAWNEE_MARKS_STATUS(ro, rw) ((ro)*256 + (rw))
/* Says "ready" on `report`, then waits for a message on startup handle 1 and exits 0. */
#define SPAWNEE_WAIT 206

#endif
