// Dense linear algebra for the model initialisation (see linearAlgebra.h).
#include "linearAlgebra.h"

#include <cmath>
#include <stdexcept>

namespace cwb {

std::vector<double> Gram(const std::vector<float>& Y, int64_t rows, int64_t k) {
  std::vector<double> G(static_cast<size_t>(k * k), 0.0);
  for (int64_t r = 0; r < rows; r++) {
    const float* y = Y.data() + r * k;
    for (int64_t i = 0; i < k; i++)
      for (int64_t j = 0; j <= i; j++) G[i * k + j] += static_cast<double>(y[i]) * y[j];
  }
  MirrorLower(G, k);
  return G;
}

void MirrorLower(std::vector<double>& A, int64_t n) {
  for (int64_t i = 0; i < n; i++)
    for (int64_t j = 0; j < i; j++) A[j * n + i] = A[i * n + j];
}

void AddRidge(std::vector<double>& A, int64_t n, double relative) {
  double trace = 0;
  for (int64_t i = 0; i < n; i++) trace += A[i * n + i];
  for (int64_t i = 0; i < n; i++) A[i * n + i] += relative * trace / static_cast<double>(n);
}

std::vector<double> Cholesky(const std::vector<double>& A, int64_t n) {
  std::vector<double> L(static_cast<size_t>(n * n), 0.0);
  for (int64_t i = 0; i < n; i++) {
    for (int64_t j = 0; j <= i; j++) {
      double sum = A[i * n + j];
      for (int64_t k = 0; k < j; k++) sum -= L[i * n + k] * L[j * n + k];
      if (i == j) {
        if (!(sum > 0)) throw std::runtime_error("bigram start: singular matrix");
        L[i * n + i] = std::sqrt(sum);
      } else {
        L[i * n + j] = sum / L[j * n + j];
      }
    }
  }
  return L;
}

void SolveLower(const std::vector<double>& L, int64_t n, const float* b, double* x) {
  for (int64_t i = 0; i < n; i++) {
    double sum = b[i];
    for (int64_t j = 0; j < i; j++) sum -= L[i * n + j] * x[j];
    x[i] = sum / L[i * n + i];
  }
}

void SolveLowerTransposed(const std::vector<double>& L, int64_t n, const double* y, float* x) {
  for (int64_t i = n - 1; i >= 0; i--) {
    double sum = y[i];
    for (int64_t j = i + 1; j < n; j++) sum -= L[j * n + i] * x[j];
    x[i] = static_cast<float>(sum / L[i * n + i]);
  }
}

void Orthonormalize(std::vector<float>& Y, int64_t rows, int64_t k) {
  for (int pass = 0; pass < 2; pass++) {
    std::vector<double> G = Gram(Y, rows, k);
    AddRidge(G, k, 1e-10);
    const std::vector<double> L = Cholesky(G, k);  // Y = Q L^T  ->  each row q solves L q = y
    std::vector<double> q(static_cast<size_t>(k));
    for (int64_t r = 0; r < rows; r++) {
      float* y = Y.data() + r * k;
      SolveLower(L, k, y, q.data());
      for (int64_t i = 0; i < k; i++) y[i] = static_cast<float>(q[i]);
    }
  }
}

void SymmetricEigen(std::vector<double> A, int64_t n, std::vector<double>& w, std::vector<double>& V) {
  V.assign(static_cast<size_t>(n * n), 0.0);
  for (int64_t i = 0; i < n; i++) V[i * n + i] = 1.0;
  for (int sweep = 0; sweep < 30; sweep++) {
    double off = 0;
    for (int64_t i = 0; i < n; i++)
      for (int64_t j = i + 1; j < n; j++) off += A[i * n + j] * A[i * n + j];
    if (off < 1e-22) break;
    for (int64_t p = 0; p < n; p++) {
      for (int64_t q = p + 1; q < n; q++) {
        const double apq = A[p * n + q];
        if (std::fabs(apq) < 1e-300) continue;
        const double theta = (A[q * n + q] - A[p * n + p]) / (2 * apq);
        const double t = (theta >= 0 ? 1.0 : -1.0) / (std::fabs(theta) + std::sqrt(theta * theta + 1));
        const double c = 1 / std::sqrt(t * t + 1), sn = t * c;
        for (int64_t k = 0; k < n; k++) {
          const double akp = A[k * n + p], akq = A[k * n + q];
          A[k * n + p] = c * akp - sn * akq;
          A[k * n + q] = sn * akp + c * akq;
        }
        for (int64_t k = 0; k < n; k++) {
          const double apk = A[p * n + k], aqk = A[q * n + k];
          A[p * n + k] = c * apk - sn * aqk;
          A[q * n + k] = sn * apk + c * aqk;
        }
        for (int64_t k = 0; k < n; k++) {
          const double vkp = V[k * n + p], vkq = V[k * n + q];
          V[k * n + p] = c * vkp - sn * vkq;
          V[k * n + q] = sn * vkp + c * vkq;
        }
      }
    }
  }
  w.resize(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; i++) w[i] = A[i * n + i];
}

}  // namespace cwb
