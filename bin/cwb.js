#!/usr/bin/env node
// The `cwb` command: the compiled headless CLI (built by `npm run build:node`, run at install).
import { main } from "../dist/node/headless/cli/main.js";

process.exitCode = await main(process.argv.slice(2));
