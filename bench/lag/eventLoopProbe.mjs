// Preloaded (node --import) into a process whose event-loop lag is measured: records the delay
// histogram and writes its percentiles to $CWB_LAG_FILE.<pid> when the process exits. SIGUSR2 clears
// the histogram, so the bench measures the sweep and not the process's start (module loading).
import { writeFileSync } from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";

const file = process.env.CWB_LAG_FILE;
if (file) {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  process.on("SIGUSR2", () => histogram.reset());
  process.once("exit", () => {
    histogram.disable();
    const ms = (ns) => ns / 1e6;
    writeFileSync(
      `${file}.${process.pid}`,
      JSON.stringify({
        argv: process.argv.slice(1, 4),
        samples: histogram.count,
        p50: ms(histogram.percentile(50)),
        p99: ms(histogram.percentile(99)),
        max: ms(histogram.max),
      }),
    );
  });
}
