// Compare: one experiment's variants — on this machine or on a chosen device (measured where results
// were imported for it, predicted elsewhere), the "what fits" query, the three Pareto plots, the full
// metrics table, the best draft of a speculative target, where each run ran, the prebuilt binaries
// against the build for this machine, and side-by-side generation of the selected variants. Points and
// rows share one selection, so clicking either highlights both.
import { useMemo, useState } from "react";
import { describeDevicesOverview, devicesOverview } from "../../../shared/domain/runDevice.js";
import { formatBytes, formatDateTime } from "../../../shared/format.js";
import { ParetoChart } from "../../charts/ParetoChart.js";
import { Card } from "../../components/Card.js";
import { Field, Select } from "../../components/Field.js";
import { Notice } from "../../components/Notice.js";
import { PageHeader } from "../../components/PageHeader.js";
import { useCall } from "../../hooks/useCall.js";
import { navigate } from "../../routing/useHashRoute.js";
import { BestDraftPanel } from "./BestDraftPanel.js";
import { BuildComparisonPanel } from "./BuildComparisonPanel.js";
import { CompareTable } from "./CompareTable.js";
import { DeviceComparisonTable } from "./DeviceComparisonTable.js";
import { FitQueryPanel } from "./FitQueryPanel.js";
import { HealingPanel } from "./HealingPanel.js";
import { RunDevicesTable } from "./RunDevicesTable.js";
import { SideBySidePanel } from "./SideBySidePanel.js";
import { tradeoffPlots } from "./tradeoffPlots.js";

export function ComparePage({ experimentId }: { experimentId: string | undefined }) {
  const experiments = useCall("experiments.list", {}, ["experiments.changed"]);
  const list = experiments.data ?? [];
  const chosen = experimentId ?? list[0]?.id;
  const summary = useCall("experiments.get", chosen ? { id: chosen } : null, ["experiments.changed"]);
  const devices = useCall("devices.list", {}, ["devices.changed"]);
  /** "" is this machine. */
  const [deviceId, setDeviceId] = useState("");
  const onDevice = useCall(
    "devices.compare",
    chosen && deviceId ? { deviceId, experimentId: chosen, contextSize: 4096, measuredOnly: false } : null,
    ["devices.changed", "experiments.changed", "models.changed"],
  );
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [focused, setFocused] = useState<string | null>(null);

  const rows = useMemo(() => summary.data?.rows ?? [], [summary.data]);
  const selectedRows = rows.filter((row) => selected.has(row.modelId));
  const toggle = (modelId: string) =>
    setSelected((current) => {
      const next = new Set(current);
      if (next.has(modelId)) next.delete(modelId);
      else next.add(modelId);
      return next;
    });
  const pick = (modelId: string) => {
    setFocused(modelId);
    toggle(modelId);
  };

  const data = summary.data;
  return (
    <>
      <PageHeader
        title="Compare"
        subtitle={
          data
            ? `${data.name} · ${data.variantCount} variant${data.variantCount === 1 ? "" : "s"} of ${data.baseModelName ?? "a removed model"}`
            : "Variants of one experiment, side by side."
        }
        actions={
          list.length > 0 && (
            <div className="flex gap-3">
              <Field label="Device" className="w-56">
                <Select
                  aria-label="Device"
                  value={deviceId}
                  onChange={(event) => setDeviceId(event.target.value)}
                >
                  <option value="">This machine</option>
                  {(devices.data ?? []).map((entry) => (
                    <option key={entry.profile.id} value={entry.profile.id}>
                      {entry.profile.name}
                    </option>
                  ))}
                </Select>
              </Field>
              <Field label="Experiment" className="w-[28rem]">
                <Select
                  aria-label="Experiment"
                  value={chosen ?? ""}
                  onChange={(event) => navigate("compare", event.target.value)}
                >
                  {list.map((e) => (
                    <option key={e.id} value={e.id}>
                      {e.name} · {formatDateTime(e.createdAt)}
                    </option>
                  ))}
                </Select>
              </Field>
            </div>
          )
        }
      />
      <div className="space-y-4">
        {experiments.error && (
          <Notice tone="error">Could not list experiments: {experiments.error.message}</Notice>
        )}
        {summary.error && (
          <Notice tone="error">Could not load the experiment: {summary.error.message}</Notice>
        )}
        {list.length === 0 && !experiments.loading && (
          <div className="rounded-lg border border-dashed border-zinc-300 bg-white px-6 py-12 text-center">
            <p className="text-sm font-medium text-zinc-700">No experiments yet</p>
            <p className="mt-1 text-sm text-zinc-500">
              Start a sweep on the Compress screen; its variants appear here as they are measured.
            </p>
          </div>
        )}
        {data && (
          <>
            <div className="flex flex-wrap gap-x-6 gap-y-1 text-xs text-zinc-500">
              <span>
                Machine:{" "}
                <span className="text-zinc-700">
                  {data.machine
                    ? `${data.machine.cpu}, ${data.machine.cores} threads, ${formatBytes(data.machine.ramBytes)} RAM${data.machine.gpu ? `, ${data.machine.gpu}` : ""}`
                    : "not measured yet"}
                </span>
              </span>
              <span>
                llama.cpp: <span className="text-zinc-700">{data.llamaBuild ?? "—"}</span>
              </span>
              <span>
                Ran on:{" "}
                <span className="text-zinc-700" data-testid="experiment-devices">
                  {describeDevicesOverview(devicesOverview(rows))}
                </span>
              </span>
              <span>
                Jobs:{" "}
                <span className="text-zinc-700">
                  {Object.entries(data.jobCounts)
                    .map(([state, n]) => `${n} ${state}`)
                    .join(", ") || "none"}
                </span>
              </span>
            </div>
            {deviceId && (
              <Card title={`On ${onDevice.data?.device.name ?? deviceId}`}>
                {onDevice.error && (
                  <Notice tone="error">Could not compare on the device: {onDevice.error.message}</Notice>
                )}
                {onDevice.data && <DeviceComparisonTable comparison={onDevice.data} />}
              </Card>
            )}
            <Card title="Best variant for a budget">
              <FitQueryPanel rows={rows} onSelect={pick} />
            </Card>
            <Card
              title="Trade-offs"
              actions={
                <span className="text-xs text-zinc-500">
                  Filled points and the line: the Pareto front. Click a point to select its row.
                </span>
              }
            >
              <div className="grid divide-y divide-zinc-100 xl:grid-cols-3 xl:divide-x xl:divide-y-0">
                {tradeoffPlots.map((plot) => (
                  <div key={plot.axis} className="min-w-0 pt-3">
                    <h3 className="px-4 text-xs font-semibold text-zinc-700">
                      {plot.title} <span className="font-normal text-zinc-400">· {plot.better}</span>
                    </h3>
                    <ParetoChart plot={plot} rows={rows} selected={selected} onSelect={pick} />
                  </div>
                ))}
              </div>
            </Card>
            <HealingPanel rows={rows} />
            <BestDraftPanel runs={data.speculation ?? []} rows={rows} />
            <Card title="All metrics">
              <CompareTable rows={rows} selected={selected} onToggle={toggle} focused={focused} />
            </Card>
            <Card title="Where each run ran">
              <RunDevicesTable rows={rows} />
            </Card>
            <Card title="Prebuilt binaries against the build for this machine">
              <BuildComparisonPanel experimentId={data.id} />
            </Card>
            <Card title="Side-by-side generation">
              <SideBySidePanel rows={selectedRows} />
            </Card>
          </>
        )}
      </div>
    </>
  );
}
