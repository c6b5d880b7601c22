// One contract per job kind (shared/protocol/jobKinds.ts): every declared kind has its worker half
// (a runner in src/worker/runners/index.ts) and its parent half (a host in src/core/jobs/kinds),
// nothing is registered for a kind that is not declared, and the value a worker returns is checked
// against the contract in words that name the kind. jobs.start is typed by kind.
import { describe, expect, it } from "vitest";
import { jobKindHosts } from "../../src/core/jobs/kinds/index.js";
import type { CallInput } from "../../src/shared/protocol/define.js";
import type { Calls } from "../../src/shared/protocol/endpoints.js";
import { jobKinds, parseWorkerValue, type JobKind } from "../../src/shared/protocol/jobKinds.js";
import { runners } from "../../src/worker/runners/index.js";

const declared = Object.keys(jobKinds).sort();

describe("job kind contract", () => {
  it("gives every declared kind a runner in the worker, and no runner to an undeclared kind", () => {
    expect(Object.keys(runners).sort()).toEqual(declared);
    for (const load of Object.values(runners)) expect(typeof load).toBe("function");
  });

  it("gives every declared kind a host in the parent, and no host to an undeclared kind", () => {
    expect(Object.keys(jobKindHosts).sort()).toEqual(declared);
    for (const [kind, host] of Object.entries(jobKindHosts)) expect(host.kind).toBe(kind);
  });

  it("declares value = result for kinds whose host does not turn the value into a result", () => {
    for (const kind of declared as JobKind[]) {
      if (!jobKindHosts[kind].complete) expect(jobKinds[kind].value, kind).toBe(jobKinds[kind].result);
    }
  });

  it("checks a worker's value against its kind, naming the kind when it does not match", () => {
    expect(parseWorkerValue("debug.sleep", { sleptSeconds: 1, tempFileWritten: true })).toEqual({
      ok: true,
      value: { sleptSeconds: 1, tempFileWritten: true },
    });
    const wrong = parseWorkerValue("debug.sleep", { sleptSeconds: "1" });
    expect(wrong.ok).toBe(false);
    expect(!wrong.ok && wrong.error).toMatch(/^the debug\.sleep worker returned a value .*sleptSeconds/);
  });

  it("types jobs.start by kind (checked by the typecheck; the calls below only have to compile)", () => {
    const start = (request: CallInput<Calls["jobs.start"]>): string => request.kind;
    expect(start({ kind: "debug.sleep", params: { seconds: 1 } })).toBe("debug.sleep");
    // @ts-expect-error debug.sleep's seconds is a number
    start({ kind: "debug.sleep", params: { seconds: "1" } });
    // @ts-expect-error models.import takes a path, not debug.sleep's parameters
    start({ kind: "models.import", params: { seconds: 1 } });
    // @ts-expect-error an undeclared kind
    start({ kind: "no.such.kind", params: {} });
  });
});
