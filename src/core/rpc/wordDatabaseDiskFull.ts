// A call that fails because the database's disk is full says so, with the database's path and what
// to do, over every transport (WebSocket and IPC alike), instead of SQLite's "disk I/O error".
import type { CallHandlers } from "./dispatcher.js";
import { databaseDiskFullError } from "../store/databaseDiskFull.js";

type AnyHandler = (input: never) => unknown;

export function wordDatabaseDiskFull(handlers: CallHandlers, databaseFile: string): CallHandlers {
  const entries = Object.entries(handlers as Record<string, AnyHandler>).map(
    ([name, handler]): [string, AnyHandler] => [
      name,
      async (input) => {
        try {
          return await handler(input);
        } catch (error) {
          throw databaseDiskFullError(error, databaseFile) ?? error;
        }
      },
    ],
  );
  return Object.fromEntries(entries) as CallHandlers;
}
