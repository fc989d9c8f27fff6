import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { Missing, need } from "./needs.ts";
import { MAIN, type DaemonProcess } from "./process.ts";
import { writeConfig, type World } from "./harness.ts";

export type RuntimeName = "node" | "deno";

/** The permissions `deno task start` grants (deno.json); the tests grant exactly the same. */
export const DENO_RUN_ARGS = ["run", "--allow-net", "--allow-read", "--allow-write", "--allow-env"];

/**
 * The deno binary: `DENO_BIN`, or `deno` on PATH. The global setup puts one
 * there (from npm into ~/.cache/chatd-deno, outside the project, because a deno
 * in node_modules/.bin breaks `deno task`). Missing deno is a failure, never a
 * skip: the README promises both runtimes.
 */
export function denoBin(): string {
  need("deno");
  const explicit = process.env.DENO_BIN;
  if (explicit) return explicit;
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    const candidate = join(dir, "deno");
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  throw new Missing(
    "deno not found: set DENO_BIN or put deno 2 on PATH " +
      '(npm install --prefix "$HOME/.cache/chatd-deno" deno@2 && export PATH="$HOME/.cache/chatd-deno/node_modules/.bin:$PATH"; npm test does this)',
  );
}

/** The command that starts the daemon on `runtime`, as `npm start` / `deno task start` do. */
export function daemonCommand(runtime: RuntimeName): { command: string; args: string[] } {
  if (runtime === "deno") return { command: denoBin(), args: [...DENO_RUN_ARGS, "src/main.deno.ts"] };
  return { command: process.execPath, args: [MAIN] };
}

/**
 * A daemon started on `runtime` as the runtime tests start it: `config` in a
 * file of a fresh folder (`dir`, made when not given), which is also its data
 * folder, on 127.0.0.1 and an ephemeral port; `env` adds variables.
 */
export async function spawnOn(
  world: World,
  runtime: RuntimeName,
  { config = {}, env = {}, dir }: { config?: Record<string, unknown>; env?: Record<string, string>; dir?: string } = {},
): Promise<DaemonProcess> {
  const folder = dir ?? (await world.tempDir());
  return world.spawn(
    { CHAT_CONFIG: await writeConfig(folder, config), CHAT_DATA_DIR: folder, CHAT_HOST: "127.0.0.1", CHAT_PORT: "0", ...env },
    { command: daemonCommand(runtime) },
  );
}
