// Where a run ran, in one line (build · devices · GPU layers · VRAM), and why a device was skipped.
import { describeRunDevice, type RunDevice } from "../../shared/domain/runDevice.js";

export function RunDeviceInfo({
  device,
  showSkipped = true,
  testId = "run-device",
}: {
  device: RunDevice | null;
  /** Off where the screen lists the skipped devices once for many runs. */
  showSkipped?: boolean;
  testId?: string;
}) {
  const description = describeRunDevice(device);
  return (
    <span data-testid={testId} data-recorded={description.recorded}>
      <span className={description.recorded ? "text-zinc-700" : "text-zinc-400"}>{description.line}</span>
      {showSkipped &&
        description.skipped.map((text) => (
          <span key={text} className="mt-0.5 block text-amber-700" data-testid="skipped-device">
            {text}
          </span>
        ))}
    </span>
  );
}
