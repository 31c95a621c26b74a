/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The one contract between the stf-xdp dataplane (bpf/) and its control plane (ctl/).
 *
 * Plain C with fixed-width UAPI types so clang -target bpf and g++ read the same bytes.
 * Rules that keep upgrades safe:
 *  - map names carry a version suffix (_v1); change a struct's layout => bump the suffix;
 *  - counter ids are an external API (JSON names, scripts): append only, never renumber;
 *  - every struct has a size assert below.
 */
#ifndef STF_CONTRACT_H
#define STF_CONTRACT_H

#include <linux/types.h>

/* BPF object names as the kernel stores them (BPF_OBJ_NAME_LEN is 16 incl. NUL). */
#define STF_MAX_LOCAL 8  /* local V4ADDRs (6to4 prefixes) per attachment */
#define STF_MAX_BCAST 16 /* subnet broadcast addresses checked per packet */
#define STF_MAX_LAN 16   /* LAN interfaces whose IPv6 the fast path encapsulates (--lan) */

enum stf_mode {
	STF_MODE_ROUTER = 0,       /* site router: decap for our 2002:V4ADDR::/48, encap 2002::/16 */
	STF_MODE_RELAY = 1,        /* relay: decap for any inner destination, encap to 2002::/16 */
	STF_MODE_RETURN_RELAY = 2, /* output only (stf link0): encap replies, never decap */
	STF_MODE_COUNT_,
};

enum stf_config_flags {
	STF_F_PERMIT_PRIVATE = 1u << 0, /* RFC 1918 allowed (stf's net.link.stf.permit_rfc1918) */
	/* RFC 3964 5.3.3: the outer source must route back out of the attached interface (stf
	 * does it unless IFF_LINK2). Set by default by the control plane. */
	STF_F_INGRESS_FILTER = 1u << 1,
	/* RFC 3964 3.2 (stf does it): drop a packet whose native inner destination routes back
	 * into our own tunnel. Set by default by the control plane. */
	STF_F_LOOP_GUARD = 1u << 2,
	/* Forward a decapsulated packet whose inner destination routes out of another interface
	 * straight from XDP (bpf/lib/forward.h), bypassing the kernel's IPv6 forwarding path and
	 * its netfilter forward hooks. Off by default: an operator asks for it (--fast-path).
	 * The same switch turns on the LAN side (bpf/lan.bpf.c): IPv6 from a LAN interface routed
	 * into the tunnel is encapsulated and sent from XDP, bypassing the forward hooks too. */
	STF_F_FAST_PATH = 1u << 3,
};

/*
 * One slot of stf_config_v2. The map has two slots and stf_cfgsel_v1 (one __u32) names the
 * live one: the control plane writes the other slot whole, then flips the selector, then
 * waits for an RCU grace period before it may write the old slot again, so a packet never
 * reads a half-written configuration (a plain in-place update is a memcpy the programs can
 * race). Addresses in network byte order.
 */
struct stf_config {
	__u32 ifindex;     /* the attached (physical) interface: encapsulated packets leave here */
	__u32 tun_ifindex; /* our tunnel device: 2002::/16 is routed into it, tc encap runs on it */
	/* Decapsulated frames are redirected into the tunnel pair's peer, so they are received
	 * on the tunnel device (as sit's and stf's are), addressed to its MAC. */
	__u32 tun_peer_ifindex;
	__u8 tun_mac[6];
	/* stf_relays_v1 non-empty: native-sourced tunnel traffic only from these outer sources
	 * (RFC 3056 9: "exceptions ... to admit traffic from relay routers") */
	__u8 has_relays;
	/* stf_except_v1 non-empty: outer sources whose mismatched 6to4 or native inner source
	 * is accepted (translators, load balancers: glb-director#64) */
	__u8 has_except;
	__u8 mode;         /* enum stf_mode */
	__u8 ttl;          /* outer TTL on encapsulation */
	__u8 flags;        /* enum stf_config_flags */
	__u8 n_local;      /* valid entries in local[] */
	__u8 n_bcast;      /* valid entries in bcast[] */
	__u8 has_allow;    /* stf_allow_v1 non-empty: outer source must match it */
	__u8 has_deny;     /* stf_deny_v1 non-empty: outer source must not match it */
	__u8 pad0;
	__be32 relay;               /* IPv4 relay for native IPv6 destinations, 0 = none */
	__be32 local[STF_MAX_LOCAL]; /* our V4ADDRs; local[0] sources packets from native IPv6 */
	__be32 bcast[STF_MAX_BCAST]; /* subnet broadcasts of directly connected IPv4 subnets */
};

/*
 * Value of stf_lan_v1, keyed by a LAN interface's ifindex (--lan): the interfaces stf_lan runs
 * on, so a later invocation finds them in the kernel, and the interface's own MAC, because the
 * kernel forwards only frames addressed to it (ip6_forward drops the others), and so must the
 * fast path.
 */
struct stf_lan {
	__u8 mac[6];
	__u8 pad0[2];
};

/* Key of the allow/deny LPM tries (BPF_MAP_TYPE_LPM_TRIE wants prefixlen first). */
struct stf_lpm4_key {
	__u32 prefixlen;
	__be32 addr;
};

/* Value of stf_counters_v1, a per-CPU array indexed by enum stf_counter_id. */
struct stf_counter {
	__u64 packets;
	__u64 bytes;
};

/*
 * Address classes shared by the BPF checks and the control plane's validation
 * (include/stf/addr_class.h). Order matters: the *_SRC_* / *_DST_* counters below
 * are laid out in this order so that counter = first + class - 1.
 */
enum stf_addr_class {
	STF_ADDR_OK = 0,
	STF_ADDR_UNSPECIFIED,      /* 0.0.0.0/8 */
	STF_ADDR_LOOPBACK,         /* 127.0.0.0/8 */
	STF_ADDR_MULTICAST,        /* 224.0.0.0/4 */
	STF_ADDR_RESERVED,         /* 240.0.0.0/4, includes 255.255.255.255 */
	STF_ADDR_LINKLOCAL,        /* 169.254.0.0/16 */
	STF_ADDR_PRIVATE,          /* 10/8, 172.16/12, 192.168/16 unless permitted */
	STF_ADDR_SUBNET_BROADCAST, /* broadcast of a directly connected subnet */
	STF_ADDR_CLASS_COUNT_,
};

/*
 * Every counter, in one list: X(id, kind, name, description).
 * kind: STAT (work done), PASS (handed to the kernel untouched), DROP (a drop reason).
 * ids are an API: append only.
 */
#define STF_COUNTER_LIST(X)                                                                     \
	X(0, STAT, decap, "6to4 packets decapsulated and handed to the IPv6 stack")                \
	X(1, STAT, encap, "IPv6 packets encapsulated and sent")                                      \
	X(2, PASS, pass_fragment, "outer IPv4 fragments handed to the kernel's own reassembly")     \
	X(3, PASS, pass_options, "outer IPv4 headers with options handed to the kernel")            \
	X(4, DROP, outer_truncated, "frame shorter than the outer IPv4 + inner IPv6 headers")       \
	X(5, DROP, outer_bad_version, "outer IP version is not 4")                                  \
	X(6, DROP, outer_bad_ihl, "outer IHL below 5")                                              \
	X(7, DROP, outer_bad_checksum, "outer IPv4 header checksum is wrong")                       \
	X(8, DROP, outer_bad_length, "outer total length disagrees with the frame")                \
	X(9, DROP, outer_ttl_zero, "outer TTL is 0")                                                \
	X(10, DROP, outer_src_unspecified, "outer source in 0.0.0.0/8")                             \
	X(11, DROP, outer_src_loopback, "outer source in 127.0.0.0/8")                              \
	X(12, DROP, outer_src_multicast, "outer source in 224.0.0.0/4")                             \
	X(13, DROP, outer_src_reserved, "outer source in 240.0.0.0/4 or limited broadcast")         \
	X(14, DROP, outer_src_linklocal, "outer source in 169.254.0.0/16")                          \
	X(15, DROP, outer_src_private, "outer source is RFC 1918 and private is not permitted")     \
	X(16, DROP, outer_src_subnet_broadcast, "outer source is a connected subnet's broadcast")    \
	X(17, DROP, outer_src_denied, "outer source matches the deny filter")                       \
	X(18, DROP, outer_src_not_allowed, "outer source is outside the allow filter")              \
	X(19, DROP, inner_bad_version, "inner IP version is not 6")                                 \
	X(20, DROP, inner_bad_length, "inner payload length exceeds what the outer header carried")  \
	X(21, DROP, inner_src_reserved, "inner source in ::/16 (unspecified, loopback, compat)")     \
	X(22, DROP, inner_src_v4mapped, "inner source in ::ffff:0:0/96")                            \
	X(23, DROP, inner_src_linklocal, "inner source in fe80::/10")                               \
	X(24, DROP, inner_src_sitelocal, "inner source in fec0::/10")                               \
	X(25, DROP, inner_src_multicast, "inner source in ff00::/8")                                \
	X(26, DROP, inner_dst_reserved, "inner destination in ::/16")                               \
	X(27, DROP, inner_dst_v4mapped, "inner destination in ::ffff:0:0/96")                       \
	X(28, DROP, inner_dst_linklocal, "inner destination in fe80::/10")                          \
	X(29, DROP, inner_dst_sitelocal, "inner destination in fec0::/10")                          \
	X(30, DROP, inner_src_spoofed, "6to4 inner source does not embed the outer source")         \
	X(31, DROP, inner_dst_mismatch, "6to4 inner destination does not embed the outer destination") \
	X(32, DROP, inner_dst_not_6to4, "router mode: inner destination is not 2002::/16")          \
	X(33, DROP, ecn_ce_not_ect, "outer ECN CE on a not-ECT inner packet (RFC 6040)")            \
	X(34, DROP, decap_adjust_failed, "bpf_xdp_adjust_head failed")                              \
	X(35, DROP, encap_not_ipv6, "non-IPv6 frame routed into the tunnel device")                  \
	X(36, DROP, encap_truncated, "frame shorter than an IPv6 header")                           \
	X(37, DROP, encap_inner_multicast, "IPv6 multicast destination, not tunnelled")              \
	X(38, DROP, encap_no_relay, "native IPv6 destination and no relay configured")              \
	X(39, DROP, encap_no_local, "no local V4ADDR configured to source the packet")              \
	X(40, DROP, encap_src_not_local, "6to4 inner source embeds an address that is not ours")    \
	X(41, DROP, encap_dst_unspecified, "outer destination in 0.0.0.0/8")                        \
	X(42, DROP, encap_dst_loopback, "outer destination in 127.0.0.0/8")                         \
	X(43, DROP, encap_dst_multicast, "outer destination in 224.0.0.0/4")                        \
	X(44, DROP, encap_dst_reserved, "outer destination in 240.0.0.0/4 or limited broadcast")    \
	X(45, DROP, encap_dst_linklocal, "outer destination in 169.254.0.0/16")                     \
	X(46, DROP, encap_dst_private, "outer destination is RFC 1918 and private is not permitted") \
	X(47, DROP, encap_dst_subnet_broadcast, "outer destination is a connected subnet's broadcast") \
	X(48, DROP, encap_dst_local, "outer destination is an address of this host (or unroutable)") \
	X(49, DROP, encap_adjust_failed, "bpf_skb_adjust_room failed")                              \
	X(50, DROP, encap_no_route, "no IPv4 route to the outer destination out of the interface") \
	X(51, DROP, encap_too_big, "encapsulated packet exceeds the interface MTU")                 \
	X(52, DROP, outer_src_local, "outer source is an address of this host (or unroutable)")   \
	X(53, DROP, outer_src_no_route, "ingress filter: no route back to the outer source")       \
	X(54, DROP, outer_src_wrong_iface, "ingress filter: the outer source routes out of another interface") \
	X(55, DROP, inner_native_to_native, "native inner source to a native destination (relay)") \
	X(56, DROP, decap_fib_failed, "FIB lookup impossible (IPv4 forwarding off on the tunnel)")  \
	X(57, DROP, encap_fib_failed, "FIB lookup impossible (IPv4 forwarding off on the tunnel)")  \
	X(58, DROP, encap_redirect_failed, "the kernel refused to redirect the encapsulated packet") \
	X(59, DROP, outer_src_not_relay, "native inner source from an outer source not in the relay list") \
	X(60, DROP, inner_dst_loop, "loop guard: the native inner destination routes back into the tunnel") \
	X(61, STAT, slow_path, "reassembled or option-carrying packets the slow path checked")     \
	X(62, DROP, slow_too_big, "slow path: reassembled packet over 3000 bytes, too large to check") \
	X(63, DROP, slow_failed, "slow path: the kernel refused to check or deliver (see its log)") \
	X(64, STAT, fast_forward, "of the decapsulated packets, those forwarded straight from XDP (fast path)") \
	X(65, STAT, fast_encap, "of the encapsulated packets, those sent straight from a LAN interface's XDP (fast path)")

enum stf_counter_id {
#define STF_X_ENUM(id, kind, name, desc) STF_C_##name = id,
	STF_COUNTER_LIST(STF_X_ENUM)
#undef STF_X_ENUM
	STF_COUNTER_COUNT_,
};

enum stf_counter_kind { STF_KIND_STAT, STF_KIND_PASS, STF_KIND_DROP };

/* counter = base + class - 1: the lists above must stay in enum stf_addr_class order. */
#define STF_C_OUTER_SRC_CLASS_BASE STF_C_outer_src_unspecified
#define STF_C_ENCAP_DST_CLASS_BASE STF_C_encap_dst_unspecified

/* DROP reasons as a bit set (bit id), so the BPF counter helper tells a drop from a pass or
 * a decapsulation with one shift and test of a constant, no table look-up. */
#define STF_KIND_BIT_STAT 0ull
#define STF_KIND_BIT_PASS 0ull
#define STF_KIND_BIT_DROP 1ull
#define STF_X_DROPBIT(id, kind, name, desc) | ((id) < 64 ? STF_KIND_BIT_##kind << ((id) & 63) : 0ull)
#define STF_DROP_MASK (0ull STF_COUNTER_LIST(STF_X_DROPBIT))
/* Counters from id 64 on may be STAT or PASS only: the mask has no bit for them. */
#define STF_X_DROPHIGH(id, kind, name, desc) + ((id) >= 64 && STF_KIND_BIT_##kind)

/*
 * `stf-xdp monitor`: sampled drop events. The monitor owns stf_monitor_v1 while it runs and
 * renews a lease in it every second; the programs report a drop only while the lease lies in
 * the future (bpf_ktime_get_ns, CLOCK_MONOTONIC), so a killed monitor stops the reports within
 * STF_MONITOR_LEASE_NS, and a zero lease (nobody has ever watched, or the monitor's exit)
 * costs one array read on the drop path and nothing at all on the others.
 */
#define STF_MONITOR_LEASE_NS 3000000000ull /* the monitor renews every second */
#define STF_MONITOR_MAX_RATE 10000u        /* events per second per CPU */
#define STF_EVENTS_RING_BYTES (256u * 1024) /* stf_events_v1: ~4000 events */

/* The single value of stf_monitor_v1 (a one-slot array). */
struct stf_monitor {
	__u64 lease_ns; /* report drops while bpf_ktime_get_ns() < lease_ns; 0 = nobody watches */
	__u32 rate;     /* events per second per CPU; beyond it drops are only counted */
	__u32 pid;      /* the monitoring process, named when a second one is refused */
};

/* Per-CPU value of stf_evrate_v1: the rate limit's window and what it held back. */
struct stf_event_rate {
	__u64 window_ns;  /* start of the current one-second window */
	__u64 sent;       /* events reported in that window */
	__u64 suppressed; /* drops not reported: over the rate (cumulative) */
	__u64 lost;       /* drops not reported: the ring buffer was full (cumulative) */
};

enum stf_event_prog { STF_EV_DECAP = 0, STF_EV_ENCAP = 1 };
enum stf_event_flags {
	STF_EV_OUTER = 1u << 0, /* outer_src/outer_dst are set */
	STF_EV_INNER = 1u << 1, /* inner_src/inner_dst are set */
};

/* One record of stf_events_v1 (BPF_MAP_TYPE_RINGBUF). Addresses in network byte order. */
struct stf_event {
	__u64 time_ns;   /* bpf_ktime_get_ns() */
	__u32 ifindex;   /* the attached interface (the config's ifindex) */
	__u32 len;       /* frame length */
	__u16 reason;    /* enum stf_counter_id, a DROP kind */
	__u8 prog;       /* enum stf_event_prog */
	__u8 flags;      /* enum stf_event_flags */
	__be32 outer_src;
	__be32 outer_dst;
	__u32 pad0;
	__u8 inner_src[16];
	__u8 inner_dst[16];
};

#define STF_STATIC_ASSERT(c, m) _Static_assert(c, m)
#ifdef __cplusplus
#undef STF_STATIC_ASSERT
#define STF_STATIC_ASSERT(c, m) static_assert(c, m)
#endif
STF_STATIC_ASSERT(sizeof(struct stf_config) == 32 + 4 * STF_MAX_LOCAL + 4 * STF_MAX_BCAST,
		  "stf_config layout changed: bump the map version suffix");
STF_STATIC_ASSERT(sizeof(struct stf_lan) == 8, "stf_lan layout");
STF_STATIC_ASSERT(sizeof(struct stf_lpm4_key) == 8, "stf_lpm4_key layout");
STF_STATIC_ASSERT(sizeof(struct stf_counter) == 16, "stf_counter layout");
STF_STATIC_ASSERT(STF_C_outer_src_subnet_broadcast - STF_C_OUTER_SRC_CLASS_BASE ==
			  STF_ADDR_SUBNET_BROADCAST - 1,
		  "outer_src_* counters must follow enum stf_addr_class");
STF_STATIC_ASSERT(STF_C_encap_dst_subnet_broadcast - STF_C_ENCAP_DST_CLASS_BASE ==
			  STF_ADDR_SUBNET_BROADCAST - 1,
		  "encap_dst_* counters must follow enum stf_addr_class");
STF_STATIC_ASSERT(STF_COUNTER_COUNT_ == 66, "counter ids are append-only");
STF_STATIC_ASSERT((0 STF_COUNTER_LIST(STF_X_DROPHIGH)) == 0,
		  "a DROP counter id >= 64: STF_DROP_MASK holds ids 0..63; widen it");
STF_STATIC_ASSERT(sizeof(struct stf_monitor) == 16, "stf_monitor layout");
STF_STATIC_ASSERT(sizeof(struct stf_event_rate) == 32, "stf_event_rate layout");
STF_STATIC_ASSERT(sizeof(struct stf_event) == 64, "stf_event layout");

/* TTL used when none is configured (RFC 3056 does not say; Linux sit and stf inherit 64). */
#define STF_DEFAULT_TTL 64

#endif /* STF_CONTRACT_H */
