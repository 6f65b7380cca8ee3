#pragma once
// Fixed-width vectors of floats or doubles (GCC's vector extensions) and what the fused
// kernels do with them: load and store a vector from and to memory of any alignment, and
// sum its lanes in a fixed order (lane 0 first), so that a build gives the same bits on
// every run. narrow.hpp works on 32- or 64-byte vectors, wide.hpp on 64-byte ones (one
// AVX-512 register, or two AVX2 registers where there is none).
#include <cstring>

namespace flow::nn::vec {

template <class T, int Bytes>
struct Of {
    typedef T type __attribute__((vector_size(Bytes)));
};
template <class T, int Bytes>
using V = typename Of<T, Bytes>::type;
template <class T, int Bytes>
constexpr int lanes = int(Bytes / sizeof(T));

template <int Bytes, class T>
inline V<T, Bytes> load(const T* p) {
    V<T, Bytes> v;
    std::memcpy(&v, p, sizeof v);
    return v;
}
template <class T, class Vec>
inline void store(T* p, Vec v) {
    static_assert(sizeof(Vec) % sizeof(T) == 0, "vec::store: a vector of T");
    std::memcpy(p, &v, sizeof v);
}
// s in every lane, written out as an initialiser: one broadcast each. Built lane by lane
// in a loop, GCC assembles neighbouring splats with inserts; as V{} + s it keeps an
// addition for the sign of zero.
template <class T, int Bytes>
inline V<T, Bytes> splat(T s) {
    constexpr int n = lanes<T, Bytes>;
    static_assert(n == 4 || n == 8 || n == 16, "vec::splat: 4, 8 or 16 lanes");
    if constexpr (n == 4) return V<T, Bytes>{s, s, s, s};
    else if constexpr (n == 8) return V<T, Bytes>{s, s, s, s, s, s, s, s};
    else return V<T, Bytes>{s, s, s, s, s, s, s, s, s, s, s, s, s, s, s, s};
}
// The lanes summed in order, 0 to the last.
template <class T, class Vec>
inline T lane_sum(Vec v) {
    T s = v[0];
#pragma GCC unroll 16
    for (int l = 1; l < int(sizeof(Vec) / sizeof(T)); ++l) s += v[l];
    return s;
}

}  // namespace flow::nn::vec
