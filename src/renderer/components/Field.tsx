// Labelled form inputs in the app's style: text, number, checkbox and select.
import type { InputHTMLAttributes, ReactNode, SelectHTMLAttributes } from "react";

const inputStyle =
  "block rounded-md border-0 bg-white px-2.5 py-1.5 text-sm text-zinc-900 ring-1 ring-inset ring-zinc-300 placeholder:text-zinc-400 focus:ring-2 focus:ring-inset focus:ring-indigo-500 disabled:bg-zinc-50 disabled:text-zinc-400";

/** Full width unless the caller sets a width (Tailwind cannot tell which of two w-* classes wins). */
function withWidth(className: string): string {
  return /(^|\s)w-/.test(className) ? className : `w-full ${className}`;
}

export function Field({
  label,
  hint,
  children,
  className = "",
}: {
  label: ReactNode;
  hint?: ReactNode;
  children: ReactNode;
  className?: string;
}) {
  return (
    <label className={`block ${className}`}>
      <span className="mb-1 block text-xs font-medium text-zinc-600">{label}</span>
      {children}
      {hint && <span className="mt-1 block text-xs text-zinc-500">{hint}</span>}
    </label>
  );
}

export function TextInput({ className = "", ...props }: InputHTMLAttributes<HTMLInputElement>) {
  return (
    <input type="text" spellCheck={false} className={`${inputStyle} ${withWidth(className)}`} {...props} />
  );
}

export function NumberInput({
  value,
  onValue,
  className = "",
  ...props
}: Omit<InputHTMLAttributes<HTMLInputElement>, "value" | "onChange" | "type"> & {
  value: number | null;
  onValue: (value: number | null) => void;
}) {
  return (
    <input
      type="number"
      value={value ?? ""}
      onChange={(event) => onValue(event.target.value === "" ? null : Number(event.target.value))}
      className={`${inputStyle} tabular-nums ${withWidth(className)}`}
      {...props}
    />
  );
}

export function Select({ className = "", ...props }: SelectHTMLAttributes<HTMLSelectElement>) {
  return <select className={`${inputStyle} pr-8 ${withWidth(className)}`} {...props} />;
}

export function Checkbox({
  label,
  checked,
  onChange,
  disabled,
}: {
  label: ReactNode;
  checked: boolean;
  onChange: (checked: boolean) => void;
  disabled?: boolean;
}) {
  return (
    <label className="inline-flex cursor-pointer items-center gap-2 text-sm text-zinc-700">
      <input
        type="checkbox"
        checked={checked}
        disabled={disabled}
        onChange={(event) => onChange(event.target.checked)}
        className="size-4 rounded border-zinc-300 accent-indigo-600"
      />
      {label}
    </label>
  );
}
