import { BINARIES, missingVar, onPath, type Tool } from "./provision.ts";

/**
 * The one line a test fails with when what it needs could not be had: the
 * message only, no stack (the global setup already said what happened).
 */
export class Missing extends Error {
  override name = "Missing";
  constructor(line: string) {
    super(line);
    this.stack = `${this.name}: ${line}`;
  }
}

/** Throws `Missing` if the global setup could not provide `tool` (test/helpers/provision.ts). */
export function need(tool: Tool): void {
  const line = process.env[missingVar(tool)];
  if (line) throw new Missing(line);
}

/** Throws `Missing` unless `name` is on PATH. */
export function needBinary(name: string): void {
  if (!onPath(name)) throw new Missing(`${name} is not installed: ${BINARIES[name] ?? `install ${name}`}`);
}
