// SPDX-License-Identifier: GPL-2.0
/* flightwatch: which program read this flight log, and where did it go? */
#include <stdio.h>
#include <string.h>
#include "cli/check_config.h"
#include "kernel/check_kernel.h"
#include "collector.h"
#include "cli/options.h"
#include "trace/replay.h"
#include "trace/report.h"
#include "lib/util.h"
#include "version.h"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: flightwatch COMMAND [OPTIONS]\n"
		"Kernel-level egress tracer for flight logs on ground stations.\n"
		"\n"
		"Commands:\n"
		"  run       trace and report flight-log data leaving the host\n"
		"  record    trace into a file for later analysis (run --record)\n"
		"  replay    feed recorded traces through the alert rules again\n"
		"  report    what a trace, or a journal of many stations' alerts\n"
		"            (--journal), shows: timeline, stations, readers,\n"
		"            destinations, flows (text, JSON or a Graphviz graph)\n"
		"  check-config\n"
		"            validate a config file and print the rules it gives\n"
		"  check-kernel\n"
		"            what this kernel lets the tracer follow, and what not\n"
		"  version   print the version\n"
		"  help      this help\n"
		"\n"
		"'flightwatch COMMAND --help' describes a command's options.\n");
}

static int cmd_run(int argc, char **argv)
{
	struct fw_options opts;
	int ret;

	if (options__parse_run(argc, argv, &opts))
		return 2;
	if (opts.help) {
		options__usage_run(stdout);
		options__free(&opts);
		return 0;
	}
	ret = collector__run(&opts);
	options__free(&opts);
	return ret;
}

static int cmd_record(int argc, char **argv)
{
	struct fw_options opts;
	int ret;

	if (options__parse_record(argc, argv, &opts))
		return 2;
	if (opts.help) {
		options__usage_record(stdout);
		options__free(&opts);
		return 0;
	}
	ret = collector__run(&opts);
	options__free(&opts);
	return ret;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;

	if (!cmd) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(cmd, "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(cmd, "record"))
		return cmd_record(argc - 1, argv + 1);
	if (!strcmp(cmd, "replay"))
		return replay__main(argc - 1, argv + 1);
	if (!strcmp(cmd, "report"))
		return report__main(argc - 1, argv + 1);
	if (!strcmp(cmd, "check-config"))
		return check_config__main(argc - 1, argv + 1);
	if (!strcmp(cmd, "check-kernel"))
		return check_kernel__main(argc - 1, argv + 1);
	if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
		printf("flightwatch %s\n", FW_VERSION);
		return 0;
	}
	if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") ||
	    !strcmp(cmd, "-h")) {
		usage(stdout);
		return 0;
	}
	fw_err("unknown command '%s' (see 'flightwatch help')", cmd);
	return 2;
}
