// The experiment's variants on one device: measured numbers where results were imported for it
// (with their spread), predictions elsewhere (as ranges), the fit verdict, and how far a prediction
// made without the variant's own results was from what the device measured.
import type { DeviceComparison, DeviceComparisonRow } from "../../../shared/domain/deviceComparison.js";
import {
  describeCheck,
  describeDeviceFit,
  describeMeasuredSpeed,
  deviceComparisonNotes,
} from "../../../shared/devices/deviceComparisonColumns.js";
import { describeSpeedRange } from "../../../shared/devices/describeDevice.js";

function Measured({ text, device }: { text: string; device: string }) {
  return (
    <span data-testid="device-measured">
      <span className="mr-1.5 rounded bg-emerald-50 px-1.5 py-0.5 text-[11px] font-medium text-emerald-800">
        measured on {device}
      </span>
      {text}
    </span>
  );
}

function Predicted({ text }: { text: string }) {
  return (
    <span data-testid="device-predicted">
      <span className="mr-1.5 rounded bg-zinc-100 px-1.5 py-0.5 text-[11px] font-medium text-zinc-600">
        predicted
      </span>
      {text}
    </span>
  );
}

const fitTone = { fits: "text-emerald-700", tight: "text-amber-700", no: "text-red-700" } as const;

function DeviceRow({ row, device }: { row: DeviceComparisonRow; device: string }) {
  const { generation, prompt } = row.measured;
  const predicted = row.prediction.generation;
  return (
    <tr data-testid="device-row" data-label={row.prediction.label} className="align-top">
      <td className="whitespace-nowrap px-4 py-2 font-medium text-zinc-900">{row.prediction.label}</td>
      <td className={`whitespace-nowrap px-3 py-2 ${fitTone[row.prediction.fit]}`} data-testid="device-fit">
        {describeDeviceFit(row)}
      </td>
      <td className="whitespace-nowrap px-3 py-2 tabular-nums" data-testid="device-generation">
        {generation ? (
          <Measured text={describeMeasuredSpeed(generation)} device={device} />
        ) : (
          <Predicted text={describeSpeedRange(predicted.lowTokensPerSecond, predicted.highTokensPerSecond)} />
        )}
      </td>
      <td className="whitespace-nowrap px-3 py-2 tabular-nums" data-testid="device-prompt">
        {prompt ? (
          <Measured text={describeMeasuredSpeed(prompt)} device={device} />
        ) : (
          <span className="text-zinc-400">not predicted</span>
        )}
      </td>
      <td
        className={`whitespace-nowrap px-3 py-2 tabular-nums ${row.check && !row.check.inside ? "text-amber-800" : ""}`}
        data-testid="device-error"
      >
        {row.check ? describeCheck(row.check) : <span className="text-zinc-400">—</span>}
      </td>
    </tr>
  );
}

export function DeviceComparisonTable({ comparison }: { comparison: DeviceComparison }) {
  const device = comparison.device.name;
  return (
    <div>
      <div className="overflow-x-auto">
        <table className="w-full text-[13px]" data-testid="device-comparison">
          <thead className="border-b border-zinc-200 bg-zinc-50/60 text-left text-xs text-zinc-500">
            <tr>
              <th className="px-4 py-2 font-medium">Variant</th>
              <th className="px-3 py-2 font-medium">Fits (predicted margin)</th>
              <th className="px-3 py-2 font-medium">Generation</th>
              <th className="px-3 py-2 font-medium">Prompt processing</th>
              <th className="px-3 py-2 font-medium" title="measured / the middle of the predicted range − 1">
                Predicted vs measured
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-zinc-100">
            {comparison.rows.map((row) => (
              <DeviceRow key={row.prediction.path} row={row} device={device} />
            ))}
          </tbody>
        </table>
      </div>
      <ul
        className="space-y-0.5 border-t border-zinc-200 px-4 py-2 text-xs text-zinc-500"
        data-testid="device-notes"
      >
        {deviceComparisonNotes(comparison).map((text) => (
          <li key={text}>{text}</li>
        ))}
        <li>A difference inside the spread is not a finding.</li>
      </ul>
    </div>
  );
}
