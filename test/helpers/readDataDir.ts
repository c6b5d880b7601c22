// A data folder's database as another process (a served app, a CLI run) left it, opened read-only
// for one read: for tests that drive the app and then check what it recorded.
import { dataPaths } from "../../src/core/paths.js";
import { Store } from "../../src/core/store/Store.js";

export function readStore<T>(dataDir: string, read: (store: Store) => T): T {
  const store = Store.open(dataPaths(dataDir).database, { readonly: true });
  try {
    return read(store);
  } finally {
    store.close();
  }
}

/** The experiments' ids, oldest first. */
export function experimentIds(dataDir: string): string[] {
  return readStore(dataDir, (s) =>
    (s.db.prepare("SELECT id FROM experiments ORDER BY created_at").all() as { id: string }[]).map(
      (r) => r.id,
    ),
  );
}
