// A results file that cannot be read: which line (and field) is wrong, in words. The parsers are
// pure and know no file name; core adds it when it turns this into a coded error.
export class ResultsFormatError extends Error {
  constructor(
    message: string,
    readonly line: number | null,
    readonly field: string | null = null,
  ) {
    super(message);
    this.name = "ResultsFormatError";
  }
}

/** "line 4, field avg_ts: ..." – the place first, then the problem. */
export function resultsFormatError(
  line: number | null,
  field: string | null,
  problem: string,
): ResultsFormatError {
  const place = [line === null ? null : `line ${line}`, field === null ? null : `field ${field}`]
    .filter((part) => part !== null)
    .join(", ");
  return new ResultsFormatError(place ? `${place}: ${problem}` : problem, line, field);
}
