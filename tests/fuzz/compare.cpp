#include "compare.h"

#include <arpa/inet.h>
#include <linux/bpf.h>

#include <cstring>
#include <sstream>

#include "harness.h"
#include "oracle.h"

namespace fuzz {

namespace {

// The maps are written only when the configuration changes: the regression list and
// --case runs repeat one, the random cases almost never do.
struct Written {
	bool valid = false;
	stf_model::Config config;
};
Written g_written;

bool same_prefixes(const std::vector<stf_model::Prefix4> &a, const std::vector<stf_model::Prefix4> &b)
{
	if (a.size() != b.size())
		return false;
	for (size_t i = 0; i < a.size(); i++)
		if (a[i].addr != b[i].addr || a[i].len != b[i].len)
			return false;
	return true;
}

bool write_maps(const stf_model::Config &c)
{
	if (g_written.valid && std::memcmp(&g_written.config.cfg, &c.cfg, sizeof(c.cfg)) == 0 &&
	    same_prefixes(g_written.config.allow, c.allow) && same_prefixes(g_written.config.deny, c.deny) &&
	    same_prefixes(g_written.config.relays, c.relays) &&
	    same_prefixes(g_written.config.except, c.except))
		return true;
	g_written.valid = false;
	auto convert = [](const std::vector<stf_model::Prefix4> &in, std::vector<std::string> &text) {
		std::vector<stft::Prefix> out;
		for (const auto &p : in) {
			const in_addr a{htonl(p.addr)};
			char buf[INET_ADDRSTRLEN];
			inet_ntop(AF_INET, &a, buf, sizeof(buf));
			text.emplace_back(buf);
		}
		for (size_t i = 0; i < in.size(); i++)
			out.push_back({text[i].c_str(), in[i].len});
		return out;
	};
	std::vector<std::string> allow_text, deny_text, relay_text, except_text;
	allow_text.reserve(c.allow.size());
	deny_text.reserve(c.deny.size());
	relay_text.reserve(c.relays.size());
	except_text.reserve(c.except.size());
	const auto allow = convert(c.allow, allow_text);
	const auto deny = convert(c.deny, deny_text);
	const auto relays = convert(c.relays, relay_text);
	const auto except = convert(c.except, except_text);
	if (!stft::write_config(c.cfg) || !stft::write_filters(allow, deny, relays, except))
		return false;
	g_written = {true, c};
	return true;
}

// PROG_TEST_RUN's own checks (bpf_prog_test_run_skb): an IPv4 or IPv6 frame must hold the
// L3 header before the program may run, else -EINVAL. Only those refusals are expected.
bool refused_by_test_run(const Case &c, int err)
{
	if (!c.encap || err != -EINVAL || c.frame.size() < pkt::kEthLen)
		return false;
	const uint16_t type = pkt::get16(c.frame, 12);
	return (type == pkt::kEthIpv6 && c.frame.size() < pkt::kEthLen + pkt::kIpv6Len) ||
	       (type == pkt::kEthIpv4 && c.frame.size() < pkt::kEthLen + pkt::kIpv4Len);
}

void observe_counters(const std::vector<stf_counter> &before, const std::vector<stf_counter> &after,
		      size_t bytes, Observed &o)
{
	std::ostringstream problem;
	size_t moved = 0;
	for (uint32_t id = 0; id < before.size() && id < after.size(); id++) {
		const uint64_t dp = after[id].packets - before[id].packets;
		const uint64_t db = after[id].bytes - before[id].bytes;
		if (!dp && !db)
			continue;
		moved++;
		problem << " " << stft::counter_name(id) << "(+" << dp << " packets, +" << db
			<< " bytes)";
		if (dp == 1 && db == bytes)
			o.counter = id;
	}
	if (moved > 1 || (moved == 1 && !o.counter)) {
		o.counter.reset();
		o.counter_problem = "counters moved:" + problem.str() + ", expected one counter by 1 packet of " +
				    std::to_string(bytes) + " bytes";
	}
}

} // namespace

Comparison run_case(const Case &c)
{
	Comparison cmp;
	if (!write_maps(c.config)) {
		cmp.outcome = Outcome::HarnessError;
		cmp.why = "writing the configuration or the filter maps failed";
		return cmp;
	}
	const auto before = stft::read_counters();
	stft::RunResult r;
	if (c.encap) {
		__sk_buff ctx{};
		ctx.ifindex = stft::g_net.tunnel; // as the encap tests pass it: leaving the tunnel
		r = stft::run_tc(c.frame, ctx);
	} else {
		r = stft::run_xdp(c.frame);
	}
	const auto after = stft::read_counters();
	cmp.bpf.err = r.err;
	cmp.bpf.action = r.retval;
	cmp.bpf.out = r.out;
	if (r.err != 0) {
		cmp.outcome = refused_by_test_run(c, r.err) ? Outcome::NotComparable : Outcome::Disagree;
		cmp.why = "BPF_PROG_TEST_RUN failed: " + std::string(std::strerror(-r.err));
		return cmp;
	}
	observe_counters(before, after, c.frame.size(), cmp.bpf);

	const HarnessNet net;
	if (c.encap) {
		// The outer IP ID is random: the model writes the one the program chose.
		const bool pushed = r.out.size() == c.frame.size() + pkt::kIpv4Len;
		const uint16_t id = pushed ? pkt::get16(r.out, pkt::kEthLen + 4) : 0;
		cmp.model = stf_model::encap(c.frame, c.config, net, id);
	} else {
		cmp.model = stf_model::decap(c.frame, c.config, net);
	}

	std::string why;
	if (cmp.bpf.action != cmp.model.action)
		why += "verdict differs; ";
	if (!cmp.bpf.counter_problem.empty())
		why += cmp.bpf.counter_problem + "; ";
	else if (cmp.bpf.counter != cmp.model.counter)
		why += "counter differs; ";
	if (cmp.model.out_compared && cmp.bpf.out != cmp.model.out)
		why += "output bytes differ; ";
	if (!why.empty()) {
		cmp.outcome = Outcome::Disagree;
		cmp.why = why;
	}
	return cmp;
}

std::string report(uint64_t seed, const std::string &index, const Case &c, const Comparison &cmp)
{
	const bool tc = c.encap;
	stf_model::Result bpf_as_result;
	bpf_as_result.action = cmp.bpf.action;
	bpf_as_result.counter = cmp.bpf.counter;
	std::ostringstream os;
	os << "DISAGREEMENT: " << cmp.why << "\n"
	   << "  seed " << seed << ", case " << index
	   << (index.find_first_not_of("0123456789") == std::string::npos
		       ? " (replay: stf_fuzz --seed " + std::to_string(seed) + " --case " + index + ")"
		       : std::string(" (a fixed input: every run compares it)"))
	   << "\n"
	   << "  " << (tc ? "encap (tc)" : "decap (XDP)") << ", input " << c.origin << "\n"
	   << "config:\n"
	   << describe_config(c.config) << "input (" << c.frame.size() << " bytes):\n"
	   << pkt::hexdump(c.frame) << "\n";
	if (cmp.bpf.err)
		os << "BPF: PROG_TEST_RUN error " << std::strerror(-cmp.bpf.err) << "\n";
	else
		os << "BPF:   " << stf_model::describe(bpf_as_result, tc)
		   << (cmp.bpf.counter_problem.empty() ? "" : " [" + cmp.bpf.counter_problem + "]")
		   << "\n";
	os << "model: " << stf_model::describe(cmp.model, tc)
	   << (cmp.model.out_compared ? "" : " (output not compared: dropped after the push)")
	   << "\n";
	if (!cmp.bpf.err && cmp.model.out_compared && cmp.bpf.out != cmp.model.out)
		os << "output, model = expected, BPF = actual: " << pkt::diff(cmp.model.out, cmp.bpf.out)
		   << "\n";
	else
		os << "output bytes: " << (cmp.model.out_compared ? "equal" : "not compared") << " ("
		   << cmp.bpf.out.size() << " bytes)\n";
	return os.str();
}

} // namespace fuzz
