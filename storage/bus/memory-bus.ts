import type { Bus, BusEvent } from "./types.ts";

/** A single-node bus: publish calls every subscriber synchronously, in order. */
export function createMemoryBus(): Bus {
  const handlers = new Set<(event: BusEvent) => void>();
  return {
    async publish(event) {
      for (const handler of handlers) handler(event);
    },
    subscribe(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    async close() {
      handlers.clear();
    },
  } satisfies Bus;
}
