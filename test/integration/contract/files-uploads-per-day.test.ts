// docs/files.md and docs/security.md: one user may make at most limits.filesPerUserPerDay
// uploads in 24 hours, empty files included (they cost no bytes of the daily allowance, yet
// each is a record on disk): without that bound one token could fill the files folder.
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { World } from "../../helpers/harness.ts";
import { startWithAlice, upload } from "../../helpers/files.ts";

describe("POST /files: uploads per user per day", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("answers 429 quota_exceeded with a Retry-After of about a day past limits.filesPerUserPerDay, empty files included; others still upload", async () => {
    const { d, token } = await startWithAlice(world, { limits: { filesPerUserPerDay: 3 } });
    for (let i = 0; i < 3; i++) expect((await upload(d.url, token, new Uint8Array(0), `e${i}.bin`)).status).toBe(201);

    const refused = await upload(d.url, token, new Uint8Array(0), "e3.bin");
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ error: "quota_exceeded", message: expect.any(String) });
    const retry = Number(refused.headers.get("retry-after"));
    // The oldest of the three leaves the 24 hours first: a day from its upload, seconds ago.
    expect(retry).toBeGreaterThan(86_400 - 120);
    expect(retry).toBeLessThanOrEqual(86_400);
    // A non-empty file is refused the same: the count, not the bytes, is over.
    expect((await upload(d.url, token, "hello", "h.txt")).status).toBe(429);
    // Nothing of the refused uploads was kept.
    expect(await readdir(join(d.dataDir, "files", "blobs"))).toHaveLength(3);

    const { welcome } = await world.signIn(d, "bob");
    expect((await upload(d.url, welcome.token as string, new Uint8Array(0), "b.bin")).status).toBe(201);
  });
});
