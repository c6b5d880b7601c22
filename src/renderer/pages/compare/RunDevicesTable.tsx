// Where every variant's benchmark and evaluation ran: the build, the GPU devices or the CPU, the
// layers offloaded and the VRAM measured; devices skipped are explained once below the table.
import type { ExperimentRow } from "../../../shared/domain/experiment.js";
import { devicesOverview } from "../../../shared/domain/runDevice.js";
import { RunDeviceInfo } from "../../components/RunDeviceInfo.js";

export function RunDevicesTable({ rows }: { rows: readonly ExperimentRow[] }) {
  const overview = devicesOverview(rows);
  return (
    <div>
      <div className="overflow-x-auto">
        <table className="w-full text-[13px]" data-testid="run-devices">
          <thead className="border-b border-zinc-200 bg-zinc-50/60 text-left text-xs text-zinc-500">
            <tr>
              <th className="px-4 py-2 font-medium">Variant</th>
              <th className="px-3 py-2 font-medium">Benchmark ran on</th>
              <th className="px-3 py-2 font-medium">Evaluation ran on</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-zinc-100">
            {rows.map((row) => (
              <tr
                key={row.modelId}
                data-testid="run-devices-row"
                data-label={row.label}
                className="align-top"
              >
                <td className="whitespace-nowrap px-4 py-2 font-medium text-zinc-900">{row.label}</td>
                <td className="px-3 py-2">
                  {row.devices.bench ? (
                    <RunDeviceInfo device={row.devices.bench} showSkipped={false} testId="bench-device" />
                  ) : (
                    <span className="text-zinc-400">not benchmarked</span>
                  )}
                </td>
                <td className="px-3 py-2">
                  {row.devices.eval ? (
                    <RunDeviceInfo device={row.devices.eval} showSkipped={false} testId="eval-device" />
                  ) : (
                    <span className="text-zinc-400">not evaluated</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {overview.skipped.length > 0 && (
        <ul className="space-y-0.5 border-t border-zinc-200 px-4 py-2 text-xs text-amber-800">
          {overview.skipped.map((text) => (
            <li key={text} data-testid="skipped-device">
              {text}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
