// Inline message boxes: errors the user should read, and quieter information.
import type { ReactNode } from "react";

const tones = {
  error: "border-red-200 bg-red-50 text-red-800",
  info: "border-zinc-200 bg-white text-zinc-600",
  success: "border-emerald-200 bg-emerald-50 text-emerald-800",
} as const;

export function Notice({
  tone,
  children,
  onDismiss,
}: {
  tone: keyof typeof tones;
  children: ReactNode;
  onDismiss?: () => void;
}) {
  return (
    <div
      role={tone === "error" ? "alert" : "status"}
      className={`flex items-start gap-3 rounded-md border px-3 py-2 text-sm ${tones[tone]}`}
    >
      <div className="min-w-0 flex-1 break-words">{children}</div>
      {onDismiss && (
        <button
          type="button"
          onClick={onDismiss}
          className="shrink-0 text-xs font-medium opacity-70 hover:opacity-100"
          aria-label="Dismiss"
        >
          Dismiss
        </button>
      )}
    </div>
  );
}
