/** A numbered schema change. `up` is SQL run in one transaction; versions are consecutive from 1. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly up: string;
}
