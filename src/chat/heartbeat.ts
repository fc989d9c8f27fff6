import type { Hub } from "./hub.ts";

/**
 * Pings every connection each `intervalMs`. A peer that has not answered the
 * previous ping by the next tick is dead (a pulled cable sends no FIN) and is
 * terminated, which closes its session and removes it from presence: at most
 * two intervals after it stopped answering. `onTick` runs housekeeping on the
 * same timer.
 */
export function startHeartbeat(hub: Hub, intervalMs: number, onTick: () => void = () => {}): () => void {
  const timer = setInterval(() => {
    for (const session of hub.sessions) {
      const peer = session.peer;
      if (peer.ping && !peer.ping()) peer.terminate?.();
    }
    onTick();
  }, intervalMs);
  timer.unref?.();
  return () => clearInterval(timer);
}
