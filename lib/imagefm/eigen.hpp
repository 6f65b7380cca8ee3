#pragma once
// The eigenvalues (ascending) and eigenvectors (columns) of a symmetric matrix, by
// LAPACK's dsyevd through xtensor-blas. Out of line: xtensor-blas's headers are kept to
// one file (as nn/blas.cpp keeps OpenBLAS's).
#include <utility>
#include <vector>

#include <xtensor/xtensor.hpp>

namespace flow::imagefm {

std::pair<std::vector<double>, xt::xtensor<double, 2>> symmetric_eigen(const xt::xtensor<double, 2>& a);

}  // namespace flow::imagefm
