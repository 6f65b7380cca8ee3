#include "imagefm/eigen.hpp"

#include <xtensor-blas/xlinalg.hpp>

namespace flow::imagefm {

std::pair<std::vector<double>, xt::xtensor<double, 2>> symmetric_eigen(const xt::xtensor<double, 2>& a) {
    const auto [values, vectors] = xt::linalg::eigh(a);
    return {std::vector<double>(values.begin(), values.end()), xt::xtensor<double, 2>(vectors)};
}

}  // namespace flow::imagefm
