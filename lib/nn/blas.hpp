#pragma once
// Thin overloads over CBLAS gemm for row-major xtensor buffers, so that layers can
// multiply into preallocated outputs (xt::linalg::dot allocates a fresh result on
// every call) and be instantiated in float for training and double for the
// gradient checks.
#include <string>

namespace flow::nn {

// C (M,N) = alpha * op(A) * op(B) + beta * C, all row-major; op(A) is (M,K).
// Defined out of line: OpenBLAS's cblas.h and the CBLAS declarations bundled with
// xtensor-blas conflict, so only blas.cpp sees the former.
void gemm(bool ta, bool tb, int M, int N, int K, float alpha, const float* A, int lda,
          const float* B, int ldb, float beta, float* C, int ldc);
void gemm(bool ta, bool tb, int M, int N, int K, double alpha, const double* A, int lda,
          const double* B, int ldb, double beta, double* C, int ldc);

// One BLAS thread: parallel work belongs to make, and it keeps runs repeatable.
void use_single_thread_blas();
// OpenBLAS's build description (version, target, threading).
std::string blas_config();

}  // namespace flow::nn
