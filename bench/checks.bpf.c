// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The decapsulator's dearest check alone, for bench/checks_bench.cpp: the IPv4 FIB lookup of
 * the outer source (bpf/lib/fib.h's stf_route4, the very function stf_decap calls), against
 * the same parse without it. Their difference is what the lookup adds to every packet.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "lib/fib.h"

const volatile __u32 tun_ifindex = 0;

static __always_inline struct iphdr *outer(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return 0;
	return ip;
}

SEC("xdp")
int parse_only(struct xdp_md *ctx)
{
	struct iphdr *ip = outer(ctx);

	/* The same reads the lookup makes, so only the helper differs. */
	if (!ip || (ip->saddr ^ ip->daddr ^ ip->tos) == 0)
		return XDP_PASS;
	return XDP_DROP;
}

SEC("xdp")
int fib_only(struct xdp_md *ctx)
{
	struct iphdr *ip = outer(ctx);
	struct stf_config cfg = {};
	struct bpf_fib_lookup fib;

	if (!ip)
		return XDP_PASS;
	cfg.tun_ifindex = tun_ifindex;
	/* DROP only for the answer stf_decap needs to accept (routed), so the run checks itself. */
	return stf_route4(ctx, &cfg, ip->saddr, ip->daddr, ip->tos, &fib) == STF_ROUTE_UNICAST
		       ? XDP_DROP
		       : XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
