#include "regressions.h"

#include "harness.h"

namespace fuzz {

namespace {

using namespace pkt;

// The usual configuration of the BPF tables: router, 192.0.2.1 and 198.51.100.20, the
// uplink's broadcast, a relay.
Case with_config(bool encap, const Bytes &frame, const char *origin)
{
	Case c;
	c.encap = encap;
	c.config = base_config();
	stf_config &cfg = c.config.cfg;
	cfg.n_local = 2;
	cfg.local[0] = stft::be32(ip4("192.0.2.1"));
	cfg.local[1] = stft::be32(ip4("198.51.100.20"));
	cfg.n_bcast = 1;
	cfg.bcast[0] = stft::be32(ip4("192.0.2.255"));
	cfg.relay = stft::be32(ip4("198.51.100.99"));
	c.frame = frame;
	c.origin = origin;
	return c;
}

Bytes six_frame(const In6 &src, const In6 &dst)
{
	Ipv6 ip;
	ip.src = src;
	ip.dst = dst;
	ip.tclass = 0x02;
	return eth({mac("02:00:00:00:00:aa"), mac("02:00:00:00:00:bb"), kEthIpv6},
		   ipv6(ip, icmpv6_echo(ip, 1, 1, pattern(16))));
}

// Attached to nofwd0, to 2002:<198.51.100.78>::1. The next hop is 198.51.100.78 itself, on
// nofwd0's subnet, and its permanent neighbour entry resolves it: the program writes the
// MACs (02:..:3e from 02:..:31). The oracle first listed all of 198.51.100.64/28 but the
// gateway as unresolved and expected the input MACs kept; the kernel was right.
Case nofwd_gateway_is_resolved()
{
	Case c = with_config(true, six_frame(addr_6to4(ip4("192.0.2.1"), 1, 1),
					       addr_6to4(ip4("198.51.100.78"), 0, 1)),
			     "encap/6to4-to-6to4 to 198.51.100.78, attached to nofwd0");
	c.config.cfg.ifindex = stft::g_net.nofwd;
	return c;
}

// Relay mode, an excepted sender, native to 2001:db8:99::1, which the harness routes back
// into the tunnel: the loop guard's one path, too rare for random cases to reach.
Case loop_guard(bool on)
{
	Ipv6 in;
	in.src = ip6("2001:db8:dead::1");
	in.dst = ip6("2001:db8:99::1");
	Ipv4 out;
	out.src = ip4("198.51.100.1");
	out.dst = ip4("192.0.2.1");
	out.ttl = 60;
	const Bytes frame = eth({mac("02:00:00:00:00:01"), mac("02:00:00:00:00:fe"), kEthIpv4},
				ipv4(out, ipv6(in, icmpv6_echo(in, 7, 7, pattern(8)))));
	Case c = with_config(false, frame, on ? "decap/excepted native to a looping route, guard on"
					       : "decap/excepted native to a looping route, guard off");
	stf_config &cfg = c.config.cfg;
	cfg.mode = STF_MODE_RELAY;
	cfg.has_except = 1;
	c.config.except = {{ip4("198.51.100.1"), 32}};
	if (on)
		cfg.flags |= STF_F_LOOP_GUARD;
	else
		cfg.flags &= ~STF_F_LOOP_GUARD;
	return c;
}
Case loop_guard_on() { return loop_guard(true); }
Case loop_guard_off() { return loop_guard(false); }

} // namespace

const std::vector<Regression> &regressions()
{
	static const std::vector<Regression> list = {
		{"nofwd_gateway_is_resolved",
		 "oracle wrong: 198.51.100.78 is nofwd0's permanent neighbour, so a lookup for it "
		 "resolves (the BPF program rewrote the MACs, the oracle said unresolved)",
		 nofwd_gateway_is_resolved},
		{"loop_guard_on", "fixed input: the loop guard's only path (inner_dst_loop)",
		 loop_guard_on},
		{"loop_guard_off", "fixed input: the same packet with the guard off (decap)",
		 loop_guard_off},
	};
	return list;
}

} // namespace fuzz
