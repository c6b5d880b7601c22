// macOS link checks for the native addon, in pure JS so they run (and are tested) on any OS. A dylib
// records its own install name (LC_ID_DYLIB); a binary linked to it copies that name into its
// LC_LOAD_DYLIB, and dyld resolves an @rpath/... name through the LC_RPATH entries of the binary
// that loads it. This reads those load commands and the exported symbols (the dyld exports trie, or
// the symbol table when there is none) of thin Mach-O files (32/64-bit) and of every slice of a
// universal (fat) file. See docs/native-platforms.md.
import { readFileSync } from "node:fs";
import path from "node:path";

/**
 * @typedef {object} MachODependency
 * @property {string} name   the install name as recorded (e.g. "@rpath/libggml-base.dylib")
 * @property {"load" | "weak" | "reexport" | "lazy" | "upward"} kind
 */

/**
 * @typedef {object} MachOSlice
 * @property {string} file
 * @property {string} arch           "arm64", "x64", "x86", "ppc" or the CPU type number
 * @property {number} fileType       MH_DYLIB is 6, MH_BUNDLE (a .node) 8
 * @property {string | null} installName   LC_ID_DYLIB (null for anything but a dylib)
 * @property {MachODependency[]} dependencies
 * @property {string[]} rpaths
 * @property {string[]} exports      exported symbol names without the C leading underscore
 * @property {"trie" | "symtab" | "none"} exportSource
 */

// Commands dyld must understand carry LC_REQ_DYLD (0x80000000); written out, since JS's | is signed.
const LC_SYMTAB = 0x2;
const LC_LOAD_DYLIB = 0xc;
const LC_ID_DYLIB = 0xd;
const LC_LAZY_LOAD_DYLIB = 0x20;
const LC_DYLD_INFO = 0x22;
const LC_LOAD_WEAK_DYLIB = 0x80000018;
const LC_RPATH = 0x8000001c;
const LC_REEXPORT_DYLIB = 0x8000001f;
const LC_DYLD_INFO_ONLY = 0x80000022;
const LC_LOAD_UPWARD_DYLIB = 0x80000023;
const LC_DYLD_EXPORTS_TRIE = 0x80000033;
const DEPENDENCY_KINDS = /** @type {Record<number, MachODependency["kind"]>} */ ({
  [LC_LOAD_DYLIB]: "load",
  [LC_LOAD_WEAK_DYLIB]: "weak",
  [LC_REEXPORT_DYLIB]: "reexport",
  [LC_LAZY_LOAD_DYLIB]: "lazy",
  [LC_LOAD_UPWARD_DYLIB]: "upward",
});
const CPU_NAMES = /** @type {Record<number, string>} */ ({
  0x0100000c: "arm64",
  0x01000007: "x64",
  7: "x86",
  12: "arm",
  18: "ppc",
});

/** Error for a file that is not what the reader expects; always names the file. */
function formatError(/** @type {string} */ file, /** @type {string} */ problem) {
  return new Error(`${file} is not a readable Mach-O file: ${problem}`);
}

/** Bounds-checked little/big-endian reads over one slice. */
function sliceReader(
  /** @type {string} */ file,
  /** @type {Buffer} */ bytes,
  /** @type {boolean} */ littleEndian,
) {
  const check = (/** @type {number} */ at, /** @type {number} */ size) => {
    if (at < 0 || at + size > bytes.length)
      throw formatError(file, `read of ${size} bytes at ${at} runs past the end (${bytes.length} bytes)`);
  };
  return {
    bytes,
    u8: (/** @type {number} */ at) => (check(at, 1), bytes[at] ?? 0),
    u32: (/** @type {number} */ at) => (
      check(at, 4),
      littleEndian ? bytes.readUInt32LE(at) : bytes.readUInt32BE(at)
    ),
    cstring: (/** @type {number} */ at, /** @type {number} */ end = bytes.length) => {
      check(at, 0);
      const zero = bytes.indexOf(0, at);
      return bytes.toString("utf8", at, zero < 0 || zero > end ? end : zero);
    },
    /** ULEB128 at `at`: [value, next offset]. Values stay below 2^53 for any real file. */
    uleb: (/** @type {number} */ at) => {
      let value = 0;
      let scale = 1;
      for (;;) {
        check(at, 1);
        const byte = /** @type {number} */ (bytes[at++]);
        value += (byte & 0x7f) * scale;
        scale *= 128;
        if ((byte & 0x80) === 0) return /** @type {[number, number]} */ ([value, at]);
        if (scale > 2 ** 63) throw formatError(file, "ULEB128 value too long");
      }
    },
  };
}

/** Names in a dyld exports trie (a prefix tree: each node holds optional symbol info, then edges). */
function trieExports(
  /** @type {ReturnType<typeof sliceReader>} */ r,
  /** @type {number} */ start,
  /** @type {number} */ size,
) {
  const names = [];
  const seen = new Set();
  /** @type {[number, string][]} */
  const stack = [[0, ""]];
  while (stack.length > 0) {
    const [node, prefix] = /** @type {[number, string]} */ (stack.pop());
    if (node >= size || seen.has(node)) continue; // a malformed trie must not loop
    seen.add(node);
    const [infoSize, infoAt] = r.uleb(start + node);
    // A node with symbol info (flags, then an address, a re-export or a stub and resolver) ends a
    // name; all three kinds are names this image answers for, so the details are not decoded.
    if (infoSize > 0) names.push(prefix);
    let at = infoAt + infoSize;
    const childCount = r.u8(at++);
    for (let i = 0; i < childCount; i++) {
      const label = r.cstring(at, start + size);
      at += Buffer.byteLength(label) + 1;
      const [child, next] = r.uleb(at);
      at = next;
      stack.push([child, prefix + label]);
    }
  }
  return names;
}

/** Externally visible defined symbols of LC_SYMTAB (the fallback when there is no exports trie). */
function symtabExports(
  /** @type {ReturnType<typeof sliceReader>} */ r,
  /** @type {number} */ command,
  /** @type {boolean} */ is64,
) {
  const symbols = r.u32(command + 8);
  const count = r.u32(command + 12);
  const strings = r.u32(command + 16);
  const entrySize = is64 ? 16 : 12;
  const names = [];
  for (let i = 0; i < count; i++) {
    const entry = symbols + i * entrySize;
    const type = r.u8(entry + 4);
    // Not a debugging entry (N_STAB), external (N_EXT), not private (N_PEXT), defined (N_TYPE not N_UNDF).
    if ((type & 0xe0) === 0 && (type & 0x01) !== 0 && (type & 0x10) === 0 && (type & 0x0e) !== 0)
      names.push(r.cstring(strings + r.u32(entry)));
  }
  return names;
}

/** Parses one thin Mach-O image. */
function readSlice(/** @type {string} */ file, /** @type {Buffer} */ bytes) {
  if (bytes.length < 28) throw formatError(file, "too short for a Mach-O header");
  const magic = bytes.readUInt32LE(0);
  const littleEndian = magic === 0xfeedfacf || magic === 0xfeedface;
  const bigEndian = magic === 0xcffaedfe || magic === 0xcefaedfe;
  if (!littleEndian && !bigEndian) throw formatError(file, `unknown magic 0x${magic.toString(16)}`);
  const is64 = magic === 0xfeedfacf || magic === 0xcffaedfe;
  const r = sliceReader(file, bytes, littleEndian);
  const cpu = r.u32(4);
  const commandCount = r.u32(16);
  /** @type {MachOSlice} */
  const slice = {
    file,
    arch: CPU_NAMES[cpu] ?? `0x${cpu.toString(16)}`,
    fileType: r.u32(12),
    installName: null,
    dependencies: [],
    rpaths: [],
    exports: [],
    exportSource: "none",
  };
  /** @type {{ offset: number, size: number } | undefined} */
  let trie;
  let symtab = -1;
  for (let i = 0, at = is64 ? 32 : 28; i < commandCount; i++) {
    const cmd = r.u32(at);
    const size = r.u32(at + 4);
    if (size < 8 || at + size > bytes.length) throw formatError(file, `load command ${i} runs past the end`);
    // Dylib and rpath commands hold their string's offset from the command's start.
    const text = () => r.cstring(at + r.u32(at + 8), at + size);
    if (cmd === LC_ID_DYLIB) slice.installName = text();
    else if (cmd === LC_RPATH) slice.rpaths.push(text());
    else if (DEPENDENCY_KINDS[cmd]) slice.dependencies.push({ name: text(), kind: DEPENDENCY_KINDS[cmd] });
    else if (cmd === LC_DYLD_INFO || cmd === LC_DYLD_INFO_ONLY) {
      const exportSize = r.u32(at + 44);
      if (exportSize > 0) trie = { offset: r.u32(at + 40), size: exportSize };
    } else if (cmd === LC_DYLD_EXPORTS_TRIE) {
      const dataSize = r.u32(at + 12);
      if (dataSize > 0) trie = { offset: r.u32(at + 8), size: dataSize };
    } else if (cmd === LC_SYMTAB) symtab = at;
    at += size;
  }
  const rawNames = trie
    ? trieExports(r, trie.offset, trie.size)
    : symtab >= 0
      ? symtabExports(r, symtab, is64)
      : [];
  slice.exportSource = trie ? "trie" : symtab >= 0 ? "symtab" : "none";
  // C names carry a leading underscore in Mach-O; report them as the C source spells them.
  slice.exports = rawNames.map((name) => (name.startsWith("_") ? name.slice(1) : name));
  return slice;
}

/**
 * Every architecture slice of a Mach-O file (one for a thin file). Throws naming the file when it is
 * not Mach-O.
 * @param {string} file
 * @returns {MachOSlice[]}
 */
export function readMachOSlices(file) {
  const bytes = readFileSync(file);
  if (bytes.length >= 8 && (bytes.readUInt32BE(0) === 0xcafebabe || bytes.readUInt32BE(0) === 0xcafebabf)) {
    const wide = bytes.readUInt32BE(0) === 0xcafebabf;
    const count = bytes.readUInt32BE(4);
    // 0xcafebabe also starts Java class files, where this word is a version (>= 45): not a slice count.
    if (count === 0 || count > 32) throw formatError(file, `universal header claims ${count} slices`);
    const slices = [];
    for (let i = 0; i < count; i++) {
      const at = 8 + i * (wide ? 32 : 20);
      if (at + (wide ? 32 : 20) > bytes.length) throw formatError(file, "truncated universal header");
      const offset = wide ? Number(bytes.readBigUInt64BE(at + 8)) : bytes.readUInt32BE(at + 8);
      const size = wide ? Number(bytes.readBigUInt64BE(at + 16)) : bytes.readUInt32BE(at + 12);
      if (offset + size > bytes.length) throw formatError(file, `slice ${i} runs past the end`);
      slices.push(readSlice(file, bytes.subarray(offset, offset + size)));
    }
    return slices;
  }
  return [readSlice(file, bytes)];
}

/**
 * The slice for one architecture (process.arch spelling: "arm64", "x64").
 * @param {string} file
 * @param {string} [arch]
 * @returns {MachOSlice}
 */
export function readMachO(file, arch = process.arch) {
  const slices = readMachOSlices(file);
  const slice = slices.find((entry) => entry.arch === arch);
  if (!slice)
    throw new Error(`${file} has no ${arch} code (it holds ${slices.map((s) => s.arch).join(", ")})`);
  return slice;
}

/**
 * What dyld would try for an install name loaded by `loader` (a file), given the rpaths in effect:
 * @rpath/ expands through each rpath (@loader_path there meaning the loader's folder), @loader_path/
 * through the loader's folder; other names are paths already. @executable_path is left as is.
 * @param {string} installName
 * @param {{ loader: string, rpaths: string[] }} context
 * @returns {string[]}
 */
export function installNameCandidates(installName, { loader, rpaths }) {
  const loaderDir = path.posix.dirname(loader.split(path.sep).join("/"));
  const expandLoader = (/** @type {string} */ value) =>
    value.startsWith("@loader_path") ? path.posix.join(loaderDir, value.slice("@loader_path".length)) : value;
  if (installName.startsWith("@rpath/"))
    return rpaths.map((rpath) => path.posix.join(expandLoader(rpath), installName.slice("@rpath/".length)));
  return [expandLoader(installName)];
}

/**
 * Checks that each dylib is named @rpath/<its own file name>, so that a binary linked to it by full
 * path and given the folder as rpath (-Wl,-rpath,<folder>) loads this very file, and that what the
 * dylibs load from each other is @rpath/... too. Throws naming the file otherwise.
 * @param {string[]} files dylibs of one folder
 * @param {string} [arch]
 * @returns {{ file: string, installName: string }[]}
 */
export function checkRpathInstallNames(files, arch = process.arch) {
  return files.map((file) => {
    const slice = readMachO(file, arch);
    const expected = `@rpath/${path.basename(file)}`;
    if (slice.installName !== expected)
      throw new Error(
        `${file}: install name ${slice.installName ?? "(none)"} is not ${expected}; ` +
          "a binary linked to it would not find this file through its rpath",
      );
    const local = new Set(files.map((other) => path.basename(other)));
    for (const dependency of slice.dependencies) {
      const base = path.posix.basename(dependency.name);
      if (local.has(base) && dependency.name !== `@rpath/${base}`)
        throw new Error(`${file}: loads ${dependency.name}, not @rpath/${base}`);
    }
    return { file, installName: slice.installName };
  });
}
