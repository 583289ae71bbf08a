# shellcheck shell=bash
# Sourced by the bench scripts: a ground-station namespace $gs
# (10.203.0.1) and a peer $peer (10.203.0.2) joined by a veth pair;
# bench_netns_down removes them.
gs=fwbgs-$$
peer=fwbpeer-$$

bench_netns_up() {
	ip netns add "$gs" && ip netns add "$peer" &&
		ip link add fwba$$ netns "$gs" type veth peer name fwbb$$ netns "$peer" &&
		ip -n "$gs" addr add 10.203.0.1/24 dev fwba$$ &&
		ip -n "$peer" addr add 10.203.0.2/24 dev fwbb$$ &&
		ip -n "$gs" link set fwba$$ up && ip -n "$peer" link set fwbb$$ up &&
		ip -n "$gs" link set lo up && ip -n "$peer" link set lo up
}

bench_netns_down() {
	ip netns del "$gs" 2>/dev/null
	ip netns del "$peer" 2>/dev/null
}
