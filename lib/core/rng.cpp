#include "core/rng.hpp"

#include <cmath>

#include "core/hash.hpp"

namespace flow {
namespace {

std::uint64_t splitmix64(std::uint64_t& x) {
    std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

Rng::Rng(std::uint64_t seed, std::string_view stream) {
    std::uint64_t x = seed ^ fnv1a64(stream);
    for (auto& s : s_) s = splitmix64(x);
}

std::uint64_t Rng::next_u64() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
}

double Rng::uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

double Rng::uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }

double Rng::normal() {
    if (has_spare_) {
        has_spare_ = false;
        return spare_normal_;
    }
    // u1 in (0, 1] keeps the logarithm finite.
    const double u1 = 1.0 - uniform();
    const double u2 = uniform();
    const double r = std::sqrt(-2.0 * std::log(u1));
    const double a = 2.0 * M_PI * u2;
    spare_normal_ = r * std::sin(a);
    has_spare_ = true;
    return r * std::cos(a);
}

std::uint64_t Rng::below(std::uint64_t n) {
    // Reject the top partial block of 2^64 so that every residue is equally likely.
    const std::uint64_t limit = -n % n;  // == 2^64 mod n
    for (;;) {
        const std::uint64_t r = next_u64();
        if (r >= limit) return r % n;
    }
}

}  // namespace flow
