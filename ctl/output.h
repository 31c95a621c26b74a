// All printing in one place: every read command in human form or JSON (-j).
// JSON errors are {"error": "..."} on stdout, as bpftool does, so scripts parse one stream.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "error.h"
#include "model.h"

namespace stf {

void print_status(std::ostream &os, const std::vector<AttachmentInfo> &list, bool json);
void print_stats(std::ostream &os, const std::vector<AttachmentStats> &list, bool json);
// stats --prometheus: the text exposition format (output_prometheus.cpp).
void print_prometheus(std::ostream &os, const std::vector<AttachmentStats> &list);
// The service's gauges after the counters (run's metrics listener): stf_attached, and with an
// attachment stf_attachment_info and stf_slow_path_running.
void print_prometheus_service(std::ostream &os, const std::string &ifname,
			      const std::optional<AttachmentInfo> &info);
void print_prefixes(std::ostream &os, const std::vector<AttachmentInfo> &list, bool json);
void print_filters(std::ostream &os, const std::vector<AttachmentInfo> &list, bool json);
void print_error(std::ostream &os, const Error &e, bool json);
// check FILE: the validated configuration, defaults filled in (output_config.cpp).
void print_checked(std::ostream &os, const std::string &path, const AttachOptions &o, bool json);
// apply: the changes made (or, with --dry-run, that would be made), in their order.
struct Plan;
// A plan's steps ("IFACE: would change" / "changed", then one line each; JSON: ifname, dry_run,
// changes, refused), as apply, attach --dry-run and detach --dry-run print them.
void print_steps(std::ostream &os, const std::string &ifname,
		 const std::vector<std::string> &steps, const std::vector<std::string> &refused,
		 bool dry_run, bool json);
void print_plan(std::ostream &os, const std::string &ifname, const Plan &plan, bool dry_run,
		bool json);

// Confirmations of the commands that change state: one line for people; in JSON mode the
// interface's new state in the schema of the matching read command (attach: status, prefix:
// prefix list, filter: filter list), and for detach `null`, as bpftool prints for commands
// that have nothing to report.
void print_attached(std::ostream &os, const AttachmentInfo &info, bool json);
void print_detached(std::ostream &os, const std::string &ifname, bool json);
void print_prefix_changed(std::ostream &os, const AttachmentInfo &info, uint32_t v4, bool added,
			  bool json);
void print_filter_changed(std::ostream &os, const AttachmentInfo &info, FilterKind kind,
			  const Ipv4Prefix &p, bool added, bool json);

} // namespace stf
