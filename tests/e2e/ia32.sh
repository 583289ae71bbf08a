#!/bin/bash
# The 32-bit syscall entry as a way out: a program that reads a flight log
# and sends it with the i386 syscall numbers and registers (a 32-bit
# program, or a 64-bit one entering by int $0x80, which tests/helpers/
# fwia32 is). Every read form (read, pread64, readv, preadv, preadv2,
# mmap2, the old mmap whose arguments are a struct, sendfile and
# sendfile64 straight from the file) and every send form (write, writev,
# sendto, sendmsg and sendmmsg with the 32-bit msghdr layout, and the same
# through socketcall, the one number behind which the i386 socket calls
# also hide, and IORING_OP_SENDMSG on a ring a 32-bit call set up, whose
# requests use the 32-bit msghdr too) must alert with the destination, the transport and the bytes;
# a log copied into a file by pwrite64 carries it to the 64-bit process
# that sends that file, and a System V message queue carries it both ways
# between a 32-bit process (ipc(MSGSND), ipc(MSGRCV)) and a 64-bit one. The same programs on untainted data stay quiet.
# Where the kernel has no 32-bit emulation the suite skips.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

FWIA32=$FW_HELPERS/fwia32
FWSEND=$FW_HELPERS/fwsend
FWMSGQ=$FW_HELPERS/fwmsgq

fw_init
if [ ! -x "$FWIA32" ]; then
	skip "32-bit calls" "no fwia32 on this architecture"
	fw_finish
fi
# a kernel without 32-bit emulation refuses int $0x80 (ENOSYS or a fault)
if ! "$FWIA32" --read read /dev/null --copy /dev/null 2>/dev/null; then
	skip "32-bit calls" "this kernel runs no 32-bit call"
	fw_finish
fi
fw_netns_setup

# port NAME: each scenario its own peer port, from 9401
declare -A PORT
next=9401
for name in read-write pread64-writev readv-scsend preadv-scsendto \
	preadv2-sendto mmap2-sendmsg oldmmap-scsendmsg sendfile sendfile64 \
	u-sendto u-sendmsg u-sendmmsg u-scsendmmsg u-scsendto u-write u-uring \
	copy q-to64 q-from64 \
	b-read-write b-scsendto b-sendfile b-sendmmsg; do
	PORT[$name]=$next
	next=$((next + 1))
done
for name in "${!PORT[@]}"; do
	case $name in
	u-* | b-scsendto | b-sendmmsg) fw_peer_listen udp4 "${PORT[$name]}" ;;
	*) fw_peer_listen tcp4 "${PORT[$name]}" ;;
	esac
done
fw_peer_listen tcp6 "${PORT[read-write]}"
fw_probe_network "${PORT[read-write]}" "${PORT[read-write]}"

WATCH=$FW_TMP/Telemetry
WORK=$FW_TMP/work
mkdir -p "$WATCH" "$WORK"
LOG="$WATCH/2026-11-27 09-00-00.tlog"
fw_mklog tlog 48k "$LOG"
SIZE=$(fw_size "$LOG")
PLAIN=$WORK/plain.bin
head -c "$SIZE" /dev/urandom >"$PLAIN"
COPY=$WORK/copied.bin

fw_tracer_start ia32 --no-default-rules --watch "$WATCH" ||
	fw_abort "tracer did not start"

# ia32 NAME FILE READ SEND PROTO
ia32() {
	fw_sc "$1" "$FWIA32" --read "$3" "$2" --send "$4" --proto "$5" \
		--to "$FW_PEER_IP4" --port "${PORT[$1]}"
}
ia32 read-write "$LOG" read write tcp
ia32 pread64-writev "$LOG" pread64 writev tcp
ia32 readv-scsend "$LOG" readv sc-send tcp
ia32 preadv-scsendto "$LOG" preadv sc-sendto tcp
ia32 preadv2-sendto "$LOG" preadv2 sendto tcp
ia32 mmap2-sendmsg "$LOG" mmap2 sendmsg tcp
ia32 oldmmap-scsendmsg "$LOG" oldmmap sc-sendmsg tcp
ia32 sendfile "$LOG" none sendfile tcp
ia32 sendfile64 "$LOG" none sendfile64 tcp
ia32 u-sendto "$LOG" read sendto udp
ia32 u-sendmsg "$LOG" read sendmsg udp
ia32 u-sendmmsg "$LOG" read sendmmsg udp
ia32 u-scsendmmsg "$LOG" read sc-sendmmsg udp
ia32 u-scsendto "$LOG" read sc-sendto udp
ia32 u-write "$LOG" read write udp
ia32 u-uring "$LOG" read uring-sendmsg udp
# the log into a file by 32-bit pwrite64, the file out by a 64-bit sender
fw_sc copier "$FWIA32" --read preadv "$LOG" --copy "$COPY"
fw_sc copy "$FWSEND" --timeout 30 --read read "$COPY" --to "$FW_PEER_IP4" \
	--port "${PORT[copy]}"
# a message queue between a 32-bit process and a 64-bit one, each way; the
# receiver waits first (the log is larger than a queue holds)
K_TO64=$((($$ << 8) + 1))
K_FROM64=$((($$ << 8) + 2))
fw_gs_bg "$FWMSGQ" recv --key "$K_TO64" --bytes "$SIZE" --to "$FW_PEER_IP4" \
	--port "${PORT[q-to64]}" >"$FW_TMP/sc-q-to64.err" 2>&1
FW_PIDS[q-to64]=$FW_BG
fw_gs_bg "$FWIA32" --read ipc-msgrcv "$K_FROM64" --bytes "$SIZE" \
	--send write --proto tcp --to "$FW_PEER_IP4" --port "${PORT[q-from64]}" \
	>"$FW_TMP/sc-q-from64.err" 2>&1
FW_PIDS[q-from64]=$FW_BG
sleep 0.5
fw_sc q-sender32 "$FWIA32" --read read "$LOG" --msgsnd "$K_TO64"
fw_sc q-sender64 "$FWMSGQ" send --key "$K_FROM64" "$LOG"
for name in q-to64 q-from64; do
	fw_wait_pid "${FW_PIDS[$name]}" 30
	check "$name: scenario exit status" -eq 0 "$FW_RC"
done
# untainted twins
ia32 b-read-write "$PLAIN" read write tcp
ia32 b-scsendto "$PLAIN" read sc-sendto udp
ia32 b-sendfile "$PLAIN" none sendfile tcp
ia32 b-sendmmsg "$PLAIN" read sendmmsg udp

SENDERS=(read-write pread64-writev readv-scsend preadv-scsendto
	preadv2-sendto mmap2-sendmsg oldmmap-scsendmsg sendfile sendfile64
	u-sendto u-sendmsg u-sendmmsg u-scsendmmsg u-scsendto u-write u-uring
	copy q-to64 q-from64)
waits=()
for name in "${SENDERS[@]}"; do
	waits+=("${FW_PIDS[$name]}:$SIZE")
done
fw_wait_alerts 15 "${waits[@]}" || note "not every alert reached $SIZE bytes"
fw_tracer_stop

for name in "${SENDERS[@]}"; do
	case $name in
	u-*) transport=udp ;;
	*) transport=tcp ;;
	esac
	fw_expect_flow "$name" "${FW_PIDS[$name]}" "$FW_PEER_IP4" \
		"${PORT[$name]}" "$transport" ipv4 "$SIZE" "$LOG"
done
a=$(fw_last_alert "${FW_PIDS[copy]}" "${PORT[copy]}")
check "copy: the chain passes the file written by pwrite64" == \
	"origin,process,file,process,destination" \
	"$(fw_get "$a" '[.flightwatch.chain[].type] | join(",")')"
check "copy: the file written is the copy" == "$COPY" \
	"$(fw_get "$a" '[.flightwatch.chain[] | select(.type == "file")][0].path')"
for name in q-to64 q-from64; do
	a=$(fw_last_alert "${FW_PIDS[$name]}" "${PORT[$name]}")
	check "$name: the chain passes the queue" == \
		"origin,process,msg_queue,process,destination" \
		"$(fw_get "$a" '[.flightwatch.chain[].type] | join(",")')"
done
for name in b-read-write b-scsendto b-sendfile b-sendmmsg; do
	check "$name: untainted 32-bit sender: no alert" == "" \
		"$(fw_alerts "${FW_PIDS[$name]}")"
done
check "stats: lost" -eq 0 "$(fw_get "$(fw_stats)" .lost)"
fw_finish
