// The fingerprint of this very machine, on the CPU build (asked for explicitly, so the expectations
// hold on a machine with a GPU too).
import os from "node:os";
import { describe, expect, it } from "vitest";
import {
  collectMachineFingerprint,
  fingerprintId,
  nodeLlamaCppVersion,
} from "../../src/core/machine/machineFingerprint.js";
import { machineFingerprint } from "../../src/shared/domain/bench.js";
import { loadNative } from "../../src/worker/native/loadAddon.js";

describe("machine fingerprint", () => {
  it("describes this machine and is stable between calls", async () => {
    const { llama } = await loadNative({ gpu: "cpu" });
    const first = await collectMachineFingerprint(llama);
    const second = await collectMachineFingerprint(llama);
    expect(machineFingerprint.parse(first)).toEqual(first);
    expect(second.id).toBe(first.id);
    expect(first.id).toMatch(/^[0-9a-f]{16}$/);
    expect(first.cores).toBe(os.cpus().length);
    expect(first.ramBytes).toBe(os.totalmem());
    expect(first.cpu.length).toBeGreaterThan(0);
    expect(llama.gpu).toBe(false);
    expect(first.details.backend).toBe("cpu");
    expect(first.details.llamaCppRelease).toBe(llama.llamaCppRelease.release);
    expect(first.details.nodeLlamaCppVersion).toBe(nodeLlamaCppVersion());
    expect(first.details.nodeLlamaCppVersion).toMatch(/^\d+\.\d+\.\d+/);
  });
  it("gives the same id without a Llama instance on a CPU build (the app process does not load llama.cpp)", async () => {
    const { llama } = await loadNative({ gpu: "cpu" });
    const withLlama = await collectMachineFingerprint(llama);
    const without = await collectMachineFingerprint();
    expect(without.details.llamaCppRelease).toBe(withLlama.details.llamaCppRelease);
    expect(without.id).toBe(withLlama.id);
  });
  it("hashes the stable fields deterministically", () => {
    const fields = { cpu: "X", cores: 2, ramGiB: 24 };
    expect(fingerprintId(fields)).toBe(fingerprintId({ ...fields }));
    expect(fingerprintId(fields)).not.toBe(fingerprintId({ ...fields, cores: 4 }));
  });
});
