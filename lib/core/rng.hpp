#pragma once
// A seeded random generator whose streams make every run repeatable bit for bit.
//
// xoshiro256** (Blackman & Vigna), seeded through splitmix64 from a (seed, stream
// name) pair: each consumer (data, initialisation, shuffling, noise) draws from its
// own named stream, so adding draws to one never shifts the numbers of another.
// The distributions are written here, not taken from <random>, whose normal and
// uniform_real algorithms are left to the standard library implementation.
#include <cstdint>
#include <string_view>
#include <vector>

namespace flow {

class Rng {
public:
    Rng(std::uint64_t seed, std::string_view stream);

    std::uint64_t next_u64();
    double uniform();                        // [0, 1), 53 random bits
    double uniform(double lo, double hi);    // [lo, hi)
    double normal();                         // N(0, 1), Box-Muller
    std::uint64_t below(std::uint64_t n);    // uniform integer in [0, n), unbiased

    // Fisher-Yates shuffle of v in place.
    template <class T>
    void shuffle(std::vector<T>& v) {
        for (std::size_t i = v.size(); i > 1; --i) {
            std::size_t j = static_cast<std::size_t>(below(i));
            std::swap(v[i - 1], v[j]);
        }
    }

private:
    std::uint64_t s_[4];
    double spare_normal_ = 0.0;
    bool has_spare_ = false;
};

}  // namespace flow
