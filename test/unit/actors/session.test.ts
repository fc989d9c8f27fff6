import { afterEach, describe, expect, it, vi } from "vitest";
import { createActor, fromPromise, waitFor, type Actor, type StateValue } from "xstate";
import { sendFrame, sendInvalid, sessionMachine, startSessionActor, type SessionEvent } from "../../../actors/session.ts";
import { ActorGroups } from "../../../actors/groups.ts";
import { ClientError, CloseCode, ErrorCode, type InboundFrame, type OutboundFrame } from "../../../src/message/index.ts";
import type { ChatService } from "../../../src/chat/service.ts";
import type { Session } from "../../../src/chat/session.ts";
import type { SignIn } from "../../../src/accounts/accounts.ts";

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const SIGN_IN: SignIn = {
  user: { name: "Alice", key: "alice", passwordHash: "x", role: "user", createdAt: 1, lastSeenAt: 1, tokens: [] },
  token: "token",
  created: false,
};

/** A session with spies: the peer, the outbound frames and a sequential inbox. */
function fakeSession() {
  const peer = { send: vi.fn(), close: vi.fn(), bufferedAmount: 0, remoteAddress: "127.0.0.1" };
  const sent: OutboundFrame[] = [];
  let inbox: Promise<void> = Promise.resolve();
  const session = {
    peer,
    send: vi.fn((frame: OutboundFrame) => void sent.push(frame)),
    enqueue: vi.fn((task: () => Promise<void> | void) => {
      inbox = inbox.then(task).catch(() => {});
    }),
    /** Resolves once every task queued so far has run. */
    idle: () => inbox,
  };
  return { session, peer, sent };
}

/** The ChatService methods the machine calls; authenticate answers from a queue the test controls. */
function fakeChat() {
  const pending: Array<ReturnType<typeof deferred<SignIn>>> = [];
  const handled: InboundFrame[] = [];
  const chat = {
    authenticate: vi.fn(() => {
      const d = deferred<SignIn>();
      pending.push(d);
      return d.promise;
    }),
    signedIn: vi.fn(),
    handle: vi.fn(async (_s: unknown, frame: InboundFrame) => {
      // A little async work, so a sequential inbox is what keeps the order.
      await new Promise((r) => setTimeout(r, frame.type === "join" ? 5 : 0));
      handled.push(frame);
    }),
    fail: vi.fn(),
    logout: vi.fn(async () => {}),
    disconnect: vi.fn(),
    refusal: vi.fn((_admission: unknown): ClientError | undefined => undefined),
    accounts: { revoke: vi.fn(async (_token: string) => {}) },
  };
  return { chat, pending, handled };
}

const actors: Array<Actor<typeof sessionMachine>> = [];
afterEach(() => {
  for (const a of actors.splice(0)) a.stop();
  vi.useRealTimers();
});

/** The innermost state's name: `connected` for `{ unauthenticated: "connected" }`. */
function leaf(value: StateValue): string {
  return typeof value === "string" ? value : leaf(Object.values(value)[0]!);
}

function start(authTimeoutMs = 10_000, machine = sessionMachine) {
  const s = fakeSession();
  const c = fakeChat();
  const actor = createActor(machine, {
    input: { session: s.session as unknown as Session, chat: c.chat as unknown as ChatService, authTimeoutMs },
  });
  actors.push(actor);
  actor.start();
  const frame = (f: InboundFrame) => actor.send({ type: "FRAME", frame: f });
  const state = () => leaf(actor.getSnapshot().value);
  const until = (value: string) => waitFor(actor, (snap) => leaf(snap.value) === value, { timeout: 2000 });
  return { actor, frame, state, until, ...s, ...c };
}

const hello: InboundFrame = { type: "hello", user: "alice", password: "correct-horse" };

/** The code of the ClientError passed to fail() in call `i`. */
function failCode(chat: ReturnType<typeof fakeChat>["chat"], i: number): string {
  const error = chat.fail.mock.calls[i]?.[1];
  expect(error).toBeInstanceOf(ClientError);
  return (error as ClientError).code;
}

async function active(authTimeoutMs?: number) {
  const t = start(authTimeoutMs);
  t.frame(hello);
  t.pending[0]!.resolve(SIGN_IN);
  await t.until("active");
  return t;
}

describe("sessionMachine", () => {
  describe("connected", () => {
    it("starts connected", () => {
      expect(start().state()).toBe("connected");
    });

    it("answers ping with pong, echoing the ref", () => {
      const t = start();
      t.frame({ type: "ping", ref: 1 });
      t.frame({ type: "ping", ref: "abc" });
      t.frame({ type: "ping" });
      expect(t.sent).toEqual([{ type: "pong", ref: 1 }, { type: "pong", ref: "abc" }, { type: "pong" }]);
      expect(t.state()).toBe("connected");
      expect(t.chat.handle).not.toHaveBeenCalled();
    });

    it("refuses anything but hello and ping with not_authenticated, echoing the ref", () => {
      const t = start();
      t.frame({ type: "say", room: "general", text: "hi", ref: "c1" });
      t.frame({ type: "join", room: "general" });
      t.frame({ type: "logout" });
      expect(t.chat.fail).toHaveBeenCalledTimes(3);
      expect(t.chat.fail.mock.calls.map((c) => c[0])).toEqual([t.session, t.session, t.session]);
      expect([0, 1, 2].map((i) => failCode(t.chat, i))).toEqual(Array(3).fill(ErrorCode.notAuthenticated));
      expect(t.chat.fail.mock.calls[0]![2]).toBe("c1");
      expect(t.chat.fail.mock.calls[1]![2]).toBeUndefined();
      expect(t.state()).toBe("connected");
      expect(t.chat.handle).not.toHaveBeenCalled();
      expect(t.chat.logout).not.toHaveBeenCalled();
      expect(t.chat.authenticate).not.toHaveBeenCalled();
    });

    it("goes from hello to active through the sign-in actor when authenticate decides at once", async () => {
      const t = start();
      t.chat.authenticate.mockImplementationOnce(() => SIGN_IN as never);
      t.frame(hello);
      await t.until("active");
      expect(t.chat.signedIn).toHaveBeenCalledWith(t.session, SIGN_IN);
    });

    it("answers a sign-in that fails at once and stays connected, ready for another hello", async () => {
      const t = start();
      t.chat.authenticate.mockImplementationOnce(() => {
        throw new ClientError(ErrorCode.authFailed, "invalid or expired token");
      });
      t.frame(hello);
      await t.until("connected");
      expect(failCode(t.chat, 0)).toBe(ErrorCode.authFailed);
      t.frame(hello);
      expect(t.state()).toBe("authenticating");
    });

    it("goes to authenticating on hello and passes the hello to authenticate", () => {
      const t = start();
      t.frame(hello);
      expect(t.state()).toBe("authenticating");
      expect(t.chat.authenticate).toHaveBeenCalledTimes(1);
      expect(t.chat.authenticate).toHaveBeenCalledWith(hello, expect.anything());
    });
  });

  describe("authenticating", () => {
    it("goes to active on success and calls signedIn with the sign-in", async () => {
      const t = start();
      t.frame(hello);
      t.pending[0]!.resolve(SIGN_IN);
      await t.until("active");
      expect(t.chat.signedIn).toHaveBeenCalledTimes(1);
      expect(t.chat.signedIn).toHaveBeenCalledWith(t.session, SIGN_IN);
      expect(t.chat.fail).not.toHaveBeenCalled();
    });

    it("holds frames until sign-in succeeds, then handles them in order after the welcome", async () => {
      const t = start();
      t.frame(hello);
      const frames: InboundFrame[] = [
        { type: "join", room: "general" },
        { type: "say", room: "general", text: "one" },
        { type: "say", room: "general", text: "two" },
        { type: "rooms" },
      ];
      for (const f of frames) t.frame(f);
      await new Promise((r) => setTimeout(r, 10));
      expect(t.chat.handle).not.toHaveBeenCalled();
      expect(t.state()).toBe("authenticating");

      t.pending[0]!.resolve(SIGN_IN);
      await t.until("active");
      await t.session.idle();
      expect(t.handled).toEqual(frames);
      expect(t.chat.handle.mock.calls.every((c) => c[0] === t.session)).toBe(true);
      const welcomeAt = t.chat.signedIn.mock.invocationCallOrder[0]!;
      expect(Math.min(...t.chat.handle.mock.invocationCallOrder)).toBeGreaterThan(welcomeAt);
    });

    it("handles held frames before frames that arrive after the sign-in", async () => {
      const t = start();
      t.frame(hello);
      t.frame({ type: "join", room: "general" });
      t.pending[0]!.resolve(SIGN_IN);
      await t.until("active");
      t.frame({ type: "say", room: "general", text: "later" });
      await t.session.idle();
      expect(t.handled.map((f) => f.type)).toEqual(["join", "say"]);
    });

    it("does not run held frames twice", async () => {
      const t = start();
      t.frame(hello);
      t.frame({ type: "rooms" });
      t.pending[0]!.resolve(SIGN_IN);
      await t.until("active");
      t.frame({ type: "typing", room: "general" });
      await t.session.idle();
      expect(t.handled).toEqual([{ type: "rooms" }, { type: "typing", room: "general" }]);
      // Active: the unauthenticated phase's state (hello, queue, deadline) is gone.
      expect(t.actor.getSnapshot().context.auth).toBeUndefined();
    });

    it("holds a ping sent while signing in like any frame: answered in its turn after the welcome", async () => {
      const t = start();
      t.frame(hello);
      t.frame({ type: "join", room: "general" });
      t.frame({ type: "ping", ref: 9 });
      expect(t.sent).toEqual([]);
      expect(t.actor.getSnapshot().context.auth!.queued).toEqual([{ type: "join", room: "general" }, { type: "ping", ref: 9 }]);
      t.pending[0]!.resolve(SIGN_IN);
      await t.until("active");
      await t.session.idle();
      expect(t.handled).toEqual([{ type: "join", room: "general" }, { type: "ping", ref: 9 }]);
    });

    it("answers held frames, a ping too, not_authenticated in order when the sign-in fails", async () => {
      const t = start();
      t.frame(hello);
      t.frame({ type: "ping", ref: "p" });
      t.actor.send({ type: "INVALID", code: ErrorCode.unknownType, message: "unknown frame type", ref: "u" });
      t.frame({ type: "join", room: "general", ref: "j" });
      t.pending[0]!.reject(new ClientError(ErrorCode.authFailed, "wrong"));
      await t.until("connected");
      expect(t.chat.fail.mock.calls.map((c) => [(c[1] as ClientError).code, c[2]])).toEqual([
        [ErrorCode.authFailed, undefined],
        [ErrorCode.notAuthenticated, "p"],
        [ErrorCode.unknownType, "u"],
        [ErrorCode.notAuthenticated, "j"],
      ]);
      expect(t.sent).toEqual([]);
    });

    it("holds at most 32 frames and refuses the rest with not_authenticated", async () => {
      const t = start();
      t.frame(hello);
      for (let i = 0; i < 35; i++) t.frame({ type: "say", room: "general", text: `m${i}`, ref: i });
      expect(t.actor.getSnapshot().context.auth!.queued).toHaveLength(32);
      expect(t.chat.fail).toHaveBeenCalledTimes(3);
      expect([0, 1, 2].map((i) => failCode(t.chat, i))).toEqual(Array(3).fill(ErrorCode.notAuthenticated));
      expect(t.chat.fail.mock.calls.map((c) => c[2])).toEqual([32, 33, 34]);
      t.pending[0]!.resolve(SIGN_IN);
      await t.until("active");
      await t.session.idle();
      expect(t.handled.map((f) => (f as { ref: number }).ref)).toEqual(Array.from({ length: 32 }, (_, i) => i));
    });

    it("goes back to connected when sign-in fails, reporting the error", async () => {
      const t = start();
      t.frame(hello);
      const error = new ClientError(ErrorCode.authFailed, "unknown user or wrong password");
      t.pending[0]!.reject(error);
      await t.until("connected");
      expect(t.chat.fail).toHaveBeenCalledTimes(1);
      expect(t.chat.fail).toHaveBeenCalledWith(t.session, error);
      expect(t.chat.signedIn).not.toHaveBeenCalled();
      expect(t.peer.close).not.toHaveBeenCalled();
    });

    it("answers held frames not_authenticated when sign-in fails, and never handles them", async () => {
      const t = start();
      t.frame(hello);
      t.frame({ type: "say", room: "general", text: "hi", ref: "c1" });
      t.frame({ type: "rooms" });
      t.pending[0]!.reject(new ClientError(ErrorCode.authFailed, "no"));
      await t.until("connected");
      expect(t.chat.fail).toHaveBeenCalledTimes(3);
      expect(failCode(t.chat, 0)).toBe(ErrorCode.authFailed);
      expect(failCode(t.chat, 1)).toBe(ErrorCode.notAuthenticated);
      expect(t.chat.fail.mock.calls[1]![2]).toBe("c1");
      expect(failCode(t.chat, 2)).toBe(ErrorCode.notAuthenticated);
      expect(t.chat.fail.mock.calls[2]![2]).toBeUndefined();
      expect(t.actor.getSnapshot().context.auth!.queued).toBeUndefined();
      expect(t.chat.handle).not.toHaveBeenCalled();
    });

    it("ignores a sign-in that ends after the session was closed", async () => {
      const t = start();
      t.frame(hello);
      t.actor.send({ type: "CLOSE", code: CloseCode.kicked, reason: "kicked" });
      expect(t.state()).toBe("closing");
      t.pending[0]!.resolve(SIGN_IN);
      await new Promise((r) => setTimeout(r, 10));
      expect(t.state()).toBe("closing");
      expect(t.chat.signedIn).not.toHaveBeenCalled();
    });

    it("runs the sign-in as an invoked child actor, stopped (its result dropped) when the session leaves authenticating", async () => {
      const t = start();
      let signal: AbortSignal | undefined;
      t.chat.authenticate.mockImplementationOnce(() => new Promise<SignIn>(() => {}));
      const machine = sessionMachine.provide({
        actors: {
          signIn: fromPromise(async ({ input, signal: s }) => {
            signal = s;
            return input.chat.authenticate(input.hello, input.session);
          }),
        },
      });
      const u = start(10_000, machine);
      u.frame(hello);
      expect(Object.keys(u.actor.getSnapshot().children)).toHaveLength(1);
      expect(u.chat.authenticate).toHaveBeenCalledWith(hello, u.session);
      u.actor.send({ type: "CLOSE", code: CloseCode.kicked, reason: "kicked" });
      expect(signal?.aborted).toBe(true);
      expect(Object.keys(u.actor.getSnapshot().children)).toHaveLength(0);
      u.pending[0]?.resolve(SIGN_IN);
      await new Promise((r) => setTimeout(r, 10));
      expect(u.chat.signedIn).not.toHaveBeenCalled();
      expect(t.state()).toBe("connected");
    });

    it("refuses a sign-in the chat refuses at the last moment (a ban meanwhile): its error, held frames answered, the token revoked", async () => {
      const t = start();
      const banned = new ClientError(ErrorCode.banned, "this account is banned: spam");
      t.chat.refusal.mockReturnValue(banned);
      t.frame(hello);
      t.frame({ type: "join", room: "general", ref: "j" });
      t.pending[0]!.resolve(SIGN_IN);
      await t.until("connected");
      expect(t.chat.refusal).toHaveBeenCalledWith(SIGN_IN);
      expect(t.chat.signedIn).not.toHaveBeenCalled();
      expect(t.chat.fail.mock.calls.map((c) => [c[1], c[2]])).toEqual([
        [banned, undefined],
        [expect.objectContaining({ code: ErrorCode.notAuthenticated }), "j"],
      ]);
      expect(t.chat.accounts.revoke).toHaveBeenCalledWith("token");
      expect(t.chat.handle).not.toHaveBeenCalled();
      // A later hello is tried as any other.
      t.chat.refusal.mockReturnValue(undefined);
      t.frame(hello);
      t.pending[1]!.resolve(SIGN_IN);
      await t.until("active");
    });

    it("asks for a refusal and signs in within one step: nothing runs between the two", async () => {
      const t = start();
      const order: string[] = [];
      t.chat.refusal.mockImplementation(() => void order.push("refusal") as undefined);
      t.chat.signedIn.mockImplementation(() => void order.push("signedIn"));
      t.frame(hello);
      t.pending[0]!.resolve(SIGN_IN);
      // A microtask queued by the chat's check would run between them if they were two steps.
      t.chat.refusal.mockImplementation(() => {
        order.push("refusal");
        queueMicrotask(() => order.push("microtask"));
        return undefined;
      });
      await t.until("active");
      await Promise.resolve();
      expect(order).toEqual(["refusal", "signedIn", "microtask"]);
    });

    it("lets the client try again after a failed sign-in", async () => {
      const t = start();
      t.frame(hello);
      t.pending[0]!.reject(new ClientError(ErrorCode.authFailed, "no"));
      await t.until("connected");
      t.frame({ type: "join", room: "stale" }); // refused, not held for the next attempt
      t.frame(hello);
      t.pending[1]!.resolve(SIGN_IN);
      await t.until("active");
      await t.session.idle();
      expect(t.chat.authenticate).toHaveBeenCalledTimes(2);
      expect(t.chat.signedIn).toHaveBeenCalledTimes(1);
      expect(t.chat.handle).not.toHaveBeenCalled();
    });
  });

  describe("auth deadline", () => {
    it("closes with 1008 when no hello arrives in time", async () => {
      vi.useFakeTimers();
      const t = start(1000);
      await vi.advanceTimersByTimeAsync(999);
      expect(t.state()).toBe("connected");
      expect(t.peer.close).not.toHaveBeenCalled();
      await vi.advanceTimersByTimeAsync(1);
      expect(t.state()).toBe("closing");
      expect(t.peer.close).toHaveBeenCalledTimes(1);
      expect(t.peer.close).toHaveBeenCalledWith(CloseCode.policy, "authentication timeout");
      expect(CloseCode.policy).toBe(1008);
      // The client is told why, just before the close.
      expect(failCode(t.chat, 0)).toBe(ErrorCode.notAuthenticated);
      expect(t.chat.fail.mock.invocationCallOrder[0]!).toBeLessThan(t.peer.close.mock.invocationCallOrder[0]!);
    });

    it("closes with 1008 with real timers too", async () => {
      const t = start(50);
      await t.until("closing");
      expect(t.peer.close).toHaveBeenCalledWith(1008, "authentication timeout");
    });

    it("closes when sign-in is still pending at the deadline", async () => {
      vi.useFakeTimers();
      const t = start(1000);
      await vi.advanceTimersByTimeAsync(900);
      t.frame(hello);
      expect(t.state()).toBe("authenticating");
      await vi.advanceTimersByTimeAsync(100);
      expect(t.state()).toBe("closing");
      expect(t.peer.close).toHaveBeenCalledWith(CloseCode.policy, "authentication timeout");
      // A sign-in that finishes afterwards does not revive the session.
      t.pending[0]!.resolve(SIGN_IN);
      await vi.advanceTimersByTimeAsync(0);
      expect(t.state()).toBe("closing");
      expect(t.chat.signedIn).not.toHaveBeenCalled();
    });

    it("is not re-armed by failed attempts: one deadline for the whole unauthenticated phase", async () => {
      vi.useFakeTimers();
      const t = start(1000);
      await vi.advanceTimersByTimeAsync(600);
      t.frame(hello);
      t.pending[0]!.reject(new ClientError(ErrorCode.authFailed, "no"));
      await vi.advanceTimersByTimeAsync(0);
      expect(t.state()).toBe("connected");
      await vi.advanceTimersByTimeAsync(399);
      expect(t.state()).toBe("connected");
      await vi.advanceTimersByTimeAsync(1);
      expect(t.state()).toBe("closing");
      expect(t.peer.close).toHaveBeenCalledWith(CloseCode.policy, "authentication timeout");
    });

    it("does not fire after a successful sign-in", async () => {
      vi.useFakeTimers();
      const t = start(1000);
      t.frame(hello);
      t.pending[0]!.resolve(SIGN_IN);
      await vi.advanceTimersByTimeAsync(0);
      expect(t.state()).toBe("active");
      await vi.advanceTimersByTimeAsync(5000);
      expect(t.state()).toBe("active");
      expect(t.peer.close).not.toHaveBeenCalled();
    });

    it("leaves no timer running once signed in", async () => {
      vi.useFakeTimers();
      const t = start(1000);
      expect(vi.getTimerCount()).toBe(1);
      t.frame(hello);
      expect(vi.getTimerCount()).toBe(1);
      t.pending[0]!.resolve(SIGN_IN);
      await vi.advanceTimersByTimeAsync(0);
      expect(t.state()).toBe("active");
      expect(vi.getTimerCount()).toBe(0);
      // Nor holds on to the spent one: there is a session per connection.
      expect(t.actor.getSnapshot().context.auth).toBeUndefined();
    });

    it("does nothing at the deadline of an actor already stopped", async () => {
      vi.useFakeTimers();
      const t = start(1000);
      t.actor.stop();
      await vi.advanceTimersByTimeAsync(1000);
      expect(t.peer.close).not.toHaveBeenCalled();
      expect(t.chat.fail).not.toHaveBeenCalled();
    });

    it("is not delayed by pings", async () => {
      vi.useFakeTimers();
      const t = start(1000);
      for (let i = 0; i < 10; i++) {
        await vi.advanceTimersByTimeAsync(100);
        t.frame({ type: "ping" });
      }
      expect(t.state()).toBe("closing");
    });
  });

  describe("active", () => {
    it("hands every frame to chat.handle through the session's inbox, in order", async () => {
      const t = await active();
      const frames: InboundFrame[] = [
        { type: "join", room: "general" },
        { type: "say", room: "general", text: "hi" },
        { type: "ping", ref: 2 },
        { type: "hello", user: "alice", password: "again-and-again" },
      ];
      for (const f of frames) t.frame(f);
      expect(t.session.enqueue).toHaveBeenCalledTimes(4);
      await t.session.idle();
      expect(t.handled).toEqual(frames);
      expect(t.chat.authenticate).toHaveBeenCalledTimes(1);
    });

    it("goes to closing on logout and asks the chat to log out", async () => {
      const t = await active();
      t.frame({ type: "logout" });
      expect(t.state()).toBe("closing");
      await t.session.idle();
      expect(t.chat.logout).toHaveBeenCalledTimes(1);
      expect(t.chat.logout).toHaveBeenCalledWith(t.session);
      expect(t.chat.handle).not.toHaveBeenCalled();
    });

    it("logs out only after the frames sent before the logout are handled", async () => {
      const t = await active();
      const join: InboundFrame = { type: "join", room: "general" }; // the fake takes 5 ms over a join
      const say: InboundFrame = { type: "say", room: "general", text: "bye all" };
      t.frame(join);
      t.frame(say);
      t.frame({ type: "logout" });
      expect(t.state()).toBe("closing");
      await vi.waitFor(() => expect(t.chat.logout).toHaveBeenCalledTimes(1));
      expect(t.handled).toEqual([join, say]);
    });

    it("still closes the socket with 1000 when logging out fails", async () => {
      const t = await active();
      t.chat.logout.mockRejectedValueOnce(new Error("disk full"));
      t.frame({ type: "logout" });
      await vi.waitFor(() => expect(t.peer.close).toHaveBeenCalledWith(CloseCode.normal, "signed out"));
    });

    it("ignores frames once closing", async () => {
      const t = await active();
      t.frame({ type: "logout" });
      t.frame({ type: "say", room: "general", text: "too late" });
      await t.session.idle();
      expect(t.chat.handle).not.toHaveBeenCalled();
      expect(t.chat.fail).not.toHaveBeenCalled();
    });
  });

  describe("closing", () => {
    it("forces the socket closed after a grace period, then ends closed", async () => {
      vi.useFakeTimers();
      const t = start();
      t.frame(hello);
      t.pending[0]!.resolve(SIGN_IN);
      await vi.advanceTimersByTimeAsync(0);
      t.frame({ type: "logout" });
      await vi.advanceTimersByTimeAsync(4999);
      expect(t.state()).toBe("closing");
      expect(t.chat.disconnect).not.toHaveBeenCalled();
      await vi.advanceTimersByTimeAsync(1);
      expect(t.state()).toBe("closed");
      expect(t.peer.close).toHaveBeenCalledWith(CloseCode.goingAway, "close timeout");
      expect(t.chat.disconnect).toHaveBeenCalledTimes(1);
    });

    it("ends closed when the socket goes away", async () => {
      const t = await active();
      t.frame({ type: "logout" });
      t.actor.send({ type: "DISCONNECTED" });
      expect(t.state()).toBe("closed");
      expect(t.chat.disconnect).toHaveBeenCalledTimes(1);
    });
  });

  describe("CLOSE", () => {
    it("closes the peer with the given code and reason and goes to closing", async () => {
      const t = await active();
      t.actor.send({ type: "CLOSE", code: CloseCode.kicked, reason: "kicked" });
      expect(t.state()).toBe("closing");
      expect(t.peer.close).toHaveBeenCalledWith(4000, "kicked");
    });

    it("works before sign-in too", () => {
      const t = start();
      t.actor.send({ type: "CLOSE", code: CloseCode.goingAway, reason: "server shutting down" });
      expect(t.state()).toBe("closing");
      expect(t.peer.close).toHaveBeenCalledWith(1001, "server shutting down");
    });
  });

  describe("DISCONNECTED", () => {
    const setups: Array<[string, () => Promise<ReturnType<typeof start>>]> = [
      ["connected", async () => start()],
      [
        "authenticating",
        async () => {
          const t = start();
          t.frame(hello);
          return t;
        },
      ],
      ["active", () => active()],
      [
        "closing",
        async () => {
          const t = await active();
          t.frame({ type: "logout" });
          return t;
        },
      ],
    ];

    it.each(setups)("ends the actor from %s, calling disconnect exactly once", async (from, setup) => {
      const t = await setup();
      expect(t.state()).toBe(from);
      t.actor.send({ type: "DISCONNECTED" });
      expect(t.state()).toBe("closed");
      expect(t.actor.getSnapshot().status).toBe("done");
      expect(t.chat.disconnect).toHaveBeenCalledTimes(1);
      expect(t.chat.disconnect).toHaveBeenCalledWith(t.session);
      t.actor.send({ type: "DISCONNECTED" });
      t.actor.send({ type: "CLOSE", code: 1000, reason: "x" });
      expect(t.chat.disconnect).toHaveBeenCalledTimes(1);
    });

    it("ignores a sign-in that completes after the socket is gone", async () => {
      const t = start();
      t.frame(hello);
      t.actor.send({ type: "DISCONNECTED" });
      t.pending[0]!.resolve(SIGN_IN);
      await new Promise((r) => setTimeout(r, 10));
      expect(t.chat.signedIn).not.toHaveBeenCalled();
      expect(t.chat.disconnect).toHaveBeenCalledTimes(1);
    });

    it("stops the auth deadline", async () => {
      vi.useFakeTimers();
      const t = start(1000);
      t.actor.send({ type: "DISCONNECTED" });
      await vi.advanceTimersByTimeAsync(2000);
      expect(t.peer.close).not.toHaveBeenCalled();
      expect(t.chat.fail).not.toHaveBeenCalled();
    });
  });

  describe("INVALID", () => {
    const invalid: SessionEvent = { type: "INVALID", code: ErrorCode.badFrame, message: "frame is not valid JSON", ref: "r1" };

    it("reports the decode error with its code, message and ref before sign-in", () => {
      const t = start();
      t.actor.send(invalid);
      expect(t.chat.fail).toHaveBeenCalledTimes(1);
      const [session, error, ref] = t.chat.fail.mock.calls[0]!;
      expect(session).toBe(t.session);
      expect(error).toBeInstanceOf(ClientError);
      expect(error).toMatchObject({ code: "bad_frame", message: "frame is not valid JSON" });
      expect(ref).toBe("r1");
      expect(t.state()).toBe("connected");
    });

    it("reports unknown_type while active, staying active", async () => {
      const t = await active();
      t.actor.send({ type: "INVALID", code: ErrorCode.unknownType, message: "unknown frame type" });
      await t.session.idle();
      expect(failCode(t.chat, 0)).toBe(ErrorCode.unknownType);
      expect(t.chat.fail.mock.calls[0]![2]).toBeUndefined();
      expect(t.state()).toBe("active");
    });

    it("is held while signing in, without disturbing it, and reported in its turn after the welcome", async () => {
      const t = start();
      t.frame(hello);
      t.frame({ type: "join", room: "general" });
      t.actor.send(invalid);
      t.frame({ type: "rooms" });
      expect(t.chat.fail).not.toHaveBeenCalled();
      expect(t.state()).toBe("authenticating");
      t.pending[0]!.resolve(SIGN_IN);
      await t.until("active");
      await t.session.idle();
      expect(failCode(t.chat, 0)).toBe(ErrorCode.badFrame);
      expect(t.chat.fail.mock.calls[0]![2]).toBe("r1");
      expect(t.handled).toEqual([{ type: "join", room: "general" }, { type: "rooms" }]);
    });

    it("is answered after the requests sent before it while active", async () => {
      const t = await active();
      const order: string[] = [];
      t.chat.handle.mockImplementation(async (_s: unknown, frame: InboundFrame) => {
        await new Promise((r) => setTimeout(r, 5));
        order.push(frame.type);
      });
      t.chat.fail.mockImplementation(() => void order.push("error"));
      t.frame({ type: "join", room: "general" });
      t.actor.send(invalid);
      t.frame({ type: "rooms" });
      await t.session.idle();
      expect(order).toEqual(["join", "error", "rooms"]);
    });
  });
});

describe("frames through the chart", () => {
  /** The machine with its frame-handling actions replaced by spies: what the chart itself runs for each frame. */
  function spied() {
    const calls: string[] = [];
    const names = ["handle", "hold", "pong", "rejectUnauthenticated", "answerInvalid", "queueInvalid", "logout"] as const;
    type Args = { event: SessionEvent; context: { auth?: { hold(item: unknown): void } } };
    const actions = Object.fromEntries(
      names.map((name) => [
        name,
        ({ event, context }: Args) => {
          calls.push(`${name}:${event.type === "FRAME" ? event.frame.type : event.type}`);
          // Holding still holds, so the queue fills up as it would.
          if (name === "hold") context.auth?.hold(event.type === "FRAME" ? event.frame : event);
        },
      ]),
    );
    return { machine: sessionMachine.provide({ actions }), calls };
  }

  it("answers every frame with the actions of the state it arrives in", async () => {
    const { machine, calls } = spied();
    const t = start(10_000, machine);
    const bad = { type: "INVALID", code: ErrorCode.badFrame, message: "frame is not valid JSON" } as const;
    sendFrame(t.actor, { type: "ping" });
    sendFrame(t.actor, { type: "join", room: "general" });
    sendInvalid(t.actor, bad);
    sendFrame(t.actor, hello);
    sendFrame(t.actor, { type: "join", room: "general" });
    sendInvalid(t.actor, bad);
    for (let i = 0; i < 32; i++) sendFrame(t.actor, { type: "rooms" });
    t.pending[0]!.resolve(SIGN_IN);
    await t.until("active");
    sendFrame(t.actor, { type: "say", room: "general", text: "hi" });
    sendInvalid(t.actor, bad);
    sendFrame(t.actor, { type: "logout" });
    sendFrame(t.actor, { type: "say", room: "general", text: "too late" });
    expect(calls).toEqual([
      "pong:ping",
      "rejectUnauthenticated:join",
      "answerInvalid:INVALID",
      "hold:join",
      "hold:INVALID",
      ...Array(30).fill("hold:rooms"),
      // Past 32 held, refused at once.
      "rejectUnauthenticated:rooms",
      "rejectUnauthenticated:rooms",
      "handle:say",
      "queueInvalid:INVALID",
      "logout:logout",
    ]);
    expect(t.state()).toBe("closing");
  });

  it("keeps the order of frames sent before, while and after signing in", async () => {
    const t = start();
    const bad = { type: "INVALID", code: ErrorCode.badFrame, message: "frame is not valid JSON", ref: "e" } as const;
    const order: string[] = [];
    t.chat.handle.mockImplementation(async (_s: unknown, frame: InboundFrame) => {
      await new Promise((r) => setTimeout(r, frame.type === "join" ? 5 : 0));
      order.push(frame.type);
    });
    t.chat.fail.mockImplementation((_s: unknown, _e: unknown, ref?: unknown) => void order.push(`error:${String(ref)}`));
    sendFrame(t.actor, hello);
    sendFrame(t.actor, { type: "join", room: "general" });
    sendInvalid(t.actor, bad);
    sendFrame(t.actor, { type: "ping" });
    t.pending[0]!.resolve(SIGN_IN);
    await t.until("active");
    sendFrame(t.actor, { type: "say", room: "general", text: "hi" });
    await t.session.idle();
    expect(order).toEqual(["join", "error:e", "ping", "say"]);
    expect(t.chat.signedIn.mock.invocationCallOrder[0]!).toBeLessThan(t.chat.handle.mock.invocationCallOrder[0]!);
  });

  it("drops frames after the socket is gone", async () => {
    const t = await active();
    t.actor.send({ type: "DISCONNECTED" });
    sendFrame(t.actor, { type: "say", room: "general", text: "late" });
    await t.session.idle();
    expect(t.chat.handle).not.toHaveBeenCalled();
  });
});

describe("the auth deadline is the chart's `after`", () => {
  it("is the `authDeadline` delay of the unauthenticated state, taken from the input", () => {
    const after = sessionMachine.root.states.unauthenticated!.after;
    expect(after.map((t) => t.delay)).toEqual(["authDeadline"]);
    expect(after[0]!.target?.map((n) => n.key)).toEqual(["closing"]);
  });

  it("follows the delay a provider gives it", async () => {
    vi.useFakeTimers();
    const t = start(10_000, sessionMachine.provide({ delays: { authDeadline: 30 } }));
    await vi.advanceTimersByTimeAsync(29);
    expect(t.state()).toBe("connected");
    await vi.advanceTimersByTimeAsync(1);
    expect(t.state()).toBe("closing");
    expect(t.peer.close).toHaveBeenCalledWith(CloseCode.policy, "authentication timeout");
  });
});

describe("startSessionActor", () => {
  it("starts the actor in its group's system, and it runs a whole session", async () => {
    const failures: Array<[string, unknown]> = [];
    const groups = new ActorGroups((_parent, id, error) => failures.push([id, error]));
    const s = fakeSession();
    const c = fakeChat();
    const input = { session: s.session as unknown as Session, chat: c.chat as unknown as ChatService, authTimeoutMs: 10_000 };
    const parent = groups.next();
    // Members of a group end by reaching their final state (only a root actor may be stopped).
    const actor = startSessionActor(input, parent);
    const other = startSessionActor(input, groups.next());

    // xstate names them, uniquely within the group's system.
    expect(actor.id).not.toBe(other.id);
    expect(actor._parent).toBe(parent);
    expect(actor.getSnapshot().context.session).toBe(input.session);
    expect(actor.system).toBe(parent.system);
    expect(other.system).toBe(actor.system);
    // Lean (actors/lean-actor.ts): the options are let go of once started, and snapshots share their empty collections.
    expect(actor.options).toEqual({});
    expect(actor.options).toBe(other.options);
    expect(actor.getSnapshot().tags).toBe(other.getSnapshot().tags);
    expect(actor.getSnapshot().historyValue).toBe(other.getSnapshot().historyValue);

    sendFrame(actor, hello);
    c.pending[0]!.resolve(SIGN_IN);
    await waitFor(actor, (snap) => snap.value === "active", { timeout: 2000 });
    // The invoked sign-in is gone with its state: the snapshot shares the empty children again.
    expect(actor.getSnapshot().children).toBe(other.getSnapshot().children);
    const say: InboundFrame = { type: "say", room: "general", text: "hi" };
    sendFrame(actor, say);
    await s.session.idle();
    expect(c.handled).toEqual([say]);
    actor.send({ type: "DISCONNECTED" });
    expect(actor.getSnapshot().status).toBe("done");
    expect(c.chat.disconnect).toHaveBeenCalledTimes(1);
    other.send({ type: "DISCONNECTED" });
    expect(failures).toEqual([]);
  });
});
