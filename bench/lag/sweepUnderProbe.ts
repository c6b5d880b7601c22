// The workload both rows of bench:lag share: import the quick reference model and run a sweep with
// an evaluation through protocol calls, while an app.info call is timed every 20 ms. `call` is the
// transport (WebSocket or the IPC adapter); returns the app.info round trips in ms.
import type { ResultFrame } from "../../src/shared/protocol/wire.js";
import type { referenceModel } from "../../test/helpers/referenceModel.js";

type ReferenceModel = Awaited<ReturnType<typeof referenceModel>>;

export type ProtocolCall = (method: string, params?: unknown) => Promise<ResultFrame>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function valueOf<T>(frame: ResultFrame, what: string): T {
  if (!frame.ok) throw new Error(`${what}: ${JSON.stringify(frame.error)}`);
  return frame.value as T;
}

export async function sweepUnderProbe(
  call: ProtocolCall,
  ref: ReferenceModel,
  types: string[],
): Promise<number[]> {
  const roundTrips: number[] = [];
  let probing = true;
  const prober = (async () => {
    while (probing) {
      const started = performance.now();
      await call("app.info");
      roundTrips.push(performance.now() - started);
      await sleep(20);
    }
  })();

  const started = performance.now();
  const importJob = valueOf<{ id: string }>(
    await call("jobs.start", { kind: "models.import", params: { path: ref.modelPath } }),
    "import",
  ).id;
  for (;;) {
    const state = valueOf<{ state: string }>(await call("jobs.get", { id: importJob }), "jobs.get").state;
    if (state === "succeeded") break;
    if (!["queued", "running"].includes(state)) throw new Error(`import ${state}`);
    await sleep(200);
  }
  const modelId = valueOf<{ id: string }[]>(await call("models.list"), "models.list")[0]!.id;
  const { experimentId } = valueOf<{ experimentId: string }>(
    await call("experiments.startSweep", {
      modelId,
      recipe: { types, evalText: ref.evalText.path, evalContextSize: 128, evalChunks: 4, threads: 2 },
    }),
    "sweep",
  );
  for (;;) {
    const state = valueOf<{ state: string }>(
      await call("experiments.get", { id: experimentId }),
      "experiments.get",
    ).state;
    if (!["queued", "running"].includes(state)) {
      console.log(`sweep ${state} after ${((performance.now() - started) / 1000).toFixed(0)} s`);
      break;
    }
    await sleep(500);
  }
  probing = false;
  await prober;
  return roundTrips;
}
