// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * stf-bench's own programs (bench/README.md): the bare baselines every case is measured
 * against, and the encapsulator taken apart, to see where its time goes.
 *
 * Each part adds pieces of stf_encap's work, in stf_encap's order; part_old is stf_encap as
 * it was before this benchmark (bpf_check_mtu on every packet, four bpf_skb_store_bytes),
 * part_new as it is (no helper for a packet within the MTU, direct stores), both without the
 * redirect, so the two are timed side by side in one run.
 * The parts include bpf/encap.bpf.c itself (so they use the same encap_addrs_for, from
 * bpf/lib/encap.h, and the same lib/ helpers) and the bench binds this object's maps to the
 * running dataplane's, so they read the configuration stf-xdp attach wrote. Each part is a
 * prefix of stf_encap's work and returns TC_ACT_OK only if every step it does succeeded, and
 * counts every run in bench_runs[part], so the harness can prove each run did the work (and
 * the counting is in every part, as stf_count is in stf_encap).
 */
#include "encap.bpf.c"

/* The pieces a part does, in stf_encap's order. */
enum bench_piece {
	PIECE_FIB = 1 << 0,    /* the FIB lookup of the outer destination (next hop, never us) */
	PIECE_ROOM = 1 << 1,   /* bpf_skb_adjust_room: 20 bytes of head */
	PIECE_MTU = 1 << 2,    /* the bpf_check_mtu helper on every packet */
	PIECE_STORES = 1 << 3, /* the headers by four bpf_skb_store_bytes calls */
	PIECE_DIRECT = 1 << 4, /* the headers by direct stores, as stf_encap writes them now */
};

/* The parts, each the pieces of the one before plus one: indexes of bench_runs. */
enum bench_part {
	PART_CHECKS,   /* parse, config, outer address choice and checks */
	PART_FIB,      /* + FIB */
	PART_ROOM,     /* + adjust_room */
	PART_OLD,      /* + check_mtu, four stores: stf_encap until this benchmark, no redirect */
	PART_NEW,      /* FIB, adjust_room, direct stores: stf_encap now, no redirect */
	PART_COUNT_,
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, PART_COUNT_);
	__type(key, __u32);
	__type(value, __u64);
} bench_runs SEC(".maps");

SEC("xdp")
int bare_xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp")
int bare_xdp_drop(struct xdp_md *ctx)
{
	return XDP_DROP;
}

SEC("tc")
int bare_tc_ok(struct __sk_buff *skb)
{
	return TC_ACT_OK;
}

/* The outer IPv4 header as stf_encap builds it (bench's copy: the cost is the same). */
static __always_inline void part_header(struct __sk_buff *skb, const struct stf_config *cfg,
					const struct encap_addrs *a, __u8 tclass, struct iphdr *ip)
{
	__builtin_memset(ip, 0, sizeof(*ip));
	ip->version = 4;
	ip->ihl = 5;
	ip->tos = tclass;
	ip->tot_len = bpf_htons(skb->len - sizeof(struct ethhdr));
	ip->id = (__u16)bpf_get_prandom_u32();
	ip->ttl = cfg->ttl;
	ip->protocol = IPPROTO_IPV6;
	ip->saddr = a->src;
	ip->daddr = a->dst;
	ip->check = ~ipv4_hdr_sum(ip) & 0xffff;
}

static __always_inline int encap_part(struct __sk_buff *skb, __u32 part, __u32 pieces)
{
	const struct stf_config *cfg = stf_config_get();
	struct encap_addrs addrs;
	struct bpf_fib_lookup fib;
	struct iphdr ip;
	__u32 mtu_len = 0;
	int ok = 0;

	if (!cfg || skb->protocol != bpf_htons(ETH_P_IPV6))
		goto out;
	if (skb->data + ENCAP_HDR_LEN > skb->data_end && bpf_skb_pull_data(skb, ENCAP_HDR_LEN))
		goto out;
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ipv6hdr *ip6 = data + sizeof(struct ethhdr);
	if ((void *)(ip6 + 1) > data_end)
		goto out;
	__u8 tclass = (ip6->priority << 4) | (ip6->flow_lbl[0] >> 4);
	if (encap_addrs_for(cfg, ip6, &addrs) != STF_C_encap)
		goto out;
	if ((pieces & PIECE_FIB) &&
	    (stf_route4(skb, cfg, addrs.dst, addrs.src, tclass, &fib) != STF_ROUTE_UNICAST ||
	     fib.ifindex != cfg->ifindex))
		goto out;
	if ((pieces & PIECE_ROOM) &&
	    bpf_skb_adjust_room(skb, sizeof(struct iphdr), BPF_ADJ_ROOM_MAC,
				BPF_F_ADJ_ROOM_FIXED_GSO | BPF_F_ADJ_ROOM_ENCAP_L3_IPV4))
		goto out;
	if ((pieces & PIECE_MTU) && bpf_check_mtu(skb, cfg->ifindex, &mtu_len, 0, BPF_MTU_CHK_SEGS))
		goto out;
	if (pieces & PIECE_STORES) {
		__be16 proto = bpf_htons(ETH_P_IP);

		part_header(skb, cfg, &addrs, tclass, &ip);
		if (bpf_skb_store_bytes(skb, sizeof(struct ethhdr), &ip, sizeof(ip), 0) ||
		    bpf_skb_store_bytes(skb, offsetof(struct ethhdr, h_proto), &proto,
					sizeof(proto), 0) ||
		    bpf_skb_store_bytes(skb, 0, fib.dmac, ETH_ALEN, 0) ||
		    bpf_skb_store_bytes(skb, ETH_ALEN, fib.smac, ETH_ALEN, 0))
			goto out;
	}
	if (pieces & PIECE_DIRECT) {
		part_header(skb, cfg, &addrs, tclass, &ip);
		data = (void *)(long)skb->data;
		data_end = (void *)(long)skb->data_end;
		struct ethhdr *eth = data;
		if ((void *)eth + sizeof(*eth) + sizeof(ip) > data_end)
			goto out;
		__builtin_memcpy(eth->h_dest, fib.dmac, ETH_ALEN);
		__builtin_memcpy(eth->h_source, fib.smac, ETH_ALEN);
		eth->h_proto = bpf_htons(ETH_P_IP);
		__builtin_memcpy((void *)(eth + 1), &ip, sizeof(ip));
	}
	ok = 1;
out:;
	__u64 *n = bpf_map_lookup_elem(&bench_runs, &part);
	if (n && ok)
		(*n)++;
	return ok ? TC_ACT_OK : TC_ACT_SHOT;
}

SEC("tc")
int part_checks(struct __sk_buff *skb)
{
	return encap_part(skb, PART_CHECKS, 0);
}

SEC("tc")
int part_fib(struct __sk_buff *skb)
{
	return encap_part(skb, PART_FIB, PIECE_FIB);
}

SEC("tc")
int part_room(struct __sk_buff *skb)
{
	return encap_part(skb, PART_ROOM, PIECE_FIB | PIECE_ROOM);
}

SEC("tc")
int part_old(struct __sk_buff *skb)
{
	return encap_part(skb, PART_OLD, PIECE_FIB | PIECE_ROOM | PIECE_MTU | PIECE_STORES);
}

SEC("tc")
int part_new(struct __sk_buff *skb)
{
	return encap_part(skb, PART_NEW, PIECE_FIB | PIECE_ROOM | PIECE_DIRECT);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
