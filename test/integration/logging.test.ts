import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../../src/log.ts";
import { World, say } from "../helpers/harness.ts";

describe("the daemon's logs", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("never contain the password or the resume token of a sign-in, even at debug level", async () => {
    const lines: string[] = [];
    const d = await world.daemon({}, { logger: createLogger({ level: "debug", write: (l) => lines.push(l) }) });
    const password = "very-secret-password";
    const { client, welcome } = await world.signIn(d, "alice", password);
    await client.request({ type: "join", room: "general" }, "joined");
    await say(client, "general", ["hello"]);
    const failed = await world.connect(d);
    await failed.request({ type: "hello", user: "alice", password: "wrong-secret-guess" }, "error");
    await world.resume(d, welcome.token);

    const all = lines.join("\n");
    expect(all).toContain('"msg":"signed in"');
    expect(all).not.toContain(password);
    expect(all).not.toContain("wrong-secret-guess");
    expect(all).not.toContain(welcome.token as string);
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ level: expect.any(String), time: expect.any(String), msg: expect.any(String) });
  });
});
