// Next-token training data from a token stream: fixed windows of inputs with the same positions'
// targets (the following token), as separate arrays because the trainer takes labels separately.

export interface TokenWindows {
  data: Int32Array;
  labels: Int32Array;
  windows: number;
  windowTokens: number;
}

/** Consecutive, non-overlapping windows; the tail shorter than a window is dropped. */
export function nextTokenWindows(stream: ArrayLike<number>, windowTokens: number): TokenWindows {
  const windows = Math.max(0, Math.floor((stream.length - 1) / windowTokens));
  const n = windows * windowTokens;
  const data = new Int32Array(n);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    data[i] = stream[i]!;
    labels[i] = stream[i + 1]!;
  }
  return { data, labels, windows, windowTokens };
}

/** `count` windows spread evenly over all of them (all when there are fewer), in order. */
export function spreadWindows(all: TokenWindows, count: number): TokenWindows {
  if (all.windows <= count) return all;
  const w = all.windowTokens;
  const data = new Int32Array(count * w);
  const labels = new Int32Array(count * w);
  for (let k = 0; k < count; k++) {
    const src = Math.floor((k * all.windows) / count);
    data.set(all.data.subarray(src * w, (src + 1) * w), k * w);
    labels.set(all.labels.subarray(src * w, (src + 1) * w), k * w);
  }
  return { data, labels, windows: count, windowTokens: w };
}
