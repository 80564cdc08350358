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
(() => {
  const cfg = Object.assign({ open: null, write: null }, window.__IDB_FAULTS || {});
  window.__idbFaults = cfg;
  if (cfg.absent) {
    Object.defineProperty(window, "indexedDB", { value: undefined, configurable: true });
    return;
  }
  const open = IDBFactory.prototype.open;
  IDBFactory.prototype.open = function (...args) {
    if (window.__idbFaults.open === "fail") {
      throw new DOMException("The store is unavailable (injected).", "UnknownError");
    }
    return open.apply(this, args);
  };
  const put = IDBObjectStore.prototype.put;
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
