// Windows link support for the native addon: node-llama-cpp's Windows packages ship llama.cpp's DLLs
// without their import libraries, so the build makes them. This module reads a DLL's export table
// (pure JS, so it runs and is tested on any OS), writes a module-definition (.def) file listing the
// exports under the DLL's file name, and on Windows turns it into an import library with MSVC's
// lib.exe. See docs/native-platforms.md for why binding by DLL name is enough at run time.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * @typedef {object} PeExport
 * @property {string} name        exported name, as the export name table spells it
 * @property {number} ordinal     biased ordinal (the number a .def would give after the name)
 * @property {boolean} data       true when the address lies in a section that is not executable
 * @property {string} [forwarder] "other.dll.name" when the export is forwarded to another DLL
 */

/**
 * @typedef {object} PeExportTable
 * @property {string} file
 * @property {string} machine     "x64", "arm64", "x86" or the COFF machine number in hex
 * @property {boolean} isDll      the COFF header's IMAGE_FILE_DLL flag
 * @property {string} dllName     the name recorded in the export directory (the name it was linked as)
 * @property {PeExport[]} exports the named exports, in the table's (sorted) order
 */

const IMAGE_FILE_DLL = 0x2000;
const IMAGE_SCN_MEM_EXECUTE = 0x20000000;
const MACHINES = /** @type {Record<number, string>} */ ({ 0x8664: "x64", 0xaa64: "arm64", 0x14c: "x86" });
/** process.arch (or the names above) to lib.exe's /machine value. */
const LIB_MACHINE = /** @type {Record<string, string>} */ ({
  x64: "X64",
  arm64: "ARM64",
  ia32: "X86",
  x86: "X86",
});

class PeFormatError extends Error {}

/**
 * The parts of a PE image needed to find things by RVA.
 * @param {string} file
 * @param {Buffer} bytes
 */
function parseHeaders(file, bytes) {
  const fail = (/** @type {string} */ why) => {
    throw new PeFormatError(`${file} is not a PE DLL: ${why}`);
  };
  if (bytes.length < 0x40 || bytes.readUInt16LE(0) !== 0x5a4d) fail("no MZ header");
  const pe = bytes.readUInt32LE(0x3c);
  if (pe + 24 > bytes.length || bytes.readUInt32LE(pe) !== 0x00004550) fail("no PE signature");
  const coff = pe + 4;
  const machineNumber = bytes.readUInt16LE(coff);
  const sectionCount = bytes.readUInt16LE(coff + 2);
  const optionalSize = bytes.readUInt16LE(coff + 16);
  const characteristics = bytes.readUInt16LE(coff + 18);
  const optional = coff + 20;
  if (optionalSize < 2 || optional + optionalSize > bytes.length) fail("truncated optional header");
  const magic = bytes.readUInt16LE(optional);
  if (magic !== 0x10b && magic !== 0x20b) fail(`unknown optional header magic 0x${magic.toString(16)}`);
  const pe32plus = magic === 0x20b;
  const directoryCountAt = optional + (pe32plus ? 108 : 92);
  const directoriesAt = optional + (pe32plus ? 112 : 96);
  const directoryCount = Math.min(
    bytes.readUInt32LE(directoryCountAt),
    (optionalSize - (directoriesAt - optional)) / 8,
  );
  /** Data directory n as { rva, size }, or undefined when absent or empty. */
  const directory = (/** @type {number} */ index) => {
    if (index >= directoryCount) return undefined;
    const rva = bytes.readUInt32LE(directoriesAt + index * 8);
    const size = bytes.readUInt32LE(directoriesAt + index * 8 + 4);
    return rva && size ? { rva, size } : undefined;
  };
  /** @type {{ virtualSize: number, virtualAddress: number, rawSize: number, rawPointer: number, characteristics: number }[]} */
  const sections = [];
  for (let i = 0, at = optional + optionalSize; i < sectionCount; i++, at += 40) {
    if (at + 40 > bytes.length) fail("truncated section table");
    sections.push({
      virtualSize: bytes.readUInt32LE(at + 8),
      virtualAddress: bytes.readUInt32LE(at + 12),
      rawSize: bytes.readUInt32LE(at + 16),
      rawPointer: bytes.readUInt32LE(at + 20),
      characteristics: bytes.readUInt32LE(at + 36),
    });
  }
  const sectionOf = (/** @type {number} */ rva) =>
    sections.find(
      (s) => rva >= s.virtualAddress && rva < s.virtualAddress + Math.max(s.virtualSize, s.rawSize),
    );
  /** File offset of an RVA; throws naming the file when it lies outside the file's data. */
  const offsetOf = (/** @type {number} */ rva) => {
    const section = sectionOf(rva);
    const offset = section ? rva - section.virtualAddress + section.rawPointer : -1;
    if (!section || rva - section.virtualAddress >= section.rawSize || offset >= bytes.length)
      throw new PeFormatError(`${file}: RVA 0x${rva.toString(16)} is not backed by file data`);
    return offset;
  };
  const stringAt = (/** @type {number} */ rva) => {
    const start = offsetOf(rva);
    const end = bytes.indexOf(0, start);
    if (end < 0) throw new PeFormatError(`${file}: unterminated string at RVA 0x${rva.toString(16)}`);
    return bytes.toString("latin1", start, end);
  };
  return {
    machine: MACHINES[machineNumber] ?? `0x${machineNumber.toString(16)}`,
    isDll: (characteristics & IMAGE_FILE_DLL) !== 0,
    directory,
    sectionOf,
    offsetOf,
    stringAt,
  };
}

/**
 * Reads the named exports of a PE image (DLL or .node). Throws an error naming the file when it is not
 * a PE image or has no export directory.
 * @param {string} file
 * @returns {PeExportTable}
 */
export function readPeExports(file) {
  const bytes = readFileSync(file);
  const image = parseHeaders(file, bytes);
  const exportDir = image.directory(0);
  if (!exportDir) throw new PeFormatError(`${file} has no export directory (it exports nothing)`);
  const at = image.offsetOf(exportDir.rva);
  const ordinalBase = bytes.readUInt32LE(at + 16);
  const functionCount = bytes.readUInt32LE(at + 20);
  const nameCount = bytes.readUInt32LE(at + 24);
  const functionsAt = image.offsetOf(bytes.readUInt32LE(at + 28));
  const namesAt = nameCount ? image.offsetOf(bytes.readUInt32LE(at + 32)) : 0;
  const ordinalsAt = nameCount ? image.offsetOf(bytes.readUInt32LE(at + 36)) : 0;
  /** @type {PeExport[]} */
  const exports = [];
  for (let i = 0; i < nameCount; i++) {
    const name = image.stringAt(bytes.readUInt32LE(namesAt + i * 4));
    const index = bytes.readUInt16LE(ordinalsAt + i * 2);
    if (index >= functionCount) throw new PeFormatError(`${file}: export ${name} has no address entry`);
    const rva = bytes.readUInt32LE(functionsAt + index * 4);
    /** @type {PeExport} */
    const entry = { name, ordinal: ordinalBase + index, data: false };
    if (rva >= exportDir.rva && rva < exportDir.rva + exportDir.size) entry.forwarder = image.stringAt(rva);
    else entry.data = ((image.sectionOf(rva)?.characteristics ?? 0) & IMAGE_SCN_MEM_EXECUTE) === 0;
    exports.push(entry);
  }
  return {
    file,
    machine: image.machine,
    isDll: image.isDll,
    dllName: image.stringAt(bytes.readUInt32LE(at + 12)),
    exports,
  };
}

/**
 * The DLL names a PE image imports from (its import directory), as the loader will look them up.
 * @param {string} file
 * @returns {string[]}
 */
export function readPeImports(file) {
  const bytes = readFileSync(file);
  const image = parseHeaders(file, bytes);
  const importDir = image.directory(1);
  if (!importDir) return [];
  const names = [];
  // IMAGE_IMPORT_DESCRIPTOR: 20 bytes each, Name RVA at +12, ended by an all-zero entry.
  for (let at = image.offsetOf(importDir.rva); at + 20 <= bytes.length; at += 20) {
    const nameRva = bytes.readUInt32LE(at + 12);
    if (nameRva === 0) break;
    names.push(image.stringAt(nameRva));
  }
  return names;
}

/** Plain C identifiers (undecorated extern "C" names). */
export const isCIdentifier = (/** @type {string} */ name) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(name);

/**
 * The public C API of llama.cpp and ggml (llama.h, ggml*.h, gguf.h): the names an import library
 * should offer. The DLLs are linked with CMake's WINDOWS_EXPORT_ALL_SYMBOLS, so they also export
 * thousands of decorated C++ names and CRT functions instantiated in them (printf, snprintf, wmemcpy,
 * ...); an import library offering those could bind the addon's own CRT calls to llama.cpp's DLL.
 */
export const isLlamaApiName = (/** @type {string} */ name) => /^(llama|ggml|gguf)_[A-Za-z0-9_]*$/.test(name);

/**
 * Module-definition text for an import library of `libraryName`: one line per export, `DATA` for
 * exports that are not code (they must be imported through __imp_ pointers, never called through a
 * thunk).
 * @param {{ libraryName: string, exports: PeExport[], source?: string }} options
 * @returns {string}
 */
export function moduleDefinition({ libraryName, exports, source }) {
  for (const entry of exports) {
    // Decorated C++ names would need the .def grammar's quoting rules; callers filter them out.
    if (!isCIdentifier(entry.name)) throw new Error(`cannot write ${entry.name} to a .def file`);
  }
  const lines = [
    `; Import definitions for ${libraryName}${source ? `, read from ${path.basename(source)}` : ""}.`,
    "; Written by scripts/peExports.js; regenerated by every native build.",
    `LIBRARY "${libraryName}"`,
    "EXPORTS",
    ...exports.map((entry) => `    ${entry.name}${entry.data ? " DATA" : ""}`),
  ];
  return `${lines.join("\n")}\n`;
}

/**
 * Parses a .def written by moduleDefinition (for tests and checks).
 * @param {string} text
 * @returns {{ libraryName: string, exports: { name: string, data: boolean }[] }}
 */
export function parseModuleDefinition(text) {
  const lines = text.split(/\r?\n/).map((line) => line.replace(/;.*$/, "").trim());
  const library = lines.find((line) => line.startsWith("LIBRARY "));
  const start = lines.indexOf("EXPORTS");
  if (!library || start < 0) throw new Error("not a module-definition file (no LIBRARY or EXPORTS)");
  return {
    libraryName: library.slice("LIBRARY ".length).replace(/^"|"$/g, ""),
    exports: lines
      .slice(start + 1)
      .filter(Boolean)
      .map((line) => {
        const [name, ...rest] = line.split(/\s+/);
        return { name: /** @type {string} */ (name), data: rest.includes("DATA") };
      }),
  };
}

/**
 * lib.exe for a target machine. Order: an explicit path; a Visual Studio developer environment
 * (VCToolsInstallDir, set by vcvarsall/VsDevCmd, the toolchain node-gyp then also uses); otherwise
 * the newest Visual Studio with the C++ tools for that target, found with vswhere.exe (installed
 * with every Visual Studio since 2017 at a fixed path) and its default MSVC toolset version.
 * @param {string} machine process.arch of the target ("x64", "arm64", "ia32")
 * @returns {string}
 */
export function findLibExe(machine) {
  const target = { x64: "x64", arm64: "arm64", ia32: "x86", x86: "x86" }[machine];
  if (!target) throw new Error(`no MSVC target folder for machine ${machine}`);
  const host = process.arch === "arm64" ? "Hostarm64" : process.arch === "ia32" ? "Hostx86" : "Hostx64";
  const tried = [];
  const inToolset = (/** @type {string} */ toolsDir) => path.join(toolsDir, "bin", host, target, "lib.exe");
  if (process.env.VCToolsInstallDir) {
    const candidate = inToolset(process.env.VCToolsInstallDir);
    if (existsSync(candidate)) return candidate;
    tried.push(candidate);
  }
  const programFiles =
    process.env["ProgramFiles(x86)"] ?? process.env.ProgramFiles ?? "C:\\Program Files (x86)";
  const vswhere = path.join(programFiles, "Microsoft Visual Studio", "Installer", "vswhere.exe");
  if (existsSync(vswhere)) {
    const component =
      target === "arm64"
        ? "Microsoft.VisualStudio.Component.VC.Tools.ARM64"
        : "Microsoft.VisualStudio.Component.VC.Tools.x86.x64";
    const output = execFileSync(
      vswhere,
      ["-latest", "-products", "*", "-requires", component, "-property", "installationPath"],
      { encoding: "utf8" },
    ).trim();
    for (const installation of output.split(/\r?\n/).filter(Boolean)) {
      const versionFile = path.join(
        installation,
        "VC",
        "Auxiliary",
        "Build",
        "Microsoft.VCToolsVersion.default.txt",
      );
      const msvcDir = path.join(installation, "VC", "Tools", "MSVC");
      const versions = existsSync(versionFile)
        ? [readFileSync(versionFile, "utf8").trim()]
        : existsSync(msvcDir)
          ? readdirSync(msvcDir).sort().reverse()
          : [];
      for (const version of versions) {
        const candidate = inToolset(path.join(msvcDir, version));
        if (existsSync(candidate)) return candidate;
        tried.push(candidate);
      }
    }
  } else tried.push(vswhere);
  throw new Error(
    `lib.exe for ${target} not found (tried ${tried.join(", ")}); install Visual Studio's ` +
      `"Desktop development with C++" workload (MSVC ${target} build tools) or build from a developer prompt`,
  );
}

/**
 * Writes <outDir>/<dll name>.def from a DLL's export table (llama.cpp/ggml C API names only, see
 * isLlamaApiName; `include` overrides the choice) and, on Windows, the
 * import library <outDir>/<dll name>.lib made from it with lib.exe. Returns the .lib path on Windows,
 * the .def path elsewhere (where there is no lib.exe; the .def is still checked by the tests).
 * The .def names the DLL by its file name: that is the name the loader matches at run time.
 * @param {{ dll: string, outDir: string, machine: string, libExe?: string,
 *   include?: (name: string) => boolean }} options
 *   machine: process.arch of the target ("x64" or "arm64"); must match the DLL's own machine.
 *   libExe: lib.exe to run instead of the one findLibExe picks.
 * @returns {string}
 */
export function windowsImportLibrary({ dll, outDir, machine, libExe, include = isLlamaApiName }) {
  const table = readPeExports(dll);
  if (!table.isDll) throw new Error(`${dll} is not a PE DLL: the IMAGE_FILE_DLL flag is not set`);
  const libMachine = LIB_MACHINE[machine];
  if (!libMachine) throw new Error(`unsupported machine ${machine} for ${dll} (expected x64 or arm64)`);
  if (LIB_MACHINE[table.machine] !== libMachine)
    throw new Error(`${dll} is built for ${table.machine}, not ${machine}`);
  const fileName = path.basename(dll);
  const stem = fileName.replace(/\.dll$/i, "");
  const exports = table.exports.filter((entry) => isCIdentifier(entry.name) && include(entry.name));
  if (exports.length === 0) throw new Error(`${dll} exports none of the functions to import`);
  mkdirSync(outDir, { recursive: true });
  const def = path.join(outDir, `${stem}.def`);
  const text = moduleDefinition({ libraryName: fileName, exports, source: dll });
  const lib = path.join(outDir, `${stem}.lib`);
  const unchanged = existsSync(def) && readFileSync(def, "utf8") === text;
  if (!unchanged) {
    const temp = `${def}.${process.pid}.tmp`;
    writeFileSync(temp, text);
    renameSync(temp, def);
  }
  if (process.platform !== "win32") return def;
  if (unchanged && existsSync(lib)) return lib;
  // lib.exe writes <out>.lib and <out>.exp; build under a temporary name so no half-written .lib stays.
  const tempStem = path.join(outDir, `${stem}.${process.pid}.tmp`);
  try {
    execFileSync(
      libExe ?? findLibExe(machine),
      ["/nologo", `/def:${def}`, `/out:${tempStem}.lib`, `/machine:${libMachine}`],
      { stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" },
    );
  } catch (error) {
    rmSync(`${tempStem}.lib`, { force: true });
    const output = /** @type {{ stdout?: string, stderr?: string }} */ (error);
    throw new Error(
      `lib.exe could not make ${lib} from ${def}: ${output.stdout ?? ""}${output.stderr ?? ""}`,
      { cause: error },
    );
  } finally {
    rmSync(`${tempStem}.exp`, { force: true });
  }
  renameSync(`${tempStem}.lib`, lib);
  return lib;
}
