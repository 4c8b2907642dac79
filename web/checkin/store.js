// The device's IndexedDB: the pairing and profile (kv), the bundle (one row per registration),
// the queue of scans made offline, and the history of scans shown at this door.

const DB_NAME = "hoithao-checkin";
const VERSION = 1;
let opened = null;

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function db() {
  if (!opened) {
    const req = indexedDB.open(DB_NAME, VERSION);
    req.onupgradeneeded = () => {
      const d = req.result;
      d.createObjectStore("kv");
      d.createObjectStore("bundle", { keyPath: "registration_id" });
      d.createObjectStore("queue", { keyPath: "nonce" });
      d.createObjectStore("history", { keyPath: "nonce" }).createIndex("at", "at");
    };
    opened = request(req);
  }
  return opened;
}

async function tx(stores, mode, work) {
  const d = await db();
  const t = d.transaction(stores, mode);
  const done = new Promise((resolve, reject) => {
    t.oncomplete = () => resolve();
    t.onerror = () => reject(t.error);
    t.onabort = () => reject(t.error);
  });
  const result = await work(t);
  await done;
  return result;
}

export async function get(key) {
  return tx(["kv"], "readonly", (t) => request(t.objectStore("kv").get(key)));
}

export async function set(key, value) {
  return tx(["kv"], "readwrite", (t) => request(t.objectStore("kv").put(value, key)));
}

/** Forgets everything (unpairing): the token, the bundle, the queue and the history. */
export async function clearAll() {
  return tx(["kv", "bundle", "queue", "history"], "readwrite", async (t) => {
    for (const name of ["kv", "bundle", "queue", "history"]) t.objectStore(name).clear();
  });
}

/** Applies a bundle: a full one replaces every row, a delta replaces the rows it carries. The
 * watermark and ETag are stored in the same transaction, so they always match the rows. */
export async function applyBundle(bundle, etag) {
  return tx(["bundle", "kv"], "readwrite", async (t) => {
    const rows = t.objectStore("bundle");
    if (bundle.full) rows.clear();
    for (const entry of bundle.registrations) rows.put(entry);
    t.objectStore("kv").put(bundle.watermark, "watermark");
    t.objectStore("kv").put(etag, "etag");
  });
}

export async function entry(registrationId) {
  return tx(["bundle"], "readonly", (t) => request(t.objectStore("bundle").get(registrationId)));
}

export async function allEntries() {
  return tx(["bundle"], "readonly", (t) => request(t.objectStore("bundle").getAll()));
}

export async function bundleSize() {
  return tx(["bundle"], "readonly", (t) => request(t.objectStore("bundle").count()));
}

/** Queues an offline scan and records its local verdict in the history, in one transaction. */
export async function enqueue(scan, record) {
  return tx(["queue", "history"], "readwrite", async (t) => {
    t.objectStore("queue").put(scan);
    t.objectStore("history").put(record);
  });
}

export async function queued() {
  return tx(["queue"], "readonly", (t) => request(t.objectStore("queue").getAll()));
}

export async function queueLength() {
  return tx(["queue"], "readonly", (t) => request(t.objectStore("queue").count()));
}

/** The server answered these queued scans: they leave the queue and their history records
 * take the server's verdicts, in one transaction. */
export async function settle(records) {
  return tx(["queue", "history"], "readwrite", async (t) => {
    for (const record of records) {
      t.objectStore("queue").delete(record.nonce);
      t.objectStore("history").put(record);
    }
  });
}

export async function putHistory(record) {
  return tx(["history"], "readwrite", (t) => request(t.objectStore("history").put(record)));
}

export async function historyRecord(nonce) {
  return tx(["history"], "readonly", (t) => request(t.objectStore("history").get(nonce)));
}

/** The history, newest first. */
export async function history() {
  const all = await tx(["history"], "readonly", (t) => request(t.objectStore("history").getAll()));
  return all.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
}
