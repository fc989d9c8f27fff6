// docs/protocol.md (welcome.token) and docs/security.md (resume tokens): a user keeps at most
// 20 live resume tokens; each password sign-in past that revokes the oldest, so one account
// signing in again and again cannot grow its record without bound.
import { afterEach, describe, expect, it } from "vitest";
import { World } from "../../helpers/harness.ts";

describe("resume tokens per user", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("keeps the 20 newest: the 21st password sign-in revokes the first token, the second still resumes", async () => {
    const d = await world.daemon();
    const tokens: string[] = [];
    for (let i = 0; i < 21; i++) {
      const { client, welcome } = await world.signIn(d, "alice");
      tokens.push(welcome.token as string);
      client.close();
      await client.closed;
    }
    expect(new Set(tokens).size).toBe(21);

    const stale = await world.connect(d);
    expect(await stale.request({ type: "hello", token: tokens[0] }, "welcome", "error")).toMatchObject({ type: "error", code: "auth_failed" });
    // A token resume issues nothing: resuming with the second leaves it, and the newest, valid.
    const { welcome } = await world.resume(d, tokens[1]);
    expect(welcome.token).toBe(tokens[1]);
    await world.resume(d, tokens[20]);
  });
});
