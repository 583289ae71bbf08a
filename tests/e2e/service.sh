#!/bin/bash
# flightwatch as a system service: READY=1, STATUS= and STOPPING=1 on
# NOTIFY_SOCKET; privileges after the ready line: the user _flightwatch
# (created by the project's sysusers.d file in this suite's own mount
# namespace), exactly the expected capability bits, empty bounding and
# ambient sets, NoNewPrivs, a seccomp filter, locked securebits, while the
# tracer still reloads its config on SIGHUP and alerts on a real upload;
# an exec from that state (the collector's own confinement code in a
# helper) gets no capability from a file-capability or setuid-root
# program, as uid 0 either, where the same programs do give them without
# it (controls); a system call outside the seccomp allowlist kills
# (SIGSYS, audit record) where an allowed one works; umask 077;
# `make install DESTDIR PREFIX` lays out the binary, unit, catalog, man
# page and completion with their modes (and `make uninstall` removes
# them); the man page renders; bash completion completes subcommands,
# option values and file names; `systemd-analyze verify` accepts the
# installed unit, and rejects a broken copy.
set -u
# Everything below runs in a mount namespace of its own: the user
# _flightwatch exists only there (bind mounts over /etc/passwd...), and
# vanishes with it
if [ -z "${FW_SERVICE_NS:-}" ]; then
	exec unshare -m --propagation private env FW_SERVICE_NS=1 \
		bash "$0" "$@"
fi
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

P_TCP4=9160
P_TCP6=9161

fw_init
fw_peers "$P_TCP4" "$P_TCP6"

# --- the system user, from the project's sysusers.d file ------------------------
SYSROOT=$FW_TMP/sysroot
mkdir -p "$SYSROOT/etc/sysusers.d"
for f in passwd group shadow gshadow; do
	[ -e "/etc/$f" ] && cp "/etc/$f" "$SYSROOT/etc/$f"
done
cp "$FW_ROOT/etc/flightwatch.sysusers" "$SYSROOT/etc/sysusers.d/flightwatch.conf"
systemd-sysusers --root="$SYSROOT" >"$FW_TMP/sysusers.log" 2>&1 ||
	fw_abort "systemd-sysusers: $(cat "$FW_TMP/sysusers.log")"
for f in passwd group shadow gshadow; do
	[ -e "/etc/$f" ] || continue
	mount --bind "$SYSROOT/etc/$f" "/etc/$f" ||
		fw_abort "cannot bind-mount /etc/$f"
done
FW_UID=$(id -u _flightwatch 2>/dev/null)
FW_GID=$(id -g _flightwatch 2>/dev/null)
check "sysusers: _flightwatch is a system user" =~ '^[1-9][0-9]{0,2}$' \
	"$FW_UID" || fw_abort "no user _flightwatch"

WATCH=$FW_TMP/Telemetry
mkdir -p "$WATCH"
LOG=$WATCH/flight.tlog
fw_mklog tlog 64k "$LOG"
SIZE=$(fw_size "$LOG")

# --- sd_notify ------------------------------------------------------------------
# A datagram listener as systemd's: each datagram on a line of its own
NSOCK=$FW_TMP/notify.sock
NOTES=$FW_TMP/notify.txt
: >"$NOTES"
socat -u "UNIX-RECV:$NSOCK" "OPEN:$NOTES,append" </dev/null \
	2>>"$FW_TMP/socat.err" &
FW_BG_PIDS+=("$!")
fw_wait_file "$NSOCK" 10 || fw_abort "the notify listener did not come up"
# as systemd's own: the daemon sends STOPPING=1 as _flightwatch
chmod 0777 "$NSOCK"

export NOTIFY_SOCKET=$NSOCK
fw_tracer_start notify --no-default-rules --watch "$WATCH" ||
	fw_abort "tracer did not start"
unset NOTIFY_SOCKET
TPID=$FW_TRACER_PID
for ((i = 0; i < 100; i++)); do
	grep -q READY=1 "$NOTES" && break
	sleep 0.05
done
check "notify: READY=1 received" contains READY=1 "$(cat "$NOTES")"
check "notify: STATUS= with the hooks attached" =~ \
	'STATUS=tracing: [0-9]+ hooks attached, 1 watched directories' \
	"$(cat "$NOTES")"

# --- privileges and umask after the ready line ---------------------------------
field() {
	awk -v k="$2:" '$1 == k { $1 = ""; sub(/^ /, ""); print }' "/proc/$1/status"
}
# CAP_DAC_READ_SEARCH (bit 2) only; kernels before 6.5 may also need
# CAP_BPF (bit 39) for map operations on descriptors already open
EXPECT=0000000000000004
read -r kmaj kmin _ <<<"$(uname -r | tr '.-' '  ')"
if ((kmaj < 6 || (kmaj == 6 && kmin < 5))); then
	EXPECT_RE='^(0000000000000004|0000008000000004)$'
else
	EXPECT_RE="^$EXPECT\$"
fi
check "privs: Uid after ready (real, effective, saved, fs)" == \
	"$FW_UID $FW_UID $FW_UID $FW_UID" "$(field "$TPID" Uid)"
check "privs: Gid after ready" == "$FW_GID $FW_GID $FW_GID $FW_GID" \
	"$(field "$TPID" Gid)"
check "privs: no supplementary groups" == "" "$(field "$TPID" Groups)"
check "privs: CapEff after ready" =~ "$EXPECT_RE" "$(field "$TPID" CapEff)"
check "privs: CapPrm after ready" =~ "$EXPECT_RE" "$(field "$TPID" CapPrm)"
check "privs: CapInh empty" == 0000000000000000 "$(field "$TPID" CapInh)"
check "privs: CapBnd empty" == 0000000000000000 "$(field "$TPID" CapBnd)"
check "privs: CapAmb empty" == 0000000000000000 "$(field "$TPID" CapAmb)"
check "privs: NoNewPrivs" == 1 "$(field "$TPID" NoNewPrivs)"
check "privs: Seccomp filter mode" == 2 "$(field "$TPID" Seccomp)"
check "umask: 0077" == 0077 "$(field "$TPID" Umask)"

# positive controls after the drop: SIGHUP re-reads the rules (and
# rescans the watched directory), and a real upload still alerts with
# its byte count (map reads)
kill -HUP "$TPID"
for ((i = 0; i < 100; i++)); do
	grep -q '"config-reloaded"' "$FW_OUT" && break
	sleep 0.05
done
check "privs: SIGHUP reload after the drop" contains \
	"config reloaded from (no file): 1 watched directories" \
	"$(grep '"config-reloaded"' "$FW_OUT")"
fw_gs "$FWSEND" --timeout 30 --read read "$LOG" --send write \
	--to "$FW_PEER_IP4" --port "$P_TCP4" --pidfile "$FW_TMP/sender.pid" ||
	note "the tainted upload failed"
SENDER=$(cat "$FW_TMP/sender.pid")
fw_wait_alerts 10 "$SENDER:$SIZE" || note "no complete alert for $SENDER"
check "privs: still running after the upload (no seccomp kill)" == alive \
	"$(fw_proc_done "$TPID" && echo gone || echo alive)"
fw_tracer_stop TERM
fw_expect_flow "privs: upload after the drop" "$SENDER" "$FW_PEER_IP4" \
	"$P_TCP4" tcp ipv4 "$SIZE" "$LOG"
check "notify: STOPPING=1 at the stop" contains STOPPING=1 "$(cat "$NOTES")"
check "notify: READY=1 before STOPPING=1" == "READY=1 STOPPING=1" \
	"$(grep -o 'READY=1\|STOPPING=1' "$NOTES" | tr '\n' ' ' | sed 's/ $//')"

# --- an exec from that state regains nothing ------------------------------------
# fwprivs confines itself with the collector's own code (privs__confine),
# then execs. The programs: grep with file capabilities, grep setuid root.
# Controls: the same programs run by _flightwatch without the confinement
# (setpriv) do get the capabilities, so a zero below is the confinement's.
FWPRIVS=$FW_HELPERS/fwprivs
chmod 0711 "$FW_TMP" # the controls run as _flightwatch
BIN=$FW_TMP/bin
mkdir -m 0755 "$BIN"
# capgrep: capability-dumb (+ep); capawaregrep: permitted only (+p)
cp /usr/bin/grep "$BIN/capgrep"
cp /usr/bin/grep "$BIN/capawaregrep"
{ setcap cap_dac_override,cap_sys_admin+ep "$BIN/capgrep" &&
	setcap cap_dac_override,cap_sys_admin+p "$BIN/capawaregrep"; } ||
	fw_abort "setcap failed (package libcap2-bin)"
cp /usr/bin/grep "$BIN/suidgrep"
chmod 4755 "$BIN/suidgrep"
# creds RUNNER...: "euid CapEff CapPrm" of the program as RUNNER runs it
creds() {
	"$@" -E '^(Uid|CapEff|CapPrm):' /proc/self/status 2>"$FW_TMP/creds.err" |
		awk '$1 == "Uid:" { u = $3 } $1 == "CapEff:" { e = $2 }
			$1 == "CapPrm:" { p = $2 } END { print u, e, p }'
}
AS_FW=(setpriv --reuid=_flightwatch --regid=_flightwatch --clear-groups)
CONFINED=("$FWPRIVS" --user _flightwatch --)
check "exec control: file capabilities work for _flightwatch" == \
	"$FW_UID 0000000000200002 0000000000200002" "$(creds "${AS_FW[@]}" "$BIN/capgrep")"
# a program that would not get all of its file capabilities is refused
check "exec: file capabilities (+ep) from the confined state: exec refused" == \
	"  " "$(creds "${CONFINED[@]}" "$BIN/capgrep")"
check "exec: ... with EPERM" contains "exec $BIN/capgrep: Operation not permitted" \
	"$(cat "$FW_TMP/creds.err")"
check "exec control: permitted file capabilities work for _flightwatch" == \
	"$FW_UID 0000000000000000 0000000000200002" \
	"$(creds "${AS_FW[@]}" "$BIN/capawaregrep")"
check "exec: permitted file capabilities give nothing when confined" == \
	"$FW_UID 0000000000000000 0000000000000000" \
	"$(creds "${CONFINED[@]}" "$BIN/capawaregrep")"
check "exec control: setuid root works for _flightwatch" =~ \
	"^0 0000[0-9a-f]{12} 0000[0-9a-f]{12}\$" "$(creds "${AS_FW[@]}" "$BIN/suidgrep")"
check "exec control: setuid root gives capabilities" != \
	"0000000000000000" "$(creds "${AS_FW[@]}" "$BIN/suidgrep" | cut -d' ' -f2)"
check "exec: setuid root gives neither uid 0 nor capabilities when confined" == \
	"$FW_UID 0000000000000000 0000000000000000" "$(creds "${CONFINED[@]}" "$BIN/suidgrep")"
# without the user (a plain sudo run) the collector stays uid 0:
# SECBIT_NOROOT and the empty bounding set make uid 0 gain nothing
check "exec control: uid 0 gains capabilities at an exec" != \
	"0000000000000000" "$(creds /usr/bin/grep | cut -d' ' -f2)"
check "exec: uid 0 confined gains nothing at an exec" == \
	"0 0000000000000000 0000000000000000" "$(creds "$FWPRIVS" -- /usr/bin/grep)"
check "exec: the helper's securebits (NOROOT, NO_SETUID_FIXUP, KEEP_CAPS, NO_CAP_AMBIENT_RAISE: locked)" \
	== "securebits 0xef" "$("$FWPRIVS" --user _flightwatch 2>/dev/null)"

# --- the seccomp allowlist --------------------------------------------------------
"$FWPRIVS" --user _flightwatch --sandbox --try socket-unix \
	>"$FW_TMP/sc-unix.out" 2>&1
rc=$?
check "seccomp control: an allowed call works (socket AF_UNIX)" == \
	"0 socket-unix: allowed" "$rc $(grep socket "$FW_TMP/sc-unix.out")"
# the reload worker: a thread starts and ends under the filter
"$FWPRIVS" --user _flightwatch --sandbox --try thread >"$FW_TMP/sc-thread.out" 2>&1
rc=$?
check "seccomp: a thread can be created (clone3 refused, clone for threads)" == \
	"0 thread: allowed" "$rc $(grep thread: "$FW_TMP/sc-thread.out")"
for call in socket-inet ptrace exec; do
	if [ "$call" = exec ]; then
		"$FWPRIVS" --user _flightwatch --sandbox -- /bin/true \
			>"$FW_TMP/sc-$call.out" 2>&1 &
	else
		"$FWPRIVS" --user _flightwatch --sandbox --try "$call" \
			>"$FW_TMP/sc-$call.out" 2>&1 &
	fi
	pid=$!
	wait "$pid"
	check "seccomp: $call outside the list kills with SIGSYS" -eq \
		$((128 + 31)) "$?"
	if dmesg 2>/dev/null | grep -q "type=1326.* pid=$pid .* sig=31 "; then
		pass "seccomp: the kernel logged the kill of pid $pid (audit type 1326)"
	else
		skip "seccomp: audit record for pid $pid" \
			"not in dmesg (auditd, rate limit or dmesg_restrict)"
	fi
done

# --- record: the trace is 0600 even under a permissive umask -------------------
(umask 000 && exec "$FW_BIN" run -v --output text --no-default-rules \
	--watch "$WATCH" --record "$FW_TMP/trace.fwt") </dev/null \
	>"$FW_TMP/rec.out" 2>"$FW_TMP/rec.err" &
REC_PID=$!
FW_BG_PIDS+=("$REC_PID")
for ((i = 0; i < FW_READY_TIMEOUT * 20; i++)); do
	grep -q '^flightwatch ready' "$FW_TMP/rec.err" && break
	fw_proc_done "$REC_PID" && break
	sleep 0.05
done
check "record: ready under umask 000" contains "flightwatch ready" \
	"$(cat "$FW_TMP/rec.err")"
kill -TERM "$REC_PID"
fw_wait_pid "$REC_PID" "$FW_STOP_TIMEOUT"
check "record: exit status" -eq 0 "$FW_RC"
check "record: trace mode 600 under umask 000" == 600 \
	"$(stat -c %a "$FW_TMP/trace.fwt" 2>&1)"
check "record: the collector's own securebits, as the helper's" contains \
	"privileges dropped: uid $FW_UID, capabilities " "$(cat "$FW_TMP/rec.err")"
check "record: securebits 0xef locked, no_new_privs" contains \
	"bounding set empty, securebits 0xef locked, no_new_privs" \
	"$(cat "$FW_TMP/rec.err")"

# --- make install ------------------------------------------------------------------
DEST=$FW_TMP/root
make -s -C "$FW_ROOT" install DESTDIR="$DEST" PREFIX=/usr \
	>"$FW_TMP/install.log" 2>&1
check "install: make install DESTDIR PREFIX=/usr" -eq 0 "$?" ||
	note "$(tail -n 5 "$FW_TMP/install.log")"
for spec in 755:usr/sbin/flightwatch \
	644:usr/lib/systemd/system/flightwatch.service \
	644:usr/lib/systemd/catalog/flightwatch.catalog \
	644:usr/lib/sysusers.d/flightwatch.conf \
	644:usr/share/man/man8/flightwatch.8 \
	644:usr/share/bash-completion/completions/flightwatch; do
	check "install: ${spec#*:} mode ${spec%%:*}" == "${spec%%:*}" \
		"$(stat -c %a "$DEST/${spec#*:}" 2>&1)"
done
UNIT=$DEST/usr/lib/systemd/system/flightwatch.service
check "install: unit ExecStart under the prefix" == \
	"ExecStart=/usr/sbin/flightwatch run" "$(grep '^ExecStart=' "$UNIT")"
check "install: unit Type=notify" == "Type=notify" "$(grep '^Type=' "$UNIT")"
check "install: the installed binary runs" == "flightwatch" \
	"$("$DEST/usr/sbin/flightwatch" version | cut -d' ' -f1)"
if [ -f "$FW_ROOT/etc/flightwatch.yaml" ]; then
	check "install: example configuration beside the real one" == 644 \
		"$(stat -c %a "$DEST/etc/flightwatch/flightwatch.yaml.example" 2>&1)"
fi
check "install: no live configuration installed" == absent \
	"$([ -e "$DEST/etc/flightwatch/flightwatch.yaml" ] && echo present || echo absent)"
make -s -C "$FW_ROOT" install DESTDIR="$FW_TMP/local" \
	>"$FW_TMP/install-local.log" 2>&1
check "install: default PREFIX /usr/local" == \
	"ExecStart=/usr/local/sbin/flightwatch run" \
	"$(grep '^ExecStart=' "$FW_TMP/local/usr/local/lib/systemd/system/flightwatch.service" 2>&1)"
make -s -C "$FW_ROOT" uninstall DESTDIR="$FW_TMP/local" >/dev/null 2>&1
check "uninstall: no file left" == "" "$(find "$FW_TMP/local" -type f)"

# --- man page ----------------------------------------------------------------------
MANWIDTH=120 man -l "$DEST/usr/share/man/man8/flightwatch.8" \
	>"$FW_TMP/man.txt" 2>"$FW_TMP/man.err"
MAN=$(cat "$FW_TMP/man.txt")
check "man: renders with a NAME section" contains \
	"flightwatch - kernel-level egress tracer" "$MAN"
for word in "--output KIND" "--config FILE" "check-config" "--geoip FILE" \
	SIGHUP "EXIT STATUS" "MESSAGE IDS" FLIGHTWATCH_ORIGIN_PATH \
	"journalctl -x MESSAGE_ID="; do
	check "man: mentions $word" contains "$word" "$MAN"
done
check "man: no troff warnings" == "" "$(cat "$FW_TMP/man.err")"

# --- bash completion -------------------------------------------------------------
BC=/usr/share/bash-completion/bash_completion
if [ -r "$BC" ]; then
	touch "$FW_TMP/trace-a.fwt" "$FW_TMP/trace-b.fwt"
	# complete WORDS...: what bash offers for the last word
	complete_words() {
		bash -c '. "$1"; . "$2"; shift 2
			COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
			COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
			_flightwatch flightwatch "${COMP_WORDS[-1]}" "${COMP_WORDS[-2]}"
			printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' \
			_ "$BC" "$DEST/usr/share/bash-completion/completions/flightwatch" \
			"$@" 2>&1 | sed 's/ $//'
	}
	check "completion: flightwatch r" == "record replay report run" \
		"$(complete_words flightwatch r)"
	check "completion: run --output" == "auto journal json text" \
		"$(complete_words flightwatch run --output '')"
	check "completion: record -" contains "--max-size" \
		"$(complete_words flightwatch record -)"
	check "completion: replay FILE" == "$FW_TMP/trace-a.fwt $FW_TMP/trace-b.fwt" \
		"$(cd / && complete_words flightwatch replay "$FW_TMP/trace-")"
	check "completion: report --format" == "dot json text" \
		"$(complete_words flightwatch report --format '')"
else
	fail "completion: bash-completion installed" "$BC" "missing (make deps)"
fi

# --- systemd-analyze verify ----------------------------------------------------------
# The installed tree laid over /usr in a private mount namespace: verify
# sees the unit where it belongs, with its binary, man page and the
# system's units (there is no systemd as PID 1 here; verify needs none)
if command -v systemd-analyze >/dev/null; then
	sed 's/^Type=notify$/Type=notify\nProtectSystem=sometimes/' "$UNIT" \
		>"$FW_TMP/broken.service"
	# shellcheck disable=SC2016 # expanded by the inner shell
	unshare -m --propagation private bash -c '
		mount -t overlay overlay -o "lowerdir=$1/usr:/usr" /usr || exit 99
		systemd-analyze verify /usr/lib/systemd/system/flightwatch.service \
			>"$2/verify.out" 2>&1
		echo $? >"$2/verify.rc"
		systemd-analyze verify "$2/broken.service" >"$2/broken.out" 2>&1
		' _ "$DEST" "$FW_TMP"
	check "verify: systemd-analyze verify exit status" == 0 \
		"$(cat "$FW_TMP/verify.rc" 2>&1)"
	check "verify: no complaint about the installed unit" == "" \
		"$(cat "$FW_TMP/verify.out" 2>&1)"
	check "verify: a broken copy is reported (control)" contains \
		"Failed to parse protect system value" "$(cat "$FW_TMP/broken.out" 2>&1)"
else
	skip "verify: systemd-analyze" "systemd-analyze is not installed"
fi

fw_finish
