/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * IPv4 and IPv6 address classes of RFC 3964 5.3 and stf_checkaddr4/6, shared by the BPF
 * per-packet checks and the control plane's validation of configured addresses, so the two
 * can never disagree. Pure arithmetic on constants: no map lookups, a few instructions.
 */
#ifndef STF_ADDR_CLASS_H
#define STF_ADDR_CLASS_H

#include "stf/contract.h"

#ifdef __cplusplus
#define STF_INLINE inline
#else
#define STF_INLINE static __always_inline
#endif

/* Class of an IPv4 address given in host byte order; bad classes first, then private. */
STF_INLINE enum stf_addr_class stf_addr4_class(__u32 a, int permit_private)
{
	__u32 top = a >> 24;

	if (top == 0)
		return STF_ADDR_UNSPECIFIED;
	if (top == 127)
		return STF_ADDR_LOOPBACK;
	if (top >= 224) /* 224/4 multicast, 240/4 reserved and 255.255.255.255 */
		return top < 240 ? STF_ADDR_MULTICAST : STF_ADDR_RESERVED;
	if ((a >> 16) == 0xa9fe)
		return STF_ADDR_LINKLOCAL;
	if (!permit_private && (top == 10 || (a >> 20) == 0xac1 || (a >> 16) == 0xc0a8))
		return STF_ADDR_PRIVATE;
	return STF_ADDR_OK;
}

enum stf_addr6_class {
	STF_ADDR6_OK = 0,
	STF_ADDR6_RESERVED,  /* ::/16: unspecified, loopback, IPv4-compatible */
	STF_ADDR6_V4MAPPED,  /* ::ffff:0:0/96 */
	STF_ADDR6_LINKLOCAL, /* fe80::/10 */
	STF_ADDR6_SITELOCAL, /* fec0::/10 */
	STF_ADDR6_MULTICAST, /* ff00::/8 */
};

/*
 * Class of an IPv6 address from its first three 32-bit words in host byte order (the last
 * word never decides). ::ffff:0:0/96 lies inside ::/16, so it is tested first.
 */
STF_INLINE enum stf_addr6_class stf_addr6_class(__u32 w0, __u32 w1, __u32 w2)
{
	if ((w0 >> 16) == 0)
		return (w0 == 0 && w1 == 0 && w2 == 0xffff) ? STF_ADDR6_V4MAPPED : STF_ADDR6_RESERVED;
	if ((w0 >> 24) == 0xff)
		return STF_ADDR6_MULTICAST;
	if ((w0 >> 22) == (0xfe80 >> 6))
		return STF_ADDR6_LINKLOCAL;
	if ((w0 >> 22) == (0xfec0 >> 6))
		return STF_ADDR6_SITELOCAL;
	return STF_ADDR6_OK;
}

#define STF_6TO4_PREFIX 0x2002u /* 2002::/16, RFC 3056 */

#undef STF_INLINE
#endif /* STF_ADDR_CLASS_H */
