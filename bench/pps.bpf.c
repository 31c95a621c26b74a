// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * bench/pps_*.cpp's two programs: the packet source and the receiver.
 *
 * pps_gen runs in BPF_PROG_RUN's live-frames mode. The kernel recycles the pages of frames it
 * has finished with as the receivers left them (decapsulated, hop limit spent, new MACs), so
 * every frame is rewritten from the template in .bss before it is redirected into a veth,
 * whose peer receives it as if off the wire. The same rewrite precedes every case and its
 * baseline.
 *
 * pps_sink is the receiver at the far end of a veth, the bare XDP_DROP baseline and the drop
 * after decapsulation (on the tunnel device): it counts the benchmark's frames per receiving
 * device and drops everything.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define PPS_FRAME_MAX 256
#define PPS_SINK_SLOTS 64
#define PPS_UDP_PORT 5555

/* Written by user space (the skeleton's mmapped .bss) between runs, never during one. */
struct {
	__u32 ifindex; /* redirect into this device: its peer receives */
	__u32 len;     /* the template's length, which BPF_PROG_RUN gave every frame */
	__u64 words[PPS_FRAME_MAX / 8 + 1]; /* + 1: the tail copy's bound, below */
} gen = {};

SEC("xdp")
int pps_gen(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 len = gen.len;

	/* Bounds for the verifier: the last word is written at len - 8. */
	if (len < 8 || len > PPS_FRAME_MAX)
		return XDP_ABORTED;
	for (int i = 0; i < PPS_FRAME_MAX / 8; i++) {
		if ((__u32)(i + 1) * 8 > len)
			break;
		/* For the verifier; the frame is len bytes long. */
		if (data + (i + 1) * 8 > data_end)
			return XDP_ABORTED;
		((__u64 *)data)[i] = gen.words[i];
	}
	/* The tail: one word ending at len, overlapping what the loop wrote. 6.1's verifier
	 * forgets len's bounds in the 32-bit subtraction, so the offset is masked in asm (clang
	 * would drop a plain mask it can prove redundant): at most 255, and words has room for
	 * 8 bytes from there. */
	__u32 tail = len - 8;
	asm volatile("%0 &= 0xff" : "+r"(tail));
	void *last = data + tail;
	if (last + 8 > data_end)
		return XDP_ABORTED;
	__builtin_memcpy(last, (const __u8 *)gen.words + tail, 8);
	return bpf_redirect(gen.ifindex, 0);
}

/* Frames counted per receiving device (ifindex modulo the slots: the benchmark's namespaces
 * hold a dozen devices, and only one namespace carries traffic at a time). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PPS_SINK_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} pps_seen SEC(".maps");

/* The benchmark's frames: 6to4 (IPv4 protocol 41) or IPv6 UDP to port 5555. Link chatter
 * (Neighbor Discovery, MLD) reaching a receiver must not count as delivered. */
static __always_inline int is_ours(void *data, void *data_end)
{
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return 0;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);

		return (void *)(ip + 1) <= data_end && ip->protocol == IPPROTO_IPV6;
	}
	if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);
		struct udphdr *udp = (void *)(ip6 + 1);

		return (void *)(udp + 1) <= data_end && ip6->nexthdr == IPPROTO_UDP &&
		       udp->dest == bpf_htons(PPS_UDP_PORT);
	}
	return 0;
}

/* xdp.frags: a veth refuses a program without it when its peer's MTU exceeds a page, and
 * stf-xdp's tunnel peer has MTU 65535. The benchmark's frames are linear either way. */
SEC("xdp.frags")
int pps_sink(struct xdp_md *ctx)
{
	if (is_ours((void *)(long)ctx->data, (void *)(long)ctx->data_end)) {
		__u32 slot = ctx->ingress_ifindex % PPS_SINK_SLOTS;
		__u64 *n = bpf_map_lookup_elem(&pps_seen, &slot);

		if (n) /* always, for an array; for the verifier */
			(*n)++;
	}
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
