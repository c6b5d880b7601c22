// Small dense linear algebra for the model initialisation (row-major, double accumulation): Gram
// matrices, Cholesky factorisation and triangular solves, orthonormalisation, symmetric eigenvectors.
#pragma once

#include <cstdint>
#include <vector>

namespace cwb {

/** Y^T Y of Y (rows x k, row-major), a symmetric k x k matrix. */
std::vector<double> Gram(const std::vector<float>& Y, int64_t rows, int64_t k);

/** Copies the lower triangle of the n x n matrix A onto its upper triangle. */
void MirrorLower(std::vector<double>& A, int64_t n);

/** Adds relative * trace(A) / n to the diagonal: a ridge that keeps A positive definite. */
void AddRidge(std::vector<double>& A, int64_t n, double relative);

/** Lower-triangular L with A = L L^T (A symmetric positive definite, n x n). */
std::vector<double> Cholesky(const std::vector<double>& A, int64_t n);

/** x with L x = b (forward substitution). */
void SolveLower(const std::vector<double>& L, int64_t n, const float* b, double* x);

/** x with L^T x = y (back substitution), written as floats. */
void SolveLowerTransposed(const std::vector<double>& L, int64_t n, const double* y, float* x);

/** Orthonormal columns spanning Y's (rows x k) by Cholesky QR, twice for accuracy; in place. */
void Orthonormalize(std::vector<float>& Y, int64_t rows, int64_t k);

/** Eigen-decomposition of a symmetric n x n matrix by cyclic Jacobi: values in w, vectors in the columns of V. */
void SymmetricEigen(std::vector<double> A, int64_t n, std::vector<double>& w, std::vector<double>& V);

}  // namespace cwb
