// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * stf_decap: XDP decapsulation of 6to4 (RFC 3056, IPv6 in IPv4, protocol 41).
 *
 * Order of work, cheapest first, because every frame on the interface pays for the first
 * steps and only our tunnel traffic pays for the rest:
 *   1. not IPv4 / not protocol 41 / not to one of our V4ADDRs   -> XDP_PASS, uncounted
 *   2. outer header validation (XDP runs before ip_rcv: nobody has checked it yet)
 *   3. outer fragments and options                              -> XDP_PASS, counted; the
 *      kernel reassembles, and the slow path (ctl/slowpath.h) runs this same program on the
 *      whole packet, options removed (BPF_PROG_TEST_RUN), so it meets every step below
 *   4. outer source filters (RFC 3964 5.3.1, allow/deny tables)
 *   5. inner header checks (RFC 3964 5.3.2) and consistency (RFC 3964 5.2)
 *   6. the outer source in the FIB: not an address of ours, routed back out of the attached
 *      interface (RFC 3964 5.3.3); a FIB lookup is the dearest check, so it comes last (then,
 *      for an excepted source only, the loop guard's IPv6 lookup)
 *   7. RFC 6040 ECN, strip the outer header, redirect the IPv6 frame into the tunnel pair so
 *      the kernel receives it on stf-xdp's tunnel device, never on the physical interface:
 *      a tunnelled Neighbor Discovery message (hop limit 255) must not pass for on-link
 *      traffic of this link, and reverse-path filters, `iifname` rules, tcpdump and the
 *      device's counters must see the tunnel, as with sit's tun6to4 and stf's stf0
 *   8. with --fast-path on, a packet the IPv6 FIB forwards out of another interface is sent
 *      there directly instead (lib/forward.h); anything it cannot decide goes as in 7
 * Every drop has its own counter (include/stf/contract.h).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "lib/addr.h"
#include "lib/csum.h"
#include "lib/counters.h"
#include "lib/fib.h"
#include "lib/forward.h"
#include "lib/maps.h"

#define IP_MF 0x2000
#define IP_OFFMASK 0x1fff
#define ECN_MASK 0x3
#define ECN_NOT_ECT 0x0
#define ECN_ECT1 0x1
#define ECN_ECT0 0x2
#define ECN_CE 0x3

static __always_inline __u8 ipv6_ecn(const struct ipv6hdr *ip6)
{
	return (ip6->flow_lbl[0] >> 4) & ECN_MASK;
}

/*
 * RFC 6040 section 4.2 decapsulation: returns the inner ECN field to write, or -1 to drop
 * (outer CE on a Not-ECT inner packet: the congestion mark cannot be passed on).
 */
static __always_inline int rfc6040_inner_ecn(__u8 outer, __u8 inner)
{
	if (outer == ECN_CE)
		return inner == ECN_NOT_ECT ? -1 : ECN_CE;
	if (outer == ECN_ECT1 && inner == ECN_ECT0)
		return ECN_ECT1;
	return inner;
}

static __always_inline __u32 inner6_src_reason(enum stf_addr6_class c)
{
	switch (c) {
	case STF_ADDR6_RESERVED: return STF_C_inner_src_reserved;
	case STF_ADDR6_V4MAPPED: return STF_C_inner_src_v4mapped;
	case STF_ADDR6_LINKLOCAL: return STF_C_inner_src_linklocal;
	case STF_ADDR6_SITELOCAL: return STF_C_inner_src_sitelocal;
	case STF_ADDR6_MULTICAST: return STF_C_inner_src_multicast;
	default: return STF_C_decap;
	}
}

/* A multicast inner destination is left to the IPv6 stack, as stf does (RFC 3964 5.3.2
 * names it only as a source). */
static __always_inline __u32 inner6_dst_reason(enum stf_addr6_class c)
{
	switch (c) {
	case STF_ADDR6_RESERVED: return STF_C_inner_dst_reserved;
	case STF_ADDR6_V4MAPPED: return STF_C_inner_dst_v4mapped;
	case STF_ADDR6_LINKLOCAL: return STF_C_inner_dst_linklocal;
	case STF_ADDR6_SITELOCAL: return STF_C_inner_dst_sitelocal;
	default: return STF_C_decap;
	}
}

/*
 * Steps 2-5 for a packet that is ours. Returns STF_C_decap to decapsulate, a PASS counter to
 * hand the packet to the kernel, or a drop reason. *ecn gets the inner ECN field to write.
 */
static __always_inline __u32 decap_checks(struct xdp_md *ctx, const struct stf_config *cfg,
					  const struct iphdr *ip, void *data_end, __u32 frame_len,
					  int *ecn)
{
	/* 2. The outer header. The frame holds at least the 20 fixed bytes (checked by the caller). */
	if (ip->version != 4)
		return STF_C_outer_bad_version;
	if (ip->ihl < 5)
		return STF_C_outer_bad_ihl;

	/* 3. Options and fragments are normal IPv4 the kernel handles better than we could; the
	 * slow path brings the reassembled packet back here. */
	if (ip->ihl != 5)
		return STF_C_pass_options;
	if (ip->frag_off & bpf_htons(IP_MF | IP_OFFMASK))
		return STF_C_pass_fragment;

	if (ipv4_hdr_sum(ip) != 0xffff)
		return STF_C_outer_bad_checksum;

	__u32 tot_len = bpf_ntohs(ip->tot_len);
	if (tot_len < sizeof(*ip) || tot_len > frame_len - sizeof(struct ethhdr))
		return STF_C_outer_bad_length;
	if (tot_len < sizeof(*ip) + sizeof(struct ipv6hdr))
		return STF_C_outer_truncated;
	if (ip->ttl == 0)
		return STF_C_outer_ttl_zero;

	/*
	 * 4. Only the outer source needs the address checks: the outer destination is one of our
	 * V4ADDRs, validated when it was configured, and a 6to4 inner address must embed the
	 * outer address (step 5), so it inherits these checks instead of repeating them.
	 */
	enum stf_addr_class src_class = stf_peer4_class(cfg, ip->saddr);
	if (src_class != STF_ADDR_OK)
		return STF_C_OUTER_SRC_CLASS_BASE + src_class - 1;
	/* Our own V4ADDR as the source: step 6's FIB check catches the host's addresses, and this
	 * one also a V4ADDR that is not (yet) an address of the host. A few compares. */
	if (stf_is_local(cfg, ip->saddr))
		return STF_C_outer_src_local;

	/* Empty tables cost a flag test, not an LPM walk. */
	if (cfg->has_deny || cfg->has_allow) {
		struct stf_lpm4_key key = { .prefixlen = 32, .addr = ip->saddr };

		if (cfg->has_deny && bpf_map_lookup_elem(&stf_deny_v1, &key))
			return STF_C_outer_src_denied;
		if (cfg->has_allow && !bpf_map_lookup_elem(&stf_allow_v1, &key))
			return STF_C_outer_src_not_allowed;
	}

	/* 5. The inner header. */
	const struct ipv6hdr *ip6 = (const void *)(ip + 1);
	if ((void *)(ip6 + 1) > data_end)
		return STF_C_outer_truncated;
	if (ip6->version != 6)
		return STF_C_inner_bad_version;
	if (bpf_ntohs(ip6->payload_len) > tot_len - sizeof(*ip) - sizeof(*ip6))
		return STF_C_inner_bad_length;

	__be32 embedded;
	__u32 reason;
	int src_6to4 = stf_6to4_v4addr(&ip6->saddr, &embedded);
	/* An exception (a translator, a load balancer) may send what would otherwise be
	 * spoofing; looked up only when a packet would fail for it, so it costs nothing else. */
	int excepted = 0;
	if (src_6to4) {
		/* RFC 3964 5.2 (MUST): a 6to4 source travels from its own V4ADDR. */
		if (embedded != ip->saddr) {
			excepted = cfg->has_except && stf_lpm4_match(&stf_except_v1, ip->saddr);
			if (!excepted)
				return STF_C_inner_src_spoofed;
		}
	} else {
		reason = inner6_src_reason(stf_inner6_class(&ip6->saddr));
		if (reason != STF_C_decap)
			return reason;
		/* Native source: a relay forwarded it. Any relay is accepted unless a strict relay
		 * list is configured (anycast relays are not known in advance, as stf and sit
		 * assume). */
		excepted = cfg->has_except && stf_lpm4_match(&stf_except_v1, ip->saddr);
		if (cfg->has_relays && !excepted && !stf_lpm4_match(&stf_relays_v1, ip->saddr))
			return STF_C_outer_src_not_relay;
	}
	int dst_6to4 = stf_6to4_v4addr(&ip6->daddr, &embedded);
	if (dst_6to4) {
		if (embedded != ip->daddr)
			return STF_C_inner_dst_mismatch;
	} else {
		reason = inner6_dst_reason(stf_inner6_class(&ip6->daddr));
		if (reason != STF_C_decap)
			return reason;
		/* Only a relay forwards from 6to4 into native IPv6. */
		if (cfg->mode != STF_MODE_RELAY)
			return STF_C_inner_dst_not_6to4;
		/* ...and only for 6to4 sources, which step 5 tied to the outer source: native to
		 * native through a relay would launder any spoofed native source (RFC 3964 5.2). */
		if (!src_6to4 && !excepted)
			return STF_C_inner_native_to_native;
	}

	/*
	 * 6. The outer source in the FIB. XDP runs before the kernel's martian check
	 * (fib_validate_source), so a source that is one of the host's own addresses (any of
	 * them, not only a V4ADDR) is caught here. The same lookup is the ingress filter: the
	 * source must route back out of the interface the packet came in on. A 6to4 inner source
	 * embeds this same address (step 5), so it needs no lookup of its own.
	 */
	struct bpf_fib_lookup fib;
	enum stf_route_kind rt = stf_route4(ctx, cfg, ip->saddr, ip->daddr, ip->tos, &fib);
	if (rt == STF_ROUTE_LOCAL)
		return STF_C_outer_src_local;
	if (rt == STF_ROUTE_ERROR)
		return STF_C_decap_fib_failed;
	if (cfg->flags & STF_F_INGRESS_FILTER) {
		if (rt == STF_ROUTE_NONE)
			return STF_C_outer_src_no_route;
		if (fib.ifindex != cfg->ifindex)
			return STF_C_outer_src_wrong_iface;
	}

	/*
	 * The loop guard (RFC 3964 3.2, as stf): a packet that routes back into our own tunnel
	 * and is encapsulated again bounces between two relays until its hop limit runs out.
	 * Only an excepted source can start that: otherwise a native destination (relay mode)
	 * has a 6to4 source tied to a peer's V4ADDR, which the encapsulator refuses to send
	 * (encap_src_not_local, RFC 3056 9), and a 6to4 destination is our own prefix, which it
	 * refuses as ours (encap_dst_local). So the IPv6 lookup is paid only on that path, not
	 * by every relayed packet. With IPv6 forwarding off nothing is forwarded: no loop.
	 */
	if (excepted && !dst_6to4 && (cfg->flags & STF_F_LOOP_GUARD) &&
	    stf_route6_into(ctx, cfg, &ip6->saddr, &ip6->daddr, ip6->nexthdr, cfg->tun_ifindex))
		return STF_C_inner_dst_loop;

	/* 7. RFC 6040: the outer congestion mark must not be lost. */
	*ecn = rfc6040_inner_ecn(ip->tos & ECN_MASK, ipv6_ecn(ip6));
	if (*ecn < 0)
		return STF_C_ecn_ce_not_ect;
	return STF_C_decap;
}

/*
 * Remove the 20-byte outer header: write the new Ethernet header 20 bytes further on, then
 * shrink the head. The destination is the tunnel device's own MAC, or its stack would drop
 * the frame as PACKET_OTHERHOST; the source stays the sender's link address.
 */
static __always_inline int decap_strip(struct xdp_md *ctx, const struct stf_config *cfg)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *old_eth = data;
	struct ethhdr *new_eth = data + sizeof(struct iphdr);

	if ((void *)(new_eth + 1) > data_end)
		return -1;
	/* 14 bytes move 20 forward: the two copies do not overlap. */
	new_eth->h_proto = bpf_htons(ETH_P_IPV6);
	__builtin_memcpy(new_eth->h_source, old_eth->h_source, ETH_ALEN);
	__builtin_memcpy(new_eth->h_dest, cfg->tun_mac, ETH_ALEN);
	return bpf_xdp_adjust_head(ctx, sizeof(struct iphdr));
}

/*
 * Fills and submits a monitor event (lib/events.h): the outer addresses when the frame holds
 * an IPv4 header, the inner ones when an IPv6 header follows a 20-byte one. Only reached for
 * a drop a monitor asked to see, so its bounds checks cost the rest of the traffic nothing.
 */
static __noinline void decap_report(struct xdp_md *ctx, struct stf_event *ev, __u32 ifindex)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	const struct iphdr *ip = data + sizeof(struct ethhdr);
	const struct ipv6hdr *ip6 = (const void *)(ip + 1);

	ev->prog = STF_EV_DECAP;
	ev->ifindex = ifindex;
	/* After a failed strip the outer addresses are overwritten: the reason says enough. */
	if (ev->reason != STF_C_decap_adjust_failed && (void *)(ip + 1) <= data_end) {
		ev->outer_src = ip->saddr;
		ev->outer_dst = ip->daddr;
		ev->flags |= STF_EV_OUTER;
		if (ip->ihl == 5 && (void *)(ip6 + 1) <= data_end && ip6->version == 6) {
			__builtin_memcpy(ev->inner_src, &ip6->saddr, 16);
			__builtin_memcpy(ev->inner_dst, &ip6->daddr, 16);
			ev->flags |= STF_EV_INNER;
		}
	}
	bpf_ringbuf_submit(ev, 0);
}

SEC("xdp")
int stf_decap(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);

	/* 1. Not ours: leave it to the kernel without touching a map beyond the config. */
	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) ||
	    ip->protocol != IPPROTO_IPV6)
		return XDP_PASS;
	const struct stf_config *cfg = stf_config_get();
	if (!cfg || !stf_is_local(cfg, ip->daddr))
		return XDP_PASS;

	__u32 frame_len = data_end - data;
	int ecn = 0;
	__u32 verdict = decap_checks(ctx, cfg, ip, data_end, frame_len, &ecn);

	__u32 egress = 0;
	struct bpf_fib_lookup fib;
	if (verdict == STF_C_decap) {
		struct ipv6hdr *ip6 = (void *)(ip + 1);

		if ((void *)(ip6 + 1) > data_end)
			return XDP_DROP; /* proven impossible by decap_checks; for the verifier */
		ip6->flow_lbl[0] = (ip6->flow_lbl[0] & ~(ECN_MASK << 4)) | (ecn << 4);
		egress = stf_fast_route(ctx, cfg, ip6, &fib);
		if (decap_strip(ctx, cfg) || (egress && stf_fast_rewrite(ctx, &fib)))
			verdict = STF_C_decap_adjust_failed;
	}
	struct stf_event *ev = stf_count(verdict, frame_len);
	if (ev) /* a drop, and a monitor watches */
		decap_report(ctx, ev, cfg->ifindex);
	/* decap counts every packet decapsulated, fast or slow; fast_forward those of them the
	 * fast path sent on, so decap - fast_forward went through the tunnel device. */
	if (verdict == STF_C_decap && egress) {
		ev = stf_count(STF_C_fast_forward, frame_len);
		if (ev) /* never: a STAT counter; the verifier wants the reservation handled */
			decap_report(ctx, ev, cfg->ifindex);
		return bpf_redirect(egress, 0);
	}
	/* Transmitted by the peer, received by the tunnel device. bpf_redirect with flags 0
	 * always answers XDP_REDIRECT; the transmit itself happens after the program. */
	if (verdict == STF_C_decap)
		return bpf_redirect(cfg->tun_peer_ifindex, 0);
	if (verdict == STF_C_pass_fragment || verdict == STF_C_pass_options)
		return XDP_PASS;
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
