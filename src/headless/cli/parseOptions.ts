// Parsers for numeric command-line options, with errors that name the flag and the bad value.

export function integerOption(flag: string, value: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new Error(`${flag}: expected an integer ≥ ${min}, got "${value}"`);
  return n;
}

export function positiveInteger(flag: string, value: string): number {
  return integerOption(flag, value, 1);
}

export function numberOption(
  flag: string,
  value: string,
  range: { min?: number; max?: number } = {},
): number {
  const n = Number(value);
  if (
    !Number.isFinite(n) ||
    (range.min !== undefined && n < range.min) ||
    (range.max !== undefined && n > range.max)
  ) {
    const bounds = [
      range.min !== undefined ? `≥ ${range.min}` : "",
      range.max !== undefined ? `≤ ${range.max}` : "",
    ]
      .filter(Boolean)
      .join(" and ");
    throw new Error(`${flag}: expected a number${bounds ? ` ${bounds}` : ""}, got "${value}"`);
  }
  return n;
}
