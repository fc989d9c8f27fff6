import { setup, type Actor, type AnyActorRef } from "xstate";
import { LeanActor, leanMachine } from "./lean-actor.ts";
import { ClientError, CloseCode, ErrorCode, type InboundFrame, type Ref } from "../src/message/index.ts";
import type { ChatService } from "../src/chat/service.ts";
import type { Session } from "../src/chat/session.ts";
import type { SignIn } from "../src/accounts/accounts.ts";

type Hello = Extract<InboundFrame, { type: "hello" }>;
/** An inbound frame that failed to decode, as the actor receives it. */
export type Invalid = Extract<SessionEvent, { type: "INVALID" }>;
/** What waits behind a `hello`: frames, and the decode errors of frames that failed, in arrival order. */
type Held = InboundFrame | Invalid;

export type SessionEvent =
  /** A valid inbound frame. */
  | { type: "FRAME"; frame: InboundFrame }
  /** An inbound frame that failed to decode; answered with an error frame. */
  | { type: "INVALID"; code: ErrorCode; message: string; ref?: Ref }
  /** The server closes this session (kick, shutdown, policy). */
  | { type: "CLOSE"; code: number; reason: string }
  /** The socket is gone. */
  | { type: "DISCONNECTED" }
  /** Internal: how the sign-in this session started for `hello` ended. */
  | { type: "SIGNED_IN"; hello: Hello; output: SignIn }
  | { type: "SIGN_IN_FAILED"; hello: Hello; error: unknown }
  /** Internal: `limits.authTimeoutMs` passed since the connection opened. */
  | { type: "AUTH_TIMEOUT" };

export type SessionInput = { session: Session; chat: ChatService; authTimeoutMs: number };

/**
 * The unauthenticated phase: its deadline, the hello being tried, the frames
 * pipelined behind it. Changed in place by the machine's actions rather than
 * copied by `assign`: every assign copies the snapshot and the context, and
 * on a connection storm those copies, made while a connection waits for its
 * client or its user file, outlived two scavenges (or came from allocation
 * sites V8 had pretenured) and sat in the old generation as garbage: about
 * 0.6 KiB per connection (docs/benchmarks.md). Nothing outside the machine
 * reads it, and the context lets go of it on entering `active`.
 */
class AuthPhase {
  hello: Hello | undefined = undefined;
  queued: Held[] | undefined = undefined;
  constructor(public timer: ReturnType<typeof setTimeout> | undefined) {}

  /** No room for another frame pipelined behind the hello. */
  get full(): boolean {
    return (this.queued?.length ?? 0) >= MAX_QUEUED;
  }

  hold(item: Held): void {
    (this.queued ??= []).push(item);
  }
}

/** Frames a client may pipeline behind its `hello` before the welcome arrives. */
const MAX_QUEUED = 32;

/**
 * One per connection, never copied (no `assign`): see AuthPhase, which is let
 * go of (set to undefined in place) on entering `active`, never to return.
 */
type Context = { readonly session: Session; readonly chat: ChatService; auth: AuthPhase | undefined };

const CLOSE_GRACE_MS = 5000;

/**
 * One client connection: connected -> authenticating -> active -> closing ->
 * closed. The actor owns the lifecycle and every inbound request; outbound
 * fan-out does not pass through it (the hub writes to the socket directly).
 */
export const sessionMachine = setup({
  types: {
    context: {} as Context,
    input: {} as SessionInput,
    events: {} as SessionEvent,
  },
  delays: {
    closeGrace: CLOSE_GRACE_MS,
  },
  guards: {
    isHello: ({ event }) => event.type === "FRAME" && event.frame.type === "hello",
    isPing: ({ event }) => event.type === "FRAME" && event.frame.type === "ping",
    isLogout: ({ event }) => event.type === "FRAME" && event.frame.type === "logout",
    queueFull: ({ context }) => context.auth?.full ?? false,
    // A result for an earlier hello is stale (that attempt's state was left).
    isCurrentSignIn: ({ context, event }) => (event.type === "SIGNED_IN" || event.type === "SIGN_IN_FAILED") && event.hello === context.auth?.hello,
  },
  actions: {
    rememberHello: ({ context: { auth }, event }) => {
      if (auth) auth.hello = event.type === "FRAME" && event.frame.type === "hello" ? event.frame : undefined;
    },
    enqueue: ({ context: { auth }, event }) => {
      if (!auth) return;
      if (event.type === "FRAME") auth.hold(event.frame);
      else if (event.type === "INVALID") auth.hold(event);
    },
    pong: ({ context, event }) => {
      const ref = event.type === "FRAME" && event.frame.type === "ping" ? event.frame.ref : undefined;
      context.session.send(ref === undefined ? { type: "pong" } : { type: "pong", ref });
    },
    rejectUnauthenticated: ({ context, event }) => {
      const ref = event.type === "FRAME" && "ref" in event.frame ? event.frame.ref : undefined;
      context.chat.fail(context.session, new ClientError(ErrorCode.notAuthenticated, "send hello first"), ref);
    },
    sendInvalid: ({ context, event }) => {
      if (event.type !== "INVALID") return;
      failInvalid(context, event);
    },
    /** In the inbox, behind the frames sent before it: answers keep the order of the frames. */
    handleInvalid: ({ context, event }) => {
      if (event.type !== "INVALID") return;
      context.session.enqueue(() => failInvalid(context, event));
    },
    /**
     * Signs in without an invoked promise actor: a child actor per sign-in
     * was about 3 KiB that outlived young-generation collection (and left a
     * dictionary-mode `children` in every snapshot after it), for every
     * connection. The result comes back as an event to this actor: at once
     * when it is decided without waiting (a token resume of a cached user),
     * so the actor handles it before this `send` returns.
     */
    signIn: ({ context, self }) => {
      const { chat, session } = context;
      const hello = context.auth?.hello;
      if (!hello) return;
      const reply = (event: SessionEvent) => {
        if (self.getSnapshot().status === "active") self.send(event);
      };
      let result: SignIn | Promise<SignIn>;
      try {
        result = chat.authenticate(hello, session);
      } catch (error) {
        reply({ type: "SIGN_IN_FAILED", hello, error });
        return;
      }
      if (!(result instanceof Promise)) {
        reply({ type: "SIGNED_IN", hello, output: result });
        return;
      }
      result.then(
        (output) => reply({ type: "SIGNED_IN", hello, output }),
        (error: unknown) => reply({ type: "SIGN_IN_FAILED", hello, error }),
      );
    },
    authFailed: ({ context, event }) => {
      const error = event.type === "SIGN_IN_FAILED" ? event.error : undefined;
      context.chat.fail(context.session, error);
      for (const held of context.auth?.queued ?? []) {
        if (held.type === "INVALID") failInvalid(context, held);
        else context.chat.fail(context.session, new ClientError(ErrorCode.notAuthenticated, "sign-in failed"), "ref" in held ? held.ref : undefined);
      }
    },
    clearQueue: ({ context: { auth } }) => {
      if (!auth) return;
      auth.hello = undefined;
      auth.queued = undefined;
    },
    welcome: ({ context, event }) => {
      if (event.type === "SIGNED_IN") context.chat.signedIn(context.session, event.output);
    },
    /** Entering `active`: the queued frames go to the inbox, and the phase is let go. */
    endAuth: ({ context }) => {
      const { auth, session, chat } = context;
      context.auth = undefined;
      if (!auth) return;
      clearTimeout(auth.timer);
      for (const held of auth.queued ?? []) {
        if (held.type === "INVALID") session.enqueue(() => failInvalid(context, held));
        else session.enqueue(() => chat.handle(session, held));
      }
    },
    handle: ({ context, event }) => {
      if (event.type === "FRAME") {
        const frame = event.frame;
        context.session.enqueue(() => context.chat.handle(context.session, frame));
      }
    },
    logout: ({ context }) => {
      // Through the inbox, so frames sent before the logout are handled first.
      const { chat, session } = context;
      session.enqueue(() => chat.logout(session).catch(() => session.peer.close(CloseCode.normal, "signed out")));
    },
    closeAuthTimeout: ({ context }) => {
      context.chat.fail(context.session, new ClientError(ErrorCode.notAuthenticated, "authentication timed out"));
      context.session.peer.close(CloseCode.policy, "authentication timeout");
    },
    closePeer: ({ context, event }) => {
      if (event.type === "CLOSE") context.session.peer.close(event.code, event.reason);
    },
    disarmAuthDeadline: ({ context }) => clearTimeout(context.auth?.timer),
    forceClose: ({ context }) => context.session.peer.close(CloseCode.goingAway, "close timeout"),
    disconnect: ({ context }) => context.chat.disconnect(context.session),
  },
}).createMachine({
  id: "session",
  // Only what the session needs (not the input spread in): there is one context per connection.
  context: ({ input, self }) => ({
    session: input.session,
    chat: input.chat,
    // One deadline for the whole unauthenticated phase, armed once: an `after` in
    // both unauthenticated states was cancelled and scheduled again by every hello,
    // a good part of the actor's cost of a token resume. A stopped actor ignores it.
    auth: new AuthPhase(setTimeout(() => self.send({ type: "AUTH_TIMEOUT" }), input.authTimeoutMs)),
  }),
  initial: "connected",
  on: {
    DISCONNECTED: ".closed",
    INVALID: { actions: "sendInvalid" },
    CLOSE: { target: ".closing", actions: "closePeer" },
  },
  states: {
    connected: {
      on: {
        AUTH_TIMEOUT: { target: "closing", actions: "closeAuthTimeout" },
        FRAME: [
          { guard: "isHello", target: "authenticating", actions: "rememberHello" },
          { guard: "isPing", actions: "pong" },
          { actions: "rejectUnauthenticated" },
        ],
      },
    },
    authenticating: {
      entry: "signIn",
      on: {
        AUTH_TIMEOUT: { target: "closing", actions: "closeAuthTimeout" },
        SIGNED_IN: { guard: "isCurrentSignIn", target: "active", actions: "welcome" },
        SIGN_IN_FAILED: { guard: "isCurrentSignIn", target: "connected", actions: ["authFailed", "clearQueue"] },
        // Pings too wait their turn: every frame is answered in the order it was sent.
        FRAME: [
          { guard: "queueFull", actions: "rejectUnauthenticated" },
          { actions: "enqueue" },
        ],
        INVALID: [{ guard: "queueFull", actions: "sendInvalid" }, { actions: "enqueue" }],
      },
    },
    active: {
      entry: "endAuth",
      on: {
        FRAME: [{ guard: "isLogout", target: "closing", actions: "logout" }, { actions: "handle" }],
        INVALID: { actions: "handleInvalid" },
      },
    },
    closing: {
      after: { closeGrace: { target: "closed", actions: "forceClose" } },
    },
    closed: {
      type: "final",
      entry: ["disarmAuthDeadline", "disconnect"],
    },
  },
});

/**
 * Hands a decoded frame to a session actor. An active session's ordinary
 * requests go straight into its inbox, exactly what the `active` state's
 * `handle` action does, so the hot path costs no actor step per frame. Frames
 * pipelined behind a `hello` go straight into the queue while there is room,
 * exactly what the `authenticating` state's `enqueue` action does: an actor
 * step allocates about 5 KiB (xstate computes the transition's state sets
 * anew), and in a reconnect storm every connection's pipelined `join` paid
 * one. Frames that change the state (logout, and every frame before `hello`,
 * past a full queue or once the session is closing) and pings still go
 * through the actor.
 */
export function sendFrame(actor: Actor<typeof sessionMachine>, frame: InboundFrame): void {
  const snapshot = actor.getSnapshot();
  if (snapshot.status === "active" && frame.type !== "logout") {
    if (snapshot.value === "active") {
      const { session, chat } = snapshot.context;
      session.enqueue(() => chat.handle(session, frame));
      return;
    }
    const auth = snapshot.context.auth;
    if (snapshot.value === "authenticating" && auth && !auth.full) {
      auth.hold(frame);
      return;
    }
  }
  actor.send({ type: "FRAME", frame });
}

/**
 * Hands a frame that failed to decode to a session actor, as `sendFrame`
 * does a valid one: what the `active` state's `handleInvalid` and the
 * `authenticating` state's `enqueue` do, without an actor step. Its error
 * answer takes the frame's place in line.
 */
export function sendInvalid(actor: Actor<typeof sessionMachine>, invalid: Invalid): void {
  const snapshot = actor.getSnapshot();
  if (snapshot.status === "active") {
    const context = snapshot.context;
    if (snapshot.value === "active") {
      context.session.enqueue(() => failInvalid(context, invalid));
      return;
    }
    const auth = context.auth;
    if (snapshot.value === "authenticating" && auth && !auth.full) {
      auth.hold(invalid);
      return;
    }
  }
  actor.send(invalid);
}

function failInvalid({ chat, session }: Pick<Context, "chat" | "session">, invalid: Invalid): void {
  chat.fail(session, new ClientError(invalid.code, invalid.message), invalid.ref);
}

export type SessionActor = Actor<typeof sessionMachine>;

/** What a started session actor keeps of the options it was created with. */
const STARTED = Object.freeze({});

/** The session machine, with its snapshots sharing their empty collections (see lean-actor.ts). */
const leanSessionMachine = leanMachine(sessionMachine);

/**
 * Creates and starts a session's actor as a member of `parent`'s actor system.
 * Its id is xstate's own (`actor.id`, unique in the system): a failure
 * reported to the parent names it.
 *
 * The options carry only the parent and the input goes apart (see
 * LeanActor): each further option key costs every connection an old-space
 * hidden class in xstate's copy of the options. xstate keeps that copy for
 * the actor's whole life, though it reads it only while creating and
 * starting the actor, so the started actor's options are swapped for one
 * shared empty object. Relies on xstate 5.33 reading `options` only in its
 * constructor, `start` and `attachDevTools` (pinned in package.json;
 * test/unit/actors/session.test.ts checks that a started actor still runs on
 * the shared object).
 */
export function startSessionActor(input: SessionInput, parent: AnyActorRef): SessionActor {
  const actor: SessionActor = new LeanActor(leanSessionMachine, { parent }, input);
  actor.start();
  (actor as unknown as { options: object }).options = STARTED;
  return actor;
}
