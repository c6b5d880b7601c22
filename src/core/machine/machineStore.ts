// The machines table: one row per fingerprint id. Re-recording a known machine refreshes its
// details (they may carry newer volatile facts) but never changes the stable columns.
import type { Db } from "../store/Store.js";
import { machineFingerprint, type MachineFingerprint } from "../../shared/domain/bench.js";

interface MachineRow {
  id: string;
  cpu: string;
  cores: number;
  ram_bytes: number;
  gpu: string | null;
  os: string;
  details_json: string;
}

export function upsertMachine(db: Db, machine: MachineFingerprint): void {
  db.prepare(
    `INSERT INTO machines (id, cpu, cores, ram_bytes, gpu, os, details_json)
     VALUES (@id, @cpu, @cores, @ramBytes, @gpu, @os, @detailsJson)
     ON CONFLICT(id) DO UPDATE SET details_json = excluded.details_json`,
  ).run({
    id: machine.id,
    cpu: machine.cpu,
    cores: machine.cores,
    ramBytes: machine.ramBytes,
    gpu: machine.gpu,
    os: machine.os,
    detailsJson: JSON.stringify(machine.details),
  });
}

function toFingerprint(row: MachineRow): MachineFingerprint {
  return machineFingerprint.parse({
    id: row.id,
    cpu: row.cpu,
    cores: row.cores,
    ramBytes: row.ram_bytes,
    gpu: row.gpu,
    os: row.os,
    details: JSON.parse(row.details_json) as unknown,
  });
}

export function getMachine(db: Db, id: string): MachineFingerprint | undefined {
  const row = db.prepare("SELECT * FROM machines WHERE id = ?").get(id) as MachineRow | undefined;
  return row && toFingerprint(row);
}

export function listMachines(db: Db): MachineFingerprint[] {
  return (db.prepare("SELECT * FROM machines ORDER BY id").all() as MachineRow[]).map(toFingerprint);
}
