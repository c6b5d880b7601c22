// Probe: does ggml's backward pass reach a key projection that feeds attention through a KV cache?
// It builds, against the prebuilt libggml-base, the two shapes llama.cpp's graph could take and
// reports which parameters get a gradient. test/distill/kvCacheGradient.test.ts builds and runs it:
//   g++ -std=c++17 -I<llama-src>/ggml/include kvCacheGradient.cpp -L<bins> -lggml-base -Wl,-rpath,<bins>
#include <cstdio>
#include <sys/wait.h>
#include <unistd.h>

#include "ggml.h"

namespace {

constexpr int kEmbd = 8;
constexpr int kTokens = 4;
constexpr int kCacheCells = 16;

// readsCacheLeaf: attention reads a view of the cache tensor itself (what llama.cpp does);
// otherwise it reads a view of the set_rows result (the only way a gradient could flow back).
// cacheIsParam: the cache tensor flagged as a parameter, so the backward yields dL/dK (post-rope).
void buildAndReport(bool readsCacheLeaf, bool cacheIsParam) {
    ggml_init_params params = {64 * 1024 * 1024, nullptr, false};
    ggml_context *ctx = ggml_init(params);
    ggml_tensor *x = ggml_new_tensor_2d(ctx, GGML_TYPE_F32, kEmbd, kTokens);
    ggml_tensor *wq = ggml_new_tensor_2d(ctx, GGML_TYPE_F32, kEmbd, kEmbd);
    ggml_tensor *wk = ggml_new_tensor_2d(ctx, GGML_TYPE_F32, kEmbd, kEmbd);
    ggml_set_name(wq, "attn_q.weight");
    ggml_set_name(wk, "attn_k.weight");
    ggml_set_param(wq);
    ggml_set_param(wk);
    ggml_tensor *cache = ggml_new_tensor_2d(ctx, GGML_TYPE_F32, kEmbd, kCacheCells);
    ggml_set_name(cache, "cache_k_l0");
    if (cacheIsParam) {
        ggml_set_param(cache);
    }
    ggml_tensor *cells = ggml_new_tensor_1d(ctx, GGML_TYPE_I64, kTokens);

    ggml_tensor *q = ggml_mul_mat(ctx, wq, x);
    ggml_tensor *k = ggml_mul_mat(ctx, wk, x);
    ggml_tensor *stored = ggml_set_rows(ctx, cache, k, cells);
    ggml_tensor *source = readsCacheLeaf ? cache : stored;
    ggml_tensor *kView = ggml_view_2d(ctx, source, kEmbd, kTokens, source->nb[1], 0);
    ggml_tensor *loss = ggml_sum(ctx, ggml_soft_max(ctx, ggml_mul_mat(ctx, kView, q)));
    ggml_set_loss(loss);

    ggml_cgraph *graph = ggml_new_graph_custom(ctx, GGML_DEFAULT_GRAPH_SIZE, true);
    ggml_build_forward_expand(graph, stored);
    ggml_build_forward_expand(graph, loss);
    ggml_build_backward_expand(ctx, graph, nullptr);
    std::printf("%s%s: grad(attn_q) %s, grad(attn_k) %s, grad(cache) %s\n",
                readsCacheLeaf ? "attention reads the cache tensor" : "attention reads the set_rows result",
                cacheIsParam ? " (cache flagged as a parameter)" : "",
                ggml_graph_get_grad(graph, wq) ? "present" : "ABSENT",
                ggml_graph_get_grad(graph, wk) ? "present" : "ABSENT",
                ggml_graph_get_grad(graph, cache) ? "present" : "ABSENT");
    ggml_free(ctx);
}

} // namespace

int main() {
    buildAndReport(true, false);
    buildAndReport(true, true);
    std::fflush(stdout);
    // The second shape aborts inside ggml; run it in a child so the report continues.
    pid_t child = fork();
    if (child == 0) {
        buildAndReport(false, false);
        return 0;
    }
    int status = 0;
    waitpid(child, &status, 0);
    std::printf("set_rows on the path: child %s\n",
                WIFSIGNALED(status) ? "aborted (see the ggml message above)" : "finished");
    return 0;
}
