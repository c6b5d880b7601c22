// Types of scripts/llamaBackends.js for the TypeScript that imports it (tests).
export interface LlamaBackendFolder {
  id: string;
  gpu: false | string;
  buildType: "prebuilt" | "localBuild";
  binsDir: string;
  libraryFolder: string;
  release: string;
  cmakeOptions: Record<string, string> | null;
}
export function libllamaFile(binsDir: string): string | undefined;
export function findBackendFolders(): LlamaBackendFolder[];
export function localBuildsDir(): string;
export function findLocalBuildFolders(): LlamaBackendFolder[];
export function addonFileName(folderId: string): string;
export function prebuiltCpuBinsDir(): string;
