// The FIB and MTUs of the BPF harness's network namespace (tests/bpf/harness.h), as a table
// the model can consult. It restates `ip route show table all` and `ip neigh` of that
// namespace; where it disagrees with the kernel the fuzzer reports a difference on a packet
// whose outer peer is the address concerned.
#pragma once

#include "model.h"

namespace fuzz {

class HarnessNet : public stf_model::Net {
public:
	stf_model::FibResult fib(uint32_t addr) const override;
	std::optional<uint32_t> fib6(const uint8_t dst[16], uint32_t from) const override;
	uint32_t mtu(uint32_t ifindex) const override;
};

} // namespace fuzz
