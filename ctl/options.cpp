#include "options.h"

#include <algorithm>
#include <iterator>

#include "error.h"

namespace stf {

namespace {

// One table per enum, indexed by its value, so name and parse cannot disagree.
constexpr const char *kModeNames[] = {"router", "relay", "return-relay"};
constexpr const char *kXdpModeNames[] = {"native", "generic"};
constexpr const char *kFilterKindNames[] = {"allow", "deny", "relay", "exception"};
static_assert(std::size(kFilterKindNames) == std::size(kFilterKinds), "a kind without a name");
static_assert(std::size(kModeNames) == STF_MODE_COUNT_, "a mode without a name");

template <typename Enum, size_t N>
std::optional<Enum> parse_name(const char *const (&names)[N], std::string_view s)
{
	for (size_t i = 0; i < N; i++)
		if (s == names[i])
			return static_cast<Enum>(i);
	return std::nullopt;
}

template <typename T> const T &first_of(const std::optional<T> &a, const std::optional<T> &b,
					const T &fallback)
{
	return a ? *a : b ? *b : fallback;
}

void require_distinct(const std::vector<Ipv4Prefix> &list, FilterKind kind)
{
	for (auto it = list.begin(); it != list.end(); ++it)
		if (std::find(std::next(it), list.end(), *it) != list.end())
			usage_error(std::string("filter ") + filter_kind_name(kind) + " " +
				    format_ipv4_prefix(*it) + " is given twice");
}

} // namespace

std::optional<FilterKind> contradicting_filter(FilterKind k)
{
	if (k == FilterKind::allow)
		return FilterKind::deny;
	if (k == FilterKind::deny)
		return FilterKind::allow;
	return std::nullopt;
}

std::string both_filters_message(const Ipv4Prefix &p)
{
	return "filter " + format_ipv4_prefix(p) +
	       " would be in both allow and deny (deny wins); a source cannot be both";
}

const char *mode_name(Mode m) { return kModeNames[static_cast<size_t>(m)]; }
std::optional<Mode> parse_mode(std::string_view s) { return parse_name<Mode>(kModeNames, s); }
const char *xdp_mode_name(XdpMode m) { return kXdpModeNames[static_cast<size_t>(m)]; }
std::optional<XdpMode> parse_xdp_mode(std::string_view s)
{
	return parse_name<XdpMode>(kXdpModeNames, s);
}
const char *filter_kind_name(FilterKind k) { return kFilterKindNames[static_cast<size_t>(k)]; }
std::optional<FilterKind> parse_filter_kind(std::string_view s)
{
	return parse_name<FilterKind>(kFilterKindNames, s);
}

std::optional<bool> parse_on_off(std::string_view s)
{
	if (s == "on")
		return true;
	if (s == "off")
		return false;
	return std::nullopt;
}

namespace {

// The LAN interfaces are names the kernel must know at attach (attach_plan.cpp checks that);
// here only what no kernel is needed for.
void require_lan_names(const std::string &ifname, const std::vector<std::string> &lan)
{
	if (lan.size() > STF_MAX_LAN)
		usage_error("lan: at most " + std::to_string(STF_MAX_LAN) + " interfaces, " +
			    std::to_string(lan.size()) + " given");
	for (auto it = lan.begin(); it != lan.end(); ++it) {
		if (it->empty() || it->size() >= 16 /* IFNAMSIZ */ ||
		    it->find_first_of("/ \t\n:,") != std::string::npos)
			usage_error("lan: '" + *it + "' is not an interface name");
		if (*it == ifname)
			usage_error("lan: " + *it + " is the interface attached to; a LAN interface is "
				    "another one (where the site's IPv6 hosts are)");
		if (std::find(std::next(it), lan.end(), *it) != lan.end())
			usage_error("lan: " + *it + " is given twice");
	}
}

} // namespace

AttachOptions merge_options(const std::string &ifname, const AttachRequest &file,
			    const AttachRequest &cli)
{
	AttachOptions o;
	o.ifname = ifname;
	o.locals = first_of(cli.locals, file.locals, {});
	o.mode = first_of(cli.mode, file.mode, Mode::router);
	o.relay = cli.relay ? cli.relay : file.relay;
	unsigned ttl = first_of(cli.ttl, file.ttl, unsigned{STF_DEFAULT_TTL});
	o.xdp_mode = first_of(cli.xdp_mode, file.xdp_mode, XdpMode::native);
	o.xdp_dispatcher = first_of(cli.xdp_dispatcher, file.xdp_dispatcher, false);
	o.permit_private = first_of(cli.permit_private, file.permit_private, false);
	o.ingress_filter = first_of(cli.ingress_filter, file.ingress_filter, true);
	o.loop_guard = first_of(cli.loop_guard, file.loop_guard, true);
	o.fast_path = first_of(cli.fast_path, file.fast_path, false);
	o.lan = first_of(cli.lan, file.lan, {});
	for (FilterKind k : kFilterKinds) {
		filter_list(o, k) = filter_list(file, k);
		filter_list(o, k).insert(filter_list(o, k).end(), filter_list(cli, k).begin(),
					 filter_list(cli, k).end());
	}

	if (!valid_ttl(ttl))
		usage_error("ttl " + std::to_string(ttl) + " is out of range (" +
			    std::to_string(kMinTtl) + " to " + std::to_string(kMaxTtl) + ")");
	o.ttl = static_cast<uint8_t>(ttl);

	require_local_count(o.locals.size());
	for (auto it = o.locals.begin(); it != o.locals.end(); ++it) {
		require_unicast_v4(*it, o.permit_private, "local address");
		if (std::find(std::next(it), o.locals.end(), *it) != o.locals.end())
			usage_error("local address " + format_ipv4(*it) + " is given twice");
	}

	if (o.relay) {
		// A return relay only encapsulates replies to 2002::/16; native IPv6 never enters
		// its tunnel, so a relay there would be a misunderstanding worth pointing out.
		if (o.mode == Mode::return_relay)
			usage_error("a relay has no use in return-relay mode (it only encapsulates "
				    "replies to 2002::/16); remove the relay or choose another mode");
		require_unicast_v4(*o.relay, o.permit_private, "relay");
		require_relay_not_local(o.locals, o.relay);
	}

	if (o.xdp_dispatcher && o.mode == Mode::return_relay)
		usage_error("xdp_dispatcher has no use in return-relay mode (it has no XDP program)");

	require_lan_names(ifname, o.lan);

	// Duplicates would make the attach fail half-way on EEXIST from the kernel.
	for (FilterKind k : kFilterKinds)
		require_distinct(filter_list(o, k), k);
	for (const Ipv4Prefix &p : o.allow)
		if (std::find(o.deny.begin(), o.deny.end(), p) != o.deny.end())
			usage_error(both_filters_message(p));
	return o;
}

} // namespace stf
