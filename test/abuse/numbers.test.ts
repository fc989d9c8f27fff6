import { afterEach, describe, expect, it } from "vitest";
import { World, say } from "../helpers/harness.ts";

describe("numbers in admin queries", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("answers 400 to a limit written other than in decimal digits (0x10, 1e1, +5, 5.0, ' 5')", async () => {
    const d = await world.daemon();
    const { client } = await world.member(d, "alice");
    await say(client, "general", Array.from({ length: 20 }, (_, i) => `m${i}`));
    for (const limit of ["0x10", "1e1", "+5", "5.0", "%205", "0b11", "-1", "1_0"]) {
      const res = await d.http(`/admin/log?limit=${limit}`, { admin: true });
      expect(res.status, `limit=${limit}`).toBe(400);
      expect(await res.json()).toMatchObject({ error: "bad_request" });
    }
    const ok = await d.http("/admin/log?limit=007", { admin: true });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { messages: unknown[] }).messages).toHaveLength(7);
  });
});
