// Types for scripts/peExports.js (plain JS: the native build runs it before TypeScript is built).
export interface PeExport {
  name: string;
  ordinal: number;
  data: boolean;
  forwarder?: string;
}
export interface PeExportTable {
  file: string;
  machine: string;
  isDll: boolean;
  dllName: string;
  exports: PeExport[];
}
export function readPeExports(file: string): PeExportTable;
export function readPeImports(file: string): string[];
export function isCIdentifier(name: string): boolean;
export function isLlamaApiName(name: string): boolean;
export function moduleDefinition(options: {
  libraryName: string;
  exports: PeExport[];
  source?: string;
}): string;
export function parseModuleDefinition(text: string): {
  libraryName: string;
  exports: { name: string; data: boolean }[];
};
export function findLibExe(machine: string): string;
export function windowsImportLibrary(options: {
  dll: string;
  outDir: string;
  machine: string;
  libExe?: string;
  include?: (name: string) => boolean;
}): string;
