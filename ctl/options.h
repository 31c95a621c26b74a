// What `attach` is asked to do, after the command line and config file are merged. Pure data
// plus validation; no kernel.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "addr.h"
#include "rules.h"
#include "stf/contract.h"

namespace stf {

enum class Mode : uint8_t {
	router = STF_MODE_ROUTER,
	relay = STF_MODE_RELAY,
	return_relay = STF_MODE_RETURN_RELAY,
};
enum class XdpMode : uint8_t { native, generic };
// The prefix tables on the outer source: allow and deny (stf's peer restriction,
// generalised), relay (a strict relay list: native-sourced traffic only from these) and
// exception (sources whose mismatched or native-sourced traffic is accepted).
enum class FilterKind : uint8_t { allow, deny, relay, exception };
constexpr FilterKind kFilterKinds[] = {FilterKind::allow, FilterKind::deny, FilterKind::relay,
				       FilterKind::exception};

const char *mode_name(Mode m);            // "router", "relay", "return-relay"
std::optional<Mode> parse_mode(std::string_view s);
const char *xdp_mode_name(XdpMode m);     // "native", "generic"
std::optional<XdpMode> parse_xdp_mode(std::string_view s);
// allow and deny contradict each other for the same prefix (deny would win unseen); the
// other kinds contradict none. nullopt if k has no contradicting kind.
std::optional<FilterKind> contradicting_filter(FilterKind k);
std::string both_filters_message(const Ipv4Prefix &p); // "filter P is in both allow and deny..."
const char *filter_kind_name(FilterKind k); // "allow", "deny", "relay", "exception"
std::optional<FilterKind> parse_filter_kind(std::string_view s);
std::optional<bool> parse_on_off(std::string_view s); // "on" / "off"

// Every field optional so the config file and the command line can be layered: the command
// line wins field by field (merge_options).
struct AttachRequest {
	std::optional<std::vector<uint32_t>> locals; // V4ADDRs, host order; first is primary
	std::optional<Mode> mode;
	std::optional<uint32_t> relay;
	std::optional<unsigned> ttl;
	std::optional<XdpMode> xdp_mode;
	std::optional<bool> xdp_dispatcher;
	std::optional<bool> permit_private;
	std::optional<bool> ingress_filter;
	std::optional<bool> loop_guard;
	std::optional<bool> fast_path;
	std::optional<std::vector<std::string>> lan;
	std::vector<Ipv4Prefix> allow; // config file only (and `filter add` later)
	std::vector<Ipv4Prefix> deny;
	std::vector<Ipv4Prefix> relays;
	std::vector<Ipv4Prefix> exceptions;
};

// The merged, validated request. locals may be empty here: attach fills it from the
// interface's own IPv4 address when it has exactly one.
struct AttachOptions {
	std::string ifname;
	std::vector<uint32_t> locals;
	Mode mode = Mode::router;
	std::optional<uint32_t> relay;
	uint8_t ttl = STF_DEFAULT_TTL;
	XdpMode xdp_mode = XdpMode::native;
	// The decapsulator joins libxdp's multi-program dispatcher instead of owning the XDP
	// hook (ctl/xdp_dispatcher.h), so other libxdp programs can run on the interface too.
	bool xdp_dispatcher = false;
	bool permit_private = false;
	// RFC 3964 5.3.3, on by default as in stf(4) (whose IFF_LINK2 turns it off).
	bool ingress_filter = true;
	// RFC 3964 3.2, on by default as in stf(4).
	bool loop_guard = true;
	// Forward decapsulated packets from XDP (bpf/lib/forward.h), off by default: it bypasses
	// netfilter's forward hooks.
	bool fast_path = false;
	// LAN interfaces whose IPv6 into the tunnel the fast path encapsulates from XDP
	// (bpf/lan.bpf.c); their programs act only while fast_path is on.
	std::vector<std::string> lan;
	std::vector<Ipv4Prefix> allow;
	std::vector<Ipv4Prefix> deny;
	std::vector<Ipv4Prefix> relays;
	std::vector<Ipv4Prefix> exceptions;
};

// The table of kind k in anything that has the four (AttachRequest, AttachOptions,
// AttachmentInfo).
template <typename T> auto &filter_list(T &t, FilterKind k)
{
	switch (k) {
	case FilterKind::allow: return t.allow;
	case FilterKind::deny: return t.deny;
	case FilterKind::relay: return t.relays;
	default: return t.exceptions;
	}
}

// cli overrides file field by field; filters are concatenated. Validates the result and
// throws a usage Error naming the first problem: ttl 1..255, at most STF_MAX_LOCAL locals,
// no duplicates, every address unicast (require_unicast_v4), relay only where it is used
// (router or relay mode; return-relay has no use for one), xdp_dispatcher only with an XDP
// program (not in return-relay mode), lan: at most STF_MAX_LAN distinct interface names, none
// of them IFACE.
AttachOptions merge_options(const std::string &ifname, const AttachRequest &file,
			    const AttachRequest &cli);

} // namespace stf
