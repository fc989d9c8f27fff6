import { rm } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { World } from "../helpers/harness.ts";

describe("GET /readyz", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("is 200 ready while running and accepting sessions, beside /healthz", async () => {
    const d = await world.daemon();
    const res = await d.http("/readyz");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ready", state: "running" });
    expect((await d.http("/healthz")).status).toBe(200);
  });

  it("is 503 when the storage cannot be written, while /healthz still says alive", async () => {
    const d = await world.daemon();
    await rm(join(d.dataDir, "chat"), { recursive: true, force: true });
    const res = await d.http("/readyz");
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ status: "not_ready", state: "running", reason: expect.stringContaining("storage unavailable") });
    expect((await d.http("/healthz")).status).toBe(200);
  });
});
