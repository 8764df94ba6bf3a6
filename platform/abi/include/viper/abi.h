/*
 * The ViperOS system-call ABI: the one header shared by the kernel and user
 * space. docs/syscalls.md documents every call; a test checks that it, this
 * header and the kernel's dispatch table agree.
 *
 * Calling convention: `svc #0` with the call number in x8 and up to six
 * arguments in x0-x5. The result comes back in x0: a non-negative value on
 * success, or a negative enum viper_error. Every other register is preserved.
 *
 * Handles are 32-bit: bits 0-11 index the process's handle table, bits
 * 12-30 hold the slot's generation, so a closed handle never names the
 * slot's next occupant. 0 is never a valid handle.
 */
#ifndef VIPER_ABI_H
#define VIPER_ABI_H

#include <stdint.h>

/* The error codes: returned by system calls and used inside the kernel. */
enum viper_error {
	VIPER_OK = 0,
	VIPER_E_INVAL = -1,	   /* an argument is malformed or out of range */
	VIPER_E_NOMEM = -2,	   /* no memory for the request */
	VIPER_E_NOTFOUND = -3,	   /* the named thing does not exist */
	VIPER_E_CORRUPT = -4,	   /* a data structure failed its consistency checks */
	VIPER_E_RANGE = -5,	   /* a value or buffer does not fit */
	VIPER_E_UNSUPPORTED = -6,  /* the request is valid but not supported here */
	VIPER_E_BADHANDLE = -7,	   /* no such handle: never issued, closed or revoked */
	VIPER_E_RIGHTS = -8,	   /* the handle lacks a right the call needs */
	VIPER_E_KIND = -9,	   /* the handle names the wrong kind of object */
	VIPER_E_FAULT = -10,	   /* a user pointer is unmapped or lacks the access */
	VIPER_E_WOULDBLOCK = -11,  /* non-blocking call found nothing to do */
	VIPER_E_TIMEOUT = -12,	   /* the deadline passed first */
	VIPER_E_PEERCLOSED = -13,  /* the other end of the channel is gone */
	VIPER_E_CLOSED = -14,	   /* the handle was closed or revoked while in use */
	VIPER_E_TOOBIG = -15,	   /* message over 256 bytes or more than 4 handles */
	VIPER_E_LIMIT = -16,	   /* a table or quota is full */
	VIPER_E_BUSY = -17,	   /* the object is already in that use */
	VIPER_E_NOSYS = -18,	   /* no such system call */
	VIPER_E_IO = -19,	   /* the device reported an error, or lost the data */
	VIPER_E_READONLY = -20,	   /* the object can be read but not written */
	VIPER_E_EXISTS = -21,	   /* the name is taken */
	VIPER_E_NOTEMPTY = -22,	   /* the directory still has entries */
	VIPER_E_NOSPACE = -23,	   /* no free blocks or inodes on the volume */
	VIPER_E_NAMETOOLONG = -24, /* a name or path is longer than allowed */
	VIPER_E_NOTDIR = -25,	   /* a directory was needed */
	VIPER_E_ISDIR = -26,	   /* the object is a directory */
	VIPER_E_LOOP = -27,	   /* too many symbolic links in a path */
	VIPER_E_REFUSED = -28,	   /* the peer refused the connection */
	VIPER_E_RESET = -29,	   /* the peer reset the connection */
	VIPER_E_UNREACHABLE = -30, /* no route to the address, or no network */
	VIPER_E_NOTCONN = -31,	   /* the socket is not connected */
	VIPER_E_ADDRINUSE = -32,   /* the address and port are taken */
};

/* System-call numbers (x8). Never renumbered; new calls go at the end. */
enum viper_syscall {
	VIPER_SYS_DEBUG_WRITE = 0,
	VIPER_SYS_YIELD = 1,
	VIPER_SYS_CLOCK_NOW = 2,
	VIPER_SYS_SLEEP = 3,
	VIPER_SYS_HANDLE_CLOSE = 4,
	VIPER_SYS_HANDLE_DERIVE = 5,
	VIPER_SYS_HANDLE_REVOKE = 6,
	VIPER_SYS_HANDLE_QUERY = 7,
	VIPER_SYS_PROCESS_SPAWN = 8,
	VIPER_SYS_PROCESS_EXIT = 9,
	VIPER_SYS_PROCESS_WAIT = 10,
	VIPER_SYS_PROCESS_KILL = 11,
	VIPER_SYS_THREAD_CREATE = 12,
	VIPER_SYS_THREAD_EXIT = 13,
	VIPER_SYS_THREAD_WAIT = 14,
	VIPER_SYS_THREAD_SET_PRIORITY = 15,
	VIPER_SYS_CHANNEL_CREATE = 16,
	VIPER_SYS_CHANNEL_SEND = 17,
	VIPER_SYS_CHANNEL_RECV = 18,
	VIPER_SYS_CHANNEL_CALL = 19,
	VIPER_SYS_CHANNEL_REPLY = 20,
	VIPER_SYS_CHANNEL_NOTIFY = 21,
	VIPER_SYS_CHANNEL_TAKE_NOTIFICATIONS = 22,
	VIPER_SYS_POLL_CREATE = 23,
	VIPER_SYS_POLL_ADD = 24,
	VIPER_SYS_POLL_REMOVE = 25,
	VIPER_SYS_POLL_WAIT = 26,
	VIPER_SYS_MEMORY_CREATE = 27,
	VIPER_SYS_MEMORY_MAP = 28,
	VIPER_SYS_MEMORY_UNMAP = 29,
	VIPER_SYS_MEMORY_PHYSICAL = 30,
	VIPER_SYS_DEVICE_MAP = 31,
	VIPER_SYS_IRQ_WAIT = 32,
	VIPER_SYS_IRQ_ACK = 33,
	VIPER_SYS_TIMER_CREATE = 34,
	VIPER_SYS_TIMER_SET = 35,
	VIPER_SYS_TIMER_CANCEL = 36,
	VIPER_SYS_CHANNEL_REPLY_RECV = 37,
	VIPER_SYS_CHANNEL_CALL_SHORT = 38,
	VIPER_SYS_CHANNEL_REPLY_RECV_SHORT = 39,
	VIPER_SYS_PROCESS_USAGE = 40,
	VIPER_SYS_HANDLE_LIST = 41,
	VIPER_SYS_SYSTEM_INFO = 42,
	VIPER_SYS_SYSTEM_PROCESSES = 43,
	VIPER_SYS_SYSTEM_HANDLES = 44,
	VIPER_SYS_SYSTEM_KILL = 45,
	VIPER_SYS_PROCESS_SET_PARENT = 46,
	VIPER_SYS_MEMORY_CLONE = 47,
	VIPER_SYS_THREAD_SET_AFFINITY = 48,
	VIPER_SYS_PROCESS_SPAWN_IMAGE = 49,
	VIPER_SYS_COUNT = 50,
};

typedef uint32_t viper_handle_t;

#define VIPER_HANDLE_INVALID 0u

/* Rights a handle carries. A derived handle has the same or fewer. */
enum viper_right {
	VIPER_RIGHT_READ = 1u << 0,	/* receive, query state, map readable */
	VIPER_RIGHT_WRITE = 1u << 1,	/* send, change state, map writable */
	VIPER_RIGHT_TRANSFER = 1u << 2, /* move the handle through a channel */
	VIPER_RIGHT_DERIVE = 1u << 3,	/* make derived handles */
	VIPER_RIGHT_MAP = 1u << 4,	/* map a memory object */
	VIPER_RIGHT_DEVICE = 1u << 5,	/* map a device region */
	VIPER_RIGHT_IRQ = 1u << 6,	/* wait for and acknowledge an IRQ line */
	VIPER_RIGHT_DMA = 1u << 7,	/* learn a memory object's physical address */
	VIPER_RIGHT_EXEC = 1u << 8,	/* map a memory object executable */
	VIPER_RIGHTS_ALL = 0x1ffu,
};

/* The kinds of kernel object a handle may name. */
enum viper_object_kind {
	VIPER_OBJ_PROCESS = 1,
	VIPER_OBJ_THREAD = 2,
	VIPER_OBJ_CHANNEL_SEND = 3,
	VIPER_OBJ_CHANNEL_RECV = 4,
	VIPER_OBJ_MEMORY = 5,
	VIPER_OBJ_DEVICE = 6,
	VIPER_OBJ_IRQ = 7,
	VIPER_OBJ_POLL_SET = 8,
	VIPER_OBJ_TIMER = 9,
	VIPER_OBJ_SYSTEM = 10, /* the whole system: inspect (read), stop processes (write) */
	VIPER_OBJ_SPAWN = 11,  /* start processes (exec) */
};

/* Limits. */
#define VIPER_MSG_MAX_BYTES	    256u
#define VIPER_SHORT_MSG_BYTES	    128u /* a short message travels in registers x2-x17 */
#define VIPER_MSG_MAX_HANDLES	    4u
#define VIPER_HANDLES_MAX	    256u /* handle-table slots per process */
#define VIPER_PRIORITY_MIN	    0u
#define VIPER_PRIORITY_MAX	    15u
#define VIPER_PRIORITY_DEFAULT	    8u
#define VIPER_CHANNEL_DEFAULT_DEPTH 16u
#define VIPER_CHANNEL_MAX_DEPTH	    64u
#define VIPER_POLL_MAX_ENTRIES	    256u /* entries in one poll set: a whole handle table */
#define VIPER_POLL_MAX_EVENTS	    64u	 /* events one poll_wait reports */
#define VIPER_PAGE_SIZE		    4096u
#define VIPER_USER_TOP		    0x0000800000000000ull /* user addresses lie below */
#define VIPER_STARTUP_MAX_HANDLES   96u
#define VIPER_SPAWN_MAX_GRANTS	    32u /* handles process_spawn_image can give */
#define VIPER_IMAGE_NAME_MAX	    32u
#define VIPER_QUOTA_UNLIMITED	    0xffffffffu /* a memory or thread limit that is none */
#define VIPER_PROCESS_MAX_DEPTH	    32u		/* generations below the root process */

/* Deadlines and timeouts are in nanoseconds of the monotonic clock. */
#define VIPER_TIMEOUT_NONE ((int64_t)-1) /* wait for ever */
#define VIPER_TIMEOUT_POLL ((int64_t)0)	 /* do not wait */

/* Flags for send and receive. */
enum viper_msg_flags {
	VIPER_MSG_NONBLOCK = 1u << 0,
};

/* Readiness that poll sets report (struct viper_poll_event.ready). */
enum viper_signal {
	VIPER_SIGNAL_READABLE = 1u << 0,    /* channel receive end has a message */
	VIPER_SIGNAL_WRITABLE = 1u << 1,    /* channel send end has room */
	VIPER_SIGNAL_PEER_CLOSED = 1u << 2, /* the other end is gone */
	VIPER_SIGNAL_NOTIFIED = 1u << 3,    /* notification bits are waiting */
	VIPER_SIGNAL_IRQ = 1u << 4,	    /* the IRQ line fired and waits for ack */
	VIPER_SIGNAL_TIMER = 1u << 5,	    /* the timer expired */
	VIPER_SIGNAL_EXITED = 1u << 6,	    /* the process or thread ended */
};

/* handle_query's answer. */
struct viper_handle_info {
	uint32_t kind;	 /* enum viper_object_kind */
	uint32_t rights; /* enum viper_right */
	uint64_t koid;	 /* the object's kernel id, unique since boot */
	uint64_t size;	 /* memory: bytes; device: region bytes; thread: its CPU; else 0 */
	uint64_t detail; /* device: physical base; IRQ: line; process/thread: exit status */
};

/* channel_recv and channel_call report what arrived here. */
struct viper_msg_info {
	uint32_t bytes;	  /* message length */
	uint32_t handles; /* handles received, stored in the handle array */
	uint32_t reply;	  /* for a call: the reply token to pass to channel_reply, else 0 */
	uint32_t reserved;
};

/* channel_call's arguments: the request, where the reply goes, and a timeout. */
struct viper_call {
	const void *send_bytes;
	uint32_t send_len;
	uint32_t send_handle_count;
	const viper_handle_t *send_handles;
	void *reply_bytes;
	uint32_t reply_capacity;
	uint32_t reply_handle_capacity;
	viper_handle_t *reply_handles;
	int64_t timeout_ns;
	struct viper_msg_info info; /* filled in on return */
};

/*
 * channel_reply_recv's arguments: a reply to send first (reply token 0: none),
 * then where the next message goes. A server loop passes the token the last
 * message brought.
 */
struct viper_reply_recv {
	uint32_t reply; /* the token of the call answered, or 0 */
	uint32_t reply_len;
	const void *reply_bytes;
	const viper_handle_t *reply_handles;
	uint32_t reply_handle_count;
	uint32_t recv_capacity;
	void *recv_bytes;
	viper_handle_t *recv_handles; /* room for VIPER_MSG_MAX_HANDLES */
	int32_t reply_result;	      /* filled in with a reply: what the caller got */
	uint32_t reserved;
	struct viper_msg_info info; /* filled in: the message received */
};

/* One entry reported by poll_wait. */
struct viper_poll_event {
	uint64_t key;	/* the key given to poll_add */
	uint32_t ready; /* enum viper_signal bits that hold */
	uint32_t reserved;
};

/* memory_create flags. */
enum viper_memory_flags {
	VIPER_MEMORY_CONTIGUOUS = 1u << 0, /* physically contiguous: DMA-capable */
	VIPER_MEMORY_PINNED = 1u << 1, /* every page allocated now and never moved: DMA-capable */
};

/* memory_map and device_map protections. W and X are never granted together. */
enum viper_prot {
	VIPER_PROT_READ = 1u << 0,
	VIPER_PROT_WRITE = 1u << 1,
	VIPER_PROT_EXEC = 1u << 2,
};

/*
 * A process's limits, which the kernel enforces. In process_spawn a field of
 * 0 asks for the kernel default (VIPER_QUOTA_UNLIMITED for memory and
 * threads, VIPER_HANDLES_MAX handles) capped at the parent's own limit; a
 * non-zero field must not exceed the parent's limit.
 */
struct viper_quota {
	uint32_t memory_kib; /* memory objects and page tables it may commit, in KiB */
	uint32_t handles;    /* entries in its handle table */
	uint32_t threads;    /* threads that have not ended */
	uint32_t reserved;   /* 0 */
};

/* process_usage's answer: what a process holds now, and its limits. */
struct viper_usage {
	uint64_t memory_bytes; /* charged to it: memory objects it made and its page tables */
	uint32_t handles;      /* handle-table entries in use */
	uint32_t threads;      /* threads that have not ended */
	struct viper_quota limits;
	uint64_t kernel_bytes; /* kernel bookkeeping charged to it (the limit covers both) */
};

/* system_info's answer. */
struct viper_system_info {
	uint64_t uptime_ns;
	uint64_t memory_total_bytes; /* RAM the kernel's page allocator manages */
	uint64_t memory_free_bytes;  /* of which neither in use nor promised to memory objects */
	uint32_t processes;	     /* processes not yet reaped, the kernel's own included */
	uint32_t threads;	     /* threads that have not ended, kernel threads included */
	uint32_t cpus;		     /* CPUs online */
	uint32_t reserved;
	uint64_t memory_promised_bytes; /* promised to memory objects, not touched yet */
	/* The program cache: programs loaded from files, kept for their next load. */
	uint64_t program_cache_bytes;	 /* of memory_total_bytes, in kept images */
	uint32_t program_cache_images;	 /* images kept */
	uint32_t program_cache_reserved; /* 0 */
	uint64_t program_cache_hits;	 /* loads from files that mapped a kept image, since boot */
	uint64_t program_cache_misses;	 /* loads from files that copied the file */
};

/* struct viper_process_entry.state */
enum viper_process_state {
	VIPER_PROCESS_RUNNING = 0,
	VIPER_PROCESS_EXITED = 1, /* exited or being killed, not yet reaped */
};

/* One process, as system_processes lists them. */
struct viper_process_entry {
	uint64_t koid;			 /* its kernel id, as handle_query reports it */
	uint64_t parent_koid;		 /* 0 for the root process and the kernel's own */
	char name[VIPER_IMAGE_NAME_MAX]; /* its program's name, NUL-terminated */
	uint32_t priority;		 /* given at spawn */
	uint32_t state;			 /* enum viper_process_state */
	struct viper_usage usage;	 /* as process_usage reports it */
};

/* One handle, as handle_list and system_handles list them. */
struct viper_handle_entry {
	viper_handle_t handle; /* the handle value in its process */
	uint32_t kind;	       /* enum viper_object_kind */
	uint32_t rights;       /* enum viper_right */
	uint32_t reserved;
	uint64_t koid; /* the object's kernel id */
};

/* process_spawn's arguments. */
struct viper_spawn {
	const char *image; /* program name in the boot image */
	uint32_t image_len;
	uint32_t priority;
	const viper_handle_t *handles; /* moved into the child, in order */
	uint32_t handle_count;
	uint32_t reserved;
	uint64_t argument;		 /* passed to the child in struct viper_startup */
	const struct viper_quota *quota; /* the child's limits; NULL: all defaults */
};

/*
 * A handle process_spawn_image gives the new process: derived from one the
 * caller holds (which needs the derive and transfer rights), with exactly
 * `rights`, which must be a subset of that handle's. The caller keeps its
 * own; revoking or closing it destroys the child's.
 */
struct viper_spawn_grant {
	viper_handle_t handle;
	uint32_t rights; /* enum viper_right */
};

/* process_spawn_image's arguments. */
struct viper_image_spawn {
	viper_handle_t image; /* a memory object holding the ELF file from its first byte */
	uint32_t priority;
	uint64_t image_size; /* bytes of the file; at most the object's size */
	const char *name;    /* the process's name (system_processes), no NUL */
	uint32_t name_len;
	uint32_t grant_count;			/* at most VIPER_SPAWN_MAX_GRANTS */
	const struct viper_spawn_grant *grants; /* the child's startup handles, in order */
	uint64_t argument;			/* passed to the child in struct viper_startup */
	const struct viper_quota *quota;	/* the child's limits; NULL: all defaults */
};

/* What a handle given at startup is for. */
struct viper_startup_handle {
	viper_handle_t handle;
	uint32_t kind;	 /* enum viper_object_kind */
	uint64_t detail; /* device: its registers' physical base; IRQ: line */
	uint64_t size;	 /* device: region size (whole pages around the registers) */
};

/*
 * What a process finds at startup (x0 points at it, in read-only memory):
 * its own process and thread handles, the argument its parent chose, and the
 * handles it was given.
 */
struct viper_startup {
	uint32_t magic; /* VIPER_STARTUP_MAGIC */
	uint32_t cpu_count;
	viper_handle_t self_process;
	viper_handle_t self_thread;
	uint64_t argument;
	uint32_t handle_count;
	uint32_t reserved;
	struct viper_startup_handle handles[VIPER_STARTUP_MAX_HANDLES];
};

#define VIPER_STARTUP_MAGIC 0x56495052u /* "VIPR" */

/* Exit status of a process the kernel killed for a fault. */
#define VIPER_EXIT_FAULT (-1000)
/* Exit status of a process killed through process_kill without a status. */
#define VIPER_EXIT_KILLED (-1001)
/* Exit status of a process that ended because its parent did (see process_set_parent). */
#define VIPER_EXIT_PARENT_ENDED (-1002)

#endif
