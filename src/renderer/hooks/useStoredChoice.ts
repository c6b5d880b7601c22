// A choice the user makes once and expects to find again (a hidden column, a view): kept in the
// browser's localStorage under `key`, per app origin. Only values from `choices` are read back, so a
// stale or edited entry falls back to the default.
import { useCallback, useState } from "react";

function read<T extends string>(key: string, choices: readonly T[], fallback: T): T {
  try {
    const stored = globalThis.localStorage?.getItem(key);
    return choices.find((choice) => choice === stored) ?? fallback;
  } catch {
    return fallback; // storage disabled (private mode, sandbox): the choice lasts the session
  }
}

export function useStoredChoice<T extends string>(
  key: string,
  choices: readonly T[],
  fallback: T,
): [T, (value: T) => void] {
  const [value, setValue] = useState<T>(() => read(key, choices, fallback));
  const choose = useCallback(
    (next: T) => {
      setValue(next);
      try {
        globalThis.localStorage?.setItem(key, next);
      } catch {
        // not persisted; the state above still applies
      }
    },
    [key],
  );
  return [value, choose];
}
