// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * stf_lan: the encapsulating fast path, XDP on the LAN interfaces a router or relay names
 * (attach --lan, with --fast-path on). IPv6 from the LAN that the kernel would forward into
 * stf-xdp's tunnel device, where tc's stf_encap would encapsulate it, is encapsulated here
 * and sent out of the attached interface instead: one trip through the stack less.
 *
 * It takes only what it can decide exactly as the slow path would, and returns XDP_PASS with
 * the frame untouched for everything else, so the kernel forwards it into the tunnel and
 * stf_encap decides: hop limit 1 (Time Exceeded), too big for the tunnel route (Packet Too
 * Big), not routed into the tunnel, an unresolved IPv4 next hop, and every packet a check of
 * stf_encap would refuse. It never drops: a refusal is stf_encap's, so it is counted once,
 * under its own reason, on the one path that makes it, whichever the operator chose. What it
 * bypasses (README.md "Fast path"): netfilter's forward hooks, the tunnel device's qdiscs
 * and counters.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "lib/addr.h"
#include "lib/counters.h"
#include "lib/encap.h"
#include "lib/fib.h"
#include "lib/forward.h"
#include "lib/maps.h"

#define LAN_HDR_LEN ((__u32)sizeof(struct ethhdr) + (__u32)sizeof(struct ipv6hdr))

/* Six bytes compared as a 4- and a 2-byte word (no memcmp in BPF). */
static __always_inline int lan_mac_equal(const __u8 *a, const __u8 *b)
{
	__u32 a4, b4;
	__u16 a2, b2;

	__builtin_memcpy(&a4, a, 4);
	__builtin_memcpy(&b4, b, 4);
	__builtin_memcpy(&a2, a + 4, 2);
	__builtin_memcpy(&b2, b + 4, 2);
	return a4 == b4 && a2 == b2;
}

/*
 * The checks the kernel makes before forwarding (ipv6_rcv, ip6_forward) that can turn a
 * packet away or answer it, and that the FIB lookup below does not make. 1: the fast path
 * may take it. Stricter than the kernel is fine (the rest goes the slow way).
 */
static __always_inline int lan_forwardable(const struct ethhdr *eth, const struct ipv6hdr *ip6,
					   const struct stf_lan *lan, __u32 frame_len)
{
	/* ip6_forward forwards only frames addressed to this interface (PACKET_HOST). */
	if (!lan_mac_equal(eth->h_dest, lan->mac))
		return 0;
	/* A bad version or a payload longer than the frame is dropped by ipv6_rcv. */
	if (ip6->version != 6 || LAN_HDR_LEN + bpf_ntohs(ip6->payload_len) > frame_len)
		return 0;
	/* Hop limit 1 (or 0) expires here: the kernel sends Time Exceeded. */
	if (ip6->hop_limit <= 1)
		return 0;
	/* Hop-by-hop options (router alert, MLD, jumbograms) are the kernel's to read. */
	if (ip6->nexthdr == IPPROTO_HOPOPTS)
		return 0;
	/* Multicast (ND, MLD) is never tunnelled; link-local, loopback, unspecified sources are
	 * refused or answered by ip6_forward (Destination Unreachable for link-local). */
	if (ip6->daddr.in6_u.u6_addr8[0] == 0xff ||
	    stf_inner6_class(&ip6->saddr) != STF_ADDR6_OK ||
	    stf_inner6_class(&ip6->daddr) != STF_ADDR6_OK)
		return 0;
	return 1;
}

/*
 * Does the kernel forward ip6, received on the LAN interface, into our tunnel device? The
 * IPv6 FIB decides (the operator's routes, rules, forwarding switch of the interface), with
 * the packet's length, so one larger than the tunnel route's MTU is left to the kernel for
 * Packet Too Big. The tunnel device is NOARP: its neighbour entry appears only with the
 * first packet the kernel sends into it, so NO_NEIGH is a route into it as well. The helper
 * compares tot_len with the tunnel device's MTU (a route's own only when locked), which
 * attach and follow_host keep equal to the tunnel routes' MTU, the one ip6_forward uses.
 */
static __always_inline int lan_into_tunnel(struct xdp_md *ctx, const struct stf_config *cfg,
					   const struct ipv6hdr *ip6)
{
	struct bpf_fib_lookup f6;

	__builtin_memset(&f6, 0, sizeof(f6));
	f6.family = AF_INET6;
	f6.l4_protocol = ip6->nexthdr;
	f6.flowinfo = *(const __be32 *)ip6 & STF_IPV6_FLOWINFO_MASK;
	f6.tot_len = sizeof(*ip6) + bpf_ntohs(ip6->payload_len);
	f6.ifindex = ctx->ingress_ifindex;
	__builtin_memcpy(f6.ipv6_src, &ip6->saddr, sizeof(f6.ipv6_src));
	__builtin_memcpy(f6.ipv6_dst, &ip6->daddr, sizeof(f6.ipv6_dst));
	long rc = bpf_fib_lookup(ctx, &f6, sizeof(f6), 0);

	return (rc == BPF_FIB_LKUP_RET_SUCCESS || rc == BPF_FIB_LKUP_RET_NO_NEIGH) &&
	       f6.ifindex == cfg->tun_ifindex;
}

/*
 * Where stf_encap would send the outer packet: fib4 filled in with the next hop's MACs, 1; or
 * 0 for the slow path. Only a resolved next hop out of the attached interface (stf_encap's
 * own rule), and an outer packet within that interface's MTU, exactly as stf_encap's
 * bpf_check_mtu (L3 length against the device MTU).
 */
static __always_inline int lan_route4(struct xdp_md *ctx, const struct stf_config *cfg,
				      const struct encap_addrs *a, __u8 tclass, __u32 outer_len,
				      struct bpf_fib_lookup *fib4)
{
	/* NO_NEIGH: stf_encap's bpf_redirect_neigh resolves it and queues the packet. */
	if (stf_route4(ctx, cfg, a->dst, a->src, tclass, fib4) != STF_ROUTE_UNICAST ||
	    fib4->ifindex != cfg->ifindex)
		return 0;
	__u32 mtu_len = outer_len;
	return bpf_check_mtu(ctx, cfg->ifindex, &mtu_len, 0, 0) == BPF_MTU_CHK_RET_SUCCESS;
}

/*
 * Trim, push 20 bytes, spend one hop and write the link and outer headers. 0 on success;
 * -1 leaves an IPv6 frame the kernel forwards as it would have (trimmed as it trims, hop
 * limit not yet spent).
 */
static __always_inline int lan_push(struct xdp_md *ctx, const struct stf_config *cfg,
				    const struct encap_addrs *a, __u8 tclass, __u32 outer_len,
				    const struct bpf_fib_lookup *fib4)
{
	if (stf_trim_ipv6(ctx) || bpf_xdp_adjust_head(ctx, -(int)sizeof(struct iphdr)))
		return -1;
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct ipv6hdr *ip6 = (void *)(ip + 1);

	if ((void *)(ip6 + 1) > data_end) {
		/* 14 + 40 proven before the push, so never; for the verifier, the frame as it was */
		bpf_xdp_adjust_head(ctx, (int)sizeof(struct iphdr));
		return -1;
	}
	/* The kernel's forwarding spends the hop before the packet enters the tunnel. */
	ip6->hop_limit--;
	encap_outer4(ip, cfg, a, tclass, outer_len);
	__builtin_memcpy(eth->h_dest, fib4->dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, fib4->smac, ETH_ALEN);
	eth->h_proto = bpf_htons(ETH_P_IP);
	return 0;
}

SEC("xdp")
int stf_lan(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct ipv6hdr *ip6 = (void *)(eth + 1);

	/* Every frame of the LAN comes here: IPv4, ARP and the rest leave at once. */
	if ((void *)(ip6 + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IPV6))
		return XDP_PASS;
	const struct stf_config *cfg = stf_config_get();
	/* The switch: with the fast path off the program stays hooked and does nothing. */
	if (!cfg || !(cfg->flags & STF_F_FAST_PATH))
		return XDP_PASS;
	/* Without a relay only 2002::/16 is routed into the tunnel: native IPv6, most of a
	 * LAN's traffic, pays no FIB lookup. */
	__be32 v4;
	if (!cfg->relay && !stf_6to4_v4addr(&ip6->daddr, &v4))
		return XDP_PASS;
	__u32 ifindex = ctx->ingress_ifindex;
	const struct stf_lan *lan = bpf_map_lookup_elem(&stf_lan_v1, &ifindex);
	/* Not one of the LAN interfaces named at attach: not ours to decide. */
	if (!lan)
		return XDP_PASS;
	__u32 frame_len = data_end - data;
	if (!lan_forwardable(eth, ip6, lan, frame_len) || !lan_into_tunnel(ctx, cfg, ip6))
		return XDP_PASS;

	/* stf_encap's own checks; a refusal is its to count, on the slow path. */
	struct encap_addrs addrs;
	__u8 tclass = encap_tclass(ip6);
	if (encap_addrs_for(cfg, ip6, &addrs) != STF_C_encap)
		return XDP_PASS;
	/* What stf_encap counts: the frame as it enters the tunnel device, trimmed. */
	__u32 inner_len = sizeof(*ip6) + bpf_ntohs(ip6->payload_len);
	__u32 outer_len = sizeof(struct iphdr) + inner_len;
	struct bpf_fib_lookup fib4;
	if (!lan_route4(ctx, cfg, &addrs, tclass, outer_len, &fib4))
		return XDP_PASS;
	if (lan_push(ctx, cfg, &addrs, tclass, outer_len, &fib4))
		return XDP_PASS;

	/* encap counts every packet encapsulated, fast or slow; fast_encap those sent from here,
	 * so encap - fast_encap went through the tunnel device. */
	struct stf_event *ev = stf_count(STF_C_encap, sizeof(struct ethhdr) + inner_len);
	if (ev) /* never: STAT counters; the verifier wants the reservation handled */
		bpf_ringbuf_discard(ev, 0);
	ev = stf_count(STF_C_fast_encap, sizeof(struct ethhdr) + inner_len);
	if (ev)
		bpf_ringbuf_discard(ev, 0);
	return bpf_redirect(cfg->ifindex, 0);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
