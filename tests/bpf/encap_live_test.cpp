// stf_encap on the real egress hook of the tunnel stand-in (stft0): what BPF_PROG_TEST_RUN
// cannot send, such as a frame shorter than an IPv6 header.
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/pkt_cls.h>
#include <net/if.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <functional>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include <bpf/libbpf.h>
#include <gtest/gtest.h>

#include "harness.h"
#include "stf.skel.h"
#include "encap_cases.h"
#include "packet.h"

namespace {

using namespace encapt;

// Attaches stf_encap to the egress of the tunnel stand-in (stft0) for the life of the object
// and removes exactly what it created.
class EgressAttachment {
public:
	explicit EgressAttachment(uint32_t ifindex)
	{
		hook_.sz = sizeof(hook_);
		hook_.ifindex = int(ifindex);
		hook_.attach_point = BPF_TC_EGRESS;
		int err = bpf_tc_hook_create(&hook_);
		if (err && err != -EEXIST) {
			error_ = "bpf_tc_hook_create: " + std::string(std::strerror(-err));
			return;
		}
		created_hook_ = err == 0;
		opts_.sz = sizeof(opts_);
		opts_.prog_fd = bpf_program__fd(stft::skel()->progs.stf_encap);
		err = bpf_tc_attach(&hook_, &opts_);
		if (err) {
			error_ = "bpf_tc_attach: " + std::string(std::strerror(-err));
			return;
		}
		attached_ = true;
	}
	~EgressAttachment()
	{
		if (attached_) {
			bpf_tc_opts del{};
			del.sz = sizeof(del);
			del.handle = opts_.handle;
			del.priority = opts_.priority;
			bpf_tc_detach(&hook_, &del);
		}
		if (created_hook_) {
			hook_.attach_point = bpf_tc_attach_point(BPF_TC_INGRESS | BPF_TC_EGRESS); // clsact
			bpf_tc_hook_destroy(&hook_);
		}
	}
	const std::string &error() const { return error_; }

private:
	bpf_tc_hook hook_{};
	bpf_tc_opts opts_{};
	bool created_hook_ = false;
	bool attached_ = false;
	std::string error_;
};

// PROG_TEST_RUN refuses IPv6 frames shorter than 54 bytes on this kernel, but the egress
// hook still sees them: an AF_PACKET socket may send any frame with protocol ETH_P_IPV6 out
// of the tunnel device. 34 bytes (Ethernet + 20 bytes of an IPv6 header) must be dropped as
// encap_truncated. IPv6 is disabled on every device of the namespace (main.cpp), so nothing
// else (DAD, MLD, RS) crosses the hook while the counters are compared.
TEST(EncapLive, TruncatedIpv6Frame)
{
	stf_config cfg = base_config();
	ASSERT_TRUE(stft::write_config(cfg));
	EgressAttachment att(stft::g_net.tunnel);
	ASSERT_EQ(att.error(), "");

	const Bytes full = Six{}.frame();
	const Bytes frame(full.begin(), full.begin() + kEthLen + 20);

	int fd = socket(AF_PACKET, SOCK_RAW, 0); // protocol 0: send only, receive nothing
	ASSERT_GE(fd, 0) << "socket(AF_PACKET): " << std::strerror(errno);
	sockaddr_ll sll{};
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = int(stft::g_net.tunnel);
	sll.sll_protocol = htons(ETH_P_IPV6);
	sll.sll_halen = ETH_ALEN;
	std::memcpy(sll.sll_addr, kTunDst.data(), ETH_ALEN);

	const auto before = stft::read_counters();
	// dev_queue_xmit runs the egress hook in this thread: counted when sendto returns.
	const ssize_t n = sendto(fd, frame.data(), frame.size(), 0,
				 reinterpret_cast<const sockaddr *>(&sll), sizeof(sll));
	const int send_errno = errno;
	const auto after = stft::read_counters();
	close(fd);

	// TC_ACT_SHOT on egress makes dev_queue_xmit return NET_XMIT_DROP; AF_PACKET reports it as
	// ENOBUFS or, depending on the kernel, success. Either way the counters tell.
	if (n < 0) {
		EXPECT_EQ(send_errno, ENOBUFS) << std::strerror(send_errno);
	}
	stft::expect_counter_delta(before, after, STF_C_encap_truncated, frame.size());
	if (!::testing::Test::HasFailure())
		stft::record_hit(STF_C_encap_truncated);
}

const bool kDeclaredLive = [] {
	stft::declare_expected(STF_C_encap_truncated);
	return true;
}();

} // namespace
