// Experiment: can token_embd be trained through llama_opt_epoch of the prebuilt libllama, which skips
// it by name when it marks trainable tensors? We flag it as a parameter ourselves before
// llama_opt_init (found as the source of a node during a plain decode) and report which rows moved.
// Usage: tokenEmbeddingTraining <F32 model.gguf> on|off <bins folder> [steps]
// test/distill/tokenEmbeddingTraining.test.ts builds and runs it on a tiny random model.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>
#include <vector>

#include "ggml-backend.h"
#include "ggml-opt.h"
#include "ggml.h"
#include "llama.h"

namespace {

ggml_tensor *g_tokenEmbedding = nullptr;

bool FindTokenEmbedding(ggml_tensor *t, bool ask, void *) {
    if (!ask || g_tokenEmbedding) return false;
    for (int j = 0; j < GGML_MAX_SRC; j++) {
        if (t->src[j] && std::strcmp(t->src[j]->name, "token_embd.weight") == 0) g_tokenEmbedding = t->src[j];
    }
    return false;
}

ggml_opt_optimizer_params OptimizerParams(void *) {
    ggml_opt_optimizer_params p = ggml_opt_get_default_optimizer_params(nullptr);
    p.adamw.alpha = 1e-3f;
    return p;
}

} // namespace

int main(int argc, char **argv) {
    if (argc < 4) {
        std::fprintf(stderr, "usage: %s model.gguf on|off bins-folder [steps]\n", argv[0]);
        return 2;
    }
    const bool flag = std::strcmp(argv[2], "on") == 0;
    const int steps = argc > 4 ? std::atoi(argv[4]) : 1;
    ggml_backend_load_all_from_path(argv[3]);
    llama_model_params mp = llama_model_default_params();
    mp.load_mode = LLAMA_LOAD_MODE_NONE; // writable weights
    mp.use_extra_bufts = false;
    llama_model *model = llama_model_load_from_file(argv[1], mp);
    if (!model) return 1;
    const int nCtx = 256; // llama_opt_epoch trains whole contexts, padded to 256
    llama_context_params cp = llama_context_default_params();
    cp.n_ctx = cp.n_batch = cp.n_ubatch = nCtx;
    cp.n_seq_max = 1;
    cp.type_k = cp.type_v = GGML_TYPE_F32;
    cp.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_DISABLED;
    cp.cb_eval = FindTokenEmbedding;
    llama_context *ctx = llama_init_from_model(model, cp);
    std::vector<llama_token> tokens(nCtx);
    for (int i = 0; i < nCtx; i++) tokens[i] = 100 + (i * 37) % 500; // 256 distinct ids
    llama_decode(ctx, llama_batch_get_one(tokens.data(), 8));
    if (!g_tokenEmbedding) {
        std::printf("token_embd not found\n");
        return 1;
    }
    if (flag) ggml_set_param(g_tokenEmbedding);
    const size_t count = ggml_nelements(g_tokenEmbedding);
    std::vector<float> before(count), after(count);
    ggml_backend_tensor_get(g_tokenEmbedding, before.data(), 0, ggml_nbytes(g_tokenEmbedding));

    llama_opt_params lp{};
    lp.param_filter = llama_opt_param_filter_all;
    lp.get_opt_pars = OptimizerParams;
    lp.optimizer_type = GGML_OPT_OPTIMIZER_TYPE_ADAMW;
    llama_opt_init(ctx, model, lp);
    ggml_opt_dataset_t dataset = ggml_opt_dataset_init(GGML_TYPE_I32, GGML_TYPE_I32, nCtx, nCtx, 1, 1);
    int32_t *data = static_cast<int32_t *>(ggml_opt_dataset_data(dataset)->data);
    int32_t *labels = static_cast<int32_t *>(ggml_opt_dataset_labels(dataset)->data);
    for (int i = 0; i < nCtx; i++) {
        data[i] = tokens[i];
        labels[i] = tokens[(i + 1) % nCtx];
    }
    ggml_opt_result_t result = ggml_opt_result_init();
    for (int s = 0; s < steps; s++) {
        ggml_opt_result_reset(result);
        llama_opt_epoch(ctx, dataset, result, nullptr, 1, nullptr, nullptr);
        double loss = 0, spread = 0;
        ggml_opt_result_loss(result, &loss, &spread);
        std::printf("step %d loss %.4f\n", s, loss);
    }
    ggml_backend_tensor_get(g_tokenEmbedding, after.data(), 0, ggml_nbytes(g_tokenEmbedding));

    const int64_t width = g_tokenEmbedding->ne[0], rows = g_tokenEmbedding->ne[1];
    const std::set<int64_t> seen(tokens.begin(), tokens.end());
    int64_t seenChanged = 0, unseenChanged = 0;
    for (int64_t r = 0; r < rows; r++) {
        bool changed = false;
        for (int64_t c = 0; c < width && !changed; c++) changed = before[r * width + c] != after[r * width + c];
        if (changed) (seen.count(r) ? seenChanged : unseenChanged)++;
    }
    std::printf("token_embd flagged %s: rows changed: seen %lld/%zu, unseen %lld/%lld\n", flag ? "on" : "off",
                (long long)seenChanged, seen.size(), (long long)unseenChanged, (long long)(rows - (int64_t)seen.size()));
    return 0;
}
