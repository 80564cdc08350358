// Time the echonet decode mix in Node's WebAssembly engine.
//   node crates/echonet/bench-wasm/run.mjs path/to/echonet_bench_wasm.wasm
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";

const path = process.argv[2];
if (!path) {
  console.error("usage: node run.mjs <echonet_bench_wasm.wasm>");
  process.exit(2);
}
const { instance } = await WebAssembly.instantiate(readFileSync(path), {});
const { run, frames_per_round } = instance.exports;
const perRound = frames_per_round();

run(20_000); // warm-up (tier-up to the optimising compiler)
const rounds = 200_000;
const samples = [];
for (let i = 0; i < 5; i++) {
  const t0 = performance.now();
  const checksum = run(rounds);
  const ms = performance.now() - t0;
  if (checksum === 0) throw new Error("nothing decoded");
  samples.push((rounds * perRound) / (ms / 1000));
}
samples.sort((a, b) => a - b);
const median = samples[Math.floor(samples.length / 2)];
console.log(
  `node ${process.version} wasm: ${Math.round(median)} frames/s (median of 5 × ${rounds * perRound} frames; ` +
    `min ${Math.round(samples[0])}, max ${Math.round(samples[samples.length - 1])})`,
);
