import { afterEach, describe, expect, it } from "vitest";
import { World, PASSWORD, within, writeConfig } from "../helpers/harness.ts";

describe("bcrypt on worker threads", () => {
  const world = new World();
  afterEach(() => world.cleanup());

  it("signs in with a password, resumes with the token, and refuses a wrong password", async () => {
    const d = await world.daemon({ bcryptThreads: 2 });
    const { welcome } = await world.signIn(d, "alice");
    expect(welcome).toMatchObject({ type: "welcome", created: true });
    expect((await world.signIn(d, "alice")).welcome).toMatchObject({ type: "welcome", created: false });
    expect((await world.resume(d, welcome.token)).welcome).toMatchObject({ type: "welcome", user: "alice" });
    const client = await world.connect(d);
    expect(await client.request({ type: "hello", user: "alice", password: "wrong-horse" }, "welcome", "error")).toMatchObject({ code: "auth_failed" });
  });

  it("signs in on the event loop with bcryptThreads 0", async () => {
    const d = await world.daemon({ bcryptThreads: 0 });
    await world.signIn(d, "alice");
    expect((await world.signIn(d, "alice")).welcome).toMatchObject({ type: "welcome", created: false });
  });

  it("signs in with new threads after a restart in place", async () => {
    const d = await world.daemon();
    await world.signIn(d, "alice");
    expect(d.daemon.request("RESTART").accepted).toBe(true);
    expect(await d.daemon.settled()).toBe("running");
    expect((await world.signIn(d, "alice")).welcome).toMatchObject({ type: "welcome", created: false });
  });

  it("lets the process exit 0 on SIGTERM while a sign-in is still hashing", async () => {
    const dir = await world.tempDir();
    // Cost 15 takes seconds: the hash is surely still running when the signal arrives.
    const config = await writeConfig(dir, { bcryptCost: 15 });
    const p = await world.spawn({ CHAT_CONFIG: config, CHAT_HOST: "127.0.0.1", CHAT_PORT: "0", CHAT_DATA_DIR: dir });
    const client = await world.connect(`ws://127.0.0.1:${p.port}/ws`);
    client.send({ type: "hello", user: "alice", password: PASSWORD });
    await new Promise((r) => setTimeout(r, 100));
    p.child.kill("SIGTERM");
    expect(await within(5000, p.exited, "exit")).toEqual({ code: 0, signal: null });
    expect((await client.closed).code).toBe(1001);
  });
});
