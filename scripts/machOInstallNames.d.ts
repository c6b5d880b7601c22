// Types for scripts/machOInstallNames.js (plain JS: the native build runs it before TypeScript is built).
export interface MachODependency {
  name: string;
  kind: "load" | "weak" | "reexport" | "lazy" | "upward";
}
export interface MachOSlice {
  file: string;
  arch: string;
  fileType: number;
  installName: string | null;
  dependencies: MachODependency[];
  rpaths: string[];
  exports: string[];
  exportSource: "trie" | "symtab" | "none";
}
export function readMachOSlices(file: string): MachOSlice[];
export function readMachO(file: string, arch?: string): MachOSlice;
export function installNameCandidates(
  installName: string,
  context: { loader: string; rpaths: string[] },
): string[];
export function checkRpathInstallNames(
  files: string[],
  arch?: string,
): { file: string; installName: string }[];
