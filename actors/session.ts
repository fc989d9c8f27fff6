import { setup, type Actor, type AnyActorRef } from "xstate";
import { fromTask } from "./task.ts";
import { LeanActor, leanMachine } from "./lean-actor.ts";
import { ClientError, CloseCode, ErrorCode, type InboundFrame, type Ref } from "../src/message/index.ts";
import type { ChatService } from "../src/chat/service.ts";
import type { Session } from "../src/chat/session.ts";
import type { Admission } from "../src/chat/sign-in.ts";

type Hello = Extract<InboundFrame, { type: "hello" }>;
/** An inbound frame that failed to decode, as the actor receives it. */
export type Invalid = Extract<SessionEvent, { type: "INVALID" }>;
/** What waits behind a `hello`: frames, and the decode errors of frames that failed, in arrival order. */
type Held = InboundFrame | Invalid;

export type SessionEvent =
  /** A valid inbound frame; `bytes`, its size as received (what it may hold while it waits). */
  | { type: "FRAME"; frame: InboundFrame; bytes?: number }
  /** An inbound frame that failed to decode; answered with an error frame. */
  | { type: "INVALID"; code: ErrorCode; message: string; ref?: Ref }
  /** The server closes this session (kick, shutdown, policy). */
  | { type: "CLOSE"; code: number; reason: string }
  /** The socket is gone. */
  | { type: "DISCONNECTED" };

export type SessionInput = { session: Session; chat: ChatService; authTimeoutMs: number };

/** What the sign-in actor is started with: one `hello` of one session. */
export type SignInInput = { chat: ChatService; session: Session; hello: Hello };

/**
 * The unauthenticated phase: its deadline, the hello being tried, the frames
 * pipelined behind it. Changed in place by the machine's actions rather than
 * copied by `assign` (every assign copies the snapshot and the context, on a
 * connection storm a copy per frame). Nothing outside the machine reads it,
 * and the context lets go of it on entering `active`.
 */
class AuthPhase {
  hello: Hello | undefined = undefined;
  queued: Held[] | undefined = undefined;
  constructor(readonly deadlineMs: number) {}

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

/** One per connection, never copied (no `assign`); `auth` is let go of on entering `active`. */
type Context = { readonly session: Session; readonly chat: ChatService; auth: AuthPhase | undefined };

const CLOSE_GRACE_MS = 5000;

/**
 * One client connection:
 *
 *   unauthenticated (connected <-> authenticating) -> active -> closing -> closed
 *
 * The actor owns the lifecycle and every inbound frame: each one is an event
 * (FRAME or INVALID) and the state's own actions answer it. Frame order: an
 * active session's frames go into its inbox (`Session.enqueue`, one task at
 * a time, in arrival order); frames behind a `hello` are held in the
 * AuthPhase and go into the inbox, after the welcome, on entering `active`.
 * Outbound fan-out does not pass through the actor (the hub writes to the
 * socket directly).
 *
 * - `unauthenticated` holds the auth deadline (`after: authDeadline`): one
 *   deadline for the whole phase, not re-armed by a failed hello, since moving
 *   between its two children does not leave it.
 * - `authenticating` invokes the `signIn` promise actor; leaving the state
 *   (deadline, close, socket gone) stops it and its result is dropped.
 * - Its `onDone` is the moment the session becomes active: in that one
 *   synchronous step the chat checks what changed meanwhile (`isRefused`: a ban
 *   applied while the password was checked) and registers the session
 *   (`welcome`), so a ban either refuses the sign-in or finds the session.
 */
export const sessionMachine = setup({
  types: {
    context: {} as Context,
    input: {} as SessionInput,
    events: {} as SessionEvent,
  },
  actors: {
    // A sign-in decided at once (a cached token resume) resolves too: the result still comes as `onDone`.
    signIn: fromTask<Admission, SignInInput>((input) => input.chat.authenticate(input.hello, input.session)),
  },
  delays: {
    authDeadline: ({ context }) => context.auth?.deadlineMs ?? 0,
    closeGrace: CLOSE_GRACE_MS,
  },
  guards: {
    isHello: ({ event }) => event.type === "FRAME" && event.frame.type === "hello",
    isPing: ({ event }) => event.type === "FRAME" && event.frame.type === "ping",
    isLogout: ({ event }) => event.type === "FRAME" && event.frame.type === "logout",
    queueFull: ({ context }) => context.auth?.full ?? false,
    isRefused: ({ context, event }) => refusalOf(context, event) !== undefined,
  },
  actions: {
    rememberHello: ({ context: { auth }, event }) => {
      if (auth) auth.hello = event.type === "FRAME" && event.frame.type === "hello" ? event.frame : undefined;
    },
    hold: ({ context: { auth }, event }) => {
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
    /** At once: before sign-in (or past a full queue) nothing is waiting to be answered first. */
    answerInvalid: ({ context, event }) => {
      if (event.type === "INVALID") failInvalid(context, event);
    },
    /** In the inbox, behind the frames sent before it: answers keep the order of the frames. */
    queueInvalid: ({ context, event }) => {
      if (event.type === "INVALID") context.session.enqueue(() => failInvalid(context, event), 1);
    },
    /** The sign-in failed, or was refused at the last moment: its error, then each held frame's answer. */
    authFailed: ({ context, event }) => {
      const error = "error" in event ? event.error : refusalOf(context, event);
      const token = "output" in event ? (event.output as Admission).token : undefined;
      if (token) context.chat.accounts.revoke(token).catch(() => {});
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
      if ("output" in event) context.chat.signedIn(context.session, event.output as Admission);
    },
    /** Entering `active`: the held frames go to the inbox, behind the welcome, and the phase is let go. */
    endAuth: ({ context }) => {
      const { auth, session, chat } = context;
      context.auth = undefined;
      for (const held of auth?.queued ?? []) {
        if (held.type === "INVALID") session.enqueue(() => failInvalid(context, held));
        else session.enqueue(() => chat.handle(session, held));
      }
    },
    handle: ({ context, event }) => {
      if (event.type !== "FRAME") return;
      const { session, chat } = context;
      const frame = event.frame;
      session.enqueue(() => chat.handle(session, frame), event.bytes ?? 0);
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
    forceClose: ({ context }) => context.session.peer.close(CloseCode.goingAway, "close timeout"),
    disconnect: ({ context }) => context.chat.disconnect(context.session),
  },
}).createMachine({
  id: "session",
  // Only what the session needs (not the input spread in): there is one context per connection.
  context: ({ input }) => ({ session: input.session, chat: input.chat, auth: new AuthPhase(input.authTimeoutMs) }),
  initial: "unauthenticated",
  on: {
    DISCONNECTED: ".closed",
    INVALID: { actions: "answerInvalid" },
    CLOSE: { target: ".closing", actions: "closePeer" },
  },
  states: {
    unauthenticated: {
      initial: "connected",
      after: { authDeadline: { target: "closing", actions: "closeAuthTimeout" } },
      states: {
        connected: {
          on: {
            FRAME: [
              { guard: "isHello", target: "authenticating", actions: "rememberHello" },
              { guard: "isPing", actions: "pong" },
              { actions: "rejectUnauthenticated" },
            ],
          },
        },
        authenticating: {
          invoke: {
            src: "signIn",
            input: ({ context }) => ({ chat: context.chat, session: context.session, hello: context.auth!.hello! }),
            onDone: [
              { guard: "isRefused", target: "connected", actions: ["authFailed", "clearQueue"] },
              { target: "#session.active", actions: "welcome" },
            ],
            onError: { target: "connected", actions: ["authFailed", "clearQueue"] },
          },
          on: {
            // Pings too wait their turn: every frame is answered in the order it was sent.
            FRAME: [{ guard: "queueFull", actions: "rejectUnauthenticated" }, { actions: "hold" }],
            INVALID: [{ guard: "queueFull", actions: "answerInvalid" }, { actions: "hold" }],
          },
        },
      },
    },
    active: {
      entry: "endAuth",
      on: {
        FRAME: [{ guard: "isLogout", target: "closing", actions: "logout" }, { actions: "handle" }],
        INVALID: { actions: "queueInvalid" },
      },
    },
    closing: {
      after: { closeGrace: { target: "closed", actions: "forceClose" } },
    },
    closed: {
      type: "final",
      entry: "disconnect",
    },
  },
});

/** Why a sign-in that succeeded may not become a session after all (see ChatService.refusal). */
function refusalOf(context: Context, event: { type: string }): ClientError | undefined {
  return "output" in event ? context.chat.refusal(event.output as Admission) : undefined;
}

function failInvalid({ chat, session }: Pick<Context, "chat" | "session">, invalid: Invalid): void {
  chat.fail(session, new ClientError(invalid.code, invalid.message), invalid.ref);
}

export type SessionActor = Actor<typeof sessionMachine>;

/** Hands a decoded frame to a session actor. */
export function sendFrame(actor: SessionActor, frame: InboundFrame, bytes?: number): void {
  actor.send(bytes === undefined ? { type: "FRAME", frame } : { type: "FRAME", frame, bytes });
}

/** Hands a frame that failed to decode to a session actor: its error answer takes the frame's place in line. */
export function sendInvalid(actor: SessionActor, invalid: Invalid): void {
  actor.send(invalid);
}

/** The session machine with its snapshots sharing their empty collections (see lean-actor.ts). */
const leanSessionMachine = leanMachine(sessionMachine);

/**
 * Creates and starts a session's actor as a member of `parent`'s actor system
 * (see ActorGroups). Its id is xstate's own (`actor.id`, unique in the
 * system): a failure reported to the parent names it. A LeanActor (the one
 * file that patches xstate, for memory per connection): the options carry
 * only the parent, the input goes apart.
 */
export function startSessionActor(input: SessionInput, parent: AnyActorRef): SessionActor {
  return new LeanActor(leanSessionMachine, { parent }, input).start();
}
