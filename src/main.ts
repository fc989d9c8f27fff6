import { run } from "./run.ts";
import { nodePlatform } from "./runtime/node/platform.ts";
import { tuneV8 } from "./runtime/node/v8-flags.ts";

// Node.js entry point (`npm start`). The Deno one is src/main.deno.ts.
tuneV8();
run(nodePlatform).catch((error: Error) => {
  process.stderr.write(`chatd: fatal: ${error.stack ?? error}\n`);
  process.exit(1);
});
