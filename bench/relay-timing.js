// The one timing loop of bench/relay.js, run both in Node and (bundled) in the page so the two sides are
// measured alike: `n` calls shared by `concurrency` callers, each waiting for its answer before the next.

/** Runs `warm` unmeasured calls, then `n` measured ones; returns the wall time and each call's latency (ms). */
export async function timedCalls(call, { n, warm = 20, concurrency = 1, now }) {
  for (let i = 0; i < warm; i++) await call();
  const times = [];
  let next = 0;
  const caller = async () => {
    while (next < n) {
      next++;
      const t = now();
      await call();
      times.push(now() - t);
    }
  };
  const t0 = now();
  await Promise.all(Array.from({ length: concurrency }, caller));
  return { ms: now() - t0, times };
}

/** The value at percentile `p` of `xs` (nearest rank). */
export const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

/** calls/s, p50 and p95 (ms) of one round from timedCalls. */
export const summary = ({ ms, times }) => ({
  perSec: times.length / (ms / 1000),
  p50: pct(times, 50),
  p95: pct(times, 95),
});
