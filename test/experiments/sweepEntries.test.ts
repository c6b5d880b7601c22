import { describe, expect, it } from "vitest";
import { sweepEntries } from "../../src/core/experiments/runSweep.js";

describe("sweepEntries", () => {
  it("uses no importance matrix unless asked", () => {
    expect(sweepEntries({ types: ["q8_0", "Q4_K_M"], imatrix: "none" })).toEqual([
      { type: "Q8_0", withImatrix: false },
      { type: "Q4_K_M", withImatrix: false },
    ]);
  });

  it("applies a given importance matrix to every type when no entry says +imatrix", () => {
    expect(sweepEntries({ types: ["Q8_0", "Q2_K"], imatrix: "auto" }).map((e) => e.withImatrix)).toEqual([
      true,
      true,
    ]);
  });

  it("applies it only to +imatrix entries and to types that cannot do without one", () => {
    expect(sweepEntries({ types: ["Q2_K", "Q2_K+imatrix", "IQ2_XS"], imatrix: { path: "/x.gguf" } })).toEqual(
      [
        { type: "Q2_K", withImatrix: false },
        { type: "Q2_K", withImatrix: true },
        { type: "IQ2_XS", withImatrix: true },
      ],
    );
  });

  it("refuses types that need an importance matrix when there is none, naming them", () => {
    expect(() => sweepEntries({ types: ["Q8_0", "IQ2_XS", "Q4_0+imatrix"], imatrix: "none" })).toThrow(
      /IQ2_XS, Q4_0 need an importance matrix/,
    );
  });

  it("refuses an unknown type", () => {
    expect(() => sweepEntries({ types: ["Q9_Z"], imatrix: "none" })).toThrow(
      /unknown quantization type "Q9_Z"/,
    );
  });
});
