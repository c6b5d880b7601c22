// Reads how far a compile is from its output: ninja prints "[12/277] Building ...", make prints
// "[ 42%] Building ...". MSBuild prints neither; the job then shows its step without a fraction.
export interface CompileProgress {
  fraction: number;
  /** The step count when ninja gave one ("12 of 277"). */
  detail: string | null;
}

const ninjaStep = /^\[(\d+)\/(\d+)\]/;
const makePercent = /^\[\s*(\d{1,3})%\]/;

export function parseCompileProgress(line: string): CompileProgress | null {
  const ninja = ninjaStep.exec(line);
  if (ninja) {
    const done = Number(ninja[1]);
    const total = Number(ninja[2]);
    if (total > 0 && done <= total) return { fraction: done / total, detail: `${done} of ${total}` };
  }
  const make = makePercent.exec(line);
  if (make) {
    const percent = Number(make[1]);
    if (percent <= 100) return { fraction: percent / 100, detail: null };
  }
  return null;
}
