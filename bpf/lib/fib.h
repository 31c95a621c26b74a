/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Where the host's FIB sends an IPv4 address, asked from stf-xdp's own tunnel device.
 *
 * Why the tunnel device: bpf_fib_lookup refuses to look up at all (FWD_DISABLED) when IPv4
 * forwarding is off on the device it is given, which is the normal state of the attached
 * interface on a server or a 6to4 router that forwards only IPv6. The control plane turns
 * forwarding on for the tunnel device alone (it carries no IPv4 traffic, so nothing else
 * changes), which makes the lookup work on every host.
 *
 * Used by both programs: decap asks where the outer source is (a local address of the host?
 * routed back out of the attached interface? RFC 3964 5.3.3), encap where the outer
 * destination is (never to ourselves; next hop and MACs out of the attached interface).
 */
#ifndef STF_BPF_FIB_H
#define STF_BPF_FIB_H

#include <linux/bpf.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <bpf/bpf_helpers.h>
#include "stf/contract.h"

#ifndef AF_INET
#define AF_INET 2
#endif
#ifndef AF_INET6
#define AF_INET6 10
#endif

enum stf_route_kind {
	STF_ROUTE_UNICAST, /* routed; fib holds the egress ifindex (and MACs if resolved) */
	STF_ROUTE_NO_NEIGH, /* routed, next hop not resolved yet; fib holds ifindex and gateway */
	STF_ROUTE_LOCAL,    /* an address or broadcast of this host (or no route at all) */
	STF_ROUTE_NONE,     /* an unreachable, blackhole or prohibit route */
	STF_ROUTE_ERROR,    /* the lookup could not be done (forwarding off on the tunnel) */
	/* tc only: routed and resolved (fib filled in), but the skb is larger than the egress
	 * device's MTU plus a VLAN header (the helper's own check on a non-GSO skb) */
	STF_ROUTE_TOO_BIG,
};

/* fib is filled in (ifindex, MACs, next hop) for the UNICAST, TOO_BIG and NO_NEIGH results;
 * with an skb, mtu_result holds the egress device's MTU for UNICAST and TOO_BIG. */
static __always_inline enum stf_route_kind
stf_route4(void *ctx, const struct stf_config *cfg, __be32 dst, __be32 src, __u8 tos,
	   struct bpf_fib_lookup *fib)
{
	__builtin_memset(fib, 0, sizeof(*fib));
	fib->family = AF_INET;
	fib->tos = tos;
	fib->l4_protocol = IPPROTO_IPV6;
	fib->ipv4_src = src;
	fib->ipv4_dst = dst;
	fib->ifindex = cfg->tun_ifindex;
	long rc = bpf_fib_lookup(ctx, fib, sizeof(*fib), 0);

	switch (rc) {
	case BPF_FIB_LKUP_RET_SUCCESS:
		return STF_ROUTE_UNICAST;
	case BPF_FIB_LKUP_RET_NO_NEIGH:
		return STF_ROUTE_NO_NEIGH;
	case BPF_FIB_LKUP_RET_FRAG_NEEDED: /* only with an skb: XDP's tot_len 0 always fits */
		return STF_ROUTE_TOO_BIG;
	case BPF_FIB_LKUP_RET_BLACKHOLE:
	case BPF_FIB_LKUP_RET_UNREACHABLE:
	case BPF_FIB_LKUP_RET_PROHIBIT:
	case BPF_FIB_LKUP_RET_UNSUPP_LWT: /* an lwtunnel route: not out of our interface */
		return STF_ROUTE_NONE;
	case BPF_FIB_LKUP_RET_NOT_FWDED:
		/* Not a unicast route: a local or broadcast address of this host, or no route at
		 * all. The helper answers the same for both, and so does every second lookup
		 * available (the local table is merged into main until policy rules exist), so
		 * both count as "ours": nothing could be answered there anyway. */
		return STF_ROUTE_LOCAL;
	default: /* FWD_DISABLED, or a negative errno (no such device) */
		return STF_ROUTE_ERROR;
	}
}

/* Does the IPv6 FIB, asked from the tunnel device, send dst out of ifindex? */
static __always_inline int stf_route6_into(void *ctx, const struct stf_config *cfg,
					   const struct in6_addr *src, const struct in6_addr *dst,
					   __u8 nexthdr, __u32 ifindex)
{
	struct bpf_fib_lookup f6 = {
		.family = AF_INET6,
		.l4_protocol = nexthdr,
		.ifindex = cfg->tun_ifindex,
	};
	__builtin_memcpy(f6.ipv6_src, src, sizeof(f6.ipv6_src));
	__builtin_memcpy(f6.ipv6_dst, dst, sizeof(f6.ipv6_dst));
	long rc = bpf_fib_lookup(ctx, &f6, sizeof(f6), 0);

	return (rc == BPF_FIB_LKUP_RET_SUCCESS || rc == BPF_FIB_LKUP_RET_NO_NEIGH) &&
	       f6.ifindex == ifindex;
}

#endif
