/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Per-packet address checks: constant ranges are arithmetic, configured ones short arrays. */
#ifndef STF_BPF_ADDR_H
#define STF_BPF_ADDR_H

#include <linux/in6.h>
#include <bpf/bpf_endian.h>
#include "lib/maps.h"
#include "stf/addr_class.h"

/* Is a (network order) one of our V4ADDRs? A few compares beat a hash lookup for the handful
 * of local addresses a host has; the loop stops at n_local. */
static __always_inline int stf_is_local(const struct stf_config *cfg, __be32 a)
{
#pragma unroll
	for (int i = 0; i < STF_MAX_LOCAL; i++) {
		if (i >= cfg->n_local)
			return 0;
		if (cfg->local[i] == a)
			return 1;
	}
	return 0;
}

static __always_inline int stf_is_subnet_broadcast(const struct stf_config *cfg, __be32 a)
{
#pragma unroll
	for (int i = 0; i < STF_MAX_BCAST; i++) {
		if (i >= cfg->n_bcast)
			return 0;
		if (cfg->bcast[i] == a)
			return 1;
	}
	return 0;
}

/* The full RFC 3964 5.3.1 check of a peer's IPv4 address (network order): 0 or a class. */
static __always_inline enum stf_addr_class stf_peer4_class(const struct stf_config *cfg,
							   __be32 a)
{
	enum stf_addr_class c =
		stf_addr4_class(bpf_ntohl(a), cfg->flags & STF_F_PERMIT_PRIVATE);

	if (c != STF_ADDR_OK)
		return c;
	return stf_is_subnet_broadcast(cfg, a) ? STF_ADDR_SUBNET_BROADCAST : STF_ADDR_OK;
}

/* If addr is 6to4 (2002::/16), store its V4ADDR (network order) and return 1. */
static __always_inline int stf_6to4_v4addr(const struct in6_addr *addr, __be32 *v4)
{
	__u32 w0 = bpf_ntohl(addr->in6_u.u6_addr32[0]);
	__u32 w1 = bpf_ntohl(addr->in6_u.u6_addr32[1]);

	if ((w0 >> 16) != STF_6TO4_PREFIX)
		return 0;
	*v4 = bpf_htonl((w0 << 16) | (w1 >> 16));
	return 1;
}

static __always_inline enum stf_addr6_class stf_inner6_class(const struct in6_addr *addr)
{
	return stf_addr6_class(bpf_ntohl(addr->in6_u.u6_addr32[0]),
			       bpf_ntohl(addr->in6_u.u6_addr32[1]),
			       bpf_ntohl(addr->in6_u.u6_addr32[2]));
}

#endif
