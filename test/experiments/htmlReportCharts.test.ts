// The HTML report's charts in a real Chromium: every bar chart's value axis starts at zero (the issue
// saw a speed axis starting at 2,500, which turns noise into a ranking), speed and memory bars carry
// error bars of ± one standard deviation, and the findings under the table say what is within noise.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderHtmlReport } from "../../src/core/report/renderHtmlReport.js";
import { launchBrowser, openPage } from "../helpers/browser.js";
import { measuredRow, summaryOf } from "../helpers/experimentRows.js";

const row = (label: string, tg: number, tgStddev: number, isBase = false) =>
  measuredRow(label, {
    isBase,
    tgTokensPerSecond: tg,
    spread: {
      tgTokensPerSecond: { stddev: tgStddev, samples: 2 },
      peakRssBytes: { stddev: 1e6, samples: 2 },
    },
  });

// The numbers: close to 3,000–5,000 tok/s, two repetitions, wide spread.
const summary = summaryOf([row("base", 3535, 1400, true), row("Q8_0", 5183, 2100), row("Q6_K", 2894, 900)]);

let browser: Browser;
let dir: string;

beforeAll(async () => {
  browser = await launchBrowser();
  dir = mkdtempSync(path.join(os.tmpdir(), "cwb-html-"));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("the HTML report's charts", () => {
  it("start every bar at zero, draw error bars and rank nothing within noise", async () => {
    const file = path.join(dir, "report.html");
    writeFileSync(file, renderHtmlReport(summary));
    const { page, problems } = await openPage(browser, pathToFileURL(file).href);
    const charts = await page.evaluate(() => {
      const api = (window as unknown as { echarts: { getInstanceByDom(el: Element): unknown } }).echarts;
      return [...document.querySelectorAll("[id^=bar-]")].map((el) => {
        const chart = api.getInstanceByDom(el) as {
          getModel(): {
            getComponent(type: string, i: number): { axis: { scale: { getExtent(): number[] } } };
          };
          getOption(): { series: { type: string; data: unknown[] }[] };
        };
        return {
          id: el.id,
          extent: chart.getModel().getComponent("yAxis", 0).axis.scale.getExtent(),
          errorBars: chart.getOption().series.find((s) => s.type === "custom")?.data ?? [],
        };
      });
    });
    expect(problems).toEqual([]);
    expect(charts.map((c) => c.id)).toEqual([
      "bar-size",
      "bar-tg",
      "bar-pp",
      "bar-memory",
      "bar-ppl",
      "bar-kld",
    ]);
    for (const chart of charts) expect(chart.extent[0], chart.id).toBe(0);
    // Generation: mean ± stddev per bar (the low end clipped at zero).
    expect(charts.find((c) => c.id === "bar-tg")!.errorBars).toEqual([
      [0, 3535 - 1400, 3535 + 1400],
      [1, 5183 - 2100, 5183 + 2100],
      [2, 2894 - 900, 2894 + 900],
    ]);
    const findings = await page.locator("ul.findings li").allTextContents();
    expect(findings).toContain("Generation: no variant differs from another beyond noise");
    // Not on the speed front, not bold: only the base (KLD 0) is on any front here.
    expect(summary.rows.filter((r) => r.front.speedVsKld).map((r) => r.label)).toEqual(["base"]);
    await page.context().close();
  }, 60_000);
});
