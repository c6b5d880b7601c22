// A thin horizontal bar; an unknown fraction shows as an animated stripe.
import { formatPercent } from "../../shared/format.js";

export function ProgressBar({
  fraction,
  done = false,
  className = "",
}: {
  fraction: number | null;
  done?: boolean;
  className?: string;
}) {
  return (
    <div
      role="progressbar"
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={fraction === null ? undefined : Math.round(fraction * 100)}
      aria-valuetext={fraction === null ? "unknown" : formatPercent(fraction, 0)}
      className={`relative h-1.5 w-full overflow-hidden rounded-full bg-zinc-200 ${className}`}
    >
      {fraction === null ? (
        <div className="absolute inset-y-0 w-1/3 animate-indeterminate rounded-full bg-indigo-500" />
      ) : (
        <div
          className={`h-full rounded-full transition-[width] duration-300 ${done ? "bg-emerald-500" : "bg-indigo-500"}`}
          style={{ width: `${Math.min(1, Math.max(0, fraction)) * 100}%` }}
        />
      )}
    </div>
  );
}
