// SPDX-License-Identifier: GPL-2.0
#include <cap-ng.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <linux/perf_event.h>
#include <linux/securebits.h>
#include <pwd.h>
#include <sched.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>
#include "kernel/privs.h"
#include "lib/util.h"

#ifndef CAP_BPF
#define CAP_BPF 39
#endif

/* Permitted capabilities at the start, one bit each */
static uint64_t had;

static bool has(int cap)
{
	return had & (1ull << cap);
}

/* Effective: CAP_DAC_READ_SEARCH and extra (-1: none); the permitted set
 * stays whole, so that the next try, and privs__confine, can still use
 * the rest */
static int try_with(int extra)
{
	capng_clear(CAPNG_SELECT_CAPS);
	for (int cap = 0; cap < 64; cap++) {
		capng_type_t type = CAPNG_PERMITTED;

		if (!has(cap))
			continue;
		if (cap == CAP_DAC_READ_SEARCH || cap == extra)
			type |= CAPNG_EFFECTIVE;
		if (capng_update(CAPNG_ADD, type, cap))
			return -1;
	}
	return capng_apply(CAPNG_SELECT_CAPS) ? -1 : 0;
}

/* The capabilities the event loop needs, one bit each; -1 on error */
static int64_t needed(fw_bpf_check_fn check, void *ctx)
{
	/* kernels that check map operations on open descriptors want
	 * CAP_BPF, or CAP_SYS_ADMIN before CAP_BPF existed (5.8) */
	static const int extras[] = { -1, CAP_BPF, CAP_SYS_ADMIN };
	uint64_t keep = had & (1ull << CAP_DAC_READ_SEARCH);

	for (size_t i = 0; i < FW_ARRAY_SIZE(extras); i++) {
		if (extras[i] >= 0 && !has(extras[i]))
			continue;
		if (try_with(extras[i]))
			return -1;
		if (check(ctx))
			continue;
		if (extras[i] < 0)
			return keep;
		if (fw_verbose)
			fw_warn("this kernel needs capability %d for map operations: kept",
				extras[i]);
		return keep | 1ull << extras[i];
	}
	/* nothing smaller works: keep what we have rather than go blind */
	fw_warn("the maps do not work with fewer capabilities: none dropped");
	return had;
}

int privs__drop(fw_bpf_check_fn check, void *ctx, const char *rotating)
{
	int64_t keep;

	capng_get_caps_process();
	if (capng_have_capabilities(CAPNG_SELECT_CAPS) == CAPNG_NONE)
		return 0;
	had = 0;
	for (int cap = 0; cap < 64; cap++)
		if (capng_have_capability(CAPNG_PERMITTED, cap) == 1)
			had |= 1ull << cap;
	keep = needed(check, ctx);
	if (keep < 0) {
		fw_err("cannot drop capabilities");
		return -1;
	}
	if (privs__confine(FW_PRIVS_USER, keep, rotating))
		return -1;
	return privs__sandbox();
}

/* Could uid/gid rename file and create it again in its directory? A
 * sticky directory (/tmp) forbids renaming what root created there
 * before the drop. */
static bool can_rotate(const char *file, uid_t uid, gid_t gid)
{
	char *dir = fw_xstrdup(file);
	struct stat st;
	int err = stat(dirname(dir), &st);

	free(dir);
	if (err || (st.st_mode & S_ISVTX))
		return false;
	if (st.st_uid == uid)
		return (st.st_mode & 0300) == 0300;
	if (st.st_gid == gid)
		return (st.st_mode & 0030) == 0030;
	return (st.st_mode & 0003) == 0003;
}

/* The user to become, or NULL (say why once, in verbose mode) */
static const struct passwd *target(const char *user, const char *rotating)
{
	const struct passwd *pw;

	if (!user)
		return NULL;
	errno = 0;
	pw = getpwnam(user);
	if (!pw) {
		if (fw_verbose)
			fw_warn("no user %s (etc/flightwatch.sysusers creates it): the collector stays uid 0, with no capability but those it needs",
				user);
		return NULL;
	}
	if (rotating && !can_rotate(rotating, pw->pw_uid, pw->pw_gid)) {
		if (fw_verbose)
			fw_warn("%s cannot rotate the trace %s in its directory: the collector stays uid 0, with no capability but those it needs",
				user, rotating);
		return NULL;
	}
	return pw;
}

/* Every capability in the bounding set goes: nothing gained at an execve */
static int clear_bounding(void)
{
	for (int cap = 0; cap < 64; cap++) {
		int ret = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);

		if (ret < 0)
			break; /* past the last capability this kernel has */
		if (ret && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0))
			return -1;
	}
	return 0;
}

int privs__confine(const char *user, uint64_t keep, const char *rotating)
{
	/* uid 0 is no longer special at an execve; a uid change keeps the
	 * capabilities (no fixup, hence no PR_SET_KEEPCAPS); the keep-caps
	 * flag stays off; nothing can be raised into the ambient set. Each
	 * locked, so that none can be undone. */
	static const unsigned long securebits =
		SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP |
		SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED |
		SECBIT_NO_CAP_AMBIENT_RAISE |
		SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED;
	const struct passwd *pw = target(user, rotating);
	bool setpcap;
	const char *step;

	/* everything permitted becomes effective for the steps below
	 * (CAP_SETPCAP, CAP_SETUID, CAP_SETGID) */
	step = "capabilities";
	capng_get_caps_process();
	for (int cap = 0; cap < 64; cap++)
		if (capng_have_capability(CAPNG_PERMITTED, cap) == 1)
			capng_update(CAPNG_ADD, CAPNG_EFFECTIVE, cap);
	if (capng_apply(CAPNG_SELECT_CAPS))
		goto fail;
	/* started without root, with only the capabilities tracing needs:
	 * what cannot be changed stays, no_new_privs and seccomp still come */
	setpcap = capng_have_capability(CAPNG_EFFECTIVE, CAP_SETPCAP) == 1;
	if (pw && (capng_have_capability(CAPNG_EFFECTIVE, CAP_SETUID) != 1 ||
		   capng_have_capability(CAPNG_EFFECTIVE, CAP_SETGID) != 1)) {
		if (fw_verbose)
			fw_warn("without CAP_SETUID and CAP_SETGID the collector cannot become %s",
				user);
		pw = NULL;
	}
	if (!setpcap && fw_verbose)
		fw_warn("without CAP_SETPCAP the bounding set and the securebits stay as they are");
	step = "securebits";
	if (setpcap && prctl(PR_SET_SECUREBITS, securebits, 0, 0, 0))
		goto fail;
	step = "the ambient set";
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0))
		goto fail;
	step = "the bounding set";
	if (setpcap && clear_bounding())
		goto fail;
	if (pw) {
		step = "user";
		if (setgroups(0, NULL) ||
		    setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) ||
		    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid))
			goto fail;
	}
	step = "capabilities";
	capng_clear(CAPNG_SELECT_CAPS);
	for (int cap = 0; cap < 64; cap++)
		if ((keep & (1ull << cap)) &&
		    capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED,
				 cap))
			goto fail;
	if (capng_apply(CAPNG_SELECT_CAPS))
		goto fail;
	step = "no_new_privs";
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		goto fail;
	if (fw_verbose)
		fw_warn("privileges dropped: uid %u, capabilities %#llx, bounding set %s, securebits %#x %s, no_new_privs",
			(unsigned int)getuid(), (unsigned long long)keep,
			setpcap ? "empty" : "unchanged",
			prctl(PR_GET_SECUREBITS, 0, 0, 0, 0),
			setpcap ? "locked" : "unchanged");
	return 0;
fail:
	fw_err("cannot drop privileges (%s): %s", step, strerror(errno));
	return -1;
}

/* ---- the seccomp allowlist ---------------------------------------------- */

/*
 * What the event loop and a reload thread call, by name so that another
 * architecture finds its own numbers (a name it lacks is skipped).
 * Grouped by who needs them; a few get argument checks below.
 */
static const char *const allowed[] = {
	/* files: flight-log headers, the config, the GeoIP database,
	 * watched directories (O_PATH), the trace and its rotation, the
	 * journal spool */
	"read",
	"readv",
	"pread64",
	"preadv",
	"preadv2",
	"write",
	"writev",
	"pwrite64",
	"pwritev",
	"pwritev2",
	"lseek",
	"_llseek",
	"close",
	"close_range",
	"open",
	"openat",
	"stat",
	"fstat",
	"lstat",
	"newfstatat",
	"statx",
	"fstatfs",
	"statfs",
	"getdents64",
	"getdents",
	"readlink",
	"readlinkat",
	"access",
	"faccessat",
	"faccessat2",
	"fcntl",
	"fcntl64",
	"dup",
	"dup3",
	"flock",
	"fsync",
	"fdatasync",
	"ftruncate",
	"fchmod",
	"rename",
	"renameat",
	"renameat2",
	"unlink",
	"unlinkat",
	"getcwd",
	/* memory */
	"brk",
	"mmap",
	"mmap2",
	"munmap",
	"mremap",
	"mprotect",
	"madvise",
	/* threads (clone itself is checked below) and their wake-ups */
	"futex",
	"futex_time64",
	"futex_waitv",
	"set_robust_list",
	"get_robust_list",
	"rseq",
	"set_tid_address",
	"sched_yield",
	"sched_getaffinity",
	"gettid",
	"getpid",
	"getppid",
	"exit",
	"exit_group",
	"tgkill",
	"pipe2",
	"eventfd2",
	/* signals */
	"rt_sigaction",
	"rt_sigprocmask",
	"rt_sigreturn",
	"sigaltstack",
	"restart_syscall",
	/* time */
	"clock_gettime",
	"clock_gettime64",
	"clock_nanosleep",
	"clock_nanosleep_time64",
	"nanosleep",
	"gettimeofday",
	"time",
	"clock_getres",
	/* waiting: the ring buffer's epoll, the journal socket */
	"poll",
	"ppoll",
	"ppoll_time64",
	"epoll_wait",
	"epoll_pwait",
	"epoll_pwait2",
	"epoll_ctl",
	"select",
	"_newselect",
	"pselect6",
	/* journald, sd_notify, NSS (socket itself is checked below) */
	"connect",
	"sendmsg",
	"sendto",
	"sendmmsg",
	"recvmsg",
	"recvfrom",
	"getsockopt",
	"setsockopt",
	"getsockname",
	"getpeername",
	"shutdown",
	/* identity, randomness, big journal entries (a sealed memfd) */
	"getuid",
	"geteuid",
	"getgid",
	"getegid",
	"getresuid",
	"getresgid",
	"getgroups",
	"capget",
	"uname",
	"getrandom",
	"memfd_create",
};

/* bpf(): map operations, and the task_file iterator the rescans create;
 * never a program load, a new map or an attachment elsewhere */
static const int bpf_cmds[] = {
	BPF_MAP_LOOKUP_ELEM,
	BPF_MAP_UPDATE_ELEM,
	BPF_MAP_DELETE_ELEM,
	BPF_MAP_GET_NEXT_KEY,
	BPF_MAP_LOOKUP_BATCH,
	BPF_MAP_LOOKUP_AND_DELETE_ELEM,
	BPF_MAP_LOOKUP_AND_DELETE_BATCH,
	BPF_MAP_UPDATE_BATCH,
	BPF_MAP_DELETE_BATCH,
	BPF_OBJ_GET_INFO_BY_FD,
	BPF_LINK_CREATE,
	BPF_ITER_CREATE,
};

/* ioctl(): isatty() and libbpf's detach of perf-event links */
static const unsigned long ioctl_reqs[] = {
	TCGETS,
	PERF_EVENT_IOC_DISABLE,
};

/* prctl(): thread names only */
static const int prctl_ops[] = { PR_SET_NAME, PR_GET_NAME };

static int allow_arg0(scmp_filter_ctx f, int nr, unsigned int arg,
		      scmp_datum_t val)
{
	return seccomp_rule_add(f, SCMP_ACT_ALLOW, nr, 1,
				SCMP_CMP(arg, SCMP_CMP_EQ, val));
}

static int add_rules(scmp_filter_ctx f)
{
	int err = 0;

	for (size_t i = 0; i < FW_ARRAY_SIZE(allowed) && !err; i++) {
		int nr = seccomp_syscall_resolve_name(allowed[i]);

		if (nr != __NR_SCMP_ERROR)
			err = seccomp_rule_add(f, SCMP_ACT_ALLOW, nr, 0);
	}
	for (size_t i = 0; i < FW_ARRAY_SIZE(bpf_cmds) && !err; i++)
		err = allow_arg0(f, SCMP_SYS(bpf), 0, bpf_cmds[i]);
	for (size_t i = 0; i < FW_ARRAY_SIZE(ioctl_reqs) && !err; i++)
		err = allow_arg0(f, SCMP_SYS(ioctl), 1, ioctl_reqs[i]);
	for (size_t i = 0; i < FW_ARRAY_SIZE(prctl_ops) && !err; i++)
		err = allow_arg0(f, SCMP_SYS(prctl), 0, prctl_ops[i]);
	/* journald, sd_notify and NSS speak over AF_UNIX; nothing else */
	if (!err)
		err = allow_arg0(f, SCMP_SYS(socket), 0, AF_UNIX);
	/* threads, never a new process: clone3's flags are in memory a
	 * filter cannot read, so it answers ENOSYS and glibc falls back to
	 * clone, whose flags must ask for a thread */
	if (!err)
		err = seccomp_rule_add(f, SCMP_ACT_ERRNO(ENOSYS),
				       SCMP_SYS(clone3), 0);
	if (!err)
		err = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
				       SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD,
					       CLONE_THREAD));
	return err;
}

/*
 * Anything else kills the whole process (SIGSYS). Not EPERM: a collector
 * that calls something outside the list is either a bug this list must
 * learn about or code that is not ours (a DNS answer turned into a
 * program); an error it could retry or work around would hide both. The
 * kernel logs every such kill as an audit record (type SECCOMP, with the
 * system call's number: dmesg or the audit log), the exit status says
 * SIGSYS, and the unit restarts the collector.
 */
int privs__sandbox(void)
{
	scmp_filter_ctx f = seccomp_init(SCMP_ACT_KILL_PROCESS);
	int err;

	if (!f) {
		fw_err("cannot set up the seccomp filter");
		return -1;
	}
	/* every thread already running gets the filter too */
	err = seccomp_attr_set(f, SCMP_FLTATR_CTL_TSYNC, 1);
	if (!err)
		err = add_rules(f);
	if (!err)
		err = seccomp_load(f);
	seccomp_release(f);
	if (err) {
		fw_err("cannot install the seccomp filter: %s", strerror(-err));
		return -1;
	}
	return 0;
}
