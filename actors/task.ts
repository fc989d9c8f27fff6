import type { AnyActorRef, PromiseActorLogic, PromiseSnapshot } from "xstate";

const RESOLVED = "task.resolved";
const REJECTED = "task.rejected";
const STOP = "xstate.stop";

type Settled = { type: string; data?: unknown };

/**
 * Promise logic for a one-shot task an invoking state waits for, as xstate's
 * `fromPromise` (the result is the invoke's `onDone`, a rejection or a throw
 * its `onError`, and a result that arrives after the state was left is
 * dropped; a throw before any promise is settled at once), without what `fromPromise` adds for cancellation: an
 * `AbortController` with its `AbortSignal` and a `WeakMap` entry per run. The
 * task cannot be aborted (the sign-in's bcrypt job or file read runs to its
 * end either way), and on a connection storm those objects outlive the young
 * generation and die in the old one (~0.7 KiB per sign-in, docs/benchmarks.md).
 * Public xstate API only: the actor-logic interface, and `self.send` for the
 * result.
 */
export function fromTask<TOutput, TInput>(run: (input: TInput) => TOutput | PromiseLike<TOutput>): PromiseActorLogic<TOutput, TInput> {
  return {
    config: run,
    getInitialSnapshot: (_scope, input) => ({ status: "active", output: undefined, error: undefined, input }),
    transition(snapshot, event) {
      if (snapshot.status !== "active") return snapshot;
      switch (event.type) {
        case RESOLVED:
          return { ...snapshot, status: "done", output: (event as Settled).data as TOutput, input: undefined };
        case REJECTED:
          return { ...snapshot, status: "error", error: (event as Settled).data, input: undefined };
        case STOP:
          return { ...snapshot, status: "stopped", input: undefined };
        default:
          return snapshot;
      }
    },
    start(snapshot, { self }) {
      if (snapshot.status !== "active") return;
      let result: TOutput | PromiseLike<TOutput>;
      try {
        result = run(snapshot.input as TInput);
      } catch (error) {
        // A throw before any promise is settled now, in the step that started the task: the invoking state
        // is left before the next event (a hello refused for its shape, name or rate is answered before any
        // frame sent behind it arrives, docs/protocol.md "Session flow").
        settle(self, REJECTED, error);
        return;
      }
      // Otherwise settled on a later microtask, as fromPromise's: a result decided at once still arrives as an event.
      Promise.resolve(result).then(
        (data) => settle(self, RESOLVED, data),
        (data: unknown) => settle(self, REJECTED, data),
      );
    },
    getPersistedSnapshot: (snapshot) => snapshot,
    restoreSnapshot: (snapshot) => snapshot as PromiseSnapshot<TOutput, TInput>,
  };
}

/** The task's result, unless it was stopped meanwhile (its state left: the result is dropped). */
function settle(self: AnyActorRef, type: string, data: unknown): void {
  if (self.getSnapshot().status === "active") self.send({ type, data });
}
