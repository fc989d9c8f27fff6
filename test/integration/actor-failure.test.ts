import { afterEach, describe, expect, it } from "vitest";
import { startDaemon, type TestDaemon } from "../helpers/daemon.ts";
import { TestClient, signIn } from "../helpers/client.ts";

describe("a failing session actor", () => {
  let d: TestDaemon | undefined;
  afterEach(() => d?.close());

  it("closes that connection with 1011 and the daemon keeps serving everyone else", async () => {
    d = await startDaemon();
    const chat = d.daemon.chat!;
    const original = chat.signedIn.bind(chat);
    let failNext = true;
    // A bug inside an action of the session machine (here: while welcoming).
    chat.signedIn = (session, signIn) => {
      if (failNext) {
        failNext = false;
        throw new Error("boom");
      }
      original(session, signIn);
    };
    const victim = await TestClient.connect(d.wsUrl);
    victim.send({ type: "hello", user: "victim", password: "correct-horse" });
    expect((await victim.closed).code).toBe(1011);
    const { client, welcome } = await signIn(d.wsUrl, "survivor");
    expect(welcome.user).toBe("survivor");
    expect(await client.request({ type: "ping", ref: 1 }, "pong")).toMatchObject({ ref: 1 });
    expect(d.daemon.state).toBe("running");
    await client.close();
  });
});
