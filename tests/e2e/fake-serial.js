// Fake `navigator.serial` for the end-to-end tests, installed with Playwright's addInitScript
// before any page script runs. Headless Chromium cannot show or automate the real port chooser
// (../shared/toolchain.md §3), so this replaces only the browser's native serial backend: the app's
// Rust code (src/serial/) runs for real against real ReadableStream/WritableStream pairs.
//
// The far side is pluggable: `window.__fakeSerial.setResponder(fn)`. The default responder is a
// small scripted dongle (echo on, SKVER → EVER). Later the Rust simulator plugs in here.
//
// Configuration is read from `window.__FAKE_SERIAL_CONFIG`, which the test prepends:
//   { absent: true }                 -> no navigator.serial at all (unsupported browser)
//   { insecure: true }               -> window.isSecureContext is false
//   { granted: [{usbVendorId, usbProductId}] } -> ports returned by getPorts()
//   { chooser: "cancel" }            -> requestPort() rejects as if the user closed the chooser
//   { chunking: "whole" | "bytes" | "random", seed: 1 } -> how replies are cut into chunks
//   { version: "1.2.10" }            -> what the scripted dongle answers to SKVER
//   { sim: { preset: "demo", speed: 20 } } -> requestPort() returns a port backed by the Rust
//                                       simulator (the app's demo dongle) instead of the script
(() => {
  const cfg = Object.assign(
    { chunking: "random", seed: 7, version: "1.2.10", echo: true, latencyMs: 5 },
    window.__FAKE_SERIAL_CONFIG || {},
  );

  if (cfg.insecure) {
    Object.defineProperty(window, "isSecureContext", { configurable: true, get: () => false });
  }
  if (cfg.absent) {
    delete Navigator.prototype.serial;
    return;
  }

  const log = {
    requestCalls: [],
    getPortsCalls: 0,
    opens: [],
    writes: [],
    closes: 0,
    closeErrors: [],
    readerCancels: 0,
    writerAborts: 0,
    disconnects: 0,
  };

  // Deterministic PRNG for chunk sizes.
  let seed = cfg.seed >>> 0 || 1;
  const rand = () => {
    seed ^= seed << 13; seed >>>= 0;
    seed ^= seed >>> 17;
    seed ^= seed << 5; seed >>>= 0;
    return seed / 4294967296;
  };

  const enc = new TextEncoder();
  const dec = new TextDecoder();

  // The default far side: a scripted single-hop dongle with echo on.
  function scriptedDongle() {
    let pending = "";
    return (bytes, port) => {
      pending += dec.decode(bytes);
      let idx;
      while ((idx = pending.search(/\r\n|\r|\n/)) >= 0) {
        const line = pending.slice(0, idx);
        pending = pending.slice(idx + (pending.slice(idx, idx + 2) === "\r\n" ? 2 : 1));
        if (!line) continue;
        let out = cfg.echo ? line + "\r\n" : "";
        const cmd = line.split(" ")[0];
        if (cmd === "SKVER") out += `EVER ${cfg.version}\r\nOK\r\n`;
        else if (cmd === "SKAPPVER") out += "EAPPVER rev26e\r\nOK\r\n";
        else if (cmd === "SKINFO")
          out += "EINFO FE80:0000:0000:0000:021D:1290:0012:3A5C 001D129000123A5C 21 FFFF FFFE\r\nOK\r\n";
        else if (cmd === "ROPT") out = (cfg.echo ? "ROPT\r" : "") + "OK 01\r";
        else if (cmd === "SKSREG") out += "OK\r\n";
        else if (cmd === "SKTERM") out += "FAIL ER10\r\n";
        else out += "FAIL ER04\r\n";
        port.deliver(enc.encode(out));
      }
    };
  }

  class FakePort extends EventTarget {
    constructor(info, serial) {
      super();
      this._info = info;
      this._serial = serial;
      this.readable = null;
      this.writable = null;
      this._ctrl = null;
      this._isOpen = false;
      this._responder = scriptedDongle();
      this.ondisconnect = null;
      this.onconnect = null;
    }
    getInfo() {
      return Object.assign({}, this._info);
    }
    async open(options) {
      if (this._isOpen) throw new DOMException("The port is already open.", "InvalidStateError");
      if (this._gone) throw new DOMException("Failed to open serial port.", "NetworkError");
      log.opens.push(JSON.parse(JSON.stringify(options)));
      this._isOpen = true;
      const port = this;
      this.readable = new ReadableStream({
        start(c) { port._ctrl = c; },
        cancel() { log.readerCancels++; port._ctrl = null; },
      });
      this.writable = new WritableStream({
        write(chunk) {
          if (port._gone) throw new DOMException("The device has been lost.", "NetworkError");
          const bytes = new Uint8Array(chunk);
          log.writes.push(dec.decode(bytes));
          setTimeout(() => port._responder(bytes, port), cfg.latencyMs);
        },
        abort() { log.writerAborts++; },
      });
    }
    async close() {
      if (!this._isOpen) {
        log.closeErrors.push("not open");
        throw new DOMException("The port is already closed.", "InvalidStateError");
      }
      // Like Chromium: a port whose streams are still locked cannot be closed.
      if ((this.readable && this.readable.locked) || (this.writable && this.writable.locked)) {
        log.closeErrors.push("locked");
        throw new DOMException("Cannot close a port with locked streams.", "InvalidStateError");
      }
      try { await this.readable.cancel(); } catch (_) {}
      try { await this.writable.abort(); } catch (_) {}
      this.readable = null;
      this.writable = null;
      this._ctrl = null;
      this._isOpen = false;
      log.closes++;
    }
    async forget() {
      this._serial._ports = this._serial._ports.filter((p) => p !== this);
    }
    async setSignals() {}
    async getSignals() {
      return { dataCarrierDetect: false, clearToSend: true, ringIndicator: false, dataSetReady: true };
    }

    // ---- far-side API (used by the responder and the tests) ----
    /** Send bytes from the device to the app, cut into chunks per cfg.chunking. */
    deliver(bytes) {
      const chunks = [];
      if (cfg.chunking === "whole") chunks.push(bytes);
      else if (cfg.chunking === "bytes") for (const b of bytes) chunks.push(new Uint8Array([b]));
      else {
        let i = 0;
        while (i < bytes.length) {
          const n = 1 + Math.floor(rand() * 7);
          chunks.push(bytes.slice(i, i + n));
          i += n;
        }
      }
      for (const c of chunks) if (this._ctrl) this._ctrl.enqueue(c);
    }
    /** Simulate pulling the USB plug: the pending read rejects and `disconnect` fires. */
    unplug() {
      this._gone = true;
      log.disconnects++;
      if (this._ctrl) {
        try { this._ctrl.error(new DOMException("The device has been lost.", "NetworkError")); } catch (_) {}
        this._ctrl = null;
      }
      const ev = new Event("disconnect", { bubbles: true });
      this.dispatchEvent(ev);
      if (typeof this.ondisconnect === "function") this.ondisconnect(ev);
      this._serial.dispatchEvent(new Event("disconnect"));
    }
    setResponder(fn) { this._responder = fn; }
  }

  class FakeSerial extends EventTarget {
    constructor() {
      super();
      this._ports = (cfg.granted || []).map((info) => new FakePort(info, this));
      this.lastPort = null;
      this.onconnect = null;
      this.ondisconnect = null;
    }
    async getPorts() {
      log.getPortsCalls++;
      return this._ports.slice();
    }
    async requestPort(options) {
      log.requestCalls.push({ options: options === undefined ? null : JSON.parse(JSON.stringify(options)),
        userActivation: navigator.userActivation ? navigator.userActivation.isActive : null });
      // Like Chromium: the chooser only opens from a user gesture.
      if (navigator.userActivation && !navigator.userActivation.isActive) {
        throw new DOMException("Must be handling a user gesture to show a permission request.", "SecurityError");
      }
      if (cfg.chooser === "cancel") throw new DOMException("No port selected by the user.", "NotFoundError");
      if (cfg.sim) {
        // The far side is the Rust simulator in the app's worker, handed out by the e2e build
        // of the app (serial::demo::install_test_hook, `--features e2e-hooks`).
        const port = window.__broute_sim_port(cfg.sim.preset || "demo", cfg.sim.speed || 1);
        port.getInfo = () => ({ usbVendorId: 0x0403, usbProductId: 0x6015 });
        this.lastPort = port;
        this._simPorts = (this._simPorts || []).concat([port]);
        return port;
      }
      const port = new FakePort(cfg.portInfo || { usbVendorId: 0x0403, usbProductId: 0x6015 }, this);
      this._ports.push(port);
      this.lastPort = port;
      return port;
    }
  }

  const serial = new FakeSerial();
  Object.defineProperty(Navigator.prototype, "serial", { configurable: true, get: () => serial });

  // Test-side handle.
  window.__fakeSerial = {
    log,
    serial,
    /** The port the app opened last (from requestPort or getPorts). */
    openPort() {
      return serial._ports.filter((p) => p._isOpen).pop() || serial.lastPort;
    },
    /** Pull the plug of the port the app uses (fake or simulator-backed). */
    unplug() {
      const p = serial.lastPort || serial._ports[serial._ports.length - 1];
      p.unplug();
    },
    setResponder(fn) {
      for (const p of serial._ports) p.setResponder(fn);
    },
  };
})();
