#include "probe.h"

#include <sys/wait.h>

#include <cstdio>

namespace stf::ktest {

using nlohmann::json;

CmdResult run(const std::string &cmd)
{
	CmdResult r;
	FILE *p = popen(cmd.c_str(), "r");
	if (!p)
		return r;
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, p)) > 0)
		r.out.append(buf, n);
	int ws = pclose(p);
	if (ws != -1 && WIFEXITED(ws))
		r.status = WEXITSTATUS(ws);
	return r;
}

json json_of(const std::string &cmd)
{
	CmdResult r = run(cmd);
	if (r.status != 0)
		throw ProbeError("probe `" + cmd + "` exited with status " +
				 std::to_string(r.status) + ", output: " + r.out);
	try {
		return json::parse(r.out);
	} catch (const json::exception &e) {
		throw ProbeError("probe `" + cmd + "` printed no JSON (" + e.what() + "): " + r.out);
	}
}

namespace {

// iproute2 prints a JSON array for every listing; anything else is not the listing asked for.
json array_of(const std::string &cmd)
{
	json j = json_of(cmd);
	if (!j.is_array())
		throw ProbeError("probe `" + cmd + "` printed no JSON array: " + j.dump());
	return j;
}

} // namespace

std::vector<std::string> link_names()
{
	std::vector<std::string> names;
	for (const json &l : array_of("ip -j link show"))
		names.push_back(l.at("ifname").get<std::string>());
	return names;
}

bool has_link(const std::string &name)
{
	for (const std::string &n : link_names())
		if (n == name)
			return true;
	return false;
}

json link(const std::string &name)
{
	const std::string cmd = "ip -j link show dev " + name;
	json j = array_of(cmd);
	if (j.size() != 1 || j[0].at("ifname") != name)
		throw ProbeError("probe `" + cmd + "` did not list exactly " + name + ": " + j.dump());
	return j[0];
}

bool link_up(const std::string &name)
{
	const json l = link(name); // named: a temporary would die before the loop ends
	for (const json &f : l.at("flags"))
		if (f == "UP")
			return true;
	return false;
}

std::string xdp_prog_name(const std::string &ifname)
{
	json l = link(ifname);
	if (!l.contains("xdp"))
		return "";
	return l["xdp"].at("prog").at("name").get<std::string>();
}

json routes6(const std::string &what) { return array_of("ip -j -6 route show " + what); }

unsigned route_mtu(const json &route)
{
	if (route.contains("metrics"))
		for (const json &m : route["metrics"])
			if (m.contains("mtu"))
				return m["mtu"].get<unsigned>();
	return 0;
}

json tc_filters(const std::string &dev, const std::string &dir)
{
	return array_of("tc -j filter show dev " + dev + " " + dir);
}

std::string tc_egress_prog_name(const std::string &dev)
{
	// The listing holds a line per filter chain and one per filter; only filters have options.
	for (const json &f : tc_filters(dev, "egress"))
		if (f.contains("options") && f["options"].contains("prog"))
			return f["options"]["prog"].at("name").get<std::string>();
	return "";
}

} // namespace stf::ktest
