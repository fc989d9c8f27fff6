/** One Dockerfile instruction, continuation lines joined. */
export type Instruction = { op: string; args: string };
export type Stage = { from: string; name: string | undefined; instructions: Instruction[] };

/**
 * A small Dockerfile reader, enough for ours: comments, `\` continuations,
 * `FROM image [AS name]` stages. The tests use it to run the image's steps
 * without a Docker engine.
 */
export function parseDockerfile(text: string): Stage[] {
  const lines = text.replace(/\\\r?\n/g, " ").split(/\r?\n/);
  const stages: Stage[] = [];
  for (const raw of lines) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const match = /^(\S+)\s+(.*)$/.exec(line);
    if (!match) throw new Error(`Dockerfile: cannot read ${JSON.stringify(line)}`);
    const op = match[1]!.toUpperCase();
    const args = match[2]!.replace(/\s+/g, " ").trim();
    if (op === "FROM") {
      const [from, as, name] = args.split(" ");
      stages.push({ from: from!, name: as?.toUpperCase() === "AS" ? name : undefined, instructions: [] });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) throw new Error(`Dockerfile: ${op} before FROM`);
    stage.instructions.push({ op, args });
  }
  return stages;
}

/** `ENV A=1 B=2` pairs (unquoted values, as ours uses). */
export function parseEnv(args: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of args.split(" ")) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new Error(`Dockerfile: ENV expects KEY=value, got ${JSON.stringify(pair)}`);
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return env;
}

/** `COPY [--from=stage] src... dest`. */
export function parseCopy(args: string): { from: string | undefined; sources: string[]; dest: string } {
  const parts = args.split(" ");
  let from: string | undefined;
  if (parts[0]?.startsWith("--from=")) from = parts.shift()!.slice("--from=".length);
  const dest = parts.pop()!;
  return { from, sources: parts, dest };
}

/** The options of `HEALTHCHECK [--opt=v ...] CMD command` and the shell command. */
export function parseHealthcheck(args: string): { options: Record<string, string>; command: string } {
  const at = args.indexOf(" CMD ");
  if (at < 0) throw new Error("Dockerfile: HEALTHCHECK without CMD");
  const options: Record<string, string> = {};
  for (const opt of args.slice(0, at).split(" ")) {
    const m = /^--([a-z-]+)=(.*)$/.exec(opt);
    if (m) options[m[1]!] = m[2]!;
  }
  return { options, command: args.slice(at + " CMD ".length) };
}
