import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { TestClient, type Frame } from "../helpers/client.ts";
import { startCluster, type TestCluster } from "../helpers/cluster.ts";
import { PASSWORD, World } from "../helpers/harness.ts";

/**
 * Issue 22, point 5: `hello` with a password, then, while bcrypt checks it,
 * `POST /admin/ban` for that user. The ban must end the sign-in too: it finds
 * no session yet (`sessions: 0`), so the sign-in is refused as a banned
 * account's is (`banned`), and the frames behind the hello are answered
 * `not_authenticated`; nothing is joined or said.
 */

/** A bcrypt cost that keeps the password check running long after the ban has been stored and published. */
const SLOW_COST = 12;
/** bcrypt at that cost on a busy machine: seconds. */
const WAIT_MS = 30_000;

/** Sends a password hello with a join and a say behind it, then bans the user while the password is checked. */
async function race(wsUrl: string, ban: () => Promise<Response>): Promise<{ client: TestClient; frames: Frame[] }> {
  const client = await TestClient.connect(wsUrl);
  client.send({ type: "hello", user: "mallory", password: PASSWORD });
  client.send({ type: "join", room: "general", ref: "j" });
  client.send({ type: "say", room: "general", text: "still here", ref: "s" });
  // The hello has been read and its password check is under way.
  await new Promise((r) => setTimeout(r, 50));
  const res = await ban();
  expect(await res.json()).toEqual({ banned: "mallory", sessions: 0 });
  // The race: the ban was done while the sign-in still ran.
  expect(client.frames).toEqual([]);
  const frames = [await client.next(undefined, WAIT_MS), await client.next(undefined, WAIT_MS), await client.next(undefined, WAIT_MS)];
  return { client, frames };
}

function expectRefused({ frames }: { frames: Frame[] }): void {
  expect(frames).toEqual([
    expect.objectContaining({ type: "error", code: "banned" }),
    expect.objectContaining({ type: "error", code: "not_authenticated", ref: "j" }),
    expect.objectContaining({ type: "error", code: "not_authenticated", ref: "s" }),
  ]);
  expect(frames[0]!.message).toContain("spam");
}

describe("a ban while a password sign-in is being checked", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("refuses the sign-in on the node (embedded)", async () => {
    const d = await world.daemon({ bcryptCost: SLOW_COST, limits: { authTimeoutMs: 60_000 } });
    const { client: first } = await signIn(d.wsUrl);
    await first.close();
    const ban = () =>
      fetch(`${d.url}/admin/ban`, {
        method: "POST",
        headers: { Authorization: `Bearer ${d.config.adminToken}`, "Content-Type": "application/json" },
        body: JSON.stringify({ user: "mallory", reason: "spam" }),
      });
    const r = await race(d.wsUrl, ban);
    expectRefused(r);
    // Still not signed in: the connection is open and refuses requests as before any hello.
    expect(await r.client.request({ type: "join", room: "general", ref: "r" }, "error", "joined")).toMatchObject({ code: "not_authenticated", ref: "r" });
    expect(d.daemon.chat!.hub.userSessions("mallory").size).toBe(0);
  }, 60_000);
});

describe("a ban on another node while a password sign-in is being checked", () => {
  let cluster: TestCluster | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await cluster?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
    cluster = dir = undefined;
  });

  it("refuses the sign-in on its node (cluster)", async () => {
    dir = await mkdtemp(join(tmpdir(), "chatd-ban-race-"));
    const config = join(dir, "server.json");
    await writeFile(config, JSON.stringify({ bcryptCost: SLOW_COST, host: "127.0.0.1", limits: { authTimeoutMs: 60_000 } }));
    cluster = await startCluster(2, { CHAT_CONFIG: config });
    const [one, two] = cluster.nodes as [TestCluster["nodes"][0], TestCluster["nodes"][0]];
    const { client: first } = await signIn(one.wsUrl);
    await first.close();
    const ban = () => two.http("/admin/ban", { admin: true, method: "POST", body: JSON.stringify({ user: "mallory", reason: "spam" }) });
    const r = await race(one.wsUrl, ban);
    expectRefused(r);
    expect(await r.client.request({ type: "join", room: "general", ref: "r" }, "error", "joined")).toMatchObject({ code: "not_authenticated", ref: "r" });
  }, 90_000);
});

/** Creates mallory's account (at the slow cost, so every later password check is slow too). */
async function signIn(wsUrl: string): Promise<{ client: TestClient }> {
  const client = await TestClient.connect(wsUrl);
  client.send({ type: "hello", user: "mallory", password: PASSWORD });
  const welcome = await client.next(undefined, WAIT_MS);
  expect(welcome.type).toBe("welcome");
  return { client };
}
