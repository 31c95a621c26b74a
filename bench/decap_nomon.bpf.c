// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The baseline of bench/monitor_bench.cpp: bpf/decap.bpf.c itself, compiled without the
 * monitor's hook in the counter helper (STF_BENCH_NO_MONITOR, bpf/lib/counters.h), i.e. the
 * decapsulator as it was before `stf-xdp monitor`. Only the benchmark builds it.
 */
#define STF_BENCH_NO_MONITOR 1
#include "../bpf/decap.bpf.c"
