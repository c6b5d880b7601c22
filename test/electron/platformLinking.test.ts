// The addon links to node-llama-cpp's prebuilt llama.cpp libraries on every platform, but only the
// Linux link runs here. This checks the other two against the real published binaries (the locked
// versions of @node-llama-cpp/win-x64-vulkan, mac-arm64-metal and mac-x64, fetched with npm pack and
// cached under .cache/): every llama.cpp/ggml function the Linux addon imports must be exported by the
// matching Windows DLLs and macOS dylibs (what an import-library or dylib link needs), the generated
// .def files must list them under the DLL's file name, and the dylibs must be named @rpath/<file>.
// See docs/native-platforms.md.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, type TestContext } from "vitest";
import {
  checkRpathInstallNames,
  installNameCandidates,
  readMachO,
  readMachOSlices,
} from "../../scripts/machOInstallNames.js";
import {
  isLlamaApiName,
  parseModuleDefinition,
  readPeExports,
  readPeImports,
  windowsImportLibrary,
} from "../../scripts/peExports.js";

const root = path.resolve(import.meta.dirname, "..", "..");
const cacheDir = path.join(root, ".cache", "platform-packages");
const scratch = mkdtempSync(path.join(os.tmpdir(), "cwb-platform-linking-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const lock = JSON.parse(readFileSync(path.join(root, "package-lock.json"), "utf8")) as {
  packages: Record<string, { version?: string; integrity?: string }>;
};
const version = lock.packages["node_modules/node-llama-cpp"]?.version;
if (!version) throw new Error("package-lock.json locks no node-llama-cpp");

/** The three libraries the addon links to, per package (llama, ggml, ggml-base). */
const PACKAGES = {
  "win-x64-vulkan": [
    "llama.vulkan.v0.4.0.dll",
    "ggml.vulkan.v0.4.0.dll",
    "ggml-base.dll",
    "llama-addon.node",
  ],
  "mac-arm64-metal": ["libllama.metal.v0.4.0.dylib", "libggml.metal.v0.4.0.dylib", "libggml-base.dylib"],
  "mac-x64": ["libllama.v0.4.0.dylib", "libggml.v0.4.0.dylib", "libggml-base.dylib"],
} as const;
type PackageId = keyof typeof PACKAGES;

const NETWORK_ERROR = /ENOTFOUND|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EAI_AGAIN|ENETUNREACH|EHOSTUNREACH/;

function sha512(file: string): string {
  return `sha512-${createHash("sha512").update(readFileSync(file)).digest("base64")}`;
}

/**
 * The package's tarball from the cache, or fetched with npm pack (and cached) when missing or not
 * what the lockfile's integrity says. Returns a reason instead when the registry cannot be reached.
 */
function tarball(id: PackageId): { file: string } | { unreachable: string } {
  const name = `@node-llama-cpp/${id}`;
  const integrity = lock.packages[`node_modules/${name}`]?.integrity;
  if (!integrity) throw new Error(`package-lock.json has no integrity for ${name}`);
  const cached = path.join(cacheDir, `node-llama-cpp-${id}-${version}.tgz`);
  if (existsSync(cached) && sha512(cached) === integrity) return { file: cached };
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const packed = spawnSync(
    npm,
    [
      "pack",
      `${name}@${version}`,
      "--pack-destination",
      scratch,
      "--json",
      // One quick retry: an unreachable registry should skip in seconds, not after npm's minute of backoff.
      "--fetch-retries=1",
      "--fetch-retry-mintimeout=2000",
      "--fetch-retry-maxtimeout=5000",
    ],
    { encoding: "utf8", timeout: 300_000, shell: process.platform === "win32" },
  );
  if (packed.status !== 0) {
    const output = `${packed.stderr}${packed.error?.message ?? ""}`;
    if (NETWORK_ERROR.test(output)) return { unreachable: `the npm registry is unreachable (${name})` };
    throw new Error(`npm pack ${name}@${version} failed:\n${output.slice(-2000)}`);
  }
  const fetched = path.join(scratch, (JSON.parse(packed.stdout) as { filename: string }[])[0]!.filename);
  expect(sha512(fetched), `${name}@${version} from the registry differs from the lockfile`).toBe(integrity);
  mkdirSync(cacheDir, { recursive: true });
  copyFileSync(fetched, `${cached}.${process.pid}.tmp`);
  renameSync(`${cached}.${process.pid}.tmp`, cached);
  return { file: cached };
}

/** Extracts just the named files of package/bins/<id>/ and returns their folder. */
function extract(id: PackageId, file: string): string {
  const dir = path.join(scratch, id);
  mkdirSync(dir, { recursive: true });
  const members = PACKAGES[id].map((name) => `package/bins/${id}/${name}`);
  const result = spawnSync("tar", ["-xzf", file, "-C", dir, ...members], { encoding: "utf8" });
  if (result.status !== 0)
    throw new Error(`tar could not extract ${members.join(", ")} from ${file}: ${result.stderr}`);
  return path.join(dir, "package", "bins", id);
}

const bins: Partial<Record<PackageId, string>> = {};
let unreachable: string | null = null;

beforeAll(() => {
  for (const id of Object.keys(PACKAGES) as PackageId[]) {
    const found = tarball(id);
    if ("unreachable" in found) {
      unreachable = found.unreachable;
      return;
    }
    bins[id] = extract(id, found.file);
  }
}, 600_000);

/** The folder of a fetched package; skips the test (with the reason) when the registry was unreachable. */
function binsOf(ctx: TestContext, id: PackageId): string {
  if (unreachable) ctx.skip(unreachable);
  return bins[id]!;
}

/**
 * The llama.cpp/ggml functions the addon calls: the Linux build's undefined dynamic symbols, each of
 * which its Linux libraries must define (so the list is the real link, not a guess from headers).
 */
function addonImports(ctx: TestContext): string[] {
  if (process.platform !== "linux") ctx.skip("the addon's imports are read from its Linux build");
  const release = path.join(root, "native", "build", "Release");
  const manifest = path.join(release, "backends.json");
  if (!existsSync(manifest)) throw new Error(`${manifest} is missing: run npm run build:native first`);
  const { backends } = JSON.parse(readFileSync(manifest, "utf8")) as {
    backends: { id: string; addon: string; gpu: string | false }[];
  };
  const cpu = backends.find((entry) => entry.gpu === false) ?? backends[0];
  if (!cpu) throw new Error(`${manifest} lists no addon`);
  const symbols = (args: string[]) => {
    const result = spawnSync("nm", args, { encoding: "utf8", maxBuffer: 64 << 20 });
    if (result.status !== 0) throw new Error(`nm ${args.join(" ")} failed: ${result.stderr}`);
    return result.stdout
      .split("\n")
      .map((line) => line.trim().split(/\s+/).at(-1)?.replace(/@.*$/, "") ?? "")
      .filter(Boolean);
  };
  const imports = symbols(["-D", "--undefined-only", path.join(release, cpu.addon)]).filter(isLlamaApiName);
  const linuxBins = path.join(root, "node_modules", "@node-llama-cpp", cpu.id, "bins", cpu.id);
  const defined = new Set(
    symbols([
      "-D",
      "--defined-only",
      path.join(linuxBins, "libllama.v0.4.0.so"),
      path.join(linuxBins, "libggml.v0.4.0.so"),
      path.join(linuxBins, "libggml-base.so"),
    ]),
  );
  expect(imports.length, "the addon imports no llama.cpp functions?").toBeGreaterThan(50);
  expect(imports.filter((name) => !defined.has(name))).toEqual([]);
  return [...new Set(imports)].sort();
}

/** For each needed name, which of the libraries export it; every name must come from exactly one. */
function expectEachFromOne(needed: string[], libraries: { file: string; exports: string[] }[]): number[] {
  const sets = libraries.map((library) => new Set(library.exports));
  const missing = needed.filter((name) => sets.every((set) => !set.has(name)));
  expect(missing, `not exported by ${libraries.map((l) => path.basename(l.file)).join(", ")}`).toEqual([]);
  const ambiguous = needed.filter((name) => sets.filter((set) => set.has(name)).length > 1);
  expect(ambiguous, "exported by more than one library").toEqual([]);
  return sets.map((set) => needed.filter((name) => set.has(name)).length);
}

describe(`Windows: import libraries for @node-llama-cpp/win-x64-vulkan@${version}`, () => {
  const dlls = PACKAGES["win-x64-vulkan"].slice(0, 3);

  it("names each DLL as node-llama-cpp's own addon imports it (the name the loader matches)", (ctx) => {
    const dir = binsOf(ctx, "win-x64-vulkan");
    for (const dll of dlls) {
      const table = readPeExports(path.join(dir, dll));
      expect(table).toMatchObject({ dllName: dll, machine: "x64", isDll: true });
    }
    expect(readPeImports(path.join(dir, "llama-addon.node"))).toEqual(expect.arrayContaining([...dlls]));
  });

  it("exports every llama.cpp function the addon imports, each from exactly one DLL, none as data", (ctx) => {
    const dir = binsOf(ctx, "win-x64-vulkan");
    const needed = addonImports(ctx);
    const tables = dlls.map((dll) => readPeExports(path.join(dir, dll)));
    const counts = expectEachFromOne(
      needed,
      tables.map((table) => ({ file: table.file, exports: table.exports.map((entry) => entry.name) })),
    );
    expect(counts.every((count) => count > 0)).toBe(true);
    const data = tables.flatMap((table) => table.exports.filter((e) => e.data && needed.includes(e.name)));
    expect(data.map((entry) => entry.name)).toEqual([]);
  });

  it("writes a .def per DLL: LIBRARY is the file name, every imported function, no CRT or C++ names", (ctx) => {
    const dir = binsOf(ctx, "win-x64-vulkan");
    const needed = addonImports(ctx);
    const outDir = path.join(scratch, "import-libs");
    const listed = new Set<string>();
    for (const dll of dlls) {
      const written = windowsImportLibrary({ dll: path.join(dir, dll), outDir, machine: "x64" });
      const stem = dll.replace(/\.dll$/, "");
      expect(written).toBe(path.join(outDir, `${stem}.${process.platform === "win32" ? "lib" : "def"}`));
      const def = parseModuleDefinition(readFileSync(path.join(outDir, `${stem}.def`), "utf8"));
      expect(def.libraryName).toBe(dll);
      expect(def.exports.filter((entry) => !isLlamaApiName(entry.name))).toEqual([]);
      const exported = new Set(readPeExports(path.join(dir, dll)).exports.map((entry) => entry.name));
      // Exactly the DLL's llama/ggml/gguf exports: nothing it does not export, nothing left out.
      expect(def.exports.map((entry) => entry.name)).toEqual(
        [...exported].filter(isLlamaApiName).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
      );
      for (const entry of def.exports) listed.add(entry.name);
    }
    expect(needed.filter((name) => !listed.has(name))).toEqual([]);
    expect(listed.has("printf")).toBe(false); // the DLLs do export it (CMake's export-all)
  });

  it("gives an import library with __imp_ symbols bound to the DLL name (llvm-dlltool, lib.exe's stand-in)", (ctx) => {
    const dir = binsOf(ctx, "win-x64-vulkan");
    const needed = addonImports(ctx);
    const probe = spawnSync("llvm-dlltool", ["--help"], { encoding: "utf8" });
    if (probe.error) ctx.skip("llvm-dlltool is not installed (the .def is still checked above)");
    const outDir = path.join(scratch, "dlltool");
    for (const dll of dlls) {
      const def = windowsImportLibrary({ dll: path.join(dir, dll), outDir, machine: "x64" }).replace(
        /\.lib$/,
        ".def",
      );
      const lib = def.replace(/\.def$/, ".lib");
      const made = spawnSync("llvm-dlltool", ["-m", "i386:x86-64", "-d", def, "-l", lib], {
        encoding: "utf8",
      });
      expect(made.status, made.stderr).toBe(0);
      const listing = spawnSync("llvm-nm", [lib], { encoding: "utf8", maxBuffer: 64 << 20 });
      expect(listing.status, listing.stderr).toBe(0);
      const members = new Set(listing.stdout.split("\n").filter((line) => line.endsWith(":")));
      expect([...members]).toEqual([`${dll}:`]);
      const imported = new Set(listing.stdout.match(/__imp_\w+/g) ?? []);
      const exported = new Set(readPeExports(path.join(dir, dll)).exports.map((entry) => entry.name));
      for (const name of needed.filter((n) => exported.has(n)))
        expect(imported.has(`__imp_${name}`)).toBe(true);
    }
  });

  it("fails naming the file for a non-PE file, a DLL without exports and a DLL of another machine", (ctx) => {
    const dir = binsOf(ctx, "win-x64-vulkan");
    const outDir = path.join(scratch, "bad");
    const text = path.join(root, "package.json");
    expect(() => windowsImportLibrary({ dll: text, outDir, machine: "x64" })).toThrow(
      `${text} is not a PE DLL: no MZ header`,
    );
    const stub = path.join(scratch, "stub.dll");
    writeFileSync(stub, Buffer.concat([Buffer.from("MZ"), Buffer.alloc(0x80)]));
    expect(() => readPeExports(stub)).toThrow(`${stub} is not a PE DLL: no PE signature`);
    // A real DLL with its export data directory cleared.
    const bytes = readFileSync(path.join(dir, "ggml.vulkan.v0.4.0.dll"));
    const optional = bytes.readUInt32LE(0x3c) + 24;
    const directories = optional + (bytes.readUInt16LE(optional) === 0x20b ? 112 : 96);
    bytes.fill(0, directories, directories + 8);
    const noExports = path.join(scratch, "no-exports.dll");
    writeFileSync(noExports, bytes);
    expect(() => windowsImportLibrary({ dll: noExports, outDir, machine: "x64" })).toThrow(
      `${noExports} has no export directory`,
    );
    const dll = path.join(dir, "ggml-base.dll");
    expect(() => windowsImportLibrary({ dll, outDir, machine: "arm64" })).toThrow(
      `${dll} is built for x64, not arm64`,
    );
  });
});

describe(`macOS: @node-llama-cpp/mac-arm64-metal and mac-x64@${version}`, () => {
  const cases = [
    { id: "mac-arm64-metal", arch: "arm64" },
    { id: "mac-x64", arch: "x64" },
  ] as const;

  it("names each dylib @rpath/<file>, and they load each other by @rpath through @loader_path", (ctx) => {
    for (const { id, arch } of cases) {
      const dir = binsOf(ctx, id);
      const files = PACKAGES[id].map((file) => path.join(dir, file));
      expect(checkRpathInstallNames(files, arch).map((entry) => entry.installName)).toEqual(
        PACKAGES[id].map((file) => `@rpath/${file}`),
      );
      const [llama, ggml, ggmlBase] = files.map((file) => readMachO(file, arch));
      expect(llama!.dependencies.map((d) => d.name)).toEqual(
        expect.arrayContaining([`@rpath/${PACKAGES[id][1]}`, "@rpath/libggml-base.dylib"]),
      );
      expect(ggml!.dependencies.map((d) => d.name)).toContain("@rpath/libggml-base.dylib");
      for (const slice of [llama!, ggml!, ggmlBase!]) expect(slice.rpaths).toContain("@loader_path");
    }
  });

  it("resolves the addon's @rpath imports through its @loader_path rpath to those very files", (ctx) => {
    const dir = binsOf(ctx, "mac-arm64-metal");
    // As the build links it: the addon in native/build/Release, rpath relative to it.
    const addon = path.join(root, "native", "build", "Release", "cwb_native-mac-arm64-metal.node");
    const rpath = `@loader_path/${path.relative(path.dirname(addon), dir).split(path.sep).join("/")}`;
    for (const file of PACKAGES["mac-arm64-metal"]) {
      const { installName } = readMachO(path.join(dir, file), "arm64");
      expect(installNameCandidates(installName!, { loader: addon, rpaths: [rpath] })).toEqual([
        path.join(dir, file).split(path.sep).join("/"),
      ]);
    }
  });

  it("exports (dyld exports trie) every llama.cpp function the addon imports, each from one dylib", (ctx) => {
    const needed = addonImports(ctx);
    for (const { id, arch } of cases) {
      const dir = binsOf(ctx, id);
      const slices = PACKAGES[id].map((file) => readMachO(path.join(dir, file), arch));
      for (const slice of slices) expect(slice.exportSource).toBe("trie");
      expect(expectEachFromOne(needed, slices).every((count) => count > 0)).toBe(true);
    }
  });

  it("reads both slices of a universal file, and fails naming a file that is not Mach-O", (ctx) => {
    const arm = readFileSync(path.join(binsOf(ctx, "mac-arm64-metal"), "libggml-base.dylib"));
    const x64 = readFileSync(path.join(binsOf(ctx, "mac-x64"), "libggml-base.dylib"));
    // fat_header + two fat_arch entries (big-endian), slices aligned to 2^14 as lipo does.
    const align = (n: number) => Math.ceil(n / 16384) * 16384;
    const armAt = 16384;
    const x64At = align(armAt + arm.length);
    const header = Buffer.alloc(armAt);
    header.writeUInt32BE(0xcafebabe, 0);
    header.writeUInt32BE(2, 4);
    for (const [i, [cpu, offset, size]] of [
      [0x0100000c, armAt, arm.length],
      [0x01000007, x64At, x64.length],
    ].entries()) {
      header.writeUInt32BE(cpu!, 8 + i * 20);
      header.writeUInt32BE(offset!, 8 + i * 20 + 8);
      header.writeUInt32BE(size!, 8 + i * 20 + 12);
      header.writeUInt32BE(14, 8 + i * 20 + 16);
    }
    const fat = path.join(scratch, "libggml-base.universal.dylib");
    writeFileSync(fat, Buffer.concat([header, arm, Buffer.alloc(x64At - armAt - arm.length), x64]));
    const slices = readMachOSlices(fat);
    expect(slices.map((slice) => [slice.arch, slice.installName])).toEqual([
      ["arm64", "@rpath/libggml-base.dylib"],
      ["x64", "@rpath/libggml-base.dylib"],
    ]);
    expect(readMachO(fat, "x64").exports).toEqual(
      readMachO(path.join(bins["mac-x64"]!, "libggml-base.dylib"), "x64").exports,
    );
    const text = path.join(root, "package.json");
    expect(() => readMachOSlices(text)).toThrow(`${text} is not a readable Mach-O file`);
    const dll = path.join(binsOf(ctx, "win-x64-vulkan"), "ggml-base.dll");
    expect(() => readMachO(dll)).toThrow(`${dll} is not a readable Mach-O file`);
  });
});
