import type { World } from "../../../helpers/harness.ts";
import type { TestDaemon } from "../../../helpers/daemon.ts";

/** A daemon with its IRC gateway on an ephemeral port (registration open, as in config/server.json). */
export async function ircDaemon(world: World): Promise<TestDaemon & { ircPort: number }> {
  const d = await world.daemon({ irc: { port: 0 } });
  const ircPort = d.daemon.ircPort;
  if (!ircPort) throw new Error("the daemon has no IRC port");
  return Object.assign(d, { ircPort });
}
