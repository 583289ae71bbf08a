// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <stdint.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "kernel/procscan.h"
#include "lib/util.h"

static ssize_t read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, size);
	close(fd);
	return n;
}

/* ppid is field 4 of stat and starttime (clock ticks after boot) field
 * 22, after "(comm)" which may hold spaces */
static void parse_stat(const char *stat, unsigned *ppid, uint64_t *start_ns)
{
	const char *p = strrchr(stat, ')');
	unsigned long long ticks = 0;
	char state;

	*ppid = 0;
	*start_ns = 0;
	if (!p ||
	    sscanf(p + 1,
		   " %c %u %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %llu",
		   &state, ppid, &ticks) != 3)
		return;
	*start_ns = ticks * FW_START_TICK_NS;
}

static unsigned parse_uid(const char *status)
{
	const char *p = strstr(status, "\nUid:");
	unsigned uid = 0;

	if (p)
		sscanf(p + 5, "%u", &uid);
	return uid;
}

/* want_start: the process expected at pid (0: whichever is there) */
static bool fill_exec(const char *proc_root, unsigned pid, uint64_t want_start,
		      struct fw_exec_event *e)
{
	char path[256], buf[4096], exe[FW_PATH_MAX];
	uint64_t start_ns;
	unsigned ppid;
	ssize_t n;
	size_t len;

	memset(e, 0, sizeof(*e));
	snprintf(path, sizeof(path), "%s/%u/stat", proc_root, pid);
	n = read_file(path, buf, sizeof(buf) - 1);
	if (n <= 0)
		return false; /* gone already */
	buf[n] = '\0';
	parse_stat(buf, &ppid, &start_ns);
	if (want_start && !fw_same_start(want_start, start_ns))
		return false; /* another process has that pid now */
	e->ppid = ppid;
	/* the kernel's is more precise */
	e->hdr.start_ns = want_start ? want_start : start_ns;

	snprintf(path, sizeof(path), "%s/%u/status", proc_root, pid);
	n = read_file(path, buf, sizeof(buf) - 1);
	if (n > 0) {
		buf[n] = '\0';
		e->uid = parse_uid(buf);
	}
	snprintf(path, sizeof(path), "%s/%u/comm", proc_root, pid);
	n = read_file(path, e->comm, sizeof(e->comm) - 1);
	if (n > 0 && e->comm[n - 1] == '\n')
		e->comm[n - 1] = '\0';

	snprintf(path, sizeof(path), "%s/%u/cmdline", proc_root, pid);
	n = read_file(path, e->args, FW_ARGS_MAX - 1);
	e->args_len = n > 0 ? n : 0;

	/* exe is written like the kernel's path: ending at FW_PATH_MAX - 1 */
	snprintf(path, sizeof(path), "%s/%u/exe", proc_root, pid);
	n = readlink(path, exe, sizeof(exe) - 1);
	len = n > 0 ? (size_t)n : 0;
	e->exe_off = FW_PATH_MAX - 1 - len;
	memcpy(e->path + e->exe_off, exe, len);
	e->path[FW_PATH_MAX - 1] = '\0';

	e->hdr.type = FW_EV_EXEC;
	e->hdr.size = sizeof(*e);
	e->hdr.tgid = e->hdr.tid = pid;
	e->hdr.ts_ns = fw_boot_now_ns();
	return true;
}

size_t procscan__seed(const char *proc_root, fw_record_fn fn, void *ctx)
{
	struct fw_exec_event *e = fw_xcalloc(1, sizeof(*e));
	DIR *dir = opendir(proc_root);
	struct dirent *de;
	size_t count = 0;

	while (dir && (de = readdir(dir))) {
		char *end;
		unsigned long pid = strtoul(de->d_name, &end, 10);

		if (!isdigit((unsigned char)de->d_name[0]) || *end)
			continue;
		if (fill_exec(proc_root, pid, 0, e)) {
			fn(e, sizeof(*e), ctx);
			count++;
		}
	}
	if (dir)
		closedir(dir);
	free(e);
	return count;
}

bool procscan__identify(const char *proc_root, uint32_t pid, uint64_t start_ns,
			fw_record_fn fn, void *ctx)
{
	struct fw_exec_event *e = fw_xcalloc(1, sizeof(*e));
	bool found = fill_exec(proc_root, pid, start_ns, e);

	if (found)
		fn(e, sizeof(*e), ctx);
	free(e);
	return found;
}

uint64_t procscan__start_ns(const char *proc_root, uint32_t pid)
{
	char path[256], buf[4096];
	uint64_t start_ns;
	unsigned ppid;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%u/stat", proc_root, pid);
	n = read_file(path, buf, sizeof(buf) - 1);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	parse_stat(buf, &ppid, &start_ns);
	return start_ns;
}
