/// <reference lib="deno.ns" />
import { run } from "./run.ts";
import { denoPlatform } from "./runtime/deno/platform.ts";

// Deno entry point (`deno task start`). The Node.js one is src/main.ts.
run(denoPlatform).catch((error: Error) => {
  console.error(`chatd: fatal: ${error.stack ?? error}`);
  Deno.exit(1);
});
