// Row ids: short, random, URL- and filename-safe, and typeable as a prefix in the CLI.
import { randomBytes } from "node:crypto";

export function newId(): string {
  return randomBytes(8).toString("hex");
}

export function now(): string {
  return new Date().toISOString();
}
