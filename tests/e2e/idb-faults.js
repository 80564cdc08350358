// IndexedDB failures for the end-to-end tests, installed with Playwright's addInitScript before
// any page script runs. The app's own code (src/record.rs through the `idb` crate) runs for real;
// only the browser's answers are replaced, the way a full disk, a broken store or a private
// window would give them.
//
// Configuration from `window.__IDB_FAULTS` (the test prepends it); `window.__idbFaults` can be
// changed while the page runs:
//   { absent: true }      -> no `indexedDB` at all (a private window that refuses storage)
//   { open: "fail" }      -> indexedDB.open throws UnknownError until `open` is cleared
//   { write: "quota" }    -> every put throws QuotaExceededError until `write` is cleared
//   { write: "fail" }     -> every put throws UnknownError
//   { persist: true }     -> navigator.storage.persist()/persisted() answer true
//
// `window.__idbTest` lets a test look into the app's database on a connection of its own (never
// faulted, never upgrading): `count(store)`, `getAll(store)`, `getAllKeys(store)`,
// `names()`, `put(store, [[key, value], …])`.
(() => {
  const cfg = Object.assign({ open: null, write: null }, window.__IDB_FAULTS || {});
  window.__idbFaults = cfg;
  if (cfg.absent) {
    Object.defineProperty(window, "indexedDB", { value: undefined, configurable: true });
    return;
  }
  const open = IDBFactory.prototype.open;
  const put = IDBObjectStore.prototype.put;
  const req = (q) => new Promise((ok, ko) => ((q.onsuccess = () => ok(q.result)), (q.onerror = () => ko(q.error))));
  const withDb = async (fn) => {
    const db = await req(open.call(indexedDB, "broute"));
    try {
      return await fn(db);
    } finally {
      db.close();
    }
  };
  window.__idbTest = {
    count: (store) => withDb((db) => req(db.transaction(store).objectStore(store).count())),
    getAll: (store) => withDb((db) => req(db.transaction(store).objectStore(store).getAll())),
    getAllKeys: (store) => withDb((db) => req(db.transaction(store).objectStore(store).getAllKeys())),
    names: () => withDb((db) => [...db.objectStoreNames]),
    put: (store, entries) =>
      withDb((db) => {
        const tx = db.transaction(store, "readwrite");
        for (const [k, v] of entries) put.call(tx.objectStore(store), v, k);
        return new Promise((ok, ko) => ((tx.oncomplete = () => ok(entries.length)), (tx.onabort = () => ko(tx.error))));
      }),
  };
  IDBFactory.prototype.open = function (...args) {
    if (window.__idbFaults.open === "fail") {
      throw new DOMException("The store is unavailable (injected).", "UnknownError");
    }
    return open.apply(this, args);
  };
  IDBObjectStore.prototype.put = function (...args) {
    const w = window.__idbFaults.write;
    if (w === "quota") throw new DOMException("The quota has been exceeded (injected).", "QuotaExceededError");
    if (w === "fail") throw new DOMException("The write failed (injected).", "UnknownError");
    return put.apply(this, args);
  };
  if (cfg.persist && navigator.storage) {
    navigator.storage.persist = () => Promise.resolve(true);
    navigator.storage.persisted = () => Promise.resolve(true);
  }
})();
