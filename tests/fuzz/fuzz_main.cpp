// stf_fuzz: differential fuzzing of the BPF dataplane against the reference model.
//
//   stf_fuzz --seed S|time --count N [--case I] [--keep-going]
//
// Builds the BPF tests' network namespace and skeleton (tests/bpf/harness.h), runs the fixed
// inputs (regressions.h, then the deterministic sweep of sweep.h), then N random cases drawn
// from the seed: each is a random configuration and a frame mutated from a valid 6to4
// packet, run through the real program with BPF_PROG_TEST_RUN and through the model. Any
// difference in verdict, counter or output bytes is printed with everything needed to replay
// it, and the exit status is 1. --case I runs only random case I of the seed; --keep-going
// reports every disagreement instead of stopping at the first.
//
// Not comparable (counted as skipped): frames PROG_TEST_RUN itself refuses with -EINVAL
// before the program runs, i.e. tc frames of EtherType IPv6 shorter than 14 + 40 bytes (or
// IPv4 shorter than 14 + 20).
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <map>
#include <optional>
#include <string>

#include "compare.h"
#include "harness.h"
#include "regressions.h"
#include "sweep.h"

namespace {

struct Options {
	uint64_t seed = 0;
	uint64_t count = 10000;
	std::optional<uint64_t> only_case;
	bool keep_going = false;
};

[[noreturn]] void usage(const char *why)
{
	std::fprintf(stderr,
		     "stf_fuzz: %s\nusage: stf_fuzz [--seed S|time] [--count N] [--case I] "
		     "[--keep-going]\n",
		     why);
	std::exit(2);
}

uint64_t number(const char *text, const char *what)
{
	char *end = nullptr;
	errno = 0;
	const unsigned long long v = std::strtoull(text, &end, 0);
	if (errno || !end || *end || end == text)
		usage((std::string("bad ") + what + " '" + text + "'").c_str());
	return v;
}

Options parse(int argc, char **argv)
{
	Options o;
	bool seeded = false;
	for (int i = 1; i < argc; i++) {
		const std::string a = argv[i];
		auto value = [&]() -> const char * {
			if (i + 1 >= argc)
				usage((a + " needs a value").c_str());
			return argv[++i];
		};
		if (a == "--seed") {
			const std::string v = value();
			seeded = v != "time";
			if (seeded)
				o.seed = number(v.c_str(), "seed");
		} else if (a == "--count") {
			o.count = number(value(), "count");
		} else if (a == "--case") {
			o.only_case = number(value(), "case");
		} else if (a == "--keep-going") {
			o.keep_going = true;
		} else {
			usage(("unknown argument " + a).c_str());
		}
	}
	if (!seeded) // a new seed every run, printed so that any failure can be replayed
		o.seed = uint64_t(std::time(nullptr)) ^
			 uint64_t(std::chrono::steady_clock::now().time_since_epoch().count());
	return o;
}

struct Stats {
	uint64_t decap = 0, encap = 0, skipped = 0, regressions = 0, sweep = 0, disagreements = 0;
	std::map<uint32_t, uint64_t> reasons; // the model's counter per compared case
	uint64_t uncounted = 0;
};

// Runs one case; false if the run must stop.
bool one(const Options &o, const std::string &index, const fuzz::Case &c, Stats &s)
{
	const fuzz::Comparison cmp = fuzz::run_case(c);
	switch (cmp.outcome) {
	case fuzz::Outcome::HarnessError:
		std::fprintf(stderr, "stf_fuzz: case %s: %s\n", index.c_str(), cmp.why.c_str());
		s.disagreements++;
		return false;
	case fuzz::Outcome::NotComparable: s.skipped++; return true;
	case fuzz::Outcome::Disagree:
		std::printf("%s", fuzz::report(o.seed, index, c, cmp).c_str());
		std::fflush(stdout);
		s.disagreements++;
		return o.keep_going;
	case fuzz::Outcome::Agree: break;
	}
	(c.encap ? s.encap : s.decap)++;
	if (cmp.model.counter)
		s.reasons[*cmp.model.counter]++;
	else
		s.uncounted++;
	return true;
}

void print_reasons(const Stats &s)
{
	std::printf("outcomes (model counter: cases):");
	int n = 0;
	for (const auto &[id, hits] : s.reasons)
		std::printf("%s %s:%" PRIu64, n++ % 6 ? "" : "\n ", stft::counter_name(id), hits);
	std::printf("\n  (no counter): %" PRIu64 "\nnever reached:", s.uncounted);
	for (uint32_t id = 0; id < STF_COUNTER_COUNT_; id++)
		if (!s.reasons.count(id))
			std::printf(" %s", stft::counter_name(id));
	std::printf("\n");
}

} // namespace

int main(int argc, char **argv)
{
	const Options o = parse(argc, argv);
	std::printf("stf_fuzz: seed %" PRIu64 " (replay with --seed %" PRIu64 "), %s\n", o.seed,
		    o.seed,
		    o.only_case ? ("case " + std::to_string(*o.only_case)).c_str()
				: (std::to_string(o.count) + " cases").c_str());
	std::fflush(stdout);
	if (!stft::setup_all())
		return 2;

	const auto start = std::chrono::steady_clock::now();
	Stats s;
	bool go_on = true;
	if (!o.only_case) {
		const auto &list = fuzz::regressions();
		for (size_t i = 0; i < list.size() && go_on; i++) {
			fuzz::Case c = list[i].make();
			c.origin += std::string(" [regression: ") + list[i].why + "]";
			go_on = one(o, std::string("regression ") + list[i].name, c, s);
			s.regressions++;
		}
		const auto sweep = fuzz::sweep_cases();
		for (size_t i = 0; i < sweep.size() && go_on; i++) {
			go_on = one(o, "sweep " + std::to_string(i), sweep[i], s);
			s.sweep++;
		}
	}
	const uint64_t first = o.only_case ? *o.only_case : 0;
	const uint64_t last = o.only_case ? first + 1 : o.count;
	for (uint64_t i = first; i < last && go_on; i++)
		go_on = one(o, std::to_string(i), fuzz::make_case(o.seed, i), s);
	const double secs =
		std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

	stft::unload_skeleton();
	print_reasons(s);
	std::printf("stf_fuzz: seed %" PRIu64 ": compared %" PRIu64 " packets (decap %" PRIu64
		    ", encap %" PRIu64 "; inputs: %" PRIu64 " regression, %" PRIu64 " sweep, %" PRIu64
		    " random), skipped %" PRIu64 " not comparable (PROG_TEST_RUN refuses the frame), %" PRIu64
		    " disagreements, %.1f s\n",
		    o.seed, s.decap + s.encap, s.decap, s.encap, s.regressions, s.sweep, last - first,
		    s.skipped, s.disagreements, secs);
	if (s.disagreements)
		return 1;
	if (s.decap + s.encap == 0) {
		std::fprintf(stderr, "stf_fuzz: nothing was compared\n");
		return 1;
	}
	return 0;
}
