import type { World } from "../../../helpers/harness.ts";
import type { TestDaemon } from "../../../helpers/daemon.ts";
import type { Frame, TestClient } from "../../../helpers/client.ts";

/** A daemon with its IRC gateway on an ephemeral port (registration open, as in config/server.json). */
export async function ircDaemon(world: World): Promise<TestDaemon & { ircPort: number }> {
  const d = await world.daemon({ irc: { port: 0 } });
  const ircPort = d.daemon.ircPort;
  if (!ircPort) throw new Error("the daemon has no IRC port");
  return Object.assign(d, { ircPort });
}

/** The next `message` frame from `from` (the web user's own copies are skipped). */
export async function messageFrom(client: TestClient, from: string, timeoutMs = 10_000): Promise<Frame> {
  for (;;) {
    const f = await client.next("message", timeoutMs);
    if (f.from === from) return f;
  }
}
