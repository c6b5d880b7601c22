// The Electron main process's code path without the Electron binary: the core (Workbench) with its
// protocol served by the IPC adapter (src/main/ipcBridge.ts) to a window double, driven through the
// registered invoke handler. Run with --import electronHook.mjs (and the event-loop probe) by
// bench/server-lag.ts; argv: dataDir, reference model variant, types. Jobs run in node child
// processes here (the desktop shell uses utilityProcess), so the workers' own cost is not in this loop.
import { pathToFileURL } from "node:url";
import { createDispatcher } from "../../src/core/rpc/dispatcher.js";
import { Workbench } from "../../src/core/workbench.js";
import { serveIpc } from "../../src/main/ipcBridge.js";
import type { RendererLocation } from "../../src/main/rendererLocation.js";
import { ipcChannels } from "../../src/shared/protocol/ipcChannels.js";
import type { ResultFrame } from "../../src/shared/protocol/wire.js";
import { referenceModel } from "../../test/helpers/referenceModel.js";
// @ts-expect-error the double has no types; electronHook.mjs maps "electron" to it at run time
import { invokeFromPage, windowAt } from "./electronDouble.mjs";
import { sweepUnderProbe } from "./sweepUnderProbe.js";

const [dataDir, types] = process.argv.slice(2) as [string, string];
const indexFile = "/app/dist/renderer/index.html";
const location: RendererLocation = { kind: "file", indexFile, url: pathToFileURL(indexFile).href };
const workbench = Workbench.open({ dataDir, transport: "ipc" });
let eventBytes = 0;
const window = windowAt(location.url, (_channel: string, bytes: number) => (eventBytes += bytes));
const stopIpc = serveIpc({
  dispatch: createDispatcher(workbench.handlers()),
  events: workbench.events,
  location,
  windows: () => [window as never],
});

let nextId = 1;
const call = (method: string, params: unknown = {}) =>
  invokeFromPage(ipcChannels.call, location.url, {
    type: "call",
    id: nextId++,
    method,
    params,
  }) as Promise<ResultFrame>;
process.kill(process.pid, "SIGUSR2"); // the probe: measure from here, not the module loading
const roundTrips = await sweepUnderProbe(call, await referenceModel("quick"), types.split(","));
stopIpc();
workbench.close();
console.log(JSON.stringify({ roundTrips, eventBytes }));
