// The floor a language model must clear: a unigram model of the same tokenizer (token frequencies of
// the training tokens, add-one smoothed over the whole vocabulary), scored on held-out tokens.

export function unigramCounts(tokens: ArrayLike<number>, nVocab: number): Float64Array {
  const counts = new Float64Array(nVocab);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t < 0 || t >= nVocab) throw new Error(`token ${t} outside a vocabulary of ${nVocab}`);
    counts[t]! += 1;
  }
  return counts;
}

/** exp(mean -ln p(t)) over `targets`, with p(t) = (count(t) + 1) / (total + nVocab). */
export function unigramPerplexity(counts: Float64Array, targets: ArrayLike<number>): number {
  if (targets.length === 0) throw new Error("unigramPerplexity: no tokens to score");
  let total = 0;
  for (const c of counts) total += c;
  const denominator = total + counts.length;
  let nll = 0;
  for (let i = 0; i < targets.length; i++) nll -= Math.log((counts[targets[i]!]! + 1) / denominator);
  return Math.exp(nll / targets.length);
}
