#!/bin/bash
# Terminal injection: a process and a flight log whose names hold ESC
# sequences (a colour change, a window title), a newline, a tab, the C1
# control U+009B (CSI), U+202E (right-to-left override), a byte that is not
# UTF-8 and a literal backslash sequence "\x0a". Every text output shows
# them through the one escaping rule (\x1b, \x0a, \u009b, \u202e, \xff and
# \\x0a for the typed backslash): the live text alerts, `replay` and
# `report` of the recording, an error on stderr naming such a file, and
# check-config printing such a directory and path. Each output must contain
# the escaped name (the positive control: the name reached it) and no raw
# control byte, C1 control, bidi override or invalid UTF-8.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

P_TCP4=9130

fw_init
fw_netns_setup
fw_peer_listen tcp4 "$P_TCP4"
fw_peer_listen tcp6 $((P_TCP4 + 1))
fw_probe_network "$P_TCP4" $((P_TCP4 + 1))

# the hostile part of every name, raw and as text output must show it
EVIL=$'\e]0;pwned\a\e[31m\n\t\xc2\x9b\xe2\x80\xae\xff\\x0a'
EVIL_SHOWN='\x1b]0;pwned\x07\x1b[31m\x0a\x09\u009b\u202e\xff\\x0a'
# the process name: the kernel keeps the first 15 bytes of the program's
# file name, "\e[2J\n\t", U+009B, U+202E, 0xff and a backslash, "x0"
EXE_NAME=$'\e[2J\n\t\xc2\x9b\xe2\x80\xae\xff\\x0a-fwsend'
COMM_SHOWN='\x1b[2J\x0a\x09\u009b\u202e\xff\\x0'
EXE_SHOWN='\x1b[2J\x0a\x09\u009b\u202e\xff\\x0a-fwsend'

WATCH=$FW_TMP/logs
mkdir -p "$WATCH"
LOG=$WATCH/flight-$EVIL.tlog
fw_mklog tlog 16k "$LOG"
SIZE=$(fw_size "$LOG")
EXE=$FW_TMP/$EXE_NAME
cp "$FWSEND" "$EXE"
TRACE=$FW_TMP/hostile.fwt

# clean NAME FILE: no raw C0 control but the newline ending each line, no
# DEL, no C1 control, no bidi override or isolate, valid UTF-8
clean() {
	local name=$1 file=$2 bad
	bad=$(LC_ALL=C grep -c $'[\x01-\x09\x0b-\x1f\x7f]' "$file")
	check "$name: no raw control byte" -eq 0 "$bad"
	bad=$(LC_ALL=C grep -c -e $'\xc2[\x80-\x9f]' \
		-e $'\xe2\x80[\xaa-\xae]' -e $'\xe2\x81[\xa6-\xa9]' "$file")
	check "$name: no C1 control or bidi character" -eq 0 "$bad"
	if iconv -f UTF-8 -t UTF-8 "$file" >/dev/null 2>&1; then
		pass "$name: valid UTF-8"
	else
		fail "$name: valid UTF-8" "valid UTF-8" \
			"$(LC_ALL=C grep -naxv '.*' "$file" | head -n 2)"
	fi
}

# ---- live text --------------------------------------------------------------
TOUT=$FW_TMP/text.out
TERR=$FW_TMP/text.err
FW_OUT=$TOUT
FW_ERR=$TERR
"$FW_BIN" run --no-default-rules --watch "$WATCH" --record "$TRACE" \
	</dev/null >"$TOUT" 2>"$TERR" &
FW_TRACER_PID=$!
fw_wait_for "$FW_READY_TIMEOUT" grep -q "flightwatch ready" "$TERR" ||
	fw_abort "text tracer not ready: $(tail -n 3 "$TERR")"
fw_gs_bg "$EXE" --timeout 20 --pidfile "$FW_TMP/sender.pid" --read read \
	"$LOG" --send write --to "$FW_PEER_IP4" --port "$P_TCP4"
fw_wait_pid "$FW_BG" 30
check "sender exit status" -eq 0 "$FW_RC"
SENDER=$(cat "$FW_TMP/sender.pid" 2>/dev/null || echo "$FW_BG")
fw_wait_for 10 grep -qF "(pid $SENDER) sent $SIZE bytes" "$TOUT" ||
	note "no alert with the whole log within 10 s"
kill -INT "$FW_TRACER_PID"
fw_wait_pid "$FW_TRACER_PID" "$FW_STOP_TIMEOUT"
FW_TRACER_PID=
check "live text: exit status" -eq 0 "$FW_RC"

OUT=$(cat "$TOUT")
check "live text: the alert line, names escaped" contains \
	"$COMM_SHOWN (pid $SENDER) sent $SIZE bytes to $FW_PEER_IP4:$P_TCP4/tcp after reading flight log $WATCH/flight-$EVIL_SHOWN.tlog" \
	"$OUT"
check "live text: the origin line, escaped" contains \
	"    origin $WATCH/flight-$EVIL_SHOWN.tlog (" "$OUT"
check "live text: the process line, escaped" contains \
	"    process $SENDER $FW_TMP/$EXE_SHOWN, parent" "$OUT"
# no line forged: each is an alert line or one of its indented details
check "live text: every line an alert or its detail" == "" \
	"$(grep -Ev '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[^ ]+ (ALERT  |update |read   |WARNING) |^    (origin|process) ' "$TOUT")"
clean "live text" "$TOUT"
clean "live stderr" "$TERR"

# ---- replay and report of the recording ---------------------------------------
"$FW_BIN" replay "$TRACE" >"$FW_TMP/replay.out" 2>"$FW_TMP/replay.err"
check "replay text: exit status" -eq 0 "$?"
check "replay text: the alert line, names escaped" contains \
	"$COMM_SHOWN (pid $SENDER) sent $SIZE bytes to $FW_PEER_IP4:$P_TCP4/tcp after reading flight log $WATCH/flight-$EVIL_SHOWN.tlog" \
	"$(cat "$FW_TMP/replay.out")"
clean "replay text" "$FW_TMP/replay.out"

"$FW_BIN" report "$TRACE" >"$FW_TMP/report.out" 2>"$FW_TMP/report.err"
check "report text: exit status" -eq 0 "$?"
OUT=$(cat "$FW_TMP/report.out")
check "report text: the flight log, escaped" contains \
	"  $WATCH/flight-$EVIL_SHOWN.tlog (" "$OUT"
check "report text: the reader, escaped" contains \
	"      $COMM_SHOWN (pid $SENDER) $FW_TMP/$EXE_SHOWN: $SIZE bytes read" \
	"$OUT"
check "report text: the sending process, escaped" contains \
	"  $COMM_SHOWN (pid $SENDER) $FW_TMP/$EXE_SHOWN, parent" "$OUT"
check "report text: the flow's process, escaped" contains \
	"   -> $COMM_SHOWN (pid $SENDER, parent" "$OUT"
clean "report text" "$FW_TMP/report.out"
# the JSON report keeps the name as it is (json-c escapes it for JSON)
check "report json: the process name unescaped" == true \
	"$("$FW_BIN" report --format json "$TRACE" 2>/dev/null |
		jq -r --arg p "$SENDER" '.processes[] |
			select((.pid | tostring) == $p) | .name |
			startswith("\u001b[2J\n\t\u009b\u202e")')"

# ---- stderr -----------------------------------------------------------------------
MISSING=$FW_TMP/missing-$EVIL.fwt
"$FW_BIN" replay "$MISSING" >/dev/null 2>"$FW_TMP/missing.err"
check "stderr: exit status for a missing trace" -ne 0 "$?"
check "stderr: the file named, escaped" contains \
	"flightwatch: cannot read $FW_TMP/missing-$EVIL_SHOWN.fwt: " \
	"$(cat "$FW_TMP/missing.err")"
clean "stderr" "$FW_TMP/missing.err"

# ---- check-config -------------------------------------------------------------------
# YAML cannot hold invalid UTF-8: the directory has the rest; the file's
# own name has it all
CFG=$FW_TMP/cfg-$EVIL.yaml
printf '%s\n' 'watch:' '  builtin: false' '  directories:' \
	'    - "/srv/\e]0;pwned\a\e[31m\n\t\u009b\u202e\\x0a"' >"$CFG"
"$FW_BIN" check-config "$CFG" >"$FW_TMP/check.out" 2>&1
check "check-config: exit status" -eq 0 "$?" ||
	note "$(cat "$FW_TMP/check.out")"
OUT=$(cat "$FW_TMP/check.out")
check "check-config: the file named, escaped" contains \
	"$FW_TMP/cfg-$EVIL_SHOWN.yaml: valid" "$OUT"
check "check-config: the directory, escaped" contains \
	'  /srv/\x1b]0;pwned\x07\x1b[31m\x0a\x09\u009b\u202e\\x0a (does not exist yet)' \
	"$OUT"
clean "check-config" "$FW_TMP/check.out"

fw_finish
