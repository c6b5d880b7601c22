// The application frame: header, left navigation and the current screen (chosen by the URL hash).
import { useEffect } from "react";
import { useCall } from "./hooks/useCall.js";
import { ConnectionIndicator } from "./components/ConnectionIndicator.js";
import { NavIcon } from "./components/NavIcon.js";
import { screens } from "./navigation.js";
import { JobsPage } from "./pages/jobs/JobsPage.js";
import { ModelDetailPage } from "./pages/models/ModelDetailPage.js";
import { ModelsPage } from "./pages/models/ModelsPage.js";
import { PlaceholderPage } from "./pages/PlaceholderPage.js";
import { CompressPage } from "./pages/compress/CompressPage.js";
import { ComparePage } from "./pages/compare/ComparePage.js";
import { HistoryPage } from "./pages/history/HistoryPage.js";
import { ExportPage } from "./pages/export/ExportPage.js";
import { DevicesPage } from "./pages/devices/DevicesPage.js";
import { routeHref, useHashRoute } from "./routing/useHashRoute.js";

export function App() {
  const [section = "models", ...rest] = useHashRoute();
  const info = useCall("app.info", {});
  const label = screens.find((screen) => screen.id === section)?.label;
  useEffect(() => {
    document.title = label ? `${label} · Compression Workbench` : "Compression Workbench";
  }, [label]);

  return (
    <div className="min-h-full">
      <header className="sticky top-0 z-20 flex h-12 items-center justify-between border-b border-zinc-800 bg-zinc-950 px-4">
        <a
          href={routeHref("models")}
          className="flex items-center gap-2.5 text-sm font-semibold tracking-tight text-white"
        >
          <span className="grid size-6 place-items-center rounded-md bg-indigo-500 text-[11px] font-bold">
            CW
          </span>
          Compression Workbench
        </a>
        <ConnectionIndicator />
      </header>
      <div className="flex">
        {/* The page itself scrolls (not an inner pane), so full-page screenshots and find-in-page see everything. */}
        <div className="w-52 shrink-0 bg-zinc-900">
          <nav
            aria-label="Main"
            className="sticky top-12 flex h-[calc(100vh-3rem)] flex-col justify-between py-3"
          >
            <ul className="space-y-0.5 px-2">
              {screens.map((screen) => {
                const active = screen.id === section;
                return (
                  <li key={screen.id}>
                    <a
                      href={routeHref(screen.id)}
                      aria-current={active ? "page" : undefined}
                      className={`flex items-center gap-2.5 rounded-md px-2.5 py-1.5 text-sm ${active ? "bg-zinc-800 font-medium text-white" : "text-zinc-400 hover:bg-zinc-800/60 hover:text-zinc-100"}`}
                    >
                      <NavIcon id={screen.id} />
                      <span className="flex-1">{screen.label}</span>
                      {!screen.ready && (
                        <span className="text-[10px] uppercase tracking-wide text-zinc-600">soon</span>
                      )}
                    </a>
                  </li>
                );
              })}
            </ul>
            <div className="space-y-0.5 px-4 text-[11px] leading-tight text-zinc-500">
              {info.data && (
                <>
                  <div>v{info.data.version}</div>
                  <div className="truncate" title={info.data.dataDir}>
                    {info.data.dataDir}
                  </div>
                  {info.data.llamaCppRelease && <div>llama.cpp {info.data.llamaCppRelease}</div>}
                </>
              )}
            </div>
          </nav>
        </div>
        <main className="min-w-0 flex-1">
          <div className="mx-auto max-w-7xl px-6 py-5">{renderScreen(section, rest)}</div>
        </main>
      </div>
    </div>
  );
}

function renderScreen(section: string, rest: readonly string[]) {
  if (section === "models") return rest[0] ? <ModelDetailPage key={rest[0]} id={rest[0]} /> : <ModelsPage />;
  if (section === "jobs") return <JobsPage />;
  if (section === "compress") return <CompressPage modelId={rest[0]} />;
  if (section === "compare") return <ComparePage experimentId={rest[0]} />;
  if (section === "history") return <HistoryPage experimentId={rest[0]} />;
  if (section === "export") return <ExportPage />;
  if (section === "devices") return <DevicesPage deviceId={rest[0]} />;
  const screen = screens.find((candidate) => candidate.id === section);
  return <PlaceholderPage screen={screen} />;
}
