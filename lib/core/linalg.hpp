#pragma once
// Small dense linear algebra, written out: LU with partial pivoting (for a general
// matrix's log |det| and solves) and the triangular solves it reduces to. Row-major
// (n, n) matrices; right-hand sides are the rows of a (B, n) batch, as points are.
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <utility>
#include <vector>

#include "nn/layers.hpp"

namespace flow::linalg {

using nn::Mat;

// P A = L U in place: U on and above the diagonal, L (unit diagonal) below; piv[i] is
// the row swapped into row i at step i. About 2 n^3 / 3 flops.
struct LU {
    Mat<double> lu;
    std::vector<std::size_t> piv;
    int sign = 1;  // of the permutation
};

inline LU lu_factor(Mat<double> a) {
    const std::size_t n = a.shape(0);
    if (a.shape(1) != n) throw std::invalid_argument("lu_factor needs a square matrix");
    LU f{std::move(a), std::vector<std::size_t>(n), 1};
    Mat<double>& m = f.lu;
    for (std::size_t k = 0; k < n; ++k) {
        std::size_t p = k;
        for (std::size_t i = k + 1; i < n; ++i)
            if (std::fabs(m(i, k)) > std::fabs(m(p, k))) p = i;
        f.piv[k] = p;
        if (p != k) {
            for (std::size_t j = 0; j < n; ++j) std::swap(m(k, j), m(p, j));
            f.sign = -f.sign;
        }
        const double pivot = m(k, k);
        if (pivot == 0.0) continue;  // singular: log |det| is -inf
        for (std::size_t i = k + 1; i < n; ++i) {
            const double l = m(i, k) / pivot;
            m(i, k) = l;
            double* __restrict row = &m(i, 0);
            const double* __restrict top = &m(k, 0);
            for (std::size_t j = k + 1; j < n; ++j) row[j] -= l * top[j];
        }
    }
    return f;
}

inline double log_abs_det(const LU& f) {
    double s = 0;
    for (std::size_t i = 0; i < f.lu.shape(0); ++i) s += std::log(std::fabs(f.lu(i, i)));
    return s;
}

inline double log_abs_det(const Mat<double>& a) { return log_abs_det(lu_factor(a)); }

// Solves L y = b for every row b of rhs (L lower triangular, its diagonal used unless
// unit), in place: forward substitution, n^2 flops a row.
inline void lower_solve(const Mat<double>& l, Mat<double>& rhs, bool unit = false) {
    const std::size_t n = l.shape(0);
    for (std::size_t r = 0; r < rhs.shape(0); ++r) {
        double* __restrict y = &rhs(r, 0);
        for (std::size_t i = 0; i < n; ++i) {
            const double* __restrict li = &l(i, 0);
            double v = y[i];
            for (std::size_t j = 0; j < i; ++j) v -= li[j] * y[j];
            y[i] = unit ? v : v / li[i];
        }
    }
}

// Solves U y = b for every row b of rhs (U upper triangular): back substitution.
inline void upper_solve(const Mat<double>& u, Mat<double>& rhs) {
    const std::size_t n = u.shape(0);
    for (std::size_t r = 0; r < rhs.shape(0); ++r) {
        double* __restrict y = &rhs(r, 0);
        for (std::size_t i = n; i-- > 0;) {
            const double* __restrict ui = &u(i, 0);
            double v = y[i];
            for (std::size_t j = i + 1; j < n; ++j) v -= ui[j] * y[j];
            y[i] = v / ui[i];
        }
    }
}

// Solves A y = b for every row b of rhs, given A's LU.
inline void lu_solve(const LU& f, Mat<double>& rhs) {
    const std::size_t n = f.lu.shape(0);
    for (std::size_t r = 0; r < rhs.shape(0); ++r)
        for (std::size_t k = 0; k < n; ++k)
            if (f.piv[k] != k) std::swap(rhs(r, k), rhs(r, f.piv[k]));
    lower_solve(f.lu, rhs, true);
    upper_solve(f.lu, rhs);
}

// L^-1 for the Cholesky factor L of a symmetric positive-definite S = L L^T (L lower
// triangular with a positive diagonal): the lower-triangular W with W S W^T = I.
inline Mat<double> inverse_cholesky(const Mat<double>& S) {
    const std::size_t d = S.shape(0);
    Mat<double> L = xt::zeros<double>({d, d}), W = L;
    for (std::size_t j = 0; j < d; ++j) {
        double v = S(j, j);
        for (std::size_t k = 0; k < j; ++k) v -= L(j, k) * L(j, k);
        if (!(v > 0)) throw std::invalid_argument("inverse_cholesky needs a positive-definite matrix");
        L(j, j) = std::sqrt(v);
        for (std::size_t i = j + 1; i < d; ++i) {
            double w = S(i, j);
            for (std::size_t k = 0; k < j; ++k) w -= L(i, k) * L(j, k);
            L(i, j) = w / L(j, j);
        }
    }
    for (std::size_t c = 0; c < d; ++c)  // W = L^-1, column by column
        for (std::size_t i = c; i < d; ++i) {
            double v = i == c ? 1.0 : 0.0;
            for (std::size_t k = c; k < i; ++k) v -= L(i, k) * W(k, c);
            W(i, c) = v / L(i, i);
        }
    return W;
}

// The Jacobian (out, in) of map at the one-row point x by central differences of step h;
// map takes and returns a (1, D) row.
template <class Map>
Mat<double> numeric_jacobian(Map map, const Mat<double>& x, double h = 1e-6) {
    const std::size_t D = x.shape(1);
    Mat<double> J;
    for (std::size_t c = 0; c < D; ++c) {
        Mat<double> up = x, down = x;
        up(0, c) += h;
        down(0, c) -= h;
        const Mat<double> zu = map(up), zd = map(down);
        if (c == 0) J = Mat<double>::from_shape({zu.shape(1), D});
        for (std::size_t r = 0; r < zu.shape(1); ++r) J(r, c) = (zu(0, r) - zd(0, r)) / (2 * h);
    }
    return J;
}

}  // namespace flow::linalg
