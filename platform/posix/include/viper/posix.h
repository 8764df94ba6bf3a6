/*
 * The POSIX file layer for ViperOS programs, on picolibc: open, read,
 * write, lseek, close, stat, fstat, mkdir, unlink, rmdir, rename, fsync,
 * opendir/readdir/closedir, and through them picolibc's stdio (fopen,
 * fread, fwrite, fprintf, ...), over the filesystem (interface files) and
 * the assigns. stdin, stdout and stderr are the console. Each error sets
 * errno (ENOENT, EEXIST, ENOTEMPTY, ENOSPC, ENAMETOOLONG, ENOTDIR, EISDIR,
 * EROFS, ELOOP, EBADF, EINVAL, EIO, EMFILE (32 descriptors, 8 directories open at once), ENOMEM,
 * EFBIG) and returns -1 (NULL for opendir and readdir).
 *
 * A program that uses it declares the slots it wants among
 *
 *     VIPER_PROGRAM_SLOTS({"console", "console"}, {"files", "files"},
 *                         {"assigns", "assigns"});
 *
 * and starts the layer first thing in main. Paths are the shell's: "C:x"
 * through the assigns, "/x" from the root, others from the directory the
 * program was started in (apps/vinit's Run gives it). The launch block the
 * shell passes (a memory object after the slots) holds that directory, the
 * program's name and its arguments.
 */
#ifndef VIPER_POSIX_H
#define VIPER_POSIX_H

#include <viper/program_slots.h>
#include <viper/runtime.h>

#define POSIX_ARGS_MAX	 16u   /* words of a launch block */
#define POSIX_LAUNCH_MAX 4096u /* bytes of a launch block */

/*
 * Binds the program's slots (those of `table`, its VIPER_PROGRAM_SLOTS,
 * that it was given), reads its launch block into argv (argv[0] its name;
 * *argc is 1 with "program" when it has none) and sets up the standard
 * streams. Returns 0. Call it as viper_posix_start(startup, &argc, &argv)
 * in the file that declares the slots.
 */
int viper_posix_start_slots(const struct viper_startup *startup,
			    const struct viper_slot_decl *table, uint32_t count, int *argc,
			    char ***argv);

#define viper_posix_start(startup, argc, argv)                                                     \
	viper_posix_start_slots((startup), viper_program_slots_note.slots,                         \
				(uint32_t)(sizeof(viper_program_slots_note.slots) /                \
					   sizeof(viper_program_slots_note.slots[0])),             \
				(argc), (argv))

/* Flushes stdout and stderr; returns `status`, for `return viper_posix_end(0);`. */
int viper_posix_end(int status);

/* errno for a ViperOS error (VIPER_E_NOTFOUND -> ENOENT, ...). */
int viper_posix_errno(int32_t error);

#endif
