// The Electron transport's client side: the preload hands back each call's outcome as plain data
// (contextBridge would strip a rejected Error down to its message), and IpcClient turns a failure
// into a CallError that keeps the name and the machine-readable code the screens branch on.
import { describe, expect, it } from "vitest";
import type { BridgeOutcome, CwbBridge } from "../../src/shared/protocol/bridge.js";
import { CallError } from "../../src/renderer/client/CallError.js";
import { IpcClient } from "../../src/renderer/client/IpcClient.js";

function bridgeAnswering(outcome: BridgeOutcome, seen: Array<[string, unknown]> = []): CwbBridge {
  return {
    call: (method, params) => {
      seen.push([method, params]);
      return Promise.resolve(outcome);
    },
    on: () => () => undefined,
    getPathForFile: () => "",
  };
}

describe("IpcClient", () => {
  it("returns the value of a successful call and passes method and params through", async () => {
    const seen: Array<[string, unknown]> = [];
    const client = new IpcClient(bridgeAnswering({ ok: true, value: [{ id: "m1" }] }, seen));
    await expect(client.call("models.list", {})).resolves.toEqual([{ id: "m1" }]);
    expect(seen).toEqual([["models.list", {}]]);
  });

  it("throws a CallError with the wire error's name, message and code", async () => {
    const client = new IpcClient(
      bridgeAnswering({
        ok: false,
        error: { name: "ProtocolError", message: "no such model: m9", code: "NOT_FOUND" },
      }),
    );
    const error: unknown = await client.call("models.list", {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CallError);
    expect(error).toMatchObject({ name: "ProtocolError", message: "no such model: m9", code: "NOT_FOUND" });
  });

  it("refuses a dropped file that has no path on disk", async () => {
    const client = new IpcClient(bridgeAnswering({ ok: true, value: null }));
    await expect(client.importFile(new File(["x"], "notes.gguf"))).rejects.toThrow(/notes.gguf has no path/);
  });
});
