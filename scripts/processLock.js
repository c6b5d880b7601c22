// A lock for build steps that must not run twice at once in one checkout (two `npm test` runs, or an
// install and a test, rebuilding native/build together corrupt it). mkdir is atomic; the folder holds
// the owner's pid, and a lock whose owner is gone is taken over.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

function ownerAlive(lockDir) {
  try {
    const pid = Number(readFileSync(path.join(lockDir, "pid"), "utf8"));
    if (!Number.isInteger(pid) || pid <= 0) return false;
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else
    return error?.code === "EPERM";
  }
}

const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Runs `fn` while holding `lockDir`; waits (with a message) while another live process holds it. */
export function withProcessLock(lockDir, what, fn, { log = console.error } = {}) {
  let announced = false;
  for (;;) {
    try {
      mkdirSync(lockDir);
      break;
    } catch (error) {
      if (error?.code !== "EEXIST") throw error;
      // A lock folder without a pid file yet may be a second old: give its owner time to write it.
      if (!ownerAlive(lockDir)) {
        sleep(200);
        if (!ownerAlive(lockDir)) rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      if (!announced) log(`[cwb] waiting for another process to finish ${what} (${lockDir})`);
      announced = true;
      sleep(500);
    }
  }
  try {
    writeFileSync(path.join(lockDir, "pid"), String(process.pid));
    return fn();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}
