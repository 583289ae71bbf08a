/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The process table: what the collector knows of each process (identity
 * from exec/fork events or the /proc seed) and which flight logs it read.
 */
#ifndef FW_PROCTAB_H
#define FW_PROCTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "flightwatch.h"
#include "lib/hashmap.h"

/* A flight log as the collector knows it */
struct fw_file {
	struct fw_file_key key;
	char *path;
	uint32_t match; /* enum fw_match */
	uint32_t content; /* enum fw_content */
};

/* One flight log a process carries, with the bytes it read itself (0 when
 * inherited from its parent) */
struct fw_origin {
	const struct fw_file *file;
	uint64_t bytes_read;
};

/* A step data took between its origin files and the sending process */
enum fw_hop_type {
	FW_HOP_PROCESS = 1, /* a process that held the data */
	FW_HOP_CARRIER = 2, /* a pipe, FIFO, unix socket or derived file */
};

struct fw_hop {
	uint32_t type; /* enum fw_hop_type */
	uint32_t carrier_type; /* enum fw_carrier_type */
	uint32_t pid;
	uint64_t bytes; /* CARRIER: bytes the next process read from it */
	/* PROCESS: how the next process got this one's memory (enum
	 * fw_peek_how); 0: it did not (a child, an exec) */
	uint32_t via;
	char *name; /* comm, or the carrier's name ("pipe:[1234]") */
	char *path; /* executable, or the carrier's path */
};

/* Longer chains keep their first hops and the last one */
#define FW_CHAIN_MAX 16

struct fw_proc {
	uint32_t pid;
	uint32_t ppid;
	uint32_t uid;
	char comm[FW_COMM_LEN];
	char *exe;
	char *cmdline; /* argv joined with spaces */
	uint64_t start_ns; /* boot time of the exec/fork we learnt it from */
	/* the kernel's start of the process (fw_event_header.start_ns):
	 * with the pid, its identity; 0 until known */
	uint64_t birth_ns;
	struct fw_origin *origins;
	size_t n_origins;
	/* bumped whenever the origin set changes: flows key on it */
	uint32_t origins_version;
	/* how the data reached this process, origin side first */
	struct fw_hop *chain;
	size_t n_chain;
	/* carriers it wrote into: they follow its origin set while it lives */
	struct fw_file_key *written;
	size_t n_written;
};

struct fw_proctab;

struct fw_proctab *proctab__new(void);
void proctab__free(struct fw_proctab *tab);
struct fw_proc *proctab__get(struct fw_proctab *tab, uint32_t pid);
/* The process, created empty (comm "?") if unknown */
struct fw_proc *proctab__get_or_add(struct fw_proctab *tab, uint32_t pid);
void proctab__remove(struct fw_proctab *tab, uint32_t pid);
size_t proctab__count(const struct fw_proctab *tab);
/* Iteration: struct hashmap_cursor cur = {0}; struct fw_proc *p;
 * while (proctab__next(tab, &cur, &p)) ... (no changes meanwhile) */
bool proctab__next(const struct fw_proctab *tab, struct hashmap_cursor *cur,
		   struct fw_proc **p);

/* Event application */
void proctab__exec(struct fw_proctab *tab, const struct fw_exec_event *e);
void proctab__fork(struct fw_proctab *tab, const struct fw_fork_event *e);

/* Record that proc carries file; returns the origin (new or existing) */
struct fw_origin *proc__add_origin(struct fw_proc *proc,
				   const struct fw_file *file);
struct fw_origin *proc__find_origin(struct fw_proc *proc,
				    const struct fw_file_key *key);

/* Chains: hops are deep copies, owned by their array */
void chain__free(struct fw_hop *chain, size_t n);
/* *dst = prefix + last (copied); the old *dst is freed */
void chain__set(struct fw_hop **dst, size_t *n_dst, const struct fw_hop *prefix,
		size_t n_prefix, const struct fw_hop *last);
/* A hop describing proc (borrowed strings: copy with chain__set) */
struct fw_hop hop__process(const struct fw_proc *proc);

#endif /* FW_PROCTAB_H */
