// SPDX-License-Identifier: GPL-2.0
/*
 * Writes a synthetic trace for the replay benchmark (tests/bench/replay.sh)
 * and the fuzzer's seed corpus:
 *
 *   replay_bench FILE EVENTS
 *
 * The mix: sessions of an uploader that forks, execs, reads a flight log
 * (first read, then growing read counts), connects, sends and keeps
 * sending (200 growing send counts, as the collector's periodic counter
 * syncs give for a long upload), then exits; with each session, five
 * processes that never touch a flight log (fork, exec, exit); and the
 * collector's flush marks every 250 records. One flow per 226 records.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "flightwatch.h"
#include "trace/trace_format.h"
#include "trace/trace_writer.h"

static struct fw_exec_event ex;
static struct fw_file_read_event rd;
static uint64_t ts = 1000000000ull;
static unsigned long long written;
static struct fw_trace_writer *w;

static void put(const void *rec, size_t size)
{
	struct fw_event_header *h = (struct fw_event_header *)rec;

	ts += 1000;
	h->ts_ns = ts;
	h->size = size;
	if (trace_writer__event(w, rec, size, 1) ||
	    (++written % 250 == 0 &&
	     trace_writer__mark(w, FW_TREC_FLUSH, ts, 1))) {
		fprintf(stderr, "replay_bench: write failed\n");
		exit(1);
	}
}

static void set_path(char *buf, uint32_t *off, const char *path)
{
	size_t len = strlen(path);

	memset(buf, 0, FW_PATH_BUF);
	*off = FW_PATH_MAX - 1 - len;
	memcpy(buf + *off, path, len);
}

static void lifecycle(uint32_t pid, uint32_t ppid, const char *exe, int hdr)
{
	struct fw_fork_event fk = { 0 };

	fk.hdr.type = FW_EV_FORK;
	fk.hdr.tgid = fk.hdr.tid = pid;
	fk.ppid = ppid;
	strcpy(fk.comm, "bash");
	put(&fk, sizeof(fk));
	memset(&ex, 0, sizeof(ex));
	ex.hdr.type = FW_EV_EXEC;
	ex.hdr.tgid = ex.hdr.tid = pid;
	ex.ppid = ppid;
	snprintf(ex.comm, sizeof(ex.comm), "%s", strrchr(exe, '/') + 1);
	ex.args_len = snprintf(ex.args, sizeof(ex.args), "%s%c--upload%c%d",
			       exe, 0, 0, hdr) +
		      1;
	set_path(ex.path, &ex.exe_off, exe);
	put(&ex, sizeof(ex));
}

static void exit_ev(uint32_t pid)
{
	struct fw_exit_event e = { 0 };

	e.hdr.type = FW_EV_EXIT;
	e.hdr.tgid = e.hdr.tid = pid;
	put(&e, sizeof(e));
}

int main(int argc, char **argv)
{
	struct fw_trace_writer_opts wo = { 0 };
	struct fw_trace_writer_stats st;
	unsigned long long want;
	char *meta = NULL, path[128];
	size_t meta_len = 0;
	uint32_t session = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: replay_bench FILE EVENTS\n");
		return 2;
	}
	want = strtoull(argv[2], NULL, 10);
	trace_meta__add(&meta, &meta_len, "format", "flightwatch-trace");
	trace_meta__add(&meta, &meta_len, "version", "bench");
	trace_meta__add(&meta, &meta_len, "hostname", "bench");
	trace_meta__add(&meta, &meta_len, "clock_wall_minus_boot_ns",
			"1795000000000000000");
	trace_meta__add(&meta, &meta_len, "run_id", "1795000000000000");
	trace_meta__add(&meta, &meta_len, "watch", "/home/pilot/Telemetry");
	trace_meta__add(&meta, &meta_len, "allow", "10.203.9.0/24");
	wo.path = argv[1];
	wo.meta = meta;
	wo.meta_len = meta_len;
	if (trace_writer__open(&w, &wo)) {
		perror(argv[1]);
		return 1;
	}
	while (written < want) {
		uint32_t pid = 2000 + session % 30000;
		uint64_t read = 0, sent = 0;
		struct fw_read_bytes_event rb = { 0 };
		struct fw_net_event ne = { 0 };
		struct fw_send_bytes_event sb = { 0 };
		int i;

		/* untainted neighbours */
		for (i = 0; i < 5; i++) {
			lifecycle(40000 + (session * 5 + i) % 1000, 1,
				  "/usr/bin/grep", 0);
			exit_ev(40000 + (session * 5 + i) % 1000);
		}

		lifecycle(pid, 1000, "/opt/gcs/bin/uploader", session);
		memset(&rd, 0, sizeof(rd));
		rd.hdr.type = FW_EV_FILE_READ;
		rd.hdr.tgid = rd.hdr.tid = pid;
		rd.file.ino = 100 + session % 64;
		rd.file.dev = 8 << 20 | 1;
		rd.bytes = 4096;
		rd.match = FW_MATCH_DIR;
		rd.content = session % 3 ? FW_CONTENT_ULOG : FW_CONTENT_NONE;
		snprintf(path, sizeof(path),
			 "/home/pilot/Telemetry/flight-%u.ulg", session % 64);
		set_path(rd.path, &rd.path_off, path);
		put(&rd, sizeof(rd));
		rb.hdr.type = FW_EV_READ_BYTES;
		rb.hdr.tgid = rb.hdr.tid = pid;
		rb.file = rd.file;
		for (i = 0; i < 5; i++) {
			read += 65536;
			rb.count.bytes = read;
			rb.count.ops = i + 1;
			put(&rb, sizeof(rb));
		}
		ne.hdr.tgid = ne.hdr.tid = pid;
		ne.dest.family = AF_INET;
		ne.dest.addr[0] = 10;
		ne.dest.addr[1] = 203;
		ne.dest.addr[2] = session % 10;
		ne.dest.addr[3] = 1 + session % 50;
		ne.dest.port = 443;
		ne.dest.proto = 6;
		ne.hdr.type = FW_EV_CONNECT;
		put(&ne, sizeof(ne));
		ne.hdr.type = FW_EV_SEND;
		ne.bytes = 1400;
		put(&ne, sizeof(ne));
		sb.hdr.type = FW_EV_SEND_BYTES;
		sb.hdr.tgid = sb.hdr.tid = pid;
		sb.dest = ne.dest;
		/* the collector's periodic counter syncs of a long upload */
		for (i = 0; i < 200; i++) {
			sent += 1400 * (i % 7 + 1);
			sb.count.bytes = sent;
			sb.count.ops = i + 1;
			sb.count.last_ns = ts;
			put(&sb, sizeof(sb));
		}
		exit_ev(pid);
		session++;
	}
	if (trace_writer__flush(w))
		return 1;
	trace_writer__stats(w, &st);
	if (trace_writer__close(w, NULL, 0))
		return 1;
	printf("%llu events, %u sessions, %llu bytes raw, %llu bytes written\n",
	       written, session, (unsigned long long)st.raw_bytes,
	       (unsigned long long)st.file_bytes);
	free(meta);
	return 0;
}
