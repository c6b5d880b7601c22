// The sweep the kill tests and the crash harness kill: three quant types and an evaluation.
export function crashSweepArgs(modelPath: string, evalTextPath: string): string[] {
  return [
    "sweep",
    modelPath,
    "--types",
    "Q8_0,Q4_0,Q2_K",
    "--eval-text",
    evalTextPath,
    "--eval-ctx",
    "128",
    "--eval-chunks",
    "4",
    "--threads",
    "2",
  ];
}
