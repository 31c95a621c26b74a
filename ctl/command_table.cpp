#include "command_table.h"

#include "commands.h"
#include "error.h"
#include "options.h"

namespace stf {

namespace {

std::string attach_details()
{
	return "Loads the dataplane and hooks it to IFACE. All or nothing: on any failure every\n"
	       "step already taken is undone. --dry-run checks everything attach would and\n"
	       "prints its steps, changing nothing.\n\n"
	       "Modes:\n"
	       "  router        a 6to4 site: decapsulate for our 2002:V4ADDR::/48 (default)\n"
	       "  relay         6to4 <-> native IPv6: decapsulate for any inner destination\n"
	       "  return-relay  only encapsulate replies to 2002::/16; no XDP program\n\n"
	       "Creates an XDP program on IFACE (not in return-relay mode), a tunnel device\n"
	       "stf<ifindex> with the encapsulating tc program, and routes 2002::/16 (with\n"
	       "--default-relay also ::/0, metric 2048) into it.\n"
	       "Without --local, IFACE's IPv4 address is used if it has exactly one. At most\n" +
	       std::to_string(STF_MAX_LOCAL) +
	       " locals; the first sources packets from native IPv6 addresses.\n"
	       "Ingress filter (RFC 3964 5.3.3, on by default as in stf(4)): a tunnelled\n"
	       "packet is accepted only if its outer source routes back out of IFACE; turn\n"
	       "it off for asymmetric routing. Sources that are addresses of this host are\n"
	       "dropped either way.\n"
	       "Loop guard (RFC 3964 3.2, on by default as in stf(4)): a relay drops a packet\n"
	       "whose native destination routes back into its own tunnel.\n"
	       "--xdp-dispatcher: join libxdp's multi-program dispatcher (xdp-loader,\n"
	       "xdp-filter) instead of owning the XDP hook; stf-xdp runs at priority 100,\n"
	       "after libxdp's default 50, and passes on what it does not decapsulate.\n"
	       "Needs bpffs (/sys/fs/bpf, or LIBXDP_BPFFS) and a kernel with freplace.\n"
	       "Fast path (off by default): a decapsulated packet the IPv6 FIB forwards out\n"
	       "of another interface, next hop resolved, is sent there from XDP, bypassing\n"
	       "netfilter's forward hooks; the rest goes through the tunnel as before.\n"
	       "With --lan IFACE[,IFACE...] it also runs on those LAN interfaces: IPv6 the\n"
	       "kernel would route into the tunnel is encapsulated there from XDP (the same\n"
	       "checks, counted as encap and fast_encap) and sent out of IFACE, bypassing\n"
	       "netfilter's forward hooks and the tunnel device's qdiscs; what it cannot\n"
	       "decide goes the slow way. apply cannot change the LAN set (detach, attach).\n"
	       "--config keys, spelt as the options (xdp-mode) or with underscores (xdp_mode):\n"
	       "local (string or array), mode, default-relay (or relay), ttl, xdp-mode,\n"
	       "xdp-dispatcher, permit-private, ingress-filter, loop-guard, fast-path,\n"
	       "lan (string or array), filters {\"allow\", \"deny\", \"relay\", \"exception\":\n"
	       "[...]}.\n"
	       "Command-line options override the file.\n\n"
	       "Examples:\n"
	       "  stf-xdp attach eth0\n"
	       "  stf-xdp attach eth0 --local 192.0.2.1 --default-relay 203.0.113.1 --ttl 64\n"
	       "  stf-xdp attach eth0 --mode return-relay --local 198.51.100.10\n"
	       "  stf-xdp attach eth0 --fast-path on --lan eth1,eth2\n"
	       "  stf-xdp attach eth0 --config /etc/stf-xdp/eth0.json\n";
}

std::string prefix_add_details()
{
	return "Adds A.B.C.D as one more local V4ADDR: the tunnel then also serves its 6to4\n"
	       "prefix 2002:V4ADDR::/48. Private addresses need an attachment made with\n"
	       "--permit-private. At most " +
	       std::to_string(STF_MAX_LOCAL) +
	       " per interface.\n\n"
	       "Example:\n  stf-xdp prefix add eth0 203.0.113.77\n";
}

const char *const kFilterAddDetails =
	"Adds A.B.C.D/N to a filter on the outer IPv4 source:\n"
	"  deny       matching sources are dropped (outer_src_denied)\n"
	"  allow      while non-empty, only matching sources are accepted\n"
	"             (outer_src_not_allowed)\n"
	"  relay      while non-empty, native-sourced tunnel traffic (from a relay) is\n"
	"             accepted only from matching sources (outer_src_not_relay)\n"
	"  exception  matching sources may send 6to4 traffic whose inner source does\n"
	"             not embed them, and native-sourced traffic whatever the relay list\n"
	"             (translators, load balancers)\n"
	"The same prefix cannot be in both allow and deny.\n\n"
	"Examples:\n  stf-xdp filter add eth0 deny 203.0.113.0/24\n"
	"  stf-xdp filter add eth0 allow 198.51.100.0/24\n"
	"  stf-xdp filter add eth0 relay 203.0.113.1/32\n";

const char *const kSlowpathDetails =
	"XDP cannot reassemble IPv4 fragments, so it hands outer fragments and outer\n"
	"headers with IPv4 options to the kernel (counted as pass_fragment, pass_options).\n"
	"The kernel reassembles them and acts on the options, then offers the packet to\n"
	"this service, which runs the interface's own XDP decapsulator on it (BPF test\n"
	"run): the same checks, the same counters (slow_path, then decap or the drop\n"
	"reason); accepted packets are received on the tunnel device stf<N> as usual.\n"
	"Reassembled packets over 3000 bytes are dropped (slow_too_big).\n\n"
	"One per network namespace, for every attached interface in it; it runs in the\n"
	"foreground, logs to standard error and stops on SIGTERM, SIGINT or SIGHUP.\n"
	"Without it the kernel drops those packets and answers ICMP protocol\n"
	"unreachable: large 6to4 packets fragmented on the way are lost. `status` shows\n"
	"whether it runs. Exit 5 if one already runs in this namespace.\n\n"
	"Example:\n  stf-xdp slowpath &\n  stf-xdp -n site slowpath\n";

std::string monitor_details()
{
	return "Prints dropped packets as the dataplane drops them, one line each: time,\n"
	       "interface, program (decap or encap), the drop reason (the names of stats),\n"
	       "outer IPv4 source -> destination and inner IPv6 source -> destination ('-'\n"
	       "where not parsed), and length. With -j, one JSON object a line (JSON lines):\n"
	       "{\"event\": \"drop\", ...}, and {\"event\": \"hidden\", \"suppressed\": N,\n"
	       "\"lost\": M} for the drops not shown since the start, whenever that changes\n"
	       "and at the end.\n\n"
	       "Sampled: at most --rate events per second per CPU; the other drops are only\n"
	       "counted (\"N drops not shown\"), so a flood costs no more than asked for. The\n"
	       "counters of stats count every drop either way. While no monitor runs the\n"
	       "dataplane reports nothing and a drop costs one map read more.\n"
	       "Runs until SIGINT or SIGTERM. A monitor killed outright stops the reports\n"
	       "within " +
	       std::to_string(STF_MONITOR_LEASE_NS / 1000000000) +
	       " s. One monitor per interface: exit 5 if another watches it.\n\n"
	       "Examples:\n  stf-xdp monitor eth0\n  stf-xdp monitor -j --rate 10 | jq .reason\n";
}

} // namespace

const std::vector<CommandSpec> &command_table()
{
	static const std::vector<CommandSpec> table = {
		{Command::attach, "", "attach", "start the 6to4 tunnel on an interface",
		 attach_details(), Args::attach, attach_command},
		{Command::detach, "", "detach", "stop the tunnel on an interface",
		 "Removes the XDP program, the tunnel device with its tc program, and the\n"
		 "routes through it. --dry-run prints the steps, changing nothing.\n\n"
		 "Examples:\n  stf-xdp detach eth0 --dry-run\n  stf-xdp detach eth0\n",
		 Args::iface, detach_command},
		{Command::status, "", "status", "show the configuration",
		 "Shows, per interface: mode, tunnel device and MTU, local V4ADDRs with their\n"
		 "6to4 prefixes, relay, TTL, the switches, XDP and tc programs, whether the slow\n"
		 "path runs, peer filters and the subnet broadcasts refused as peers.\n\n"
		 "Examples:\n  stf-xdp status\n  stf-xdp -j status eth0\n",
		 Args::iface_optional, status_command},
		{Command::stats, "", "stats", "show the counters",
		 "Shows, per interface: packets and bytes decapsulated and encapsulated,\n"
		 "packets passed to the kernel untouched, packets the slow path checked, and\n"
		 "every drop by reason (with -j every reason is listed, zeros included).\n"
		 "--prometheus prints Prometheus' text format instead: stf_decap_packets_total,\n"
		 "stf_encap_*, stf_slow_path_* and, labelled by reason, stf_passed_packets_total\n"
		 "and stf_dropped_packets_total, each labelled by interface (for node_exporter's\n"
		 "textfile collector, for example).\n\n"
		 "Examples:\n  stf-xdp stats eth0\n  stf-xdp stats -j\n"
		 "  stf-xdp stats --prometheus > /var/lib/prometheus/node-exporter/stf-xdp.prom\n",
		 Args::stats, stats_command},
		{Command::prefix_add, "prefix", "add", "add a local V4ADDR to a running attachment",
		 prefix_add_details(), Args::iface_address, prefix_add_command},
		{Command::prefix_del, "prefix", "del", "remove a local V4ADDR from a running attachment",
		 "Removes the local V4ADDR A.B.C.D. The last one cannot be removed: detach instead.\n\n"
		 "Example:\n  stf-xdp prefix del eth0 203.0.113.77\n",
		 Args::iface_address, prefix_del_command},
		{Command::prefix_list, "prefix", "list", "list local V4ADDRs and their 6to4 prefixes",
		 "Lists each local V4ADDR with its 6to4 prefix 2002:V4ADDR::/48.\n\n"
		 "Example:\n  stf-xdp prefix list eth0\n",
		 Args::iface_optional, prefix_list_command},
		{Command::filter_add, "filter", "add", "add a peer filter entry", kFilterAddDetails,
		 Args::iface_kind_prefix, filter_add_command},
		{Command::filter_del, "filter", "del", "remove a peer filter entry",
		 "Removes A.B.C.D/N from a filter; an empty allow filter accepts every source\n"
		 "again, an empty relay list every relay.\n\n"
		 "Example:\n  stf-xdp filter del eth0 deny 203.0.113.0/24\n",
		 Args::iface_kind_prefix, filter_del_command},
		{Command::filter_list, "filter", "list", "list the peer filters",
		 "Lists the allow, deny, relay and exception entries of each interface.\n\n"
		 "Example:\n  stf-xdp filter list eth0\n",
		 Args::iface_optional, filter_list_command},
		{Command::check, "", "check", "validate a config file without touching anything",
		 "Reads FILE.json as attach --config would and reports the first problem, or\n"
		 "that it is valid. Needs no privileges and reads nothing of the running state,\n"
		 "so checks that depend on the host (the interface, its addresses, its subnets'\n"
		 "broadcasts) are left to attach. Exit 0 if valid, 2 if not.\n\n"
		 "Example:\n  stf-xdp check /etc/stf-xdp/eth0.json\n",
		 Args::file, check_command},
		{Command::apply, "", "apply", "bring a running attachment to a config file's settings",
		 "Compares IFACE's running configuration with FILE.json and changes what differs,\n"
		 "in place and without losing traffic: mode (router <-> relay), ttl, relay (and\n"
		 "its ::/0 route), local addresses, the switches, and the filter tables. The\n"
		 "settings change in one atomic step; filter entries are added before old ones\n"
		 "are removed, so nothing both configurations accept is dropped and nothing both\n"
		 "drop gets through. All or nothing: if a step fails, the steps made are undone.\n"
		 "A mode change to or from return-relay, or of xdp_mode or xdp_dispatcher, needs\n"
		 "the XDP program added, removed or re-hooked: refused (exit 2), detach and\n"
		 "attach instead.\n"
		 "Attaches with FILE.json if IFACE is not attached. The file is the whole\n"
		 "desired state: filters or locals added since by hand and not in it are removed.\n"
		 "Prints each change made, or 'nothing to change'.\n\n"
		 "Examples:\n  stf-xdp apply eth0 /etc/stf-xdp/eth0.json --dry-run\n"
		 "  stf-xdp apply eth0 /etc/stf-xdp/eth0.json\n",
		 Args::iface_file, apply_command},
		{Command::run, "", "run", "the service: apply a config file and keep it (foreground)",
		 "Applies FILE.json to IFACE as apply does (attaching, or adopting a running\n"
		 "attachment in place), serves the slow path of its network namespace (unless\n"
		 "another process does; see slowpath), and runs in the foreground, logging to\n"
		 "standard error:\n"
		 "  SIGHUP           re-reads FILE.json and applies it; a broken file is logged\n"
		 "                   and changes nothing\n"
		 "With \"metrics\": \"ADDR:PORT\" in FILE.json (\"127.0.0.1:9100\", \"[::1]:9100\") it\n"
		 "serves GET /metrics there (stats --prometheus of IFACE, plus gauges); an\n"
		 "address it cannot listen on fails the start (exit 1) or refuses the reload.\n"
		 "  SIGTERM, SIGINT  stops and detaches, or with --keep leaves the dataplane\n"
		 "                   running, for the next start to adopt without losing a packet\n"
		 "The systemd unit stf-xdp@IFACE.service runs it with --keep.\n"
		 "Exit codes as apply's when the first apply fails.\n\n"
		 "Example:\n  stf-xdp run eth0 --config /etc/stf-xdp/eth0.json\n",
		 Args::service, service_command},
		{Command::slowpath, "", "slowpath",
		 "serve outer fragments and IPv4 options (runs until stopped)", kSlowpathDetails,
		 Args::none, slowpath_command},
		{Command::monitor, "", "monitor", "show dropped packets as they happen (sampled)",
		 monitor_details(), Args::monitor, monitor_command},
	};
	return table;
}

const std::vector<GroupSpec> &command_groups()
{
	static const std::vector<GroupSpec> groups = {
		{"prefix", "add, remove or list local V4ADDRs (6to4 prefixes)",
		 "Synopsis:\n"
		 "  stf-xdp prefix add IFACE A.B.C.D\n"
		 "  stf-xdp prefix del IFACE A.B.C.D\n"
		 "  stf-xdp prefix list [IFACE]\n"},
		{"filter", "edit or list the peer filters (outer IPv4 source)",
		 "Synopsis:\n"
		 "  stf-xdp filter add IFACE allow|deny|relay|exception A.B.C.D/N\n"
		 "  stf-xdp filter del IFACE allow|deny|relay|exception A.B.C.D/N\n"
		 "  stf-xdp filter list [IFACE]\n"},
	};
	return groups;
}

const CommandSpec &command_spec(Command id)
{
	for (const CommandSpec &c : command_table())
		if (c.id == id)
			return c;
	throw Error(Exit::failure, "internal error: no command table entry");
}

} // namespace stf
