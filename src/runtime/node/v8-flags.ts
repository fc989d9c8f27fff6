import { setFlagsFromString } from "node:v8";

/** The V8 flag chatd sets unless the command line says otherwise. */
export const PRETENURING_FLAG = "--no-allocation-site-pretenuring";

/**
 * Turns off V8's allocation-site pretenuring for the daemon's process, unless
 * the node command line sets it either way (`node --allocation-site-pretenuring
 * dist/src/main.js` keeps V8's default). When most objects from one allocation
 * site survive a young-generation collection, V8 starts allocating that site's
 * objects straight in the old generation. A connection storm (every client
 * reconnecting after a restart) is exactly that case: the per-connection state
 * made at sign-in survives, and so V8 pretenures sites (xstate's snapshots and
 * action arguments, stream write requests, user file reads) whose later objects
 * are short-lived; they then die in the old generation and stay there as
 * garbage until a full collection. Measured on the bench's 15,000-connection
 * storm: about 0.9 KiB less RSS per connection, and no change beyond the
 * run-to-run spread in any other scenario (docs/benchmarks.md). NODE_OPTIONS
 * cannot carry this flag, hence setting it here, before the first connection.
 */
export function tuneV8(execArgv: readonly string[] = process.execArgv): boolean {
  if (execArgv.some((arg) => /^--(no-)?allocation[-_]site[-_]pretenuring$/.test(arg))) return false;
  setFlagsFromString(PRETENURING_FLAG);
  return true;
}
