// Reproducible "prompts" for speed tests: uniformly random token ids from the whole vocabulary with
// a fixed seed, as llama-bench does, so content never changes the measured speed between variants.

/** mulberry32: tiny, fast, and identical on every platform for a given seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `length` token ids in [0, vocabularySize); the first is `firstToken` when given (e.g. BOS). */
export function randomTokens(
  random: () => number,
  vocabularySize: number,
  length: number,
  firstToken?: number | null,
): number[] {
  const tokens: number[] = [];
  for (let i = 0; i < length; i++) {
    tokens.push(i === 0 && firstToken != null ? firstToken : Math.floor(random() * vocabularySize));
  }
  return tokens;
}
