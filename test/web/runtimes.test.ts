import { afterEach, describe, it } from "vitest";
import { World, writeConfig } from "../helpers/harness.ts";
import { daemonCommand, type RuntimeName } from "../helpers/runtimes.ts";
import { openPage, say, sentMessages, signIn, waitForRoom, launchBrowser } from "../helpers/browser.ts";

/**
 * The page's modules are found and served by the daemon as started for real: the
 * built one on Node (dist/src/web, copied by `npm run build`) and the sources on Deno.
 */
describe.each<RuntimeName>(["node", "deno"])("the page on %s", (runtime) => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("loads every module and chats", async () => {
    const dir = await world.tempDir();
    const config = await writeConfig(dir, { bcryptCost: 4, rooms: ["general"] });
    const p = await world.spawn(
      { CHAT_CONFIG: config, CHAT_HOST: "127.0.0.1", CHAT_PORT: "0", CHAT_DATA_DIR: dir },
      { command: daemonCommand(runtime) },
    );
    const browser = await launchBrowser();
    world.onCleanup(() => browser.close());
    const { page, errors } = await openPage(browser, `http://127.0.0.1:${p.port}/`);
    await signIn(page, "alice");
    await waitForRoom(page, "general");
    await say(page, `hello from ${runtime}`);
    await sentMessages(page, `hello from ${runtime}`).waitFor();
    if (errors.length > 0) throw new Error(errors.join("\n"));
  }, 60_000);
});
