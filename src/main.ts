import { run } from "./run.ts";
import { nodePlatform } from "./runtime/node/platform.ts";

// Node.js entry point (`npm start`). The Deno one is src/main.deno.ts.
run(nodePlatform).catch((error: Error) => {
  process.stderr.write(`chatd: fatal: ${error.stack ?? error}\n`);
  process.exit(1);
});
