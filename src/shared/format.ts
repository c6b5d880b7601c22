// Human-readable numbers for every screen and the CLI: always with a unit, always with a precision
// that fits the magnitude (three significant digits unless said otherwise), never "NaN".

/** Shown where a value was not measured. */
export const dash = "—";

function isUsable(value: number | null | undefined): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

/** Rounds to `digits` significant digits without switching to exponent notation. */
function significant(value: number, digits = 3): string {
  if (value === 0) return "0";
  const magnitude = Math.floor(Math.log10(Math.abs(value)));
  const decimals = Math.max(0, digits - 1 - magnitude);
  const rounded = value.toFixed(decimals);
  // toFixed can carry into one more digit (999.5 → "1000"); that is still the right number.
  return decimals > 0 ? rounded.replace(/\.?0+$/, "") : rounded;
}

interface ScaledUnit {
  readonly factor: number;
  readonly unit: string;
}

/** Picks the largest unit the value reaches, re-checking after rounding so 999.96 kB becomes 1 MB. */
function scale(value: number, units: readonly ScaledUnit[], digits: number): string {
  const abs = Math.abs(value);
  let index = 0;
  for (let i = units.length - 1; i >= 0; i--) {
    if (abs >= units[i]!.factor) {
      index = i;
      break;
    }
  }
  let unit = units[index]!;
  let text = significant(value / unit.factor, digits);
  const next = units[index + 1];
  if (next && Math.abs(Number(text)) * unit.factor >= next.factor) {
    unit = next;
    text = significant(value / unit.factor, digits);
  }
  return unit.unit === "" ? text : `${text} ${unit.unit}`;
}

const decimalByteUnits: readonly ScaledUnit[] = [
  { factor: 1, unit: "B" },
  { factor: 1e3, unit: "kB" },
  { factor: 1e6, unit: "MB" },
  { factor: 1e9, unit: "GB" },
  { factor: 1e12, unit: "TB" },
];

const binaryByteUnits: readonly ScaledUnit[] = [
  { factor: 1, unit: "B" },
  { factor: 1024, unit: "KiB" },
  { factor: 1024 ** 2, unit: "MiB" },
  { factor: 1024 ** 3, unit: "GiB" },
  { factor: 1024 ** 4, unit: "TiB" },
];

/** 37_400_000 → "37.4 MB"; with binary: true, 1_048_576 → "1 MiB". Whole bytes below 1 kB. */
export function formatBytes(bytes: number | null | undefined, options: { binary?: boolean } = {}): string {
  if (!isUsable(bytes)) return dash;
  if (Math.abs(bytes) < (options.binary ? 1024 : 1000)) return `${Math.round(bytes)} B`;
  return scale(bytes, options.binary ? binaryByteUnits : decimalByteUnits, 3);
}

const countUnits: readonly ScaledUnit[] = [
  { factor: 1, unit: "" },
  { factor: 1e3, unit: "K" },
  { factor: 1e6, unit: "M" },
  { factor: 1e9, unit: "B" },
  { factor: 1e12, unit: "T" },
];

/** Parameter counts the way model cards write them: 12_600_000 → "12.6 M", 7_240_000_000 → "7.24 B". */
export function formatParams(count: number | null | undefined): string {
  if (!isUsable(count)) return dash;
  if (Math.abs(count) < 1000) return String(Math.round(count));
  return scale(count, countUnits, 3);
}

/** Exact integer with thousands separators: 1234567 → "1,234,567". */
export function formatInteger(value: number | null | undefined): string {
  if (!isUsable(value)) return dash;
  const rounded = Math.round(value);
  const sign = rounded < 0 ? "-" : "";
  return sign + String(Math.abs(rounded)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/**
 * Durations for timings and ETAs: "850 ms", "12.3 s", "4 min 05 s", "2 h 07 min".
 * Sub-second values keep millisecond precision; long ones drop the smallest unit.
 */
export function formatDuration(seconds: number | null | undefined): string {
  if (!isUsable(seconds)) return dash;
  if (seconds < 0) return `-${formatDuration(-seconds)}`;
  if (seconds < 1) {
    const ms = seconds * 1000;
    return ms < 10 && ms > 0 ? `${significant(ms, 2)} ms` : `${Math.round(ms)} ms`;
  }
  if (seconds < 60) {
    const text = significant(seconds, 3);
    if (Number(text) < 60) return `${text} s`;
  }
  const whole = Math.round(seconds);
  if (whole < 3600) {
    const minutes = Math.floor(whole / 60);
    const rest = whole % 60;
    return `${minutes} min ${String(rest).padStart(2, "0")} s`;
  }
  const totalMinutes = Math.round(seconds / 60);
  const hours = Math.floor(totalMinutes / 60);
  const minutes = totalMinutes % 60;
  return `${hours} h ${String(minutes).padStart(2, "0")} min`;
}

/** Generation or prompt throughput: 23.456 → "23.5 tok/s". */
export function formatTokensPerSecond(rate: number | null | undefined): string {
  if (!isUsable(rate)) return dash;
  if (rate >= 1000) return `${formatInteger(rate)} tok/s`;
  return `${significant(rate, 3)} tok/s`;
}

/** Average bits per weight with two decimals: 4.8512 → "4.85 bpw". */
export function formatBitsPerWeight(bits: number | null | undefined): string {
  if (!isUsable(bits)) return dash;
  return `${bits.toFixed(2)} bpw`;
}

/** A 0..1 fraction as a percentage: 0.4237 → "42.4 %", with `decimals` places (default 1). */
export function formatPercent(fraction: number | null | undefined, decimals = 1): string {
  if (!isUsable(fraction)) return dash;
  return `${(fraction * 100).toFixed(decimals)} %`;
}

/** Tensor shapes as ggml lists them, innermost first: [4096, 32000] → "4096 × 32000". */
export function formatShape(shape: readonly number[]): string {
  return shape.length === 0 ? "scalar" : shape.join(" × ");
}

/**
 * An ISO timestamp as "2026-11-23 09:07" in local time (or UTC when asked), the same on every
 * locale so tables line up and tests are stable.
 */
export function formatDateTime(iso: string | null | undefined, options: { utc?: boolean } = {}): string {
  if (!iso) return dash;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return dash;
  const utc = options.utc ?? false;
  const parts = utc
    ? [
        date.getUTCFullYear(),
        date.getUTCMonth() + 1,
        date.getUTCDate(),
        date.getUTCHours(),
        date.getUTCMinutes(),
      ]
    : [date.getFullYear(), date.getMonth() + 1, date.getDate(), date.getHours(), date.getMinutes()];
  const [year, month, day, hours, minutes] = parts.map((part) => String(part).padStart(2, "0"));
  return `${year}-${month}-${day} ${hours}:${minutes}`;
}

/** Turns a llama_ftype name into what people call it: "MOSTLY_Q4_K_M" → "Q4_K_M", "ALL_F32" → "F32". */
export function formatFileType(fileType: string | null | undefined): string {
  if (!fileType) return dash;
  return fileType.replace(/^(MOSTLY|ALL)_/, "");
}

/** Time of day with seconds, for log lines: "09:07:58" (local, or UTC when asked). */
export function formatClockTime(iso: string | null | undefined, options: { utc?: boolean } = {}): string {
  if (!iso) return dash;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return dash;
  const parts = options.utc
    ? [date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds()]
    : [date.getHours(), date.getMinutes(), date.getSeconds()];
  return parts.map((part) => String(part).padStart(2, "0")).join(":");
}

/** Perplexity with three decimals, and its ± uncertainty when known: "12.345 ± 0.087". */
export function formatPerplexity(value: number | null | undefined, uncertainty?: number | null): string {
  if (!isUsable(value)) return dash;
  return isUsable(uncertainty) ? `${value.toFixed(3)} ± ${uncertainty.toFixed(3)}` : value.toFixed(3);
}

/** Mean KL divergence in nats with four decimals: 0.012345 → "0.0123". */
export function formatKld(value: number | null | undefined): string {
  if (!isUsable(value)) return dash;
  return value.toFixed(4);
}

/** Throughput with one decimal, for tables where rates line up: 23.456 → "23.5 tok/s", 1234.5 → "1,234.5 tok/s". */
export function formatTokensPerSecondFixed(rate: number | null | undefined): string {
  if (!isUsable(rate)) return dash;
  const [whole, fraction] = rate.toFixed(1).split(".");
  return `${formatInteger(Number(whole))}.${fraction} tok/s`;
}

/** Latencies in milliseconds: "0.85 ms", "23.4 ms", "1,234 ms". */
export function formatMilliseconds(ms: number | null | undefined): string {
  if (!isUsable(ms)) return dash;
  if (Math.abs(ms) < 10) return `${ms.toFixed(2)} ms`;
  if (Math.abs(ms) < 100) return `${ms.toFixed(1)} ms`;
  return `${formatInteger(ms)} ms`;
}

/**
 * A mean with its standard deviation, both through the same formatter: "5,183.0 ± 420.3 tok/s" when
 * the two share a unit, "12.3 MB ± 120 kB" when they do not; the mean alone without a spread.
 */
export function formatWithSpread(
  format: (value: number | null) => string,
  value: number | null | undefined,
  stddev: number | null | undefined,
): string {
  const shown = format(isUsable(value) ? value : null);
  if (!isUsable(value) || !isUsable(stddev)) return shown;
  const spread = format(stddev);
  const unitOf = (text: string) => text.slice(text.lastIndexOf(" ") + 1);
  const unit = unitOf(shown);
  if (shown.includes(" ") && spread.includes(" ") && unitOf(spread) === unit) {
    return `${shown.slice(0, -unit.length - 1)} ± ${spread.slice(0, -unit.length - 1)} ${unit}`;
  }
  return `${shown} ± ${spread}`;
}
