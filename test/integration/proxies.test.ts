import { afterEach, describe, expect, it } from "vitest";
import { TestClient } from "../helpers/client.ts";
import { World } from "../helpers/harness.ts";
import type { TestDaemon } from "../helpers/daemon.ts";

/** Signs in over a socket that sends `headers` with the upgrade, and returns the address the admin API shows. */
async function addressSeen(world: World, d: TestDaemon, headers: Record<string, string>): Promise<string> {
  const client = await TestClient.connect(d.wsUrl, { headers });
  world.onCleanup(() => client.ws.terminate());
  await client.request({ type: "hello", user: "alice", password: "correct-horse" }, "welcome");
  const users = (await (await d.http("/admin/users", { admin: true })).json()) as { online: Array<{ address: string }> };
  return users.online[0]!.address;
}

describe("trusted proxies", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("take the client address from X-Forwarded-For when the connection comes from a trusted proxy", async () => {
    const d = await world.daemon({ trustedProxies: ["127.0.0.0/8"] });
    expect(await addressSeen(world, d, { "X-Forwarded-For": "203.0.113.7" })).toBe("203.0.113.7");
  });

  it("ignore X-Forwarded-For and Forwarded from a peer that is not trusted, so they cannot be spoofed", async () => {
    const d = await world.daemon({ trustedProxies: ["10.0.0.0/8"] });
    expect(await addressSeen(world, d, { "X-Forwarded-For": "203.0.113.7", Forwarded: "for=198.51.100.1" })).toBe("127.0.0.1");
  });

  it("are refused at start when an entry is not an IP or CIDR", async () => {
    await expect(world.daemon({ trustedProxies: ["proxy.example"] })).rejects.toThrow(/trustedProxies\.0: expected an IP address or CIDR range/);
  });
});
