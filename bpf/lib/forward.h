/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The decapsulator's fast path (--fast-path on, STF_F_FAST_PATH): a decapsulated packet whose
 * inner destination the IPv6 FIB forwards out of another interface, next hop resolved, is
 * sent there from XDP instead of through the tunnel device and the kernel's forwarding path.
 *
 * It does what ip6_forward does to the packet (hop limit - 1, new link header) and nothing
 * the kernel must decide: every other case returns 0 and the packet takes the slow path
 * (into the tunnel device) unchanged, so the kernel answers with its ICMP errors or delivers
 * it locally. What it bypasses: netfilter's forward hooks (nft/ip6tables FORWARD), xfrm
 * policies and the tunnel device's receive counters; README.md "Fast path" says so.
 */
#ifndef STF_BPF_FORWARD_H
#define STF_BPF_FORWARD_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ipv6.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include "lib/fib.h"
#include "stf/contract.h"

#define STF_IPV6_FLOWINFO_MASK bpf_htonl(0x0fffffff)

/*
 * Where the fast path may send the inner packet ip6 (still behind the outer header): the
 * egress ifindex, fib filled in with its MACs, or 0 for the slow path.
 */
static __always_inline __u32 stf_fast_route(struct xdp_md *ctx, const struct stf_config *cfg,
					    const struct ipv6hdr *ip6, struct bpf_fib_lookup *fib)
{
	/* The switch, and only for frames off the wire: the slow path service re-runs this
	 * program on reassembled packets (from lo) and delivers what it returns into the tunnel
	 * device itself, so those must stay tunnel frames. */
	if (!(cfg->flags & STF_F_FAST_PATH) || ctx->ingress_ifindex != cfg->ifindex)
		return 0;
	/* Hop limit 1 (or 0) expires here: the kernel sends Time Exceeded. */
	if (ip6->hop_limit <= 1)
		return 0;
	/* Hop-by-hop options (router alert, MLD) are for the kernel to read; multicast is
	 * delivered or forwarded by its multicast routing, not by the unicast FIB. */
	if (ip6->nexthdr == IPPROTO_HOPOPTS || ip6->daddr.in6_u.u6_addr8[0] == 0xff)
		return 0;

	__builtin_memset(fib, 0, sizeof(*fib));
	fib->family = AF_INET6;
	fib->l4_protocol = ip6->nexthdr;
	fib->flowinfo = *(const __be32 *)ip6 & STF_IPV6_FLOWINFO_MASK;
	/* With tot_len set the helper compares it with the egress MTU (route or device) and
	 * answers FRAG_NEEDED when it does not fit: the kernel sends Packet Too Big. */
	fib->tot_len = sizeof(*ip6) + bpf_ntohs(ip6->payload_len);
	/* Asked as if received on the tunnel device, where the slow path delivers it (its
	 * forwarding switch, its routing rules by iif). */
	fib->ifindex = cfg->tun_ifindex;
	__builtin_memcpy(fib->ipv6_src, &ip6->saddr, sizeof(fib->ipv6_src));
	__builtin_memcpy(fib->ipv6_dst, &ip6->daddr, sizeof(fib->ipv6_dst));

	/* Only a resolved unicast route is ours. NO_NEIGH (the kernel resolves the neighbour),
	 * NOT_FWDED (local delivery), BLACKHOLE/UNREACHABLE/PROHIBIT (ICMP errors),
	 * FRAG_NEEDED (Packet Too Big), FWD_DISABLED: the kernel decides. */
	if (bpf_fib_lookup(ctx, fib, sizeof(*fib), 0) != BPF_FIB_LKUP_RET_SUCCESS)
		return 0;
	/* Back into our own tunnel: the encapsulator's checks (tc) must see it. */
	if (fib->ifindex == cfg->tun_ifindex)
		return 0;
	return fib->ifindex;
}

/*
 * Trim an Ethernet + IPv6 frame (data at the Ethernet header) to the IPv6 packet, as the
 * kernel does on receive: link padding, or bytes an outer header carried beyond the inner
 * packet, must not be forwarded. The caller proved 14 + 40 bytes. 0 on success (packet
 * pointers must be read again), -1 if the frame is shorter than its payload length says or
 * could not be trimmed.
 */
static __always_inline int stf_trim_ipv6(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ipv6hdr *ip6 = data + sizeof(struct ethhdr);

	if ((void *)(ip6 + 1) > data_end)
		return -1; /* the caller proved it; for the verifier */
	__u32 payload = bpf_ntohs(ip6->payload_len);
	/* Bound it for the verifier: 6.1's treats a byte swap's result as unbounded and then
	 * refuses the packet-pointer arithmetic clang makes of the sum below; clang would drop
	 * a plain mask of a 16-bit value, so it is written in asm. */
	asm volatile("%0 &= 0xffff" : "+r"(payload));
	long excess = (long)(data_end - data) -
		      (long)(sizeof(struct ethhdr) + sizeof(*ip6) + payload);
	if (excess < 0)
		return -1;
	/* bpf_xdp_adjust_tail invalidates every packet pointer: the caller reads them again. */
	if (excess > 0 && bpf_xdp_adjust_tail(ctx, -(int)excess))
		return -1;
	return 0;
}

/*
 * After the outer header is gone (data at the new Ethernet header): trim the frame to the
 * inner packet (stf_trim_ipv6), write the next hop's link header and spend one hop. 0 on
 * success, -1 if the frame could not be trimmed (then the caller drops it).
 */
static __always_inline int stf_fast_rewrite(struct xdp_md *ctx, const struct bpf_fib_lookup *fib)
{
	if (stf_trim_ipv6(ctx))
		return -1;
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct ipv6hdr *ip6 = (void *)(eth + 1);

	if ((void *)(ip6 + 1) > data_end)
		return -1;
	ip6->hop_limit--; /* > 1, checked by stf_fast_route */
	__builtin_memcpy(eth->h_dest, fib->dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, fib->smac, ETH_ALEN);
	return 0;
}

#endif
