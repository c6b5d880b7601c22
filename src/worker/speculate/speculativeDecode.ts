// One greedy speculative generation on two context sequences, the way llama.cpp's
// speculative-simple does it with the draft-simple drafter, so our drafted/accepted counts can be
// compared with its own: both caches hold the prompt but its last token; each round the draft
// proposes up to draftMax tokens after the last token, the target evaluates the last token and the
// proposal in one batch, keeps the longest prefix its own greedy choices agree with plus its next
// token, and both caches are trimmed back to what was kept (the draft re-reads the checked batch).
import type { LlamaContextSequence, Token } from "node-llama-cpp";
import type { SpeculateCounts } from "../../shared/domain/speculate.js";

export interface SpeculativeOptions {
  maxTokens: number;
  draftMax: number;
  draftMin: number;
  pMin: number;
  /** Every Nth drafted token is replaced by another one (a forced rejection); 0: off. */
  corruptDraftEvery: number;
  isEog(token: Token): boolean;
  signal: AbortSignal;
}

export interface SpeculativeOutcome {
  tokens: Token[];
  /** Per token in `tokens`: an accepted draft token. */
  acceptedMask: boolean[];
  counts: SpeculateCounts;
  draftMs: number;
  targetMs: number;
  totalMs: number;
}

const greedy = { temperature: 0 } as const;

function msSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Evaluates `tokens`, returning the greedy next token after each one (all in one batch). */
export async function greedyAfterEach(sequence: LlamaContextSequence, tokens: Token[]): Promise<Token[]> {
  const output = await sequence.controlledEvaluate(
    tokens.map((token) => [token, { generateNext: { token: true, options: greedy } }] as const),
  );
  return tokens.map((_, index) => {
    const next = output[index]?.next.token;
    if (next === undefined || next === null) throw new Error(`no token generated at batch position ${index}`);
    return next;
  });
}

/** The draft's top token after `token`, with its probability when a threshold needs it. */
/** draft-simple's draft sampler keeps the top 10 candidates before its softmax (common/speculative.cpp). */
const draftCandidates = 10;

/**
 * The draft's greedy next token and, when p-min needs it, its probability as draft-simple computes it:
 * the softmax over the draft's top 10 logits, i.e. the whole-vocabulary probability renormalised over
 * the 10 most likely tokens (so equal p-min values stop drafts at the same place).
 */
async function draftNext(
  sequence: LlamaContextSequence,
  token: Token,
  needConfidence: boolean,
): Promise<{ token: Token; p: number }> {
  const output = await sequence.controlledEvaluate([
    [token, { generateNext: { token: true, probabilities: needConfidence, options: greedy } }],
  ]);
  const next = output[0]?.next;
  if (next?.token === undefined || next.token === null) throw new Error("the draft generated no token");
  if (!needConfidence || !next.probabilities) return { token: next.token, p: 1 };
  const top = [...next.probabilities.values()].sort((a, b) => b - a).slice(0, draftCandidates);
  const sum = top.reduce((total, p) => total + p, 0);
  return { token: next.token, p: sum > 0 ? top[0]! / sum : 1 };
}

async function trimTo(sequence: LlamaContextSequence, length: number): Promise<void> {
  if (sequence.nextTokenIndex > length)
    await sequence.eraseContextTokenRanges([{ start: length, end: sequence.nextTokenIndex }]);
}

/** Prompt → tokens both sequences must start empty. */
export async function speculativeGenerate(
  target: LlamaContextSequence,
  draft: LlamaContextSequence,
  prompt: Token[],
  options: SpeculativeOptions,
  contextSize: number,
): Promise<SpeculativeOutcome> {
  if (prompt.length < 1) throw new RangeError("an empty prompt");
  const head = prompt.slice(0, -1);
  if (head.length > 0) {
    await target.evaluateWithoutGeneratingNewTokens(head);
    await draft.evaluateWithoutGeneratingNewTokens(head);
  }
  let idLast = prompt[prompt.length - 1]!;
  let nPast = head.length;
  const counts: SpeculateCounts = { drafted: 0, accepted: 0, rounds: 0, generated: 0 };
  const tokens: Token[] = [];
  const acceptedMask: boolean[] = [];
  let draftMs = 0;
  let targetMs = 0;
  let draftedSoFar = 0;
  const start = process.hrtime.bigint();

  for (;;) {
    if (options.signal.aborted) throw new Error("speculative generation cancelled");
    // The round's budget as speculative-simple computes it; 0 means only draftMax limits the draft.
    const budget = Math.max(0, Math.min(contextSize - nPast - 2, options.maxTokens - counts.generated - 1));
    let proposal: Token[] = [];
    let t = process.hrtime.bigint();
    let cursor = idLast;
    for (;;) {
      const next = await draftNext(draft, cursor, options.pMin > 0);
      if (next.p < options.pMin) break;
      draftedSoFar++;
      const corrupt = options.corruptDraftEvery > 0 && draftedSoFar % options.corruptDraftEvery === 0;
      proposal.push(corrupt ? corruptToken(next.token) : next.token);
      if (proposal.length >= options.draftMax || (budget > 0 && proposal.length >= budget)) break;
      cursor = proposal[proposal.length - 1]!;
    }
    if (proposal.length < options.draftMin) proposal = [];
    await trimTo(draft, nPast);
    draftMs += msSince(t);

    t = process.hrtime.bigint();
    const batch = [idLast, ...proposal];
    const choices = await greedyAfterEach(target, batch);
    targetMs += msSince(t);
    // The draft reads the checked batch too, so its cache matches the target's positions.
    t = process.hrtime.bigint();
    await draft.evaluateWithoutGeneratingNewTokens(batch);
    draftMs += msSince(t);

    const kept: Token[] = [];
    for (const [index, choice] of choices.entries()) {
      kept.push(choice);
      if (index >= proposal.length || proposal[index] !== choice) break;
    }
    const acceptedCount = kept.length - 1;
    counts.rounds++;
    counts.drafted += proposal.length;
    counts.accepted += acceptedCount;
    counts.generated += kept.length;
    nPast += 1 + acceptedCount;
    let eos = false;
    for (const [index, token] of kept.entries()) {
      idLast = token;
      if (options.isEog(token)) {
        eos = true;
        break;
      }
      tokens.push(token);
      acceptedMask.push(index < acceptedCount);
    }
    t = process.hrtime.bigint();
    await trimTo(target, nPast);
    targetMs += msSince(t);
    t = process.hrtime.bigint();
    await trimTo(draft, nPast);
    draftMs += msSince(t);
    // speculative-simple stops once it has written more than the budget (or at end of generation).
    if (counts.generated > options.maxTokens || eos) break;
  }
  return { tokens, acceptedMask, counts, draftMs, targetMs, totalMs: msSince(start) };
}

/** The target alone, greedy: `count` tokens after the prompt (or fewer at end of generation). */
export async function targetGreedy(
  target: LlamaContextSequence,
  prompt: Token[],
  count: number,
  isEog: (token: Token) => boolean,
  signal: AbortSignal,
): Promise<{ tokens: Token[]; totalMs: number }> {
  const head = prompt.slice(0, -1);
  if (head.length > 0) await target.evaluateWithoutGeneratingNewTokens(head);
  const tokens: Token[] = [];
  let last = prompt[prompt.length - 1]!;
  const start = process.hrtime.bigint();
  while (tokens.length < count) {
    if (signal.aborted) throw new Error("generation cancelled");
    const [next] = await greedyAfterEach(target, [last]);
    if (isEog(next!)) break;
    tokens.push(next!);
    last = next!;
  }
  return { tokens, totalMs: msSince(start) };
}

/** A different, ordinary token id: the neighbour (never negative). */
function corruptToken(token: Token): Token {
  return (token > 0 ? token - 1 : token + 1) as Token;
}
