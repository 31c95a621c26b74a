// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * stf_encap: tc egress encapsulation of IPv6 into IPv4 protocol 41 (RFC 3056).
 *
 * Attached to the egress of stf-xdp's own tunnel device, into which the control plane routes
 * 2002::/16 (and ::/0 when a relay is configured) with the tunnel MTU. So every packet seen
 * here was routed into the tunnel, already passed the kernel's MTU check (Packet Too Big
 * comes from the route), and leaves towards the attached interface or not at all.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "lib/addr.h"
#include "lib/counters.h"
#include "lib/encap.h"
#include "lib/fib.h"
#include "lib/maps.h"

#define ENCAP_HDR_LEN ((__u32)sizeof(struct ethhdr) + (__u32)sizeof(struct ipv6hdr))

/*
 * Where the outer packet goes: the kernel's FIB gives the IPv4 next hop, asked before the
 * packet is touched. Every drop here leaves the packet as it came.
 */
static __always_inline __u32 encap_route(struct __sk_buff *skb, const struct stf_config *cfg,
					 const struct encap_addrs *a, __u8 tclass,
					 struct bpf_fib_lookup *fib, enum stf_route_kind *rt)
{
	*rt = stf_route4(skb, cfg, a->dst, a->src, tclass, fib);

	switch (*rt) {
	case STF_ROUTE_LOCAL:
		/* Any address of the host, not only a V4ADDR (those were refused already): the
		 * packet would come straight back to us. */
		return STF_C_encap_dst_local;
	case STF_ROUTE_NONE:
		return STF_C_encap_no_route;
	case STF_ROUTE_ERROR:
		return STF_C_encap_fib_failed;
	default:
		break;
	}
	/* The outer source is a V4ADDR of the attached interface: leave through it or not at all. */
	if (fib->ifindex != cfg->ifindex)
		return STF_C_encap_no_route;
	return STF_C_encap;
}

/* The FIB resolved the next hop: fib holds its MACs. */
static __always_inline int encap_resolved(enum stf_route_kind rt)
{
	return rt == STF_ROUTE_UNICAST || rt == STF_ROUTE_TOO_BIG;
}

/*
 * Grow the head by 20 bytes, check the MTU, and write the outer IPv4 header and the Ethernet
 * header (with the next hop's MACs when the FIB resolved it) in one go.
 */
static __always_inline __u32 encap_push(struct __sk_buff *skb, const struct stf_config *cfg,
					const struct encap_addrs *a, __u8 tclass,
					const struct bpf_fib_lookup *fib, enum stf_route_kind rt)
{
	/* ENCAP_L3_IPV4 marks GSO skbs SKB_GSO_IPXIP4 (segmented like sit) and sets
	 * skb->protocol; FIXED_GSO keeps gso_size, which the tunnel MTU already accounts for. */
	if (bpf_skb_adjust_room(skb, sizeof(struct iphdr), BPF_ADJ_ROOM_MAC,
				BPF_F_ADJ_ROOM_FIXED_GSO | BPF_F_ADJ_ROOM_ENCAP_L3_IPV4))
		return STF_C_encap_adjust_failed;

	/*
	 * The MTU of the attached interface, exactly. The tunnel route's MTU makes this a
	 * backstop (a link MTU lowered after attach), not the way Packet Too Big is produced.
	 * A resolved lookup also returned that device's MTU (mtu_result), so a frame within
	 * MTU + 14 needs no further helper call (bpf_check_mtu on every packet was measured at
	 * ~30 ns, bench/README.md). Beyond it, for an unresolved next hop (no mtu_result), or
	 * STF_ROUTE_TOO_BIG (the helper's own, looser check: MTU + 14 + a VLAN header, before
	 * the growth, GSO waved through), bpf_check_mtu decides: exact, and with
	 * BPF_MTU_CHK_SEGS segment by segment for a GSO skb.
	 */
	if (rt != STF_ROUTE_UNICAST || skb->len > (__u32)fib->mtu_result + sizeof(struct ethhdr)) {
		__u32 mtu_len = 0;

		if (bpf_check_mtu(skb, cfg->ifindex, &mtu_len, 0, BPF_MTU_CHK_SEGS))
			return STF_C_encap_too_big;
	}

	struct iphdr ip;
	encap_outer4(&ip, cfg, a, tclass, skb->len - sizeof(struct ethhdr));

	/* Direct writes, not one bpf_skb_store_bytes per field: adjust_room made the head
	 * ours and linear, so the 34 bytes are plain stores (the bound is for the verifier). */
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	if ((void *)eth + sizeof(*eth) + sizeof(ip) > data_end)
		return STF_C_encap_adjust_failed;
	if (encap_resolved(rt)) {
		/* Resolved neighbour: write the MACs, no trip through the neighbour layer. */
		__builtin_memcpy(eth->h_dest, fib->dmac, ETH_ALEN);
		__builtin_memcpy(eth->h_source, fib->smac, ETH_ALEN);
	}
	eth->h_proto = bpf_htons(ETH_P_IP);
	__builtin_memcpy((void *)(eth + 1), &ip, sizeof(ip));
	return STF_C_encap;
}

/* Send out of the attached interface (encap_route checked it is the FIB's choice). */
static __always_inline int encap_redirect(const struct bpf_fib_lookup *fib,
					  enum stf_route_kind rt)
{
	if (encap_resolved(rt))
		return bpf_redirect(fib->ifindex, 0);
	/* Unresolved: the kernel resolves the next hop and queues the packet meanwhile, so the
	 * first one is not lost. The gateway is IPv6 for an IPv4 route via an IPv6 next hop
	 * (RFC 5549), so its family comes from the FIB result, never assumed. */
	struct bpf_redir_neigh nh = { .nh_family = fib->family };
	if (fib->family == AF_INET6)
		__builtin_memcpy(nh.ipv6_nh, fib->ipv6_dst, sizeof(nh.ipv6_nh));
	else
		nh.ipv4_nh = fib->ipv4_dst;
	return bpf_redirect_neigh(fib->ifindex, &nh, sizeof(nh), 0);
}

/*
 * Fills and submits a monitor event (lib/events.h) from what the frame holds now: an IPv6
 * frame (dropped before encapsulation) gives the inner addresses, and the outer ones when
 * they were chosen before the drop (route, MTU: the FIB lookup comes before the push); an
 * IPv4 one gives the outer addresses and, for protocol 41, the inner ones after it. Loaded
 * with bpf_skb_load_bytes: the head may have moved and may be paged.
 */
static __noinline void encap_report(struct __sk_buff *skb, struct stf_event *ev, __u32 ifindex,
				    __be32 outer_src, __be32 outer_dst)
{
	__be16 proto = 0;
	__u32 inner_off = 0;
	struct iphdr ip;
	struct ipv6hdr ip6;

	ev->prog = STF_EV_ENCAP;
	ev->ifindex = ifindex;
	if (bpf_skb_load_bytes(skb, offsetof(struct ethhdr, h_proto), &proto, sizeof(proto)))
		goto submit;
	if (proto == bpf_htons(ETH_P_IPV6)) {
		inner_off = sizeof(struct ethhdr);
		if (outer_src && outer_dst) {
			ev->outer_src = outer_src;
			ev->outer_dst = outer_dst;
			ev->flags |= STF_EV_OUTER;
		}
	} else if (proto == bpf_htons(ETH_P_IP) &&
		   !bpf_skb_load_bytes(skb, sizeof(struct ethhdr), &ip, sizeof(ip))) {
		ev->outer_src = ip.saddr;
		ev->outer_dst = ip.daddr;
		ev->flags |= STF_EV_OUTER;
		if (ip.ihl == 5 && ip.protocol == IPPROTO_IPV6)
			inner_off = sizeof(struct ethhdr) + sizeof(ip);
	}
	if (inner_off && !bpf_skb_load_bytes(skb, inner_off, &ip6, sizeof(ip6)) &&
	    ip6.version == 6) {
		__builtin_memcpy(ev->inner_src, &ip6.saddr, 16);
		__builtin_memcpy(ev->inner_dst, &ip6.daddr, 16);
		ev->flags |= STF_EV_INNER;
	}
submit:
	bpf_ringbuf_submit(ev, 0);
}

SEC("tc")
int stf_encap(struct __sk_buff *skb)
{
	__u32 len = skb->len;
	__u32 reason = STF_C_encap;
	int action = TC_ACT_SHOT;
	const struct stf_config *cfg = stf_config_get();
	/* Zero until chosen: a drop after that (route, MTU) names them in its monitor event,
	 * though the frame is still IPv6 (the route is looked up before the push). */
	__be32 ev_src = 0, ev_dst = 0;

	/* Nothing leaves the tunnel device except through us: no config, no traffic. */
	if (!cfg)
		return TC_ACT_SHOT;

	if (skb->protocol != bpf_htons(ETH_P_IPV6)) {
		reason = STF_C_encap_not_ipv6;
		goto out;
	}
	/* The headers may sit in paged data; pull them into the linear area once. */
	if (skb->data + ENCAP_HDR_LEN > skb->data_end && bpf_skb_pull_data(skb, ENCAP_HDR_LEN)) {
		reason = STF_C_encap_truncated;
		goto out;
	}
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ipv6hdr *ip6 = data + sizeof(struct ethhdr);
	if ((void *)(ip6 + 1) > data_end) {
		reason = STF_C_encap_truncated;
		goto out;
	}

	struct encap_addrs addrs;
	__u8 tclass = encap_tclass(ip6);
	reason = encap_addrs_for(cfg, ip6, &addrs);
	if (reason != STF_C_encap)
		goto out;
	ev_src = addrs.src;
	ev_dst = addrs.dst;
	struct bpf_fib_lookup fib;
	enum stf_route_kind rt;
	reason = encap_route(skb, cfg, &addrs, tclass, &fib, &rt);
	if (reason != STF_C_encap)
		goto out;
	reason = encap_push(skb, cfg, &addrs, tclass, &fib, rt);
	if (reason != STF_C_encap)
		goto out;
	action = encap_redirect(&fib, rt);
	/* Counted as sent only once the redirect is accepted (bpf_redirect_neigh refuses bad
	 * parameters with TC_ACT_SHOT); what the device does later is beyond a tc program. */
	if (action != TC_ACT_REDIRECT)
		reason = STF_C_encap_redirect_failed;
out:;
	struct stf_event *ev = stf_count(reason, len);
	if (ev) /* a drop, and a monitor watches */
		encap_report(skb, ev, cfg->ifindex, ev_src, ev_dst);
	return reason == STF_C_encap ? action : TC_ACT_SHOT;
}
