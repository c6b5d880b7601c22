// The sweep the crash harness kills: three quant types and an evaluation of the quick reference model.
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
