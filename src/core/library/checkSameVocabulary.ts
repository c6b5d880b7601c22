// Two models compared token by token (a variant and its base, a student and its teacher) must share
// the vocabulary: KL divergence and soft targets pair the same token ids. Checked from the library's
// metadata before a job starts; llama.cpp would otherwise compare unrelated tokens or abort.
import type { ModelRecord } from "../../shared/domain/model.js";
import { CodedError } from "../errors.js";

/** `role` names the reference model in the message: "base", "teacher". */
export function checkSameVocabulary(reference: ModelRecord, candidate: ModelRecord, role: string): void {
  const a = reference.metadata.vocabularySize;
  const b = candidate.metadata.vocabularySize;
  if (a !== null && b !== null && a !== b)
    throw new CodedError(
      "VOCABULARY_MISMATCH",
      `${candidate.path}: vocabulary of ${b} tokens differs from the ${role}'s ${a} (${reference.path})`,
      { file: candidate.path },
    );
}
