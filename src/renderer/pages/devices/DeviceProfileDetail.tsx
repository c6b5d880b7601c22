// One device profile as the Devices screen shows it: every figure with how it was obtained and
// where it comes from, measured figures first: results imported for the device, then the profile's.
import { sourcedNumbers, type DeviceEntry } from "../../../shared/domain/deviceProfile.js";
import {
  basisLabels,
  describeCpu,
  describeGpu,
  formatDeviceNumber,
} from "../../../shared/devices/describeDevice.js";
import { formatDateTime } from "../../../shared/format.js";
import { DeviceMeasuredResults } from "./DeviceMeasuredResults.js";

export function DeviceProfileDetail({ entry }: { entry: DeviceEntry }) {
  const { profile } = entry;
  const parts = [
    profile.cpu && {
      label: "CPU",
      value: describeCpu(profile),
      basis: profile.cpu.basis,
      source: profile.cpu.source,
    },
    profile.gpu && {
      label: "GPU",
      value: describeGpu(profile),
      basis: profile.gpu.basis,
      source: profile.gpu.source,
    },
  ].filter((part) => part !== null);
  return (
    <div className="space-y-3 px-4 py-3" data-testid="device-detail" data-device-id={profile.id}>
      <p className="text-sm text-zinc-600">
        {profile.kind} · {profile.os} ·{" "}
        {entry.origin === "built-in"
          ? "built-in"
          : `your profile${entry.copiedFrom ? `, copied from ${entry.copiedFrom}` : ""}${entry.updatedAt ? `, updated ${formatDateTime(entry.updatedAt)}` : ""}`}
      </p>
      {profile.notes && <p className="text-sm text-zinc-600">{profile.notes}</p>}
      <DeviceMeasuredResults deviceId={profile.id} />
      <table className="w-full text-sm">
        <thead>
          <tr className="border-b border-zinc-200 text-left text-xs text-zinc-500">
            <th className="py-1.5 pr-3 font-medium">Figure</th>
            <th className="py-1.5 pr-3 text-right font-medium">Value</th>
            <th className="py-1.5 pr-3 font-medium">Basis</th>
            <th className="py-1.5 font-medium">Source</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-zinc-100 align-top">
          {sourcedNumbers(profile).map(({ label, kind, number }) => (
            <tr key={label} data-testid="device-figure">
              <td className="py-1.5 pr-3 whitespace-nowrap text-zinc-700">{label}</td>
              <td className="py-1.5 pr-3 text-right whitespace-nowrap tabular-nums">
                {formatDeviceNumber(kind, number.value)}
              </td>
              <td className="py-1.5 pr-3 whitespace-nowrap">
                <span
                  className={`rounded px-1.5 py-0.5 text-xs ${number.basis === "measured" ? "bg-emerald-50 text-emerald-700" : "bg-zinc-100 text-zinc-600"}`}
                >
                  {basisLabels[number.basis]}
                </span>
              </td>
              <td className="py-1.5 text-xs text-zinc-500">{number.source}</td>
            </tr>
          ))}
          {parts.map((part) => (
            <tr key={part.label}>
              <td className="py-1.5 pr-3 text-zinc-700">{part.label}</td>
              <td className="py-1.5 pr-3 text-right">{part.value}</td>
              <td className="py-1.5 pr-3 whitespace-nowrap">
                <span className="rounded bg-zinc-100 px-1.5 py-0.5 text-xs text-zinc-600">
                  {basisLabels[part.basis]}
                </span>
              </td>
              <td className="py-1.5 text-xs text-zinc-500">{part.source}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
