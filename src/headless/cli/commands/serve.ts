// `cwb serve` and `cwb ui`: the workbench UI in a browser, served from this machine. Prints the URL
// with its session token (or {url, token, port} with --json) and runs until SIGINT/SIGTERM.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { packageRoot } from "../../../core/packageRoot.js";
import { isLoopback } from "../../server/originPolicy.js";
import { startWorkbenchServer, type RunningServer } from "../../server/workbenchServer.js";
import type { CliContext } from "../context.js";

interface ServeOptions {
  host: string;
  port: string;
  token?: string;
}

export function registerServeCommands(program: Command, context: CliContext): void {
  const addServerOptions = (command: Command): Command =>
    command
      .option(
        "--host <address>",
        "address to listen on; anything but loopback exposes the UI to your network",
        "127.0.0.1",
      )
      .option("--port <number>", "port to listen on; 0 picks a free one", "0")
      .option(
        "--token <secret>",
        "use this session token instead of a random one (keeps the URL valid across restarts; 24+ characters of A-Z a-z 0-9 _ -)",
      );

  addServerOptions(program.command("serve"))
    .description("serve the workbench UI and its API on this machine until interrupted (Ctrl+C)")
    .action((options: ServeOptions) => serve(context, options, false));

  addServerOptions(program.command("ui"))
    .description("like serve, and open the UI in the default browser")
    .action((options: ServeOptions) => serve(context, options, true));
}

async function serve(context: CliContext, options: ServeOptions, openBrowser: boolean): Promise<void> {
  const { output } = context;
  const port = Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port ${options.port}: expected a port number from 0 to 65535`);

  if (options.token !== undefined && !/^[A-Za-z0-9_-]{24,}$/.test(options.token)) {
    throw new Error(
      "--token: use at least 24 characters from A-Z a-z 0-9 _ - (a guessable token would let other local users in)",
    );
  }

  const workbench = context.workbench();
  const staticDir = path.join(packageRoot(), "dist", "renderer");
  if (!existsSync(path.join(staticDir, "index.html")))
    output.note(`warning: ${staticDir} has no index.html; run "npm run build:renderer" to get the UI`);
  if (!isLoopback(options.host))
    output.note(
      `warning: listening on ${options.host}: anyone on your network who has the URL (with its token) can use the workbench`,
    );

  let server: RunningServer;
  try {
    server = await startWorkbenchServer({
      handlers: workbench.handlers(),
      events: workbench.events,
      staticDir,
      modelsDir: workbench.paths.models,
      tempDir: workbench.paths.tmp,
      host: options.host,
      port,
      token: options.token,
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE")
      throw new Error(`${options.host}:${port} is already in use; pick another --port or use --port 0`, {
        cause: error,
      });
    if (code === "EADDRNOTAVAIL")
      throw new Error(`--host ${options.host}: not an address of this machine`, { cause: error });
    throw error;
  }

  if (output.json) output.line(JSON.stringify({ url: server.url, token: server.token, port: server.port }));
  else {
    output.line(`Compression Workbench is serving ${workbench.paths.dataDir}`);
    output.line(`  ${server.url}`);
    output.line("Press Ctrl+C to stop.");
  }
  if (openBrowser) openInBrowser(server.url);

  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.removeListener("SIGINT", stop);
      process.removeListener("SIGTERM", stop);
      output.note(`${signal}: stopping the server`);
      void server.close().then(resolve);
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
}

/** Best effort: a machine without a desktop simply keeps the printed URL. */
function openInBrowser(url: string): void {
  const [command, args] =
    process.platform === "darwin"
      ? ["open", [url]]
      : process.platform === "win32"
        ? ["cmd", ["/c", "start", "", url]]
        : ["xdg-open", [url]];
  try {
    const child = spawn(command, args, { stdio: "ignore", detached: true, windowsHide: true });
    child.on("error", () => undefined);
    child.unref();
  } catch {
    // No opener on this system: the URL is printed already.
  }
}
