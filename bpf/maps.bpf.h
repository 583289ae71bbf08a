/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every map and global the BPF programs share, declared once.
 *
 * The programs are compiled per hook family and linked with `bpftool gen
 * object`. Every object that includes this header defines the maps and
 * globals __weak: the linker keeps one of each, whatever the order of the
 * objects (as Falco's modern_bpf does), so no file has to come first.
 * Sizes are defaults; the loader resizes them before load.
 */
#ifndef FW_MAPS_BPF_H
#define FW_MAPS_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "flightwatch.h"

/* What a thread is doing between sys_enter and sys_exit: a bit set, since
 * sendfile and splice read a watched file and send in one call */
enum fw_pending_kind {
	FW_PENDING_READ = 1, /* from a watched file or carrier */
	FW_PENDING_SEND = 2, /* to an INET destination */
	FW_PENDING_CARRY = 4, /* into a carrier (pipe, file, unix peer) */
	FW_PENDING_EMPTYING = 8, /* truncate(path, 0): see truncate.bpf.c */
	/* beside SEND: a 32-bit call, whose msghdr and mmsghdr are the
	 * compat ones (32-bit pointers) */
	FW_PENDING_IA32 = 16,
};

struct fw_pending {
	struct fw_dest dest; /* SEND */
	struct fw_file_key file; /* READ */
	struct fw_file_key carrier; /* CARRY */
	__u64 file_ptr; /* READ: struct file *, for the path */
	__u64 carrier_file; /* CARRY: struct file *, for the path */
	__u64 carrier_inode; /* CARRY: struct inode * */
	__u64 mmsg_vec; /* sendmmsg: user vector, to sum msg_len at exit */
	/* SEND with FW_DEST_LATE: the sockaddr (user_dest_len > 0) or the
	 * msghdr (user_dest_len 0) that names the destination, unreadable at
	 * entry, read again at exit */
	__u64 user_dest;
	__u32 kind;
	__u32 fd;
	__u32 carrier_type; /* enum fw_carrier_type */
	__u32 user_dest_len;
};

/* Bytes a tainted process wrote into a carrier */
struct fw_carry_key {
	struct fw_file_key carrier;
	__u32 tgid;
	__u32 pad;
};

/* Kernel events to user space (config: maps: events). 8 MiB: its pages
 * are mapped twice into the collector, so this is 16 MiB of its RSS; at
 * 100,000 events/s it lost nothing (BENCHMARKS.md) */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);
} events SEC(".maps") __weak;

/* Per-CPU counters indexed by enum fw_stat */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FW_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps") __weak;

/* Watched directories, resolved to device+inode by the collector */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct fw_dir_key);
	__type(value, __u8);
} watched_dirs SEC(".maps") __weak;

/*
 * What the directory walk of the open path found for a file's parent
 * directory (files.bpf.h): keyed by the parent's dentry and mount. An
 * entry holds only while the epoch it was filled in is the current one:
 * the epoch moves when the answer may change (a rename or a mount change
 * seen by sys_exit or io_uring, the rules written by the collector).
 */
struct fw_dir_cache_key {
	__u64 dentry;
	__u64 mnt;
};

struct fw_dir_cache {
	__u64 ino; /* the parent's inode, against a reused dentry */
	__u32 gen;
	__u32 watched;
	__u64 epoch; /* both dir_epoch slots when it was filled */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, struct fw_dir_cache_key);
	__type(value, struct fw_dir_cache);
} dir_cache SEC(".maps") __weak;

/* The epoch of dir_cache: slot FW_DIR_EPOCH_MOVES moved by the programs
 * (atomically), slot FW_DIR_EPOCH_RULES written by the collector alone, so
 * neither overwrites the other's step */
#define FW_DIR_EPOCH_MOVES 0
#define FW_DIR_EPOCH_RULES 1

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} dir_epoch SEC(".maps") __weak;

/* File-name patterns; the first unused slot ends the list */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FW_PATTERN_MAX);
	__type(key, __u32);
	__type(value, struct fw_pattern);
} patterns SEC(".maps") __weak;

/* Files known to be flight logs, value is enum fw_match */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct fw_file_key);
	__type(value, __u32);
} watched_files SEC(".maps") __weak;

/*
 * The in-memory inodes of watched files, keyed by struct inode address:
 * the read path tests one pointer instead of reading the inode's identity.
 * An address can be reused once an inode is evicted, so the value holds
 * the identity and a hit is checked against it; the open path refills it.
 * A pty's slave is here from the pair's making, to name it (pty.bpf.h),
 * and is read as watched only once its name is in watched_files.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct fw_file_key);
} watched_inodes SEC(".maps") __weak;

/* An array of 1 << bits one-bit slots, 64 to a word (filter_word in
 * common.bpf.h) */
#define FW_BIT_FILTER(bits)                               \
	struct {                                          \
		__uint(type, BPF_MAP_TYPE_ARRAY);         \
		__uint(max_entries, (1u << (bits)) / 64); \
		__type(key, __u32);                       \
		__type(value, __u64);                     \
	}

/*
 * A summary of watched_inodes and watched_files: a bit per slot of a hash
 * of the inode number (a Bloom filter with one hash function), set for the
 * number of the inode at each watched_inodes address and for each
 * watched_files key's. Every read and every open asks it first and only a
 * set bit costs the hash lookup. An array's lookup is a few instructions
 * the verifier inlines; a hash map's is a call that hashes the key and
 * walks a bucket, and on a kernel with return-thunk mitigations each call
 * and return is dear. A bit is set before its entry is added (inode_watch,
 * file_watch) and never cleared: an entry evicted or deleted leaves a bit
 * that costs a lookup, never a miss.
 */
#define FW_INODE_FILTER_BITS 22
FW_BIT_FILTER(FW_INODE_FILTER_BITS) watched_filter SEC(".maps") __weak;

/* Processes (tgid) that carry flight-log data */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct fw_taint);
} tainted SEC(".maps") __weak;

/*
 * One bit per process id (the kernel's PID_MAX_LIMIT is 1 << 22): set
 * before a process is put in tainted (taint_put) and cleared when it
 * ends, so that every send of an untainted process, the common case, is
 * told apart by an inlined array lookup instead of a hash lookup. A bit
 * left set (an entry the LRU evicted) costs a lookup, never a miss.
 */
#define FW_TGID_FILTER_BITS 22
FW_BIT_FILTER(FW_TGID_FILTER_BITS) tainted_filter SEC(".maps") __weak;

/* Threads of tainted processes (thread id -> tgid): process_vm_readv
 * names a thread, the taint is its process's. A thread is put here when
 * it is created in a tainted process or reads flight-log data itself */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u32);
} threads SEC(".maps") __weak;

/* The syscall in flight of a thread, when it matters (kind != 0): task
 * storage, a pointer in the task rather than a hash of the thread id; a
 * thread that never carried anything has none */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct fw_pending);
} pending SEC(".maps") __weak;

/* Bytes read per (process, watched file) */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct fw_read_key);
	__type(value, struct fw_counter);
} reads SEC(".maps") __weak;

/* Bytes sent per (tainted process, destination) */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct fw_flow_key);
	__type(value, struct fw_counter);
} flows SEC(".maps") __weak;

/* Bytes written per (tainted process, carrier) */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct fw_carry_key);
	__type(value, struct fw_counter);
} carries SEC(".maps") __weak;

/* A loopback TCP/UDP flow as its receiving socket sees it: local is the
 * destination the tainted sender used; remote is the sender's own end
 * (zero for UDP, whose receiving socket is not connected) */
struct fw_relay_key {
	__u8 local[16];
	__u8 remote[16];
	__u16 local_port;
	__u16 remote_port;
	__u8 family;
	__u8 proto;
	__u8 pad[2];
};

/* A loopback flow a tainted process sent into: the carrier (the sender's
 * socket inode) whose origins a reader of it receives */
struct fw_relay {
	struct fw_file_key carrier;
	__u64 marked_ns; /* the last tainted send into it */
};

/* Relayed flows, as the receiving socket sees them. A TCP flow is
 * forgotten when its receiving socket closes, so that the same 4-tuple
 * used again later is not taken for it; a UDP one when stale (relays.bpf.h) */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct fw_relay_key);
	__type(value, struct fw_relay);
} relays SEC(".maps") __weak;

/* How many relays were ever marked: while none, socket reads cost no
 * socket lookup at all */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} relay_count SEC(".maps") __weak;

/* Unix connections written into before they were accepted: embryo sock
 * address -> the carrier key it was reported under (see carriers.bpf.h) */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct fw_file_key);
} embryos SEC(".maps") __weak;

/* An io_uring request that reads a watched file or carrier, or that a
 * tainted process submitted to send or to write into a carrier: decided
 * at submission like a syscall's enter, accounted at its completion */
struct fw_uring_pending {
	struct fw_pending p;
	__u64 id; /* the submitter's pid_tgid */
	__u64 user_data; /* the request's, to tell it from a later one */
	__u32 op; /* at the same address */
	__u32 pad;
};

/* One io_uring decision being made (fw_uring_move), off the stack */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fw_uring_pending);
} uring_scratch SEC(".maps") __weak;

/* Requests in flight, keyed by struct io_kiocb address */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u64);
	__type(value, struct fw_uring_pending);
} uring_reqs SEC(".maps") __weak;

/* A FUSE connection's key being marked or looked up (fuse.bpf.h,
 * carriers.bpf.h), off the stack of the frames that mark carriers */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fw_file_key);
} fuse_scratch SEC(".maps") __weak;

/* Helpers' keys and values in .rodata rather than on the stack */
static const __u32 fw_zero_key;
static const __u32 fw_match_carrier = FW_MATCH_CARRIER;

/* Scratch for the file name being matched: too big for the stack */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, char[FW_NAME_MAX]);
} name_scratch SEC(".maps") __weak;

/* Enforcement (enforce.bpf.c). The mode, one entry: a map, not rodata,
 * so that a reload changes it */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fw_enforce_config);
} enforce_config SEC(".maps") __weak;

/* Destinations a tainted process may still reach (besides loopback and
 * this host's own addresses), filled from the allow rules */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 1024);
	__type(key, struct fw_enforce_key);
	__type(value, struct fw_enforce_allow);
} enforce_allow SEC(".maps") __weak;

/* Refused flows and their counts: one record per flow, not per packet */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct fw_block_key);
	__type(value, struct fw_block_count);
} blocked SEC(".maps") __weak;

/* A connected socket, as the egress hook sees its packets: the peer, the
 * local port, the transport. A tainted process's send on it to a refused
 * destination marks it (from the syscall hook, where the sender is the
 * current task); the egress hook, in whatever context the packet leaves
 * (a softirq retransmit, another task's ACK), drops what is marked. */
struct fw_enforce_flow {
	__u8 remote[16];
	__u16 remote_port;
	__u16 local_port;
	__u8 family;
	__u8 proto;
	__u8 pad[2];
};

struct fw_enforce_mark {
	__u32 tgid; /* the tainted sender, to report the flow under */
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct fw_enforce_flow);
	__type(value, struct fw_enforce_mark);
} enforce_marks SEC(".maps") __weak;

/* sendmmsg: the messages whose byte counts and destinations are read back */
#define FW_MMSG_MAX 16

/* The kernel's own copies of the destinations a thread's datagrams were
 * sent to in its current call, in order (the cgroup sendmsg4/6 hooks,
 * bpf/datagrams.bpf.c): unlike the caller's memory, which another thread
 * can change once the kernel has copied it, they are where the datagrams
 * went. Tainted senders only. The sending socket's identity (set at the
 * call's entry) names the carrier when a datagram goes to a socket of
 * this host (a relay). */
struct fw_datagram_dests {
	__u32 n;
	__u32 has_sender;
	struct fw_file_key sender;
	struct fw_dest d[FW_MMSG_MAX];
};

/* An empty record, to create one from */
static const struct fw_datagram_dests fw_no_dests;

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32); /* thread id */
	__type(value, struct fw_datagram_dests);
} datagram_dests SEC(".maps") __weak;
/* Shared shmem mappings of a process (shared.bpf.h): where each is mapped,
 * which inode, whether the process may store into it */
#define FW_SHARED_MAX 8

struct fw_shared_map {
	__u64 addr;
	__u64 inode; /* struct inode * */
	__u8 writable;
	__u8 marked; /* made a carrier by this process already */
	__u8 pad[6];
};

struct fw_shared {
	__u64 start_ns; /* the process's, against pid reuse */
	__u32 count;
	__u32 pad;
	struct fw_shared_map maps[FW_SHARED_MAX];
};

/* tgid -> its shared shmem mappings; copied to a child at fork, dropped
 * at exec and exit. Not kept across a restart: mappings made before the
 * start are not known (docs/threat-model.md). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct fw_shared);
} shared_members SEC(".maps") __weak;

/* Whether a shmem (tmpfs) file was ever made a carrier: until one is, a
 * member's send has nothing to check and costs no shared_members lookup */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} shmem_carriers SEC(".maps") __weak;

/* Whether a FUSE connection was ever made a carrier: until one is, a read
 * of an unwatched file asks nothing about FUSE (fuse.bpf.h) */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} fuse_carriers SEC(".maps") __weak;

/* A new entry of shared_members being made (too big for the stack) */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fw_shared);
} shared_scratch SEC(".maps") __weak;

/* The collector itself: its own reads of flight logs (content checks)
 * must not taint it. Set before load. */
const volatile __u32 fw_self_tgid __weak = 0;
/* Threads inside truncate(path, 0) now (truncate.bpf.c): lets the page
 * cache's hot tracepoint return after one load when there are none */
__u64 fw_emptying __weak = 0;
/* 0: taint never expires */
const volatile __u64 fw_taint_expiry_ns __weak = 0;
/* The jiffies of the last clock tick tick_boot_ns() was called in, and
 * the boot time its first call there read */
__u64 fw_tick_jiffies __weak = 0;
__u64 fw_tick_boot_ns __weak = 0;

#endif /* FW_MAPS_BPF_H */
