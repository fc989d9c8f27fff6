import { afterEach, describe, expect, it } from "vitest";
import { World } from "../../helpers/harness.ts";
import { rawRequest } from "../../abuse/raw-http.ts";
import { spawnOn, type RuntimeName } from "../../helpers/runtimes.ts";

/**
 * docs/runtimes.md, "a request without `Host`, or with a method HTTP does not define": Node's
 * parser answers 400 and closes before chatd sees it; Deno hands it to chatd, which serves it.
 */
describe.each<RuntimeName>(["node", "deno"])("HTTP parsing on %s", (runtime) => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("a request without Host, or with an unknown method: Node's 400, Deno serves it", async () => {
    const p = await spawnOn(world, runtime);
    const noHost = await rawRequest(p.port, "GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n", 2000);
    const brew = await rawRequest(p.port, "BREW /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", 2000);
    if (runtime === "node") {
      expect([noHost.status, brew.status]).toEqual([400, 400]);
    } else {
      expect([noHost.status, brew.status]).toEqual([200, 404]);
      expect(brew.data).toContain('{"error":"not_found","message":"no such endpoint"}');
    }
  });
});
