// What was measured on a device (results imported for it), shown before its spec-sheet figures:
// per variant the generation and prompt-processing speed with their spread, the share of the
// bandwidth limit the generation reached, and the efficiency factor the predictions take from them.
import { describeEfficiency, describeEfficiencySample } from "../../../shared/devices/describeDevice.js";
import { describeMeasuredSpeed } from "../../../shared/devices/deviceComparisonColumns.js";
import { useCall } from "../../hooks/useCall.js";
import { Notice } from "../../components/Notice.js";

export function DeviceMeasuredResults({ deviceId }: { deviceId: string }) {
  const measured = useCall("devices.compare", { deviceId, contextSize: 4096, measuredOnly: true }, [
    "devices.changed",
    "models.changed",
  ]);
  if (measured.error)
    return <Notice tone="error">Could not read the device's results: {measured.error.message}</Notice>;
  const data = measured.data;
  if (!data || data.rows.length === 0) return null;
  return (
    <div data-testid="device-measured-results">
      <h3 className="text-xs font-semibold text-zinc-700">
        Measured on {data.device.name}{" "}
        <span className="font-normal text-zinc-500">
          (imported results, mean ± standard deviation, n = repetitions)
        </span>
      </h3>
      <table className="mt-1 w-full text-sm">
        <thead>
          <tr className="border-b border-zinc-200 text-left text-xs text-zinc-500">
            <th className="py-1.5 pr-3 font-medium">Variant</th>
            <th className="py-1.5 pr-3 text-right font-medium">Generation</th>
            <th className="py-1.5 pr-3 text-right font-medium">Prompt processing</th>
            <th className="py-1.5 text-right font-medium">Share of the bandwidth limit</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-zinc-100">
          {data.rows.map((row) => (
            <tr key={row.prediction.path} data-testid="device-measured-row">
              <td className="py-1.5 pr-3 text-zinc-700">{row.prediction.label}</td>
              <td className="py-1.5 pr-3 text-right tabular-nums">
                {row.measured.generation ? describeMeasuredSpeed(row.measured.generation) : "—"}
              </td>
              <td className="py-1.5 pr-3 text-right tabular-nums">
                {row.measured.prompt ? describeMeasuredSpeed(row.measured.prompt) : "—"}
              </td>
              <td className="py-1.5 text-right tabular-nums">
                {row.measured.efficiency ? describeEfficiencySample(row.measured.efficiency) : "—"}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="mt-1 text-xs text-zinc-500" data-testid="device-efficiency">
        Efficiency factor: {describeEfficiency(data.efficiency)}.
      </p>
    </div>
  );
}
