// The static connections' rows as the engines walk them. The image keeps
// each source's row in the builder's order (by projection, then target);
// checkpoints hash it and release states are exported in it. An engine
// orders its own copy of each row by share (the CPU engine: the thread that
// owns the target; the CUDA engine has one share) and then by delay, stably,
// so that a share's arrivals of one spike fill one ring row after another
// instead of all of the ring's rows at random. Where the delays are kept per
// connection (drawn, as in the microcircuit) and a row has few distinct
// ones, each stretch of one share and one delay (a run) then keeps its delay
// once, and the per-connection delays are dropped: 2 B a connection less on
// the device, and the walk computes a ring row once a run. Both engines walk
// the same runs and sum in fixed point, so the order changes no result.
#pragma once

#include <algorithm>
#include <cstdint>
#include <exception>
#include <vector>

#include <fmt/format.h>

#include "host/errors.hpp"
#include "host/pack/image.hpp"

#if defined(_OPENMP)
#include <omp.h>
#endif

namespace ranvier {

struct static_rows {
  // shares > 1: where share k's stretch of row i starts, at i·(shares − 1) + k − 1.
  std::vector<std::uint64_t> part;
  // Where asked (keep): the image's index of each connection (perm[new] =
  // old), for the release states; else empty.
  std::vector<std::uint64_t> perm;
  // Delay runs, or all empty: row i's runs are run_row[i] … run_row[i + 1]
  // − 1; run r ends at row[i] + run_end[r], starts where the one before it
  // ends (the first at row[i]), lies in one share, and every connection in
  // it has delay run_delay[r] [steps].
  std::vector<std::uint64_t> run_row;
  std::vector<std::uint32_t> run_end;
  std::vector<std::uint32_t> run_delay;
  bool has_runs() const { return !run_row.empty(); }
};

// Whether runs pay: their bytes (8 a run, 8 a source) below those of the
// delays they replace (delay_bytes a connection: 2 or 4). (Runs are also
// made only while there are fewer than 2^32 of them.)
inline bool delay_runs_pay(std::uint64_t runs, std::uint64_t sources, std::uint64_t connections,
                           std::uint32_t delay_bytes) {
  return 8 * runs + 8 * (sources + 1) < static_cast<std::uint64_t>(delay_bytes) * connections;
}

// The runs a single-share ordering of img's static rows gives (the distinct
// delays of each row), without ordering anything; 0 where the delays are
// not kept per connection. For the device layout's bytes (the traffic
// model) before an engine exists.
template <class T> std::uint64_t single_share_delay_runs(const image<T>& img) {
  if (img.delay16.empty() && img.delay.empty()) return 0;
  std::uint64_t runs = 0;
  const auto nsources = static_cast<std::int64_t>(img.nsources);
#pragma omp parallel reduction(+ : runs)
  {
    std::vector<std::uint8_t> seen;
    std::vector<std::uint32_t> d;
#pragma omp for schedule(dynamic, 256)
    for (std::int64_t ii = 0; ii < nsources; ++ii) {
      const auto i = static_cast<std::size_t>(ii);
      const std::uint64_t a = img.row[i], b = img.row[i + 1];
      if (a == b) continue;
      std::uint32_t lo = img.delay_at(a), hi = lo;
      for (std::uint64_t c = a + 1; c < b; ++c) {
        lo = std::min(lo, img.delay_at(c));
        hi = std::max(hi, img.delay_at(c));
      }
      if (hi - lo <= 2 * (b - a) + 1024) {  // a mark per delay of the row's span
        seen.assign(hi - lo + 1, 0);
        for (std::uint64_t c = a; c < b; ++c) {
          auto& s = seen[img.delay_at(c) - lo];
          runs += s ? 0 : 1;
          s = 1;
        }
      } else {
        d.clear();
        for (std::uint64_t c = a; c < b; ++c) d.push_back(img.delay_at(c));
        std::sort(d.begin(), d.end());
        runs += static_cast<std::uint64_t>(std::unique(d.begin(), d.end()) - d.begin());
      }
    }
  }
  return runs;
}

// Orders img's static rows by (share, delay), stably (the builder's order
// within), moving every per-connection array (target, weight or class,
// delay, release states), and with `keep` recording perm; owner(t) gives
// the share (0 … shares − 1) of target t. With `runs` allowed and where
// they pay (delay_runs_pay), also makes the runs and empties img's
// per-connection delays. A row at a time, in place, rows shared among
// `threads` OpenMP threads (0: OpenMP's default): no whole-array
// permutation and copies (at 3e8 connections several GB, once the peak of
// setting up).
template <class T, class Owner>
static_rows order_static_rows(image<T>& img, int threads, std::size_t shares, Owner&& owner, bool keep,
                              bool runs) {
  static_rows out;
  const bool by_delay = !img.delay16.empty() || !img.delay.empty();
  if (shares <= 1 && !by_delay) return out;
  if (threads <= 0) {
#if defined(_OPENMP)
    threads = omp_get_max_threads();
#else
    threads = 1;
#endif
  }
  const std::size_t nsources = img.nsources;
  if (shares > 1) out.part.assign(nsources * (shares - 1), 0);
  if (keep) out.perm.resize(img.target.size());
  std::vector<std::uint64_t> nruns(by_delay ? nsources + 1 : 0, 0);  // per row, then where its runs start
  // f(c) for each connection c of (ordered) row i where a run starts: the
  // row's first, a new delay, or a share's first connection.
  const auto each_run_start = [&](std::size_t i, auto&& f) {
    const std::uint64_t a = img.row[i], b = img.row[i + 1];
    const std::uint64_t* starts = shares > 1 ? out.part.data() + i * (shares - 1) : nullptr;
    std::size_t k = 0;  // the next share start not before c: starts[k]
    for (std::uint64_t c = a; c < b; ++c) {
      while (k + 1 < shares && starts[k] < c) ++k;
      if (c == a || img.delay_at(c) != img.delay_at(c - 1) || (k + 1 < shares && starts[k] == c)) f(c);
    }
  };
  std::exception_ptr failure;
#pragma omp parallel num_threads(threads)
  {
    std::vector<std::uint64_t> bucket;  // per connection: share · span + delay − the row's least delay
    std::vector<std::uint64_t> fill;    // per bucket: where its next connection goes
    std::vector<std::uint32_t> from;    // from[new] = old, within the row
#pragma omp for schedule(dynamic, 256)
    for (std::int64_t ii = 0; ii < static_cast<std::int64_t>(nsources); ++ii) {
      try {
        const auto i = static_cast<std::size_t>(ii);
        const std::uint64_t a = img.row[i], n = img.row[i + 1] - a;
        // (The device walks a row with 32-bit offsets, 32 at a time.)
        if (n > (std::uint64_t{1} << 32) - 64)
          throw internal_error(fmt::format("static rows: source {} has {} connections; at most 2^32 - 64", i, n));
        // A counting sort by (share, delay): a row's delays usually span a
        // few dozen steps, not 65536.
        std::uint32_t dmin = 0, span = 1;
        if (by_delay && n > 0) {
          std::uint32_t dmax = img.delay_at(a);
          dmin = dmax;
          for (std::uint64_t c = a + 1; c < a + n; ++c) {
            dmin = std::min(dmin, img.delay_at(c));
            dmax = std::max(dmax, img.delay_at(c));
          }
          span = dmax - dmin + 1;
        }
        const std::uint64_t nbuckets = static_cast<std::uint64_t>(shares) * span;
        bucket.resize(n);
        from.resize(n);
        for (std::uint64_t c = 0; c < n; ++c) {
          const std::uint64_t o = shares > 1 ? owner(img.target[a + c]) : 0;
          const std::uint32_t d = by_delay ? img.delay_at(a + c) - dmin : 0;
          bucket[c] = o * span + d;
        }
        if (nbuckets <= 2 * n + 1024) {
          fill.assign(nbuckets + 1, 0);
          for (std::uint64_t c = 0; c < n; ++c) ++fill[bucket[c] + 1];
          for (std::size_t b = 1; b < fill.size(); ++b) fill[b] += fill[b - 1];
          for (std::size_t k = 1; k < shares; ++k) out.part[i * (shares - 1) + k - 1] = a + fill[k * span];
          for (std::uint64_t c = 0; c < n; ++c) from[fill[bucket[c]]++] = static_cast<std::uint32_t>(c);
        } else {  // delays spread over more steps than the row has connections
          for (std::uint64_t c = 0; c < n; ++c) from[c] = static_cast<std::uint32_t>(c);
          std::stable_sort(from.begin(), from.end(), [&](std::uint32_t x, std::uint32_t y) { return bucket[x] < bucket[y]; });
          for (std::size_t k = 1; k < shares; ++k)
            out.part[i * (shares - 1) + k - 1] =
                a + static_cast<std::uint64_t>(std::partition_point(from.begin(), from.end(), [&](std::uint32_t x) {
                      return bucket[x] < k * span;
                    }) - from.begin());
        }
        if (keep)
          for (std::uint64_t c = 0; c < n; ++c) out.perm[a + c] = a + from[c];
        bool moved = false;
        for (std::uint64_t c = 0; c < n && !moved; ++c) moved = from[c] != c;
        if (moved) {
          const auto reorder = [&](auto& v) {
            using V = typename std::decay_t<decltype(v)>::value_type;
            std::vector<V> row(v.begin() + static_cast<std::ptrdiff_t>(a), v.begin() + static_cast<std::ptrdiff_t>(a + n));
            for (std::uint64_t c = 0; c < n; ++c) v[a + c] = row[from[c]];
          };
          reorder(img.target);
          if (!img.weight.empty()) reorder(img.weight);
          if (!img.cls.empty()) reorder(img.cls);
          if (!img.delay.empty()) reorder(img.delay);
          if (!img.delay16.empty()) reorder(img.delay16);
          if (!img.release_state.empty()) reorder(img.release_state);
        }
        if (by_delay) each_run_start(i, [&](std::uint64_t) { ++nruns[i + 1]; });
      } catch (...) {
#pragma omp critical(ranvier_static_rows_failure)
        if (!failure) failure = std::current_exception();
      }
    }
  }
  if (failure) std::rethrow_exception(failure);
  if (!by_delay || !runs) return out;
  for (std::size_t i = 0; i < nsources; ++i) nruns[i + 1] += nruns[i];
  const std::uint32_t delay_bytes = img.delay16.empty() ? 4 : 2;
  // The device counts runs in 32 bits.
  if (nruns[nsources] >= (std::uint64_t{1} << 32) ||
      !delay_runs_pay(nruns[nsources], nsources, img.target.size(), delay_bytes))
    return out;
  out.run_end.resize(nruns[nsources]);
  out.run_delay.resize(nruns[nsources]);
#pragma omp parallel for num_threads(threads) schedule(dynamic, 256)
  for (std::int64_t ii = 0; ii < static_cast<std::int64_t>(nsources); ++ii) {
    const auto i = static_cast<std::size_t>(ii);
    std::uint64_t r = nruns[i];
    each_run_start(i, [&](std::uint64_t c) {
      if (r > nruns[i]) out.run_end[r - 1] = static_cast<std::uint32_t>(c - img.row[i]);
      out.run_delay[r++] = img.delay_at(c);
    });
    if (r > nruns[i]) out.run_end[r - 1] = static_cast<std::uint32_t>(img.row[i + 1] - img.row[i]);
  }
  out.run_row = std::move(nruns);
  img.delay16 = {};
  img.delay = {};
  return out;
}

}  // namespace ranvier
