// A distillation run's checkpoint folder, outside the job's temp folder so a cancelled or crashed run
// leaves it behind: the student as last saved (student.gguf, written atomically by the trainer), the
// state at that save (state.json, written atomically after it) and the teacher files computed for the
// run (kept until the job records them). A run whose key matches the state resumes from it.
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { heldoutPoint } from "../../shared/domain/distill.js";
import { writeFileAtomic } from "../../core/writeFileAtomic.js";

const checkpointState = z.object({
  key: z.string(),
  step: z.number().int(),
  seconds: z.number(),
  lossCurve: z.array(z.object({ step: z.number().int(), loss: z.number() })),
  heldout: z.array(heldoutPoint),
});
export type CheckpointState = z.infer<typeof checkpointState>;

export class DistillCheckpoint {
  constructor(
    readonly dir: string,
    readonly key: string,
  ) {
    mkdirSync(dir, { recursive: true });
  }

  get studentPath(): string {
    return path.join(this.dir, "student.gguf");
  }

  teacherPath(name: "text" | "heldout"): string {
    return path.join(this.dir, `teacher-${name}.cwbbase`);
  }

  /** The state of a resumable run with this key, or null (none, another key, or no student saved). */
  resumable(): CheckpointState | null {
    const file = path.join(this.dir, "state.json");
    if (!existsSync(file) || !existsSync(this.studentPath)) return null;
    const parsed = checkpointState.safeParse(JSON.parse(readFileSync(file, "utf8")));
    return parsed.success && parsed.data.key === this.key ? parsed.data : null;
  }

  save(state: CheckpointState): void {
    writeFileAtomic(path.join(this.dir, "state.json"), JSON.stringify(state));
  }

  /** Facts about a teacher file computed for this run, kept beside it. */
  saveTeacherFacts(name: "text" | "heldout", facts: object): void {
    writeFileAtomic(`${this.teacherPath(name)}.json`, JSON.stringify(facts));
  }

  teacherFacts(name: "text" | "heldout"): unknown {
    const file = `${this.teacherPath(name)}.json`;
    return existsSync(file) && existsSync(this.teacherPath(name))
      ? JSON.parse(readFileSync(file, "utf8"))
      : null;
  }
}
