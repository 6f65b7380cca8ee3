#pragma once
// A view of one parameter tensor and its gradient, flat, for the optimiser and the
// checkpoints. Layers hand these out; they own the storage.
#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

namespace flow::nn {

template <class T>
struct ParamRef {
    std::string name;
    T* value;
    T* grad;
    std::vector<std::size_t> shape;
    std::size_t size() const {
        std::size_t n = 1;
        for (auto s : shape) n *= s;
        return n;
    }
};

template <class T>
using Params = std::vector<ParamRef<T>>;

template <class T>
void zero_grad(const Params<T>& ps) {
    // The size once per parameter: as the loop's bound, p.size() (a product over the
    // shape) was recomputed for every element, which took a tenth of a flow-matching epoch.
    for (const auto& p : ps) std::fill_n(p.grad, p.size(), T(0));
}

// Every parameter of a single-precision network (anything with params(Params<float>&)).
template <class Net>
Params<float> params_of(Net& net) {
    Params<float> ps;
    net.params(ps);
    return ps;
}

}  // namespace flow::nn
