#pragma once
// A mini-batch iterator: every epoch a fresh permutation of the rows, drawn from the
// seeded generator; batches are consecutive slices of it (the last one may be short,
// as with PyTorch's DataLoader and drop_last=False).
#include <cstdint>
#include <numeric>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "core/rng.hpp"
#include "nn/layers.hpp"

namespace flow::data {

class Batches {
public:
    Batches(std::size_t rows, std::size_t batch) : order_(rows), batch_(batch) {
        std::iota(order_.begin(), order_.end(), 0u);
    }

    // Starts an epoch: a new order of the rows.
    void shuffle(Rng& rng) { rng.shuffle(order_); }

    std::size_t count() const { return (order_.size() + batch_ - 1) / batch_; }
    std::size_t begin(std::size_t i) const { return i * batch_; }
    std::size_t end(std::size_t i) const { return std::min(order_.size(), (i + 1) * batch_); }
    std::size_t size(std::size_t i) const { return end(i) - begin(i); }
    const std::vector<std::uint32_t>& order() const { return order_; }

    // Copies the rows of batch i of src (n, d) into dst (resized to (size, d)).
    template <class T>
    void gather(std::size_t i, const xt::xtensor<T, 2>& src, xt::xtensor<T, 2>& dst) const {
        const std::size_t d = src.shape(1);
        nn::ensure_shape(dst, size(i), d);
        for (std::size_t r = begin(i); r < end(i); ++r)
            for (std::size_t c = 0; c < d; ++c) dst(r - begin(i), c) = src(order_[r], c);
    }
    void gather(std::size_t i, const xt::xtensor<int, 1>& src, xt::xtensor<int, 1>& dst) const {
        if (dst.size() != size(i)) dst.resize({size(i)});
        for (std::size_t r = begin(i); r < end(i); ++r) dst(r - begin(i)) = src(order_[r]);
    }

private:
    std::vector<std::uint32_t> order_;
    std::size_t batch_;
};

}  // namespace flow::data
