// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <systemd/sd-daemon.h>
#include "collector.h"
#include "cli/reload.h"
#include "core/content.h"
#include "core/correlator.h"
#include "core/geoip.h"
#include "kernel/loader.h"
#include "sink/output.h"
#include "kernel/privs.h"
#include "kernel/procscan.h"
#include "kernel/recorder.h"
#include "sink/sink.h"
#include "trace/trace_format.h"
#include "lib/util.h"

#define SYNC_INTERVAL_NS (250 * 1000000ull)
/* Built-in ground-station directories may be created after start */
#define RESCAN_INTERVAL_NS (5 * 1000000000ull)

static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t reload_requested;

/* Only flags: the main loop does the work */
static void on_signal(int sig)
{
	if (sig == SIGHUP)
		reload_requested = 1;
	else
		stop_requested = 1;
}

struct collector {
	struct fw_loader *loader;
	struct fw_correlator *correlator;
	struct fw_sink sink;
	struct fw_trace_writer *trace; /* --record */
	struct fw_geoip *geoip; /* --geoip */
	const struct fw_rules *rules; /* where origins' paths are looked for */
	const struct fw_resolvers *resolvers; /* whose answers count */
	struct fw_reload *reload; /* SIGHUP's parse while it runs */
	bool enforce_loaded; /* started with --enforce or mode: enforce */
};

/* Every record, from the kernel or the /proc seed, passes here on its way
 * to the correlator */
static void on_record(void *rec, size_t size, void *ctx)
{
	struct collector *col = ctx;
	struct fw_event_header *hdr = rec;

	if (size < sizeof(*hdr))
		return;
	if (hdr->type == FW_EV_FILE_READ &&
	    size >= sizeof(struct fw_file_read_event)) {
		struct fw_file_read_event *e = rec;

		/* grade confidence from the header bytes; the kernel ignores
		 * the collector's own reads */
		e->content = content__sniff_file(
			fw_event_path(e->path, e->path_off));
	}
	if (col->loader && hdr->tgid && hdr->start_ns &&
	    (hdr->type == FW_EV_FILE_READ || hdr->type == FW_EV_SEND ||
	     hdr->type == FW_EV_CONNECT || hdr->type == FW_EV_CARRIER ||
	     hdr->type == FW_EV_PEEK || hdr->type == FW_EV_PACKET_SOCKET) &&
	    !correlator__knows(col->correlator, hdr->tgid, hdr->start_ns))
		/* its exec or fork record was lost (or the pid is another
		 * process's now): who it is, from /proc while it lives,
		 * recorded like the seed so that a replay names it too */
		procscan__identify("/proc", hdr->tgid, hdr->start_ns, on_record,
				   col);
	if (col->loader &&
	    (hdr->type == FW_EV_SEND || hdr->type == FW_EV_CONNECT) &&
	    size >= sizeof(struct fw_net_event) &&
	    !correlator__tracks(col->correlator, hdr->tgid))
		/* tainted in the kernel, but its reads were lost: the
		 * origin the kernel kept, before the send is accounted */
		loader__name_origin(col->loader, col->rules, rec);
	if (hdr->type == FW_EV_DNS && size >= sizeof(struct fw_dns_event)) {
		struct fw_dns_event *e = rec;

		/* judged here and recorded, so that a replay agrees */
		e->from_resolver =
			!e->query &&
			resolvers__has(col->resolvers, e->family, e->server);
	}
	if (hdr->type == FW_EV_EXIT && col->loader &&
	    correlator__tracks(col->correlator, hdr->tgid)) {
		/* final byte counts first, then forget the process */
		loader__sync_counters(col->loader, hdr->tgid, true);
		if (col->enforce_loaded)
			loader__sync_blocked(col->loader, hdr->tgid);
	}
	if (col->trace)
		/* as the correlator sees it: enriched, in feeding order */
		trace_writer__event(col->trace, rec, size, 0);
	correlator__feed(col->correlator, rec, size);
}

/* The enforcement mode and the allowed networks into the kernel; false
 * when the programs are not loaded (started in detect mode) */
static bool enforce_apply(struct collector *col, const struct fw_options *opts)
{
	int mode = col->enforce_loaded ? opts->enforce : FW_ENFORCE_OFF;

	if (!col->enforce_loaded && opts->enforce != FW_ENFORCE_OFF)
		return false;
	if (loader__set_enforce(col->loader, mode, &opts->policy) < 0)
		fw_warn("not every allowed network fits in the kernel (at most 1024, %d ports each): those left out are refused",
			FW_ENFORCE_PORTS);
	if (mode != FW_ENFORCE_OFF &&
	    (opts->policy.n_allow_domains || opts->policy.n_allow_procs))
		fw_warn("allow rules by domain or process are not enforced: the kernel refuses those destinations to tainted processes (allow their addresses)");
	return true;
}

static int install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL) ||
	    sigaction(SIGHUP, &sa, NULL))
		return -1;
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

static void periodic(struct collector *col)
{
	loader__sync_counters(col->loader, 0, false);
	loader__check_lost(col->loader);
	if (col->enforce_loaded)
		loader__sync_blocked(col->loader, 0);
	if (col->trace)
		/* replay flushes the correlator where the collector did */
		trace_writer__mark(col->trace, FW_TREC_FLUSH, fw_boot_now_ns(),
				   0);
	correlator__flush(col->correlator);
	sink__tick(&col->sink, fw_boot_now_ns());
}

/* The reload's failure as a state event: the old rules stay */
static void reload_failed(struct collector *col, const char *why)
{
	char msg[1280];

	fw_err("%s", why);
	snprintf(
		msg, sizeof(msg),
		"flightwatch: config not reloaded, the previous rules stay: %s",
		why);
	sink__state(&col->sink, "config-reload-failed", msg);
}

/*
 * SIGHUP: read the config file and the command line again, in a thread
 * (cli/reload.h) so that the loop goes on meanwhile; reload_apply takes
 * the result in the loop. New rules go to the kernel and the new policy
 * replaces the old one in place (the correlator decides at alert time, so
 * flows already seen follow it); the kernel's taint maps are untouched. On
 * error the old rules stay.
 */
static void reload_start(struct collector *col, struct fw_options *opts)
{
	char why[256];
	int err = reload__start(&col->reload, opts->argc, opts->argv);

	if (err) {
		snprintf(why, sizeof(why), "cannot start reading it: %s",
			 strerror(-err));
		reload_failed(col, why);
	}
}

static void reload_apply(struct collector *col, struct fw_options *opts)
{
	struct fw_reload *r = col->reload;
	struct fw_options *fresh = &r->fresh;
	char msg[1280];
	size_t n_dirs;

	col->reload = NULL;
	if (r->ret) {
		reload_failed(col, r->err);
		reload__free(r);
		return;
	}
	/* the GeoIP database opened again: an updated file (geoipupdate) or
	 * another path is used from now on */
	correlator__set_geoip(col->correlator, r->geoip);
	geoip__close(col->geoip);
	col->geoip = r->geoip;
	r->geoip = NULL;
	free(opts->geoip_alloc);
	opts->geoip_alloc = fresh->geoip_alloc;
	fresh->geoip_alloc = NULL;
	opts->geoip_path = fresh->geoip_path;
	if (fresh->taint_expiry_s != opts->taint_expiry_s ||
	    fresh->n_map_sizes != opts->n_map_sizes ||
	    memcmp(fresh->map_sizes, opts->map_sizes,
		   sizeof(opts->map_sizes)) ||
	    fresh->sink != opts->sink || fresh->json != opts->json)
		fw_warn("taint_expiry, maps and output take effect at the next start");
	n_dirs = loader__replace_rules(col->loader, &fresh->rules);
	rules__free(&opts->rules);
	opts->rules = fresh->rules;
	memset(&fresh->rules, 0, sizeof(fresh->rules));
	opts->resolvers = fresh->resolvers;
	policy__free(&opts->policy);
	opts->policy = fresh->policy;
	memset(&fresh->policy, 0, sizeof(fresh->policy));
	opts->enforce = fresh->enforce;
	if (!enforce_apply(col, opts))
		fw_warn("enforcement takes effect at the next start (started in detect mode: its programs are not loaded)");
	reload__free(r);
	snprintf(
		msg, sizeof(msg),
		"flightwatch: config reloaded from %s: %zu watched directories, %zu patterns, %zu allowed destinations, %zu allowed processes, %zu severity rules, mode %s",
		opts->config_path ? opts->config_path : "(no file)", n_dirs,
		opts->rules.n_patterns,
		opts->policy.n_allow + opts->policy.n_allow_domains,
		opts->policy.n_allow_procs, opts->policy.n_rules,
		policy__enforce_mode_name(
			col->enforce_loaded ? opts->enforce : FW_ENFORCE_OFF));
	sink__state(&col->sink, "config-reloaded", msg);
}

/* The ring buffer, and the journald socket while the sink's spool drains
 * (at journald's pace: whenever it can take more) */
static int wait_events(struct collector *col, int timeout_ms)
{
	struct pollfd pfd[2] = {
		{ .fd = loader__poll_fd(col->loader), .events = POLLIN },
	};

	if (!sink__pollfd(&col->sink, &pfd[1]))
		return loader__poll(col->loader, timeout_ms);
	if (poll(pfd, 2, timeout_ms) < 0 && errno != EINTR)
		return -errno;
	if (pfd[1].revents)
		sink__drain(&col->sink);
	return loader__poll(col->loader, 0);
}

/* systemctl status shows it (nothing is sent without NOTIFY_SOCKET) */
static void report_status(struct collector *col)
{
	struct fw_correlator_stats cs;

	correlator__stats(col->correlator, &cs);
	sd_notifyf(0, "STATUS=tracing: %" PRIu64 " flows, %" PRIu64 " alerts",
		   cs.flows, cs.alerts);
}

/* The hooks whose failure is not fatal: the optional tracepoints this
 * kernel lacks, passive DNS (no names) and the seed iterator (files opened
 * before the start) */
static void coverage(struct fw_ready_info *ready, struct fw_hook_status *unused,
		     int seed_err, struct fw_loader *loader)
{
	size_t n;
	const struct fw_hook_status *left_out = loader__unattached(loader, &n);

	for (size_t i = 0; i < n; i++)
		unused[ready->n_unused++] = left_out[i];
	ready->unused = unused;
	if (!seed_err)
		return;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(left_out[i].hook, "iter/task_file"))
			return; /* left out at load: the reason is there */
	unused[ready->n_unused].hook = "iter/task_file";
	snprintf(unused[ready->n_unused].reason,
		 sizeof(unused[ready->n_unused].reason),
		 "%s: files opened before the start are not seen",
		 strerror(-seed_err));
	ready->n_unused++;
	ready->unused = unused;
}

int collector__run(struct fw_options *opts)
{
	struct collector col = { 0 };
	struct fw_ready_info ready = { 0 };
	struct fw_run_stats stats = { 0 };
	uint64_t t0 = fw_boot_now_ns(), last_sync, last_rescan;
	uint64_t run_id = fw_boot_to_wall_ns(t0) / 1000;
	/* one clock mapping for the run: the wall clock may be slewed or
	 * stepped meanwhile, and a replay must give the live alerts' times */
	uint64_t wall_minus_boot_ns = fw_wall_minus_boot_ns();
	struct fw_hook_status unused[FW_UNATTACHED_MAX + 1];
	int ret = 1, err;

	/* traces and spools are for root's eyes only */
	umask(077);
	fw_verbose = opts->verbose;
	if (loader__preflight(opts->btf_path))
		return 1;
	if (install_signals()) {
		fw_err("cannot install signal handlers");
		return 1;
	}
	/* before the trace file exists: a bad database leaves nothing */
	if (opts->geoip_path && !(col.geoip = geoip__open(opts->geoip_path)))
		return 1;
	if (opts->record_path &&
	    recorder__open(&col.trace, opts, run_id, wall_minus_boot_ns)) {
		geoip__close(col.geoip);
		return 1;
	}
	sink__open(&col.sink, opts->sink, opts->verbose, run_id);
	/* on disk, opened while root: a restart loses no journald entry */
	sink__keep_spool(&col.sink);
	col.sink.output.wall_minus_boot_ns = wall_minus_boot_ns;
	col.rules = &opts->rules;
	col.resolvers = &opts->resolvers;
	/* `record` without --json or --output: alerts only into the trace */
	col.sink.quiet = opts->record_only;
	col.correlator = correlator__new(&opts->policy, sink__alert, &col.sink);
	correlator__set_geoip(col.correlator, col.geoip);
	col.enforce_loaded = opts->enforce != FW_ENFORCE_OFF;
	struct fw_load_opts load = {
		.btf_path = opts->btf_path,
		.taint_expiry_ns = opts->taint_expiry_s * 1000000000ull,
		.maps = opts->map_sizes,
		.n_maps = opts->n_map_sizes,
		.state_dir = opts->state_dir,
		.fresh = opts->fresh,
		.enforce = col.enforce_loaded,
		.hooks = opts->hooks,
	};
	if (loader__open(&col.loader, &load, on_record, &col))
		goto out;
	ready.n_dirs = loader__set_rules(col.loader, &opts->rules);
	enforce_apply(&col, opts);
	ready.mode = policy__enforce_mode_name(opts->enforce);
	err = loader__seed_dir_files(col.loader, &opts->rules);
	if (err)
		fw_warn("cannot scan the watched directories: %s",
			strerror(-err));
	err = loader__seed_open_files(col.loader);
	if (err)
		/* not fatal: only files opened from now on are seen */
		fw_warn("cannot scan the files already open: %s",
			strerror(-err));
	ready.n_patterns = opts->rules.n_patterns;
	ready.n_procs = procscan__seed("/proc", on_record, &col);
	/* after the seed: the processes are known */
	ready.n_restored = loader__restore_taint(col.loader, &opts->rules);
	ready.state_reused = loader__state_reused(col.loader);
	correlator__dns_strict(col.correlator,
			       loader__attached(col.loader, "fw_dns_egress"));
	ready.hooks = loader__hooks(col.loader, &ready.n_hooks);
	ready.syscall_hooks = loader__fast_hooks(col.loader) ? "fast" :
							       "tracepoint";
	coverage(&ready, unused, err, col.loader);
	/* a rotating trace creates files beside it after the drop */
	if (privs__drop(loader__maps_usable, col.loader,
			opts->max_size ? opts->record_path : NULL))
		goto out;
	ready.startup_seconds = (fw_boot_now_ns() - t0) / 1e9;
	sink__ready(&col.sink, &ready);
	sd_notifyf(
		0,
		"READY=1\nSTATUS=tracing: %zu hooks attached, %zu watched directories",
		ready.n_hooks, ready.n_dirs);

	last_sync = last_rescan = fw_boot_now_ns();
	while (!stop_requested) {
		uint64_t now;

		err = wait_events(&col, 100);
		if (err < 0) {
			fw_err("ring buffer poll failed: %s", strerror(-err));
			goto out;
		}
		now = fw_boot_now_ns();
		if (col.trace) {
			trace_writer__tick(col.trace, now);
			recorder__check(col.trace, &col.sink, NULL);
		}
		if (now - last_sync >= SYNC_INTERVAL_NS) {
			periodic(&col);
			last_sync = now;
		}
		/* one reload at a time: a SIGHUP meanwhile waits its turn */
		if (reload_requested && !col.reload) {
			reload_requested = 0;
			reload_start(&col, opts);
		}
		if (reload__done(col.reload))
			reload_apply(&col, opts);
		if (now - last_rescan >= RESCAN_INTERVAL_NS) {
			loader__set_rules(col.loader, &opts->rules);
			loader__seed_dir_files(col.loader, &opts->rules);
			loader__check_evictions(col.loader);
			last_rescan = now;
			report_status(&col);
		}
	}
	sd_notify(0, "STOPPING=1\nSTATUS=stopping: flushing the last counts");
	/* drain what the kernel already delivered, then the last counts */
	for (int i = 0; i < 50 && loader__poll(col.loader, 0) > 0; i++)
		;
	periodic(&col);
	loader__stats(col.loader, &stats);
	correlator__stats(col.correlator, &stats.correlator);
	recorder__check(col.trace, &col.sink, &stats);
	sink__stats(&col.sink, &stats);
	ret = 0;
out:
	reload__abandon(col.reload);
	if (col.trace && recorder__close(col.trace, &stats))
		ret = 1;
	loader__close(col.loader);
	correlator__free(col.correlator);
	sink__close(&col.sink);
	geoip__close(col.geoip);
	return ret;
}
