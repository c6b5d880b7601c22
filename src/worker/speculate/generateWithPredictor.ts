// One generation through node-llama-cpp's ordinary path, `sequence.evaluate`, as an app runs it: with
// the sequence's token predictor when it has one, and without otherwise. Which written tokens came
// from a validated prediction is read from the sequence's own counters after each token.
import type { LlamaContextSequence, Token } from "node-llama-cpp";
import type { AppPredictionCounts } from "../../shared/domain/speculate.js";

export interface PredictedGeneration {
  tokens: Token[];
  /** Per token in `tokens`: it was a validated prediction, not sampled after its own evaluation. */
  acceptedMask: boolean[];
  counts: AppPredictionCounts;
  /** Per token in `tokens`: ms since `evaluate` was called. */
  tokenTimesMs: number[];
  totalMs: number;
  stopReason: "maxTokens" | "eos";
}

export interface PredictedGenerationOptions {
  maxTokens: number;
  /** null: greedy; a number: seeded sampling at temperature 0.8 (the generate job's setting). */
  seed: number | null;
  signal: AbortSignal;
  /** The prompt prompt lookup searches (LlamaCompletion hands its input over the same way). */
  inputTokens: Token[];
  onToken?(count: number): void;
}

function msSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Generates after `input` (the tokens not yet in the sequence's state). */
export async function generateWithPredictor(
  sequence: LlamaContextSequence,
  input: Token[],
  options: PredictedGenerationOptions,
): Promise<PredictedGeneration> {
  const model = sequence.model;
  sequence.tokenPredictor?.updateInputTokens(options.inputTokens);
  const before = sequence.tokenPredictions;
  let used = before.used;
  const tokens: Token[] = [];
  const acceptedMask: boolean[] = [];
  const tokenTimesMs: number[] = [];
  let stopReason: PredictedGeneration["stopReason"] = "maxTokens";
  const sampling = options.seed === null ? { temperature: 0 } : { temperature: 0.8, seed: options.seed };
  const start = process.hrtime.bigint();
  for await (const token of sequence.evaluate(input, { ...sampling, yieldEogToken: true })) {
    tokenTimesMs.push(msSince(start));
    if (model.isEogToken(token)) {
      stopReason = "eos";
      break;
    }
    // `used` grows by one exactly when this token was taken from the validated predictions.
    const now = sequence.tokenPredictions.used;
    tokens.push(token);
    acceptedMask.push(now > used);
    used = now;
    options.onToken?.(tokens.length);
    if (tokens.length >= options.maxTokens) break;
    if (options.signal.aborted) throw new Error("generation cancelled");
  }
  const totalMs = msSince(start);
  const after = sequence.tokenPredictions;
  const validated = after.validated - before.validated;
  return {
    tokens,
    acceptedMask,
    counts: {
      drafted: validated + after.refuted - before.refuted,
      accepted: validated,
      used: after.used - before.used,
    },
    tokenTimesMs,
    totalMs,
    stopReason,
  };
}

/**
 * The text of each token such that the pieces join to exactly `model.detokenize(tokens)`: a token
 * cut inside a multi-byte character gets an empty piece and its bytes go to the token completing it.
 */
export function tokenPieces(detokenize: (tokens: Token[]) => string, tokens: Token[]): string[] {
  const full = detokenize(tokens);
  const pieces: string[] = [];
  let cut = 0;
  for (let i = 1; i <= tokens.length; i++) {
    const prefix = i === tokens.length ? full : detokenize(tokens.slice(0, i));
    const clean = i === tokens.length || (full.startsWith(prefix) && !prefix.endsWith("\uFFFD"));
    if (clean && prefix.length >= cut) {
      pieces.push(full.slice(cut, prefix.length));
      cut = prefix.length;
    } else pieces.push("");
  }
  return pieces;
}
