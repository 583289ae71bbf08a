#!/bin/bash
# The bash -c scripts below expand their own positional parameters:
# shellcheck disable=SC2016
# A flight log reached by another name than the watched directory's:
#   - a log written through a bind mount of a directory below the watched
#     one, in a private mount namespace (a container's volume, another
#     namespace's view), after the tracer started (the files there at
#     start are known by inode whatever their name), and uploaded;
#   - an overlay mount whose lower layer is that directory (a container's
#     merged root), read through the merged directory;
#   - the same overlay, the file first read through the watched directory
#     (known by inode) and then through the merged one.
# Each ends in an upload that must alert with the log as its origin. Their
# benign twins do the same with an unwatched directory and stay quiet.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

P_BIND=9331
P_OVERLAY=9332
P_KNOWN=9333
P_B_BIND=9334
P_B_OVERLAY=9335

fw_init
fw_netns_setup
for p in "$P_BIND" "$P_OVERLAY" "$P_KNOWN" "$P_B_BIND" "$P_B_OVERLAY"; do
	fw_peer_listen tcp4 "$p"
done
grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null
grep -qw overlay /proc/filesystems || fw_abort "no overlay file system here"

WATCH=$FW_TMP/Telemetry
PLAIN=$FW_TMP/plain
mkdir -p "$WATCH/2026/11" "$PLAIN/2026/11"
# --no-default-rules: only the watched directory makes these flight logs
fw_mklog tlog 48k "$WATCH/2026/11/flight.bin"
fw_mklog tlog 48k "$WATCH/2026/11/known.bin"
SIZE=$(fw_size "$WATCH/2026/11/flight.bin")
head -c "$SIZE" /dev/urandom >"$PLAIN/2026/11/flight.bin"

# in a private mount namespace: mount, then exec the uploader of FILE
# (the scenario's pid is the uploader's)
BIND='mount --bind "$1" "$2" && "$FWMKLOG" tlog 48k "$2/11/new.bin" &&
	shift 2 && exec "$@"'
export FWMKLOG
OVERLAY='mkdir -p "$2/upper" "$2/work" "$2/merged" &&
	mount -t overlay overlay -o "lowerdir=$1,upperdir=$2/upper,workdir=$2/work" "$2/merged" &&
	shift 2 && exec "$@"'
upload() { # FILE PORT
	echo "$FWSEND" --timeout 30 --read read "$1" --to "$FW_PEER_IP4" --port "$2"
}

fw_tracer_start mounts --no-default-rules --watch "$WATCH" ||
	fw_abort "tracer did not start"

mkdir -p "$FW_TMP/bind" "$FW_TMP/b-bind" "$FW_TMP/ovl" "$FW_TMP/b-ovl" \
	"$FW_TMP/known"
# shellcheck disable=SC2046
fw_sc bind unshare -m bash -c "$BIND" sh "$WATCH/2026" "$FW_TMP/bind" \
	$(upload "$FW_TMP/bind/11/new.bin" "$P_BIND")
# shellcheck disable=SC2046
fw_sc overlay unshare -m bash -c "$OVERLAY" sh "$WATCH/2026/11" "$FW_TMP/ovl" \
	$(upload "$FW_TMP/ovl/merged/flight.bin" "$P_OVERLAY")
# known by inode first: read (and not sent) through the watched directory
fw_sc known-read "$FWSEND" --timeout 30 --read read "$WATCH/2026/11/known.bin"
# shellcheck disable=SC2046
fw_sc known unshare -m bash -c "$OVERLAY" sh "$WATCH/2026/11" "$FW_TMP/known" \
	$(upload "$FW_TMP/known/merged/known.bin" "$P_KNOWN")
# shellcheck disable=SC2046
fw_sc b-bind unshare -m bash -c "$BIND" sh "$PLAIN/2026" "$FW_TMP/b-bind" \
	$(upload "$FW_TMP/b-bind/11/new.bin" "$P_B_BIND")
# shellcheck disable=SC2046
fw_sc b-overlay unshare -m bash -c "$OVERLAY" sh "$PLAIN/2026/11" \
	"$FW_TMP/b-ovl" $(upload "$FW_TMP/b-ovl/merged/flight.bin" "$P_B_OVERLAY")

fw_wait_alerts 15 "${FW_PIDS[bind]}:$SIZE" "${FW_PIDS[overlay]}:$SIZE" \
	"${FW_PIDS[known]}:$SIZE" || note "not every alert reached $SIZE bytes"
fw_tracer_stop

# the uploads alert, with the path the uploader opened (its own view)
fw_expect_flow bind "${FW_PIDS[bind]}" "$FW_PEER_IP4" "$P_BIND" tcp ipv4 \
	"$SIZE" "$FW_TMP/bind/11/new.bin"
fw_expect_flow overlay "${FW_PIDS[overlay]}" "$FW_PEER_IP4" "$P_OVERLAY" tcp \
	ipv4 "$SIZE" "$FW_TMP/ovl/merged/flight.bin"
fw_expect_flow known "${FW_PIDS[known]}" "$FW_PEER_IP4" "$P_KNOWN" tcp ipv4 \
	"$SIZE" ""
check "known: the origin is the file underneath, as first read" =~ \
	'/Telemetry/2026/11/known.bin$|/known/merged/known.bin$' \
	"$(fw_get "$(fw_last_alert "${FW_PIDS[known]}" "$P_KNOWN")" .file.path)"
check "benign bind mount of an unwatched directory: no alert" == "" \
	"$(fw_alerts "${FW_PIDS[b-bind]}")"
check "benign overlay of an unwatched directory: no alert" == "" \
	"$(fw_alerts "${FW_PIDS[b-overlay]}")"
check "stats: lost" -eq 0 "$(fw_get "$(fw_stats)" .lost)"

fw_finish
