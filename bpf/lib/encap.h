/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * What both encapsulators share: tc's stf_encap on the tunnel device (the slow path) and
 * XDP's stf_lan on a LAN interface (the fast path, bpf/lan.bpf.c). One copy of the checks and
 * of the outer header, so both paths refuse the same packets and send the same bytes.
 */
#ifndef STF_BPF_ENCAP_H
#define STF_BPF_ENCAP_H

#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include "lib/addr.h"
#include "lib/csum.h"
#include "stf/contract.h"

struct encap_addrs {
	__be32 src;
	__be32 dst;
};

/* Choose the outer addresses (RFC 3056 5 and 9) or return a drop reason. */
static __always_inline __u32 encap_addrs_for(const struct stf_config *cfg,
					     const struct ipv6hdr *ip6, struct encap_addrs *out)
{
	/* Neighbour discovery, MLD and other link-scope chatter must not be tunnelled. */
	if (ip6->daddr.in6_u.u6_addr8[0] == 0xff)
		return STF_C_encap_inner_multicast;

	if (!stf_6to4_v4addr(&ip6->daddr, &out->dst)) {
		/* Native IPv6 goes to the configured relay (RFC 7526: never an implied anycast). */
		if (!cfg->relay)
			return STF_C_encap_no_relay;
		out->dst = cfg->relay;
	}

	if (stf_6to4_v4addr(&ip6->saddr, &out->src)) {
		/* RFC 3056 9 (MUST): a 6to4 source leaves from the V4ADDR it embeds. */
		if (!stf_is_local(cfg, out->src))
			return STF_C_encap_src_not_local;
	} else {
		/* Native source (the return-relay server): our primary V4ADDR. */
		if (cfg->n_local == 0)
			return STF_C_encap_no_local;
		out->src = cfg->local[0];
	}

	/* The destination is computed from packet bytes: check it every time (RFC 3964 5.3.1). */
	enum stf_addr_class c = stf_peer4_class(cfg, out->dst);
	if (c != STF_ADDR_OK)
		return STF_C_ENCAP_DST_CLASS_BASE + c - 1;
	if (stf_is_local(cfg, out->dst))
		return STF_C_encap_dst_local;
	return STF_C_encap;
}

/* The inner packet's traffic class: copied outward (see encap_outer4). */
static __always_inline __u8 encap_tclass(const struct ipv6hdr *ip6)
{
	return (ip6->priority << 4) | (ip6->flow_lbl[0] >> 4);
}

/* The outer IPv4 header of an encapsulated packet of tot_len bytes (outer header included). */
static __always_inline void encap_outer4(struct iphdr *ip, const struct stf_config *cfg,
					 const struct encap_addrs *a, __u8 tclass, __u16 tot_len)
{
	*ip = (struct iphdr){
		.version = 4,
		.ihl = 5,
		/* RFC 6040 normal mode copies ECN outward; DSCP is copied as stf(4) does (sit
		 * clears it unless "tos inherit"): RFC 2983's uniform model. */
		.tos = tclass,
		.tot_len = bpf_htons(tot_len),
		/* DF clear (RFC 3056 4), so the ID must be real: random per packet keeps us
		 * stateless across CPUs and across hosts behind ECMP. */
		.id = (__u16)bpf_get_prandom_u32(),
		.frag_off = 0,
		.ttl = cfg->ttl,
		.protocol = IPPROTO_IPV6,
		.saddr = a->src,
		.daddr = a->dst,
	};
	ip->check = ~ipv4_hdr_sum(ip) & 0xffff;
}

#endif
