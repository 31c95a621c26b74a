/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
#ifndef STF_BPF_CSUM_H
#define STF_BPF_CSUM_H

#include <linux/ip.h>
#include <linux/types.h>

/*
 * RFC 1071 one's-complement sum of a 20-byte IPv4 header, folded to 16 bits. Ten adds on
 * registers beat a bpf_csum_diff() helper call for so few bytes. A received header is correct
 * when this is 0xffff; a header being built gets ~sum with check = 0.
 */
static __always_inline __u16 ipv4_hdr_sum(const struct iphdr *ip)
{
	const __u16 *w = (const __u16 *)ip;
	__u32 sum = 0;

#pragma unroll
	for (int i = 0; i < 10; i++)
		sum += w[i];
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

#endif
