/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Wire format shared by the BPF programs and the collector.
 *
 * Every struct here crosses the kernel/user boundary (ring buffer records
 * and map keys/values) and, later, the trace file format: fixed-size
 * fields only, largest first, padding written out, sizes pinned below.
 */
#ifndef FLIGHTWATCH_H
#define FLIGHTWATCH_H

#ifdef __bpf__
/* vmlinux.h already defines the __uN types */
#else
#include <linux/types.h>
#endif

#define FW_COMM_LEN 16
/* Path buffers are written backwards from FW_PATH_MAX - 1; the extra
 * FW_NAME_MAX bytes let the verifier prove a name copy stays in bounds. */
#define FW_PATH_MAX 4096
#define FW_NAME_MAX 256
#define FW_PATH_BUF (FW_PATH_MAX + FW_NAME_MAX)
#define FW_ARGS_MAX 1024
#define FW_PATTERN_PART 32
#define FW_PATTERN_MAX 32
/* Bounded d_parent walks: deeper paths are truncated at the top */
#define FW_DIR_DEPTH 24
#define FW_PATH_DEPTH 48
/* DNS messages are copied up to this many bytes: the classic UDP limit,
 * which answers to address queries (A, AAAA) rarely exceed */
#define FW_DNS_MAX 512

enum fw_event_type {
	/* emitted by the kernel */
	FW_EV_EXEC = 1,
	FW_EV_FORK = 2,
	FW_EV_EXIT = 3,
	FW_EV_FILE_READ = 4, /* first read of a watched file by a process */
	FW_EV_CONNECT = 5, /* connect() by a tainted process */
	FW_EV_SEND = 6, /* first send of a tainted process to a destination */
	/* synthesised by the collector from kernel counters */
	FW_EV_READ_BYTES = 7,
	FW_EV_SEND_BYTES = 8,
	FW_EV_LOST = 9,
	/* emitted by the kernel: a tainted process wrote into a carrier */
	FW_EV_CARRIER = 10,
	/* emitted by the kernel: a DNS answer (UDP from port 53) was received */
	FW_EV_DNS = 11,
	/* emitted by the kernel (run --enforce): a tainted process was
	 * refused a destination, a socket or a packet; later attempts of the
	 * same flow only count (the collector sends the counts again) */
	FW_EV_BLOCKED = 12,
	/* emitted by the kernel: a process read the memory of a tainted one
	 * (ptrace, process_vm_readv): it holds what that one holds */
	FW_EV_PEEK = 13,
	/* emitted by the kernel: a tainted process opened a packet socket,
	 * whose frames are not followed (an alert by itself) */
	FW_EV_PACKET_SOCKET = 14,
	FW_EV_TYPE_MAX,
};

/* How the kernel decided a file is a flight log */
enum fw_match {
	FW_MATCH_NONE = 0,
	FW_MATCH_KNOWN = 1, /* inode already in watched_files */
	FW_MATCH_DIR = 2, /* an ancestor directory is watched */
	FW_MATCH_PATTERN = 3, /* the name matches a pattern */
	FW_MATCH_CARRIER = 4, /* a tainted process wrote into it */
};

/* What carries flight-log data between processes */
enum fw_carrier_type {
	FW_CARRIER_FILE = 1, /* a derived file: copy, archive, re-encoding */
	FW_CARRIER_PIPE = 2, /* an anonymous pipe */
	FW_CARRIER_FIFO = 3, /* a named pipe */
	FW_CARRIER_UNIX = 4, /* the peer of an AF_UNIX socket */
	FW_CARRIER_LOOPBACK = 5, /* a TCP/UDP flow to a local relay */
	FW_CARRIER_PTY = 6, /* a terminal: pty master and slave */
	FW_CARRIER_MSGQ = 7, /* a System V message queue */
	FW_CARRIER_FUSE = 8, /* a FUSE connection: its daemon reads writes */
};

/* What the collector found in the file header (filled in user space) */
enum fw_content {
	FW_CONTENT_UNKNOWN = 0, /* unreadable or not checked */
	FW_CONTENT_NONE = 1, /* readable, no known flight-log signature */
	FW_CONTENT_TLOG = 2,
	FW_CONTENT_ULOG = 3,
	FW_CONTENT_DATAFLASH = 4,
	FW_CONTENT_DJI_TXT = 5,
	FW_CONTENT_DJI_DAT = 6,
};

/* The LRU maps: when one is full, inserting evicts its least recently
 * used entry. Evictions lose state (a taint, a byte count, a carrier), so
 * they are counted and reported, never silent. This is the order of their
 * counters (stats map, statistics line, journal fields); which map each
 * slot is, FW_SIZED_MAPS says. */
enum fw_lru_map {
	FW_LRU_WATCHED_FILES = 0,
	FW_LRU_WATCHED_INODES,
	FW_LRU_TAINTED,
	FW_LRU_READS,
	FW_LRU_FLOWS,
	FW_LRU_CARRIES,
	FW_LRU_RELAYS,
	FW_LRU_EMBRYOS,
	FW_LRU_URING_REQS,
	FW_LRU_BLOCKED, /* enforcement: refused flows and their counts */
	FW_LRU_ENFORCE_MARKS, /* enforcement: flows whose packets are dropped */
	FW_LRU_MAX,
	FW_LRU_NONE = FW_LRU_MAX, /* FW_SIZED_MAPS: a map that evicts nothing */
};

/*
 * The kernel maps whose size the config's maps: key may set, in the order
 * the config lists them: X(name, lru, min, max, pow2). name is the map's
 * in the BPF object; lru its enum fw_lru_map slot, or FW_LRU_NONE; min and
 * max bound its size in entries, or for events (the ring buffer) in bytes,
 * a power of two as the kernel requires (pow2). The collector's config
 * limits, LRU map names and map lookups are generated from this table.
 */
#define FW_SIZED_MAPS(X)                                          \
	X(events, FW_LRU_NONE, 1u << 16, 1u << 30, 1)             \
	X(tainted, FW_LRU_TAINTED, 64, 1u << 22, 0)               \
	X(reads, FW_LRU_READS, 64, 1u << 22, 0)                   \
	X(flows, FW_LRU_FLOWS, 64, 1u << 22, 0)                   \
	X(carries, FW_LRU_CARRIES, 64, 1u << 22, 0)               \
	X(relays, FW_LRU_RELAYS, 64, 1u << 22, 0)                 \
	X(embryos, FW_LRU_EMBRYOS, 64, 1u << 22, 0)               \
	X(watched_dirs, FW_LRU_NONE, 16, 1u << 22, 0)             \
	X(watched_files, FW_LRU_WATCHED_FILES, 64, 1u << 22, 0)   \
	X(watched_inodes, FW_LRU_WATCHED_INODES, 64, 1u << 22, 0) \
	X(uring_reqs, FW_LRU_URING_REQS, 64, 1u << 22, 0)         \
	X(blocked, FW_LRU_BLOCKED, 64, 1u << 22, 0)               \
	X(enforce_marks, FW_LRU_ENFORCE_MARKS, 64, 1u << 22, 0)

/* Every LRU slot is the slot of exactly one map of the table: as many
 * LRU maps as slots, and together they cover every slot */
#define FW_LRU_COUNT_(name, lru, min, max, pow2) +((lru) != FW_LRU_NONE)
#define FW_LRU_BIT_(name, lru, min, max, pow2) \
	| ((lru) != FW_LRU_NONE ? 1u << (lru) : 0u)
_Static_assert(0 FW_SIZED_MAPS(FW_LRU_COUNT_) == FW_LRU_MAX,
	       "FW_SIZED_MAPS: one LRU map per enum fw_lru_map slot");
_Static_assert((0u FW_SIZED_MAPS(FW_LRU_BIT_)) == (1u << FW_LRU_MAX) - 1,
	       "FW_SIZED_MAPS: every enum fw_lru_map slot has its map");
#undef FW_LRU_COUNT_
#undef FW_LRU_BIT_

/* Per-CPU statistics, indexed in the kernel's stats map */
enum fw_stat {
	FW_STAT_RB_DROPPED = 0, /* ring buffer reservation failures */
	FW_STAT_PENDING_FULL = 1, /* syscall in flight not tracked: map full */
	FW_STAT_PATH_TRUNCATED = 2,
	FW_STAT_EVENTS = 3, /* FW_STAT_EVENTS + type: events submitted */
	/* io_uring reads and sends on registered (fixed) files: not
	 * followed, so counted */
	FW_STAT_URING_FIXED = FW_STAT_EVENTS + FW_EV_TYPE_MAX,
	/* shared mappings not recorded (a process's table or the map full,
	 * its mm busy at mmap exit) */
	FW_STAT_SHARED_UNFOLLOWED,
	/* + enum fw_lru_map: new keys put into, and keys deleted from, each
	 * LRU map by the programs; the collector derives evictions */
	FW_STAT_LRU_INSERTS,
	FW_STAT_LRU_DELETES = FW_STAT_LRU_INSERTS + FW_LRU_MAX,
	FW_STAT_MAX = FW_STAT_LRU_DELETES + FW_LRU_MAX,
};

/* A file's identity. dev is the kernel's internal encoding
 * (major << 20 | minor), gen guards against inode number reuse. */
struct fw_file_key {
	__u64 ino;
	__u32 dev;
	__u32 gen;
};

/* A unix stream connection written into before the listener accepted it
 * has no inode yet: until the accept it is named by the embryo sock's
 * address (ino), dev 0 and this generation (see bpf/carriers.bpf.h) */
#define FW_EMBRYO_GEN 0xFFFFFFFFu

/* watched_inodes holds the ptmx inode (every pty master's) under dev 0 and
 * this generation: a read there is a pty's, named by its slave (see
 * bpf/pty.bpf.h) */
#define FW_PTMX_GEN 0xFFFFFFFEu

/* watched_inodes holds each /proc/PID/mem inode opened under dev 0 and this
 * generation: a read there reads another process's memory (see
 * bpf/procmem_files.bpf.h) */
#define FW_PROC_MEM_GEN 0xFFFFFFFDu

/* A System V message queue has no inode: it is named by its IPC
 * namespace's number (high 32 bits of ino) and its id (low 32), under
 * dev 0 and this generation (see bpf/carriers.bpf.h) */
#define FW_MSGQ_GEN 0xFFFFFFFCu

/* carries holds (socket, process) pairs of sockets whose traffic is not
 * followed, opened or written to by a tainted process, under the sock's
 * address, dev 0 and this generation: reported once (see bpf/io.bpf.h) */
#define FW_UNFOLLOWED_SOCK_GEN 0xFFFFFFFBu

/* A FUSE connection carries what is written into its files to the daemon
 * that serves them: named by its device (ino; 0 for every connection
 * where the kernel's FUSE types are unknown), dev 0 and this generation
 * (see bpf/fuse.bpf.h) */
#define FW_FUSE_GEN 0xFFFFFFFAu

/* watched_inodes holds each /dev/fuse inode opened under dev 0 and this
 * generation: a read there is a FUSE daemon's, of its connection */
#define FW_FUSE_DEV_GEN 0xFFFFFFF9u

/* A directory in the watched set (generation not needed: the collector
 * re-resolves directories when it rescans) */
struct fw_dir_key {
	__u64 ino;
	__u32 dev;
	__u32 pad;
};

/* A network destination; v4-mapped IPv6 is stored as IPv4 */
struct fw_dest {
	__u8 addr[16]; /* IPv4 in the first 4 bytes */
	__u16 port; /* host byte order */
	__u8 family; /* AF_INET or AF_INET6 */
	__u8 proto; /* the socket's IP protocol: IPPROTO_TCP, IPPROTO_UDP... */
	/* FW_DEST_LOCAL: an address of this host (a connected socket whose
	 * source address is its destination) */
	__u8 flags;
	__u8 pad[3];
};

#define FW_DEST_LOCAL 1

/* A process that carries flight-log data (the tainted map, by tgid) */
struct fw_taint {
	__u64 first_ns; /* its last read of flight-log data (expiry) */
	/* its start (fw_event_header.start_ns): a pid reused while no exit
	 * was seen (the tracer restarting on pinned maps) is not tainted */
	__u64 start_ns;
	/* the first flight log or carrier it read: the origin an alert can
	 * still name when that read's record was lost */
	struct fw_file_key origin;
};

struct fw_read_key {
	struct fw_file_key file;
	__u32 tgid;
	__u32 pad;
};

struct fw_flow_key {
	struct fw_dest dest;
	__u32 tgid;
	__u32 pad;
};

struct fw_counter {
	__u64 bytes;
	__u64 ops;
	__u64 first_ns;
	__u64 last_ns;
};

/* A file-name pattern: PREFIX*SUFFIX (either part may be empty), or an
 * exact name when there is no '*' */
struct fw_pattern {
	char prefix[FW_PATTERN_PART];
	char suffix[FW_PATTERN_PART];
	__u8 prefix_len;
	__u8 suffix_len;
	__u8 used;
	__u8 exact;
	__u8 pad[4];
};

/* Enforcement: what the kernel does to a tainted process's attempt to
 * reach a destination the policy does not allow (enforce.bpf.c) */
enum fw_enforce_mode {
	FW_ENFORCE_OFF = 0, /* detect: report the sends afterwards */
	FW_ENFORCE_DRY_RUN =
		1, /* report what would be refused, refuse nothing */
	FW_ENFORCE_BLOCK = 2, /* refuse it */
};

/* Where the kernel refused (or, in dry-run, would have) */
enum fw_block_hook {
	FW_BLOCK_CONNECT = 1, /* connect(): EPERM */
	FW_BLOCK_SENDMSG = 2, /* an unconnected sendto/sendmsg: EPERM */
	FW_BLOCK_EGRESS = 3, /* packets of a flow set up before the taint */
	FW_BLOCK_SOCKET = 4, /* a raw socket: EPERM */
};

/* The allowed destinations, in an LPM trie: family and address, prefixlen
 * counting the family's 8 bits. The value of a prefix holds the ports of
 * every rule whose network contains it (the collector merges them), so
 * that the longest match alone decides. */
#define FW_ENFORCE_PORTS 15
struct fw_enforce_key {
	__u32 prefixlen;
	__u8 family;
	__u8 addr[16];
	__u8 pad[3];
};

struct fw_enforce_allow {
	__u16 ports[FW_ENFORCE_PORTS]; /* host order; used: n_ports */
	__u8 any_port;
	__u8 n_ports;
};

/* The collector's settings, reloadable: one entry */
struct fw_enforce_config {
	__u32 mode; /* enum fw_enforce_mode */
	__u32 pad;
};

/* A refused flow: counted in the kernel, one record when it starts */
struct fw_block_key {
	struct fw_dest dest; /* FW_BLOCK_SOCKET: family and type only */
	__u32 tgid;
	__u32 hook; /* enum fw_block_hook */
};

struct fw_block_count {
	__u64 count; /* attempts (EGRESS: packets) refused */
	__u64 first_ns;
	__u64 last_ns;
	__u32 mode; /* enum fw_enforce_mode when it was counted */
	__u32 pad;
};

struct fw_event_header {
	__u64 ts_ns; /* CLOCK_BOOTTIME */
	__u32 type; /* enum fw_event_type */
	__u32 tgid;
	__u32 tid;
	__u32 size; /* of the whole record */
	/* The process's identity beside its pid: when its thread-group
	 * leader started (CLOCK_BOOTTIME ns, the kernel's start_boottime). A
	 * reused pid has another; 0 when no process is concerned or not
	 * known. /proc gives it in FW_START_TICK_NS units only. */
	__u64 start_ns;
	/* its command name when the record was made (zeros when no
	 * process is concerned): a process whose exec and fork records were
	 * lost is still named */
	char comm[FW_COMM_LEN];
};

/* /proc/PID/stat's starttime unit (USER_HZ is 100 on every Linux) */
#define FW_START_TICK_NS 10000000ull

/* Two start times name the same process: equal to the precision /proc
 * gives, or one of them unknown */
static inline int fw_same_start(__u64 a, __u64 b)
{
	return !a || !b || a / FW_START_TICK_NS == b / FW_START_TICK_NS;
}

struct fw_exec_event {
	struct fw_event_header hdr;
	__u32 ppid;
	__u32 uid;
	__u32 exe_off; /* path is path[exe_off .. FW_PATH_MAX - 1) */
	__u32 args_len; /* NUL-separated argv in args[0 .. args_len) */
	char comm[FW_COMM_LEN];
	char args[FW_ARGS_MAX];
	char path[FW_PATH_BUF];
};

struct fw_fork_event {
	struct fw_event_header hdr;
	__u32 ppid;
	__u32 uid;
	char comm[FW_COMM_LEN];
};

struct fw_exit_event {
	struct fw_event_header hdr;
	__u32 exit_code;
	__u32 pad;
};

struct fw_file_read_event {
	struct fw_event_header hdr;
	struct fw_file_key file;
	__u64 bytes; /* of this first read */
	__u32 match; /* enum fw_match */
	__u32 content; /* enum fw_content, filled by the collector */
	__u32 path_off; /* path is path[path_off .. FW_PATH_MAX - 1) */
	__u32 pad;
	char path[FW_PATH_BUF];
};

struct fw_net_event {
	struct fw_event_header hdr;
	struct fw_dest dest;
	__u64 bytes; /* FW_EV_SEND: this first send; FW_EV_CONNECT: 0 */
	__s32 fd;
	__u32 pad;
	/* fw_taint.origin of the sender (zeros: none known) */
	struct fw_file_key origin;
};

/* FW_EV_CARRIER: the first write of a tainted process into a carrier */
struct fw_carrier_event {
	struct fw_event_header hdr;
	struct fw_file_key carrier;
	__u64 bytes; /* of this first write */
	__u32 carrier_type; /* enum fw_carrier_type */
	__u32 path_off; /* FW_CARRIER_FILE/FIFO: path[path_off ..] */
	char path[FW_PATH_BUF];
};

/*
 * FW_EV_DNS: a DNS message received over UDP from port 53 by any process
 * (passive DNS: the answers the host actually got), or sent to port 53
 * (the queries, which answers must match to count). The receiving process
 * is not known where the packet is seen, so hdr.tgid and hdr.tid are 0.
 * The collector maps the answer's addresses to the name that was asked.
 */
struct fw_dns_event {
	struct fw_event_header hdr;
	__u8 server[16]; /* the answer's source address; IPv4: first 4 bytes */
	__u16 len; /* bytes of the DNS message in data */
	__u16 wire_len; /* of the whole message: more than len when cut */
	__u8 family; /* AF_INET or AF_INET6 */
	/* 1: a query this host sent (server: where to); 0: an answer it
	 * received (server: where from) */
	__u8 query;
	/* answers: from one of the configured resolvers (set by the
	 * collector, so that a replay judges it as the live run did) */
	__u8 from_resolver;
	__u8 pad;
	__u8 data[FW_DNS_MAX];
};

/* How memory moved between processes: read by hdr's process (PEEK), or
 * written into it by source (POKE) */
enum fw_peek_how {
	FW_PEEK_PTRACE = 1, /* PTRACE_ATTACH, PTRACE_SEIZE, PEEKDATA... */
	FW_PEEK_VM_READV = 2, /* process_vm_readv */
	FW_PEEK_PROC_MEM = 3, /* a read of /proc/PID/mem */
	FW_POKE_PTRACE = 4, /* PTRACE_POKEDATA, PTRACE_POKETEXT */
	FW_POKE_VM_WRITEV = 5, /* process_vm_writev */
	FW_POKE_PROC_MEM = 6, /* a write to /proc/PID/mem */
};

/* FW_EV_PEEK: hdr's process now holds the memory of the tainted process
 * source (a tgid): it read source's memory, or source wrote into its.
 * For a write, hdr names the process written into (tgid, start, comm),
 * not the task that ran the call. */
struct fw_peek_event {
	struct fw_event_header hdr;
	__u32 source;
	__u32 how; /* enum fw_peek_how */
};

/* FW_EV_PACKET_SOCKET: a tainted process opened, or first wrote to, a
 * socket whose traffic is not followed (AF_PACKET, or a family that leaves the host without the
 * IP stack: vsock, bluetooth, ...). A record without family (written
 * before it was added) is AF_PACKET's. */
struct fw_packet_socket_event {
	struct fw_event_header hdr;
	__u32 type; /* SOCK_RAW, SOCK_DGRAM, ... */
	__u32 protocol; /* network byte order, as socket(2) took it */
	__u32 family; /* AF_* */
	__u32 pad;
};
#define FW_PACKET_SOCKET_EVENT_V1_SIZE \
	offsetof(struct fw_packet_socket_event, family)

/* FW_EV_READ_BYTES: cumulative bytes a process read from a file */
struct fw_read_bytes_event {
	struct fw_event_header hdr;
	struct fw_file_key file;
	struct fw_counter count;
};

/* FW_EV_SEND_BYTES: cumulative bytes a process sent to a destination */
struct fw_send_bytes_event {
	struct fw_event_header hdr;
	struct fw_dest dest;
	struct fw_counter count;
};

/* FW_EV_BLOCKED: a refused flow, with the count so far (from the
 * kernel: 1; from the collector's sync: the kernel's running count) */
struct fw_block_event {
	struct fw_event_header hdr;
	struct fw_dest dest;
	__u64 count;
	__u32 hook; /* enum fw_block_hook */
	__u32 mode; /* FW_ENFORCE_DRY_RUN: nothing was refused */
};

/* FW_EV_LOST: kernel events dropped so far (cumulative) */
struct fw_lost_event {
	struct fw_event_header hdr;
	__u64 dropped;
	__u64 pending_full;
};

_Static_assert(sizeof(struct fw_file_key) == 16, "fw_file_key layout");
_Static_assert(sizeof(struct fw_dest) == 24, "fw_dest layout");
_Static_assert(sizeof(struct fw_read_key) == 24, "fw_read_key layout");
_Static_assert(sizeof(struct fw_flow_key) == 32, "fw_flow_key layout");
_Static_assert(sizeof(struct fw_counter) == 32, "fw_counter layout");
_Static_assert(sizeof(struct fw_pattern) == 72, "fw_pattern layout");
_Static_assert(sizeof(struct fw_event_header) == 48, "header layout");
_Static_assert(sizeof(struct fw_exec_event) ==
		       48 + 16 + 16 + FW_ARGS_MAX + FW_PATH_BUF,
	       "exec event layout");
_Static_assert(sizeof(struct fw_file_read_event) ==
		       48 + 16 + 8 + 16 + FW_PATH_BUF,
	       "file read event layout");
_Static_assert(sizeof(struct fw_carrier_event) == 48 + 16 + 8 + 8 + FW_PATH_BUF,
	       "carrier event layout");
_Static_assert(sizeof(struct fw_net_event) == 48 + 24 + 8 + 8 + 16,
	       "net event layout");
_Static_assert(sizeof(struct fw_enforce_key) == 24, "fw_enforce_key layout");
_Static_assert(sizeof(struct fw_enforce_allow) == 32,
	       "fw_enforce_allow layout");
_Static_assert(sizeof(struct fw_block_key) == 32, "fw_block_key layout");
_Static_assert(sizeof(struct fw_block_count) == 32, "fw_block_count layout");
_Static_assert(sizeof(struct fw_block_event) == 48 + 24 + 8 + 8,
	       "block event layout");
_Static_assert(sizeof(struct fw_dns_event) == 48 + 16 + 8 + FW_DNS_MAX,
	       "dns event layout");

/*
 * The pattern test, shared verbatim by the kernel (name of an opened file)
 * and the collector (unit tests, rule listing). name holds at least len
 * bytes and len < FW_NAME_MAX; the masks keep the verifier content.
 */
static inline int fw_pattern_match(const struct fw_pattern *pat,
				   const char *name, unsigned int len)
{
	unsigned int plen = pat->prefix_len, slen = pat->suffix_len;
	unsigned int j;

	if (plen > FW_PATTERN_PART || slen > FW_PATTERN_PART ||
	    len < plen + slen || (pat->exact && len != plen))
		return 0;
	for (j = 0; j < FW_PATTERN_PART && j < plen; j++)
		if (name[j] != pat->prefix[j])
			return 0;
	for (j = 0; j < FW_PATTERN_PART && j < slen; j++)
		if (name[(len - slen + j) & (FW_NAME_MAX - 1)] !=
		    pat->suffix[j])
			return 0;
	return 1;
}

#endif /* FLIGHTWATCH_H */
