#!/bin/bash
# What the running kernel allows: `flightwatch check-kernel` (text and JSON)
# says the essential hooks are attached and the tracer runs; its lists
# match what a real `run` attaches and reports as not attached; io_uring is
# followed; a BTF that is not the kernel's makes the essential programs
# fail to load: exit 1 with one error line naming the program (the
# negative control), nothing left loaded; bad usage exits 2.
set -u
# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/lib.sh"

fw_init
command -v bpftool >/dev/null || fw_abort "bpftool is not installed"

ESSENTIAL='["tp_btf/sched_process_exec","tp_btf/sched_process_exit","tp_btf/sched_process_fork","tp_btf/sys_enter","tp_btf/sys_exit"]'
# the fast tier's syscall hooks, a sample: reads, opens, sends, memory
FAST_SAMPLE='fexit/__x64_sys_read fexit/__x64_sys_pread64 fexit/__x64_sys_openat fentry/__x64_sys_sendto fexit/__x64_sys_sendto fentry/__x64_sys_write fexit/__x64_sys_process_vm_readv'
[ "$(uname -m)" = x86_64 ] || FAST_SAMPLE=

# The tier asked for (with-hooks, FW_HOOKS) and the one auto takes here:
# fast exactly where an fentry program attaches (the probe, in the JSON)
HOOKS=${FW_HOOKS:-auto}
fentry=$("$FW_BIN" check-kernel --json --hooks tracepoint 2>/dev/null |
	jq -r '.faster_hook_kinds[] | select(.name == "fentry/fexit") | .available')
check "json --hooks tracepoint: the fentry probe answered" =~ '^(true|false)$' "$fentry"
tier=tracepoint
if [ "$HOOKS" = fast ] || { [ "$HOOKS" = auto ] && [ "$fentry" = true ]; }; then
	tier=fast
	ESSENTIAL='["tp_btf/sched_process_exec","tp_btf/sched_process_exit","tp_btf/sched_process_fork"]'
fi
note "syscall hooks asked: $HOOKS, fentry here: $fentry, expected tier: $tier"

fw_progs() {
	bpftool prog show -j 2>/dev/null |
		jq '[.[] | select((.name // "") | startswith("fw_"))] | length'
}
before=$(fw_progs)

# ---- text ------------------------------------------------------------------
"$FW_BIN" check-kernel >"$FW_TMP/text.out" 2>"$FW_TMP/text.err"
rc=$?
text=$(cat "$FW_TMP/text.out")
note "$text"
check "text: exit status 0 on this kernel" -eq 0 "$rc" ||
	note "stderr: $(cat "$FW_TMP/text.err")"
check "text: names the kernel" contains "kernel: Linux $(uname -r)" "$text"
for hook in $(jq -r '.[]' <<<"$ESSENTIAL"); do
	check "text: $hook among the essential hooks attached" =~ \
		"essential, attached:.* $hook( |$)" "$(grep '^essential' <<<"$text")"
done
check "text: the verdict" contains "verdict: flightwatch runs on this kernel" "$text"

# ---- JSON ------------------------------------------------------------------
"$FW_BIN" check-kernel --json >"$FW_TMP/json.out" 2>"$FW_TMP/json.err"
rc=$?
doc=$(jq -c . "$FW_TMP/json.out" 2>/dev/null)
check "json: exit status 0" -eq 0 "$rc"
check "json: one valid JSON document" != "" "$doc"
check "json: runs" == true "$(jq -r .runs <<<"$doc")"
check "json: the essential hooks, all of them" == "$ESSENTIAL" \
	"$(jq -c '[.hooks_essential[] | select(test("^f(entry|exit)/") | not)] | sort' <<<"$doc")"
check "json: syscall hooks in the $tier tier" == "$tier" \
	"$(jq -r .syscall_hooks <<<"$doc")"
uring=$(jq -r '[.hooks_optional[] | select(startswith("tp_btf/io_uring_"))] | sort | join(" ")' <<<"$doc")
check "json: io_uring followed (a submission and the completion hook)" =~ \
	'^tp_btf/io_uring_complete tp_btf/io_uring_submit_(req|sqe)$' "$uring"
check "json: a reason for every hook not attached" == "" \
	"$(jq -c '.hooks_not_attached[] | select((.reason // "") == "")' <<<"$doc")"
check "json: the faster hook kinds probed" -eq 4 \
	"$(jq '.faster_hook_kinds | length' <<<"$doc")"

# ---- typed reads: the object built for them where the kernel has the kfunc --
# (6.2 and later). The kernel's own BTF says; a --btf file, even the
# kernel's, makes the loader take the object every kernel loads: the
# same kernel runs both.
kfunc=false
bpftool btf dump file /sys/kernel/btf/vmlinux 2>/dev/null |
	grep -q "FUNC 'bpf_rdonly_cast'" && kfunc=true
check "json: typed reads exactly where the kernel has bpf_rdonly_cast ($kfunc)" \
	== "$kfunc" "$(jq -r .typed_reads <<<"$doc")"
expect="bpf_probe_read_kernel (no bpf_rdonly_cast here)"
$kfunc && expect="typed pointers (bpf_rdonly_cast)"
check "text: says how files and inodes are read" contains \
	"reads of files and inodes: $expect" "$text"
"$FW_BIN" check-kernel --json --btf /sys/kernel/btf/vmlinux \
	>"$FW_TMP/plain.out" 2>"$FW_TMP/plain.err"
check "json --btf: the plain object runs here too, not typed" == "true false" \
	"$(jq -r '"\(.runs) \(.typed_reads)"' "$FW_TMP/plain.out" 2>/dev/null)" ||
	note "stderr: $(cat "$FW_TMP/plain.err")"

# ---- the two tiers of syscall hooks ------------------------------------------
# the tracepoint tier runs on every kernel; the fast one where fentry
# programs attach, and says so in one line where they do not
if [ "$tier" = fast ]; then
	check "text: says the syscall hooks are the fast tier's" contains \
		"syscall hooks: fast (fentry/fexit on each followed syscall's function)" "$text"
	for hook in $FAST_SAMPLE; do
		check "json: $hook among the essential hooks" == true \
			"$(jq --arg h "$hook" '.hooks_essential | index($h) != null' <<<"$doc")"
	done
	# where the kernel runs 32-bit calls, the fast tier follows them at
	# their one dispatch function
	if [ -x "$FW_HELPERS/fwia32" ] &&
		"$FW_HELPERS/fwia32" --read read /dev/null --copy /dev/null 2>/dev/null; then
		for hook in fentry/ia32_sys_call fexit/ia32_sys_call; do
			check "json: $hook among the essential hooks (32-bit calls)" == true \
				"$(jq --arg h "$hook" '.hooks_essential | index($h) != null' <<<"$doc")"
		done
	fi
	check "json: no raw syscall tracepoint in the fast tier" == "" \
		"$(jq -r '.hooks_essential[] | select(. == "tp_btf/sys_enter" or . == "tp_btf/sys_exit")' <<<"$doc")"
else
	check "text: says the syscall hooks are the tracepoint tier's" contains \
		"syscall hooks: tracepoint (tp_btf/sys_enter and sys_exit, every syscall)" "$text"
	check "json: no program on a syscall's function in the tracepoint tier" == "" \
		"$(jq -r '.hooks_essential[] | select(test("^f(entry|exit)/__"))' <<<"$doc")"
fi
"$FW_BIN" check-kernel --json --hooks tracepoint >"$FW_TMP/tp.out" 2>"$FW_TMP/tp.err"
check "json --hooks tracepoint: runs in the tracepoint tier, with sys_enter and sys_exit" \
	== "true tracepoint 2" \
	"$(jq -r '"\(.runs) \(.syscall_hooks) \([.hooks_essential[] | select(startswith("tp_btf/sys_"))] | length)"' "$FW_TMP/tp.out" 2>/dev/null)" ||
	note "stderr: $(cat "$FW_TMP/tp.err")"
"$FW_BIN" check-kernel --json --hooks fast >"$FW_TMP/fast.out" 2>"$FW_TMP/fast.err"
rc=$?
if [ "$fentry" = true ]; then
	check "json --hooks fast: exit status 0 where fentry programs attach" -eq 0 "$rc" ||
		note "stderr: $(cat "$FW_TMP/fast.err")"
	check "json --hooks fast: the fast tier, no raw syscall tracepoint" == "fast 0" \
		"$(jq -r '"\(.syscall_hooks) \([.hooks_essential[] | select(startswith("tp_btf/sys_"))] | length)"' "$FW_TMP/fast.out" 2>/dev/null)"
else
	check "--hooks fast where fentry programs do not attach: exit status 1" -eq 1 "$rc"
	check "--hooks fast where fentry programs do not attach: one error line" == \
		"flightwatch: --hooks fast: this kernel does not attach fentry programs (flightwatch check-kernel says why)" \
		"$(cat "$FW_TMP/fast.err")"
fi
"$FW_BIN" check-kernel --hooks sometimes >"$FW_TMP/bad-hooks.out" 2>"$FW_TMP/bad-hooks.err"
rc=$?
check "--hooks sometimes: exit status 2" -eq 2 "$rc"
check "--hooks sometimes: one line naming it" == \
	"flightwatch: bad --hooks 'sometimes': expected auto, tracepoint or fast" \
	"$(cat "$FW_TMP/bad-hooks.err")"

# ---- the same answer as a real run -----------------------------------------
# (check-kernel loads the enforcement programs too: a run with --enforce)
if fw_tracer_start run --no-default-rules --watch "$FW_TMP" --enforce; then
	ready=$(fw_json "$FW_OUT" | jq -c 'select(.event.action == "ready") | .flightwatch')
	check "run: attaches what check-kernel attached" == \
		"$(jq -c '.hooks_essential + .hooks_optional | sort' <<<"$doc")" \
		"$(jq -c '.hooks | sort' <<<"$ready")"
	check "run: the ready line names the $tier tier" == "$tier" \
		"$(jq -r '.syscall_hooks' <<<"$ready")"
	check "run: leaves out what check-kernel left out, for the same reasons" == \
		"$(jq -c '.hooks_not_attached | sort_by(.hook)' <<<"$doc")" \
		"$(jq -c '.hooks_not_attached | sort_by(.hook)' <<<"$ready")"
	fw_tracer_stop
fi
# without enforcement its programs are neither loaded nor reported
if fw_tracer_start detect --no-default-rules --watch "$FW_TMP"; then
	ready=$(fw_json "$FW_OUT" | jq -c 'select(.event.action == "ready") | .flightwatch')
	# (the datagram destinations' sendmsg programs are detection's own)
	check "detect: no enforcement hook attached" == "" \
		"$(jq -r '.hooks[] | select(startswith("cgroup/") and
			(startswith("cgroup/sendmsg") | not))' <<<"$ready")"
	check "detect: one program on each sendmsg hook, the datagram destinations'" \
		== "cgroup/sendmsg4 cgroup/sendmsg6" \
		"$(jq -r '[.hooks[] | select(startswith("cgroup/sendmsg"))] | sort | join(" ")' <<<"$ready")"
	# one cgroup_skb/egress program: the DNS queries', not enforcement's
	check "detect: one egress program, the DNS queries'" == 1 \
		"$(jq -r '[.hooks[] | select(. == "cgroup_skb/egress")] | length' <<<"$ready")"
	check "detect: no enforcement hook reported missing" == "" \
		"$(jq -r '.hooks_not_attached[].hook | select(startswith("cgroup/") or . == "cgroup_skb/egress")' <<<"$ready")"
	check "detect: the DNS cgroup program still attached (control)" == yes \
		"$(jq -r 'if (.hooks | index("cgroup_skb/ingress")) != null then "yes" else "no" end' <<<"$ready")"
	fw_tracer_stop
fi

# ---- negative control: the essential programs cannot load ------------------
# A BTF file with none of the kernel's types (one struct of our own): every
# relocation against them fails, so no essential program can load
printf 'struct not_the_kernel { int a; };\nstruct not_the_kernel nothing;\n' \
	>"$FW_TMP/foreign.c"
${CLANG:-clang} -g -O2 -target bpf -c "$FW_TMP/foreign.c" -o "$FW_TMP/foreign.o" ||
	fw_abort "cannot build a foreign BTF with clang"
"$FW_BIN" check-kernel --btf "$FW_TMP/foreign.o" \
	>"$FW_TMP/bad.out" 2>"$FW_TMP/bad.err"
rc=$?
last=$(tail -n 1 "$FW_TMP/bad.err")
check "foreign BTF: exit status 1" -eq 1 "$rc" ||
	note "stderr: $(cat "$FW_TMP/bad.err")"
# (the fast tier, when asked for, fails first: its probe's target is not
# in the file either; auto takes the tracepoint tier then)
if [ "$HOOKS" = fast ]; then
	check "foreign BTF: the error says the fast tier cannot attach by it" =~ \
		"^flightwatch: --hooks fast: no fentry program attaches by the types of $FW_TMP/foreign.o " \
		"$last"
else
	check "foreign BTF: the error names an essential program" =~ \
		'^flightwatch: this kernel refuses the BPF program fw_[a-z_]+, which the tracer cannot run without: ' \
		"$last"
fi
check "foreign BTF: no other error line" -eq 0 \
	"$(grep -v '^flightwatch: warning: ' "$FW_TMP/bad.err" | grep -vcxF "$last")"
check "foreign BTF: the verdict" contains "flightwatch cannot run on this kernel" \
	"$(cat "$FW_TMP/bad.out")"
left=
for _ in $(seq 1 30); do
	left=$(fw_progs)
	[ "$left" -le "$before" ] && break
	sleep 0.1
done
check "no fw_* program left loaded" -le "$before" "$left"

# ---- usage -------------------------------------------------------------------
"$FW_BIN" check-kernel --bogus >"$FW_TMP/usage.out" 2>"$FW_TMP/usage.err"
rc=$?
check "unknown option: exit status 2" -eq 2 "$rc"
check "unknown option: one line naming it" == \
	"flightwatch: unknown option '--bogus' (see 'flightwatch check-kernel --help')" \
	"$(cat "$FW_TMP/usage.err")"

fw_finish
