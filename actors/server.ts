import { assign, fromPromise, setup } from "xstate";

export type StopReason = "stop" | "restart";

export type ServerEvent = { type: "START" } | { type: "STOP" } | { type: "RESTART" };

type Context = {
  /** When the server last entered `running` (ms since epoch). */
  startedAt: number | undefined;
  restarts: number;
  /** Why the last start or stop failed, if it did. */
  error: string | undefined;
};

/**
 * The daemon's lifecycle: stopped -> starting -> running -> stopping ->
 * stopped, and running -> restarting (stop, then start again in the same
 * process on the same port). The actual work is the `start` and `stop` actors,
 * provided by the daemon with `.provide()`, so the chart is testable alone.
 * Events a state does not accept are simply not taken; callers ask
 * `snapshot.can(event)` first and answer the requester.
 */
export const serverMachine = setup({
  types: { context: {} as Context, events: {} as ServerEvent },
  actors: {
    start: fromPromise<void>(async () => {
      throw new Error("serverMachine: provide a `start` actor");
    }),
    stop: fromPromise<void, { reason: StopReason }>(async () => {
      throw new Error("serverMachine: provide a `stop` actor");
    }),
  },
  actions: {
    markStarted: assign({ startedAt: () => Date.now(), error: undefined }),
    markFailed: assign({ error: ({ event }) => String((event as unknown as { error: unknown }).error) }),
    countRestart: assign({ restarts: ({ context }) => context.restarts + 1 }),
    clearStarted: assign({ startedAt: undefined }),
  },
}).createMachine({
  id: "server",
  context: { startedAt: undefined, restarts: 0, error: undefined },
  initial: "stopped",
  states: {
    stopped: {
      on: { START: "starting" },
    },
    starting: {
      invoke: {
        src: "start",
        onDone: { target: "running", actions: "markStarted" },
        onError: { target: "stopped", actions: "markFailed" },
      },
    },
    running: {
      on: { STOP: "stopping", RESTART: "restarting" },
    },
    stopping: {
      invoke: {
        src: "stop",
        input: { reason: "stop" },
        onDone: { target: "stopped", actions: "clearStarted" },
        onError: { target: "stopped", actions: ["markFailed", "clearStarted"] },
      },
    },
    restarting: {
      invoke: {
        src: "stop",
        input: { reason: "restart" },
        onDone: { target: "starting", actions: "countRestart" },
        onError: { target: "starting", actions: ["markFailed", "countRestart"] },
      },
    },
  },
});

export type ServerState = "stopped" | "starting" | "running" | "stopping" | "restarting";
