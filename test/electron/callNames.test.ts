// The preload's zod-free allowlist of call names must be exactly the protocol's calls.
import { describe, expect, it } from "vitest";
import { callNames, isCallName } from "../../src/shared/protocol/callNames.js";
import { calls } from "../../src/shared/protocol/endpoints.js";

describe("callNames", () => {
  it("lists every protocol call exactly once", () => {
    expect([...callNames].sort()).toEqual(Object.keys(calls).sort());
    expect(new Set(callNames).size).toBe(callNames.length);
  });

  it("accepts only those names", () => {
    for (const name of Object.keys(calls)) expect(isCallName(name)).toBe(true);
    for (const name of ["", "toString", "__proto__", "constructor", "models", "models.list ", 42, null]) {
      expect(isCallName(name)).toBe(false);
    }
  });
});
