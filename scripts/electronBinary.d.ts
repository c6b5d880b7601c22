// Types for scripts/electronBinary.js (plain JS so `npm start` runs without a TypeScript loader).
export type ElectronLookup = { ok: true; path: string } | { ok: false; reason: string };
export interface StartPlan {
  mode: "electron" | "headless";
  /** Commands run (in order, each must succeed) before `command`. */
  prepare: string[][];
  command: string[];
  notice: string | null;
}
export function judgeElectronInstall(facts: {
  packageDir: string | null;
  pathTxt: string | null;
  exists: (file: string) => boolean;
}): ElectronLookup;
export function chooseStartCommand(electron: ElectronLookup): StartPlan;
export function electronBinaryPath(): ElectronLookup;
export function ensureElectronBinary(options?: { timeoutMs?: number }): ElectronLookup;
