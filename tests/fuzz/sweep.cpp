#include "sweep.h"

#include <arpa/inet.h>

#include "harness.h"
#include "pools.h"

namespace fuzz {

namespace {

using namespace pkt;

const uint32_t kLocal = ip4("192.0.2.1");
const uint32_t kLocal2 = ip4("198.51.100.20");
const uint32_t kPeer = ip4("203.0.113.9");

struct NamedConfig {
	const char *name;
	stf_model::Config c;
};

// A: the control plane's defaults for a router. B: a relay that permits private peers and
// does not filter on ingress. C: A attached to nofwd0 instead of the uplink.
std::vector<NamedConfig> configs()
{
	stf_model::Config a = base_config();
	a.cfg.n_local = 2;
	a.cfg.local[0] = stft::be32(kLocal);
	a.cfg.local[1] = stft::be32(kLocal2);
	a.cfg.n_bcast = 2;
	a.cfg.bcast[0] = stft::be32(ip4("192.0.2.255"));
	a.cfg.bcast[1] = stft::be32(ip4("203.0.113.255"));
	a.cfg.relay = stft::be32(ip4("198.51.100.99"));

	stf_model::Config b = a;
	b.cfg.mode = STF_MODE_RELAY;
	b.cfg.flags = STF_F_PERMIT_PRIVATE;
	b.cfg.n_local = 3;
	b.cfg.local[0] = stft::be32(kLocal2);
	b.cfg.local[1] = stft::be32(ip4("10.1.1.1"));
	b.cfg.local[2] = stft::be32(kLocal);
	b.cfg.n_bcast = 1;
	b.cfg.bcast[0] = stft::be32(ip4("198.51.100.79"));
	b.cfg.relay = stft::be32(kPeer);

	stf_model::Config c = a;
	c.cfg.ifindex = stft::g_net.nofwd;
	return {{"A(router)", a}, {"B(relay,private,no-ingress)", b}, {"C(router,nofwd0)", c}};
}

uint32_t local0(const stf_model::Config &c)
{
	return ntohl(c.cfg.local[0]);
}

// The valid decap packets of the corpus, addressed to the configuration's first local.
Bytes decap_frame(int which, const stf_model::Config &c)
{
	Ipv4 o;
	o.src = kPeer;
	o.dst = local0(c);
	o.ttl = 57;
	Ipv6 in;
	in.tclass = 0x2a; // DSCP and ECT(0)
	in.flow = 0x5a5a5;
	in.src = addr_6to4(kPeer, 1, 0x10);
	in.dst = addr_6to4(o.dst, 7, 0x20);
	if (which == 1)
		in.dst = ip6("2001:db8:1::1");
	if (which == 2) {
		o.src = ip4("198.51.100.99");
		in.src = ip6("2001:db8:77::5");
	}
	const Bytes l4 = icmpv6_echo(in, 0x77, 1, pattern(24));
	return eth({stft::g_net.uplink_mac, stft::g_net.gateway_mac, kEthIpv4}, ipv4(o, ipv6(in, l4)));
}

// The valid encap packets: 6to4 to 6to4, 6to4 to native, native to native.
Bytes encap_frame(int which, const stf_model::Config &c)
{
	Ipv6 ip;
	ip.tclass = 0xb9;
	ip.flow = 0x12345;
	ip.src = addr_6to4(local0(c), 3, 0x30);
	ip.dst = addr_6to4(kPeer, 4, 0x40);
	if (which >= 1)
		ip.dst = ip6("2001:db8:5::1");
	if (which == 2)
		ip.src = ip6("2001:db8:80::80");
	const Bytes l4 = icmpv6_echo(ip, 0x99, 7, pattern(32));
	return eth({mac("02:00:00:00:00:aa"), mac("02:00:00:00:00:bb"), kEthIpv6}, ipv6(ip, l4));
}

void put_v4(Bytes &f, size_t off, uint32_t v)
{
	put16(f, off, uint16_t(v >> 16));
	put16(f, off + 2, uint16_t(v));
}

void put_v6(Bytes &f, size_t off, const In6 &a)
{
	std::copy(a.begin(), a.end(), f.begin() + long(off));
}

std::string hex(uint32_t v)
{
	char buf[16];
	std::snprintf(buf, sizeof(buf), "%08x", v);
	return buf;
}

} // namespace

std::vector<Case> sweep_cases()
{
	std::vector<Case> out;
	auto add = [&out](bool encap, const NamedConfig &nc, Bytes f, std::string what) {
		Case c;
		c.encap = encap;
		c.config = nc.c;
		c.frame = std::move(f);
		c.origin = std::string("sweep ") + nc.name + ": " + what;
		out.push_back(std::move(c));
	};
	const auto cfgs = configs();
	static const char *dname[] = {"router-6to4", "relay-to-native", "native-to-our-prefix"};
	static const char *ename[] = {"6to4-to-6to4", "6to4-to-native", "native-to-native"};

	// Every truncation length, as cut and with the lengths and checksum made consistent.
	for (size_t k = 0; k < 2; k++) {
		const NamedConfig &nc = cfgs[k];
		for (int t = 0; t < 3; t++) {
			const Bytes full = decap_frame(t, nc.c);
			for (size_t len = kEthLen; len <= full.size(); len++) {
				Bytes f(full.begin(), full.begin() + long(len));
				add(false, nc, f, std::string(dname[t]) + " cut at " + std::to_string(len));
				if (len < kInner)
					continue;
				put16(f, kOuter + 2, uint16_t(len - kOuter));
				if (len >= kInner + kIpv6Len)
					put16(f, kInner + 4, uint16_t(len - kInner - kIpv6Len));
				fix_outer_checksum(f);
				add(false, nc, f, std::string(dname[t]) + " cut at " + std::to_string(len) +
							  ", lengths fixed");
			}
			const Bytes efull = encap_frame(t, nc.c);
			for (size_t len = kEthLen; len <= efull.size(); len++)
				add(true, nc, Bytes(efull.begin(), efull.begin() + long(len)),
				    std::string(ename[t]) + " cut at " + std::to_string(len));
		}
	}

	// Every listed IPv4 address as each outer address (with a consistent 2002:: inner
	// address), as a 6to4 destination, and as the relay.
	for (const NamedConfig &nc : cfgs) {
		for (uint32_t a : listed_v4()) {
			const std::string v = hex(a);
			Bytes f = decap_frame(0, nc.c);
			put_v4(f, kOuter + 12, a);
			put_v6(f, kInner + 8, addr_6to4(a, 1, 0x10));
			fix_outer_checksum(f);
			add(false, nc, f, "router-6to4, outer src " + v);
			f = decap_frame(2, nc.c);
			put_v4(f, kOuter + 12, a);
			fix_outer_checksum(f);
			add(false, nc, f, "native-to-our-prefix, outer src " + v);
			f = decap_frame(0, nc.c);
			put_v4(f, kOuter + 16, a);
			put_v6(f, kInner + 24, addr_6to4(a, 7, 0x20));
			fix_outer_checksum(f);
			add(false, nc, f, "router-6to4, outer dst " + v);

			f = encap_frame(0, nc.c);
			put_v6(f, kSix + 24, addr_6to4(a, 4, 0x40));
			add(true, nc, f, "6to4-to-6to4, dst 2002:" + v);
			f = encap_frame(0, nc.c);
			put_v6(f, kSix + 8, addr_6to4(a, 3, 0x30));
			add(true, nc, f, "6to4-to-6to4, src 2002:" + v);
			NamedConfig relay = nc;
			relay.c.cfg.relay = stft::be32(a);
			add(true, relay, encap_frame(2, nc.c), "native-to-native, relay " + v);
		}
	}

	// Every listed IPv6 address in each inner address field.
	for (size_t k = 0; k < 2; k++) {
		const NamedConfig &nc = cfgs[k];
		for (const In6 &a : listed_v6()) {
			const std::string v = hex(uint32_t(a[0]) << 24 | a[1] << 16 | a[2] << 8 | a[3]);
			for (int field = 0; field < 2; field++) {
				const char *which = field ? "dst" : "src";
				Bytes f = decap_frame(0, nc.c);
				put_v6(f, kInner + 8 + 16 * size_t(field), a);
				add(false, nc, f, std::string("router-6to4, inner ") + which + " " + v + "...");
				f = encap_frame(0, nc.c);
				put_v6(f, kSix + 8 + 16 * size_t(field), a);
				add(true, nc, f, std::string("6to4-to-6to4, ") + which + " " + v + "...");
			}
		}
	}
	return out;
}

} // namespace fuzz
