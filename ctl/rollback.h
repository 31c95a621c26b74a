// Undo steps of a change in progress (attach, apply): run in reverse order when the object
// dies, unless the change completed (commit). An undo that fails is reported on stderr and
// the others still run: a partial undo leaves less behind than none.
#pragma once

#include <cstdio>
#include <exception>
#include <functional>
#include <vector>

namespace stf {

class Rollback {
public:
	Rollback() = default;
	Rollback(const Rollback &) = delete;
	Rollback &operator=(const Rollback &) = delete;
	template <typename F> void add(F undo) { undo_.emplace_back(std::move(undo)); }
	void commit() { undo_.clear(); }
	~Rollback()
	{
		for (auto it = undo_.rbegin(); it != undo_.rend(); ++it) {
			try {
				(*it)();
			} catch (const std::exception &e) {
				std::fprintf(stderr, "stf-xdp: rollback: %s\n", e.what());
			}
		}
	}

private:
	std::vector<std::function<void()>> undo_;
};

} // namespace stf
