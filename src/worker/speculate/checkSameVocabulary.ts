// A draft can only propose tokens the target reads the same way: same number of tokens and the same
// text for every id. The first id that differs is named with both files, so the user sees why.
import type { LlamaModel, Token } from "node-llama-cpp";
import { CodedError } from "../../core/errors.js";
import { readModelMetadata } from "../../core/library/readModelMetadata.js";

export async function checkSameVocabulary(
  target: { model: LlamaModel; path: string },
  draft: { model: LlamaModel; path: string },
): Promise<number> {
  const [targetSize, draftSize] = await Promise.all(
    [target.path, draft.path].map(async (file) => (await readModelMetadata(file)).metadata.vocabularySize),
  );
  const mismatch = (what: string) =>
    new CodedError(
      "VOCABULARY_MISMATCH",
      `${draft.path}: the draft's vocabulary differs from the target's (${target.path}): ${what}`,
      { file: draft.path },
    );
  if (targetSize == null || draftSize == null || targetSize !== draftSize)
    throw mismatch(`${draftSize ?? "unknown"} tokens against ${targetSize ?? "unknown"}`);
  for (let id = 0; id < targetSize; id++) {
    const a = target.model.detokenize([id as Token], true);
    const b = draft.model.detokenize([id as Token], true);
    if (a !== b) throw mismatch(`first at token ${id}: ${JSON.stringify(b)} against ${JSON.stringify(a)}`);
  }
  return targetSize;
}
