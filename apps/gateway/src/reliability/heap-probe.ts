/**
 * Preloaded into a gateway child process by the soak test (`node --expose-gc --import heap-probe.ts`): on
 * SIGUSR2 it runs a full garbage collection and prints one JSON line with the memory figures, so the live heap
 * can be compared over a run (the resident size alone mostly shows V8 growing its heap reservation).
 */

const collect = (globalThis as { gc?: () => void }).gc;

process.on('SIGUSR2', () => {
  collect?.();
  const usage = process.memoryUsage();
  process.stdout.write(
    `${JSON.stringify({ msg: 'heap probe', heapUsed: usage.heapUsed, rss: usage.rss, external: usage.external, arrayBuffers: usage.arrayBuffers, gc: collect !== undefined })}\n`,
  );
});
