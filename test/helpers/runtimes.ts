import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { Missing, need } from "./needs.ts";
import { MAIN } from "./process.ts";

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
