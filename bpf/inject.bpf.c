// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * stf_inject: tc egress on the tunnel pair's peer (stf<N>p). Whatever the peer transmits is
 * received on the tunnel device stf<N>, as a veth would deliver it, but without the veth's
 * receive-side MTU check: bpf_redirect to ingress forwards without one.
 *
 * Only the slow path (ctl/slowpath.h) transmits on the peer this way (the fast path's XDP
 * redirect goes through the peer's ndo_xdp_xmit, which tc does not see; the peer has IPv6
 * disabled and sends nothing of its own). A reassembled 6to4 packet may be larger than our
 * tunnel MTU when our own link is the smaller-MTU hop (a peer with a 1480-byte tunnel MTU
 * sends to us behind 1400), and a receiver must take it, as sit does; the tunnel MTU limits
 * what we send, never what we receive.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#include "lib/maps.h"

SEC("tc")
int stf_inject(struct __sk_buff *skb)
{
	const struct stf_config *cfg = stf_config_get();

	if (!cfg)
		return TC_ACT_SHOT;
	return bpf_redirect(cfg->tun_ifindex, BPF_F_INGRESS);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
