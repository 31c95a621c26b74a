// The fuzzer's random numbers: one generator per case, seeded from (seed, case index), so any
// case can be regenerated alone (stf_fuzz --seed S --case I) without replaying the ones before.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace fuzz {

class Rng {
public:
	explicit Rng(uint64_t seed) : state_(seed) {}
	Rng(uint64_t seed, uint64_t index) : state_(seed * 0x9e3779b97f4a7c15ull ^ (index + 1))
	{
		next(); // decorrelate neighbouring indexes
	}

	// SplitMix64: tiny, fast, and its output passes BigCrush; good enough to pick mutations.
	uint64_t next()
	{
		uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
		return z ^ (z >> 31);
	}
	uint32_t u32() { return uint32_t(next()); }
	uint16_t u16() { return uint16_t(next()); }
	uint8_t u8() { return uint8_t(next()); }
	// Uniform in [0, n); n > 0.
	size_t below(size_t n) { return size_t(next() % n); }
	// Uniform in [lo, hi].
	size_t range(size_t lo, size_t hi) { return lo + below(hi - lo + 1); }
	// True with probability num/den.
	bool chance(unsigned num, unsigned den) { return below(den) < num; }
	template <typename T> const T &pick(const std::vector<T> &v) { return v[below(v.size())]; }

private:
	uint64_t state_;
};

} // namespace fuzz
