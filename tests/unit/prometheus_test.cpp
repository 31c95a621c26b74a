// stats --prometheus (ctl/output_prometheus.cpp): the text exposition format, checked line
// by line as a scraper parses it: one HELP and TYPE per family before its samples, every
// counter present with its value, label values escaped, nothing else.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "output.h"

namespace stf {
namespace {

using ::testing::HasSubstr;

std::string render(const std::vector<AttachmentStats> &list)
{
	std::ostringstream os;
	print_prometheus(os, list);
	return os.str();
}

AttachmentStats numbered(const std::string &ifname, uint64_t base)
{
	AttachmentStats s{ifname, CounterValues(STF_COUNTER_COUNT_)};
	for (uint32_t id = 0; id < STF_COUNTER_COUNT_; id++)
		s.counters[id] = {base + id, 1000 * (base + id)};
	return s;
}

TEST(Prometheus, EveryLineParsesAndEveryFamilyIsDeclaredOnceBeforeItsSamples)
{
	const std::string text = render({numbered("eth0", 0), numbered("eth1", 100)});
	static const std::regex help(R"(# HELP ([a-z_]+) \S.*)"), type(R"(# TYPE ([a-z_]+) counter)"),
		sample(R"(([a-z_]+)\{interface="[^"]*"(,reason="[a-z0-9_]+")?\} [0-9]+)");
	std::set<std::string> declared;
	std::istringstream in(text);
	std::smatch m;
	std::string pending;
	size_t samples = 0;
	for (std::string line; std::getline(in, line);) {
		if (std::regex_match(line, m, help)) {
			EXPECT_TRUE(declared.insert(m[1]).second) << "declared twice: " << line;
			pending = m[1];
		} else if (std::regex_match(line, m, type)) {
			EXPECT_EQ(m[1], pending) << "TYPE without its HELP: " << line;
		} else if (std::regex_match(line, m, sample)) {
			EXPECT_TRUE(declared.count(m[1])) << "sample before its family: " << line;
			EXPECT_TRUE(std::string(m[1]).size() > 6 &&
				    std::string(m[1]).compare(std::string(m[1]).size() - 6, 6, "_total") == 0)
				<< "a counter's name ends in _total: " << line;
			samples++;
		} else {
			ADD_FAILURE() << "not exposition format: " << line;
		}
	}
	// Per interface: packets and bytes of each STAT counter, one sample per PASS/DROP reason.
	size_t per_if = 0;
	for (const CounterInfo &c : counter_table())
		per_if += c.kind == CounterKind::stat ? 2 : 1;
	EXPECT_EQ(samples, 2 * per_if);
}

TEST(Prometheus, ValuesAndLabels)
{
	const std::string text = render({numbered("eth0", 0)});
	EXPECT_THAT(text, HasSubstr("\nstf_decap_packets_total{interface=\"eth0\"} 0\n"));
	EXPECT_THAT(text, HasSubstr("\nstf_encap_bytes_total{interface=\"eth0\"} 1000\n"));
	EXPECT_THAT(text, HasSubstr("\nstf_slow_path_packets_total{interface=\"eth0\"} " +
				    std::to_string(STF_C_slow_path) + "\n"));
	EXPECT_THAT(text, HasSubstr("\nstf_passed_packets_total{interface=\"eth0\",reason=\"pass_fragment\"} 2\n"));
	EXPECT_THAT(text, HasSubstr("\nstf_dropped_packets_total{interface=\"eth0\",reason=\"inner_dst_loop\"} " +
				    std::to_string(STF_C_inner_dst_loop) + "\n"));
	// Every drop reason is there, zeros included.
	const std::string zeros = render({{"eth0", CounterValues(STF_COUNTER_COUNT_)}});
	for (const CounterInfo &c : counter_table()) {
		if (c.kind == CounterKind::drop) {
			EXPECT_THAT(zeros, HasSubstr("reason=\"" + std::string(c.name) + "\"} 0\n"));
		}
	}
}

TEST(Prometheus, InterfaceNamesAreEscaped)
{
	const std::string text = render({numbered("a\"b\\c\nd", 0)});
	EXPECT_THAT(text, HasSubstr("{interface=\"a\\\"b\\\\c\\nd\"}"));
	EXPECT_THAT(text, ::testing::Not(HasSubstr("a\"b")));
}

} // namespace
} // namespace stf

namespace stf {
namespace {

TEST(Prometheus, ServiceGauges)
{
	std::ostringstream none;
	print_prometheus_service(none, "eth0", std::nullopt);
	EXPECT_EQ(none.str(), "# HELP stf_attached 1 if stf-xdp is attached to the interface, else 0\n"
			      "# TYPE stf_attached gauge\nstf_attached{interface=\"eth0\"} 0\n");
	AttachmentInfo info;
	info.ifname = "eth0";
	info.tunnel = "stf7";
	info.mode = Mode::relay;
	info.xdp_mode = XdpMode::generic;
	info.slow_path = false;
	std::ostringstream os;
	print_prometheus_service(os, "eth0", info);
	EXPECT_THAT(os.str(), HasSubstr("\nstf_attached{interface=\"eth0\"} 1\n"));
	EXPECT_THAT(os.str(), HasSubstr("\n# TYPE stf_attachment_info gauge\nstf_attachment_info{"
					"interface=\"eth0\",tunnel=\"stf7\",mode=\"relay\","
					"xdp_mode=\"generic\"} 1\n"));
	EXPECT_THAT(os.str(), HasSubstr("\nstf_slow_path_running{interface=\"eth0\"} 0\n"));
	// return-relay has no XDP program and so no slow path: no such gauge.
	info.xdp_mode.reset();
	info.slow_path.reset();
	std::ostringstream rr;
	print_prometheus_service(rr, "eth0", info);
	EXPECT_THAT(rr.str(), HasSubstr("xdp_mode=\"none\"} 1\n"));
	EXPECT_THAT(rr.str(), ::testing::Not(HasSubstr("stf_slow_path_running")));
}

} // namespace
} // namespace stf
