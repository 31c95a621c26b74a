// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The two ways to hand a decapsulated IPv6 frame to the kernel, alone, for
 * bench/delivery_bench.cpp: XDP_PASS on the physical interface (stf-xdp before it received
 * decapsulated packets on its tunnel device) and a redirect into the tunnel pair (now).
 *
 * BPF_PROG_RUN's live mode recycles the pages of frames the kernel has finished with, as the
 * kernel left them: forwarding decremented the hop limit and wrote the next hop's MACs. So
 * both programs restore the destination MAC and the hop limit of every frame, the same work
 * on both sides of the comparison.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>

const volatile __u32 tunnel_peer_ifindex = 0;
/* Element by element: clang folds a memcpy from a volatile const array to its zeros. */
const volatile __u8 eth0_mac[ETH_ALEN] = {};
const volatile __u8 tunnel_mac[ETH_ALEN] = {};

static __always_inline int restore(struct xdp_md *ctx, const volatile __u8 *mac)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct ipv6hdr *ip6 = (void *)(eth + 1);

	if ((void *)(ip6 + 1) > data_end)
		return -1;
#pragma unroll
	for (int i = 0; i < ETH_ALEN; i++)
		eth->h_dest[i] = mac[i];
	ip6->hop_limit = 64;
	return 0;
}

SEC("xdp")
int deliver_pass(struct xdp_md *ctx)
{
	if (restore(ctx, eth0_mac))
		return XDP_DROP;
	return XDP_PASS;
}

SEC("xdp")
int deliver_redirect(struct xdp_md *ctx)
{
	if (restore(ctx, tunnel_mac))
		return XDP_DROP;
	return bpf_redirect(tunnel_peer_ifindex, 0);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
