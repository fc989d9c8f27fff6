import { Actor, type ActorOptions, type AnyStateMachine, type InputFrom } from "xstate";

/**
 * THE ONE PLACE chatd patches xstate's internals (5.33, pinned exactly in
 * package.json). Why: chatd keeps one actor per connection, and a plain
 * xstate actor with its snapshots costs about 1 KiB more live heap per
 * connection and twice the old-space garbage (storm-heap, 5,000 connections:
 * live 5.2 KiB with this file, 6.2 KiB without; RSS 5.7 against 9.2 KiB),
 * which would take the idle benchmark past its budget (1.5x plain ws,
 * docs/benchmarks.md). What it relies on, and test/unit/actors/lean-actor.test.ts
 * checks (an upgrade that changes any of it fails there, not in production):
 * - a snapshot's `tags`, `children` and `historyValue` are replaced, never
 *   written into (they are shared empties here);
 * - an actor's `observers`, `eventListeners`, `_actorScope` (`defer`,
 *   `stopChild`, `emit` called as its methods) and `send` are own fields;
 * - `options` is read only by the constructor, `start` and `attachDevTools`;
 * - `update` (on the prototype) runs and empties `_deferred`, an own array
 *   that xstate only pushes to and shifts;
 * - a machine's first snapshot gets its input from `getInitialSnapshot`'s
 *   second argument;
 * - a state node's `invoke` definitions are memoized objects, which xstate
 *   spreads into the spawn action with `syncSnapshot: !!onSnapshot`.
 * Nothing else in chatd touches xstate's internals.
 *
 * The empty collections every idle actor and snapshot would otherwise hold a
 * copy of: a snapshot's `tags`, `children` and `historyValue`, an actor's
 * observer set and emitted-event listener map. Each is made anew per actor (or
 * per snapshot, for `tags`) and most stay empty for the actor's whole life.
 * xstate replaces these rather than writing into them (a spawn or an invoke
 * copies `children`, a history entry copies `historyValue`), and the actor's
 * own ones are made real on first use, so sharing a read-only empty one is
 * safe; writing to one throws instead of leaking into other actors.
 */
class NoMembers<T> extends Set<T> {
  override add(): never {
    throw new Error("lean-actor: the shared empty set is read-only");
  }
}

class NoEntries<K, V> extends Map<K, V> {
  override set(): never {
    throw new Error("lean-actor: the shared empty map is read-only");
  }
}

const NO_TAGS = new NoMembers<string>();
const NO_OBSERVERS = new NoMembers<never>();
const NO_LISTENERS = new NoEntries<never, never>();
const NO_CHILDREN = Object.freeze({});
const NO_HISTORY = Object.freeze({});

type Collections = { tags: Set<string>; children: object; historyValue: object };
type Listener = (event: { type: string }) => void;
type ActorInternals = {
  id: string;
  observers: Set<unknown>;
  eventListeners: Map<string, Set<Listener>>;
  _deferred: Array<() => void>;
  _actorScope: Scope;
};
type Child = { id: string; _parent?: unknown; _stop(): void };
type Scope = { self: ActorInternals; defer: unknown; stopChild: unknown; emit: unknown };

/**
 * The actor scope's `defer`, `stopChild` and `emit`, shared by every LeanActor
 * instead of three closures over each actor (~170 bytes live per connection).
 * xstate calls them as methods of the scope (`actorScope.defer(fn)`), so `this`
 * is the scope and `this.self` its actor; each does what xstate 5.33's own
 * closure does. `actionExecutor` stays the actor's own: xstate wraps it per
 * microstep and calls it as a plain function.
 */
const sharedScope = {
  defer(this: Scope, fn: () => void): void {
    this.self._deferred.push(fn);
  },
  stopChild(this: Scope, child: Child): void {
    if (child._parent !== this.self) throw new Error(`Cannot stop child actor ${child.id} of ${this.self.id} because it is not a child`);
    child._stop();
  },
  emit(this: Scope, emitted: { type: string }): void {
    const listeners = this.self.eventListeners.get(emitted.type);
    const wildcard = this.self.eventListeners.get("*");
    if (!listeners && !wildcard) return;
    for (const handler of [...(listeners ?? []), ...(wildcard ?? [])]) {
      try {
        handler(emitted);
      } catch (error) {
        // As xstate reports a listener's error: thrown on its own, not into the emitting action.
        setTimeout(() => {
          throw error;
        });
      }
    }
  },
};

function isEmpty(object: object): boolean {
  for (const _ in object) return false;
  return true;
}

/** Points a snapshot's empty collections at the shared ones (the snapshot is new, or already done). */
function share<S>(snapshot: S): S {
  const s = snapshot as unknown as Collections;
  if (s.tags && s.tags !== NO_TAGS && s.tags.size === 0) s.tags = NO_TAGS;
  if (s.children && s.children !== NO_CHILDREN && isEmpty(s.children)) s.children = NO_CHILDREN;
  if (s.historyValue && s.historyValue !== NO_HISTORY && isEmpty(s.historyValue)) s.historyValue = NO_HISTORY;
  return snapshot;
}

/** The input of the LeanActor being constructed (see LeanActor), read by its machine's first snapshot. */
let handedInput: unknown;

/**
 * The machine as an actor sees it, with every snapshot it makes sharing the
 * empty collections, and its input taken from a LeanActor's constructor when
 * the options carry none. The actor reaches a machine's snapshots only through
 * `getInitialSnapshot` and `transition`; everything else is the machine's own.
 */
export function leanMachine<T extends AnyStateMachine>(machine: T): T {
  presetSyncSnapshot(machine.root);
  return Object.create(machine, {
    getInitialSnapshot: {
      value(this: T, ...args: Parameters<T["getInitialSnapshot"]>) {
        if (args[1] === undefined) args[1] = handedInput as Parameters<T["getInitialSnapshot"]>[1];
        return share(machine.getInitialSnapshot.apply(this, args));
      },
    },
    transition: {
      value(this: T, ...args: Parameters<T["transition"]>) {
        return share(machine.transition.apply(this, args));
      },
    },
  }) as T;
}

type Node = { invoke: Array<{ onSnapshot?: unknown; syncSnapshot?: boolean }>; states: Record<string, Node> };

/**
 * Entering a state with an `invoke`, xstate copies each invoke definition
 * into the spawn action as `{ ...invokeDef, syncSnapshot }`: a spread
 * followed by a key its source lacks, which on Node 20's V8 gives every copy
 * hidden classes of its own in the old generation (see LeanActor). The
 * definitions are memoized per state node, so each gets the key here, with
 * the value xstate computes (`!!onSnapshot`), and the spread adds none
 * (storm-heap, docs/benchmarks.md: ~0.3 KiB less old-space garbage per
 * session, which invokes its sign-in).
 */
function presetSyncSnapshot(node: Node): void {
  for (const def of node.invoke) def.syncSnapshot = !!def.onSnapshot;
  for (const child of Object.values(node.states)) presetSyncSnapshot(child);
}

/** What a started LeanActor keeps of the options it was created with. */
const STARTED = Object.freeze({});

/**
 * An actor whose observer set and listener map are made on first `subscribe` /
 * `on`, whose `send` is the prototype's (call it as a method: it is not bound
 * to the actor), whose scope shares its `defer`, `stopChild` and `emit` with
 * every other LeanActor (see sharedScope), and whose input may come apart from
 * its options.
 *
 * xstate's constructor copies the options into `{ ...defaults, ...options }`,
 * and on Node 20's V8, once that line has run a few times, an object spread
 * followed by properties the first source lacks gets hidden classes of its
 * own: each key beyond xstate's defaults (clock, logger, devTools) costs every
 * actor a new map and descriptor array, made in the old generation and dead
 * once the actor has started (docs/benchmarks.md). So a session actor passes
 * only `parent` in its options: the input goes through `input` here, read by
 * a `leanMachine` machine's `getInitialSnapshot` while this constructor runs
 * (the `xstate.init` event then carries no input), and the id is xstate's own.
 * xstate keeps its copy of the options for the actor's whole life, though it
 * reads it only while creating and starting the actor: once started, a
 * LeanActor's options are one shared empty object.
 */
export class LeanActor<T extends AnyStateMachine> extends Actor<T> {
  constructor(logic: T, options?: ActorOptions<T>, input?: InputFrom<T>) {
    // Saved and restored: an actor started inside another's constructor hands its own.
    const outer = handedInput;
    handedInput = input;
    try {
      super(logic, options);
    } finally {
      handedInput = outer;
    }
    const self = this as unknown as ActorInternals;
    self.observers = NO_OBSERVERS;
    self.eventListeners = NO_LISTENERS;
    // xstate binds `send` per actor so it survives being passed around unbound; chatd and
    // xstate 5.33 only call it as a method, so every LeanActor uses the prototype's.
    (this as { send: unknown }).send = Actor.prototype.send;
    const scope = self._actorScope;
    scope.defer = sharedScope.defer;
    scope.stopChild = sharedScope.stopChild;
    scope.emit = sharedScope.emit;
  }

  override start(): this {
    super.start();
    (this as unknown as { options: object }).options = STARTED;
    return this;
  }
}

// Defined outside the class: both are overloaded generics in xstate's types, and this keeps them exactly.
type Method = (this: ActorInternals, ...args: unknown[]) => unknown;
const lean = LeanActor.prototype as unknown as Record<"subscribe" | "on" | "update", Method>;
const base = Actor.prototype as unknown as Record<"subscribe" | "on" | "update", Method>;
/**
 * After each step xstate runs the step's deferred effects by shifting them
 * out of `_deferred`, and the emptied array keeps its backing store (17
 * slots, 152 bytes): every session actor defers at least once (its auth
 * deadline, an `after`, is scheduled and cancelled that way), so each kept
 * one for the connection's life. Setting the length of an empty array to 0
 * lets V8 drop the store (storm-heap, docs/benchmarks.md: ~0.15 KiB of live
 * heap per connection).
 */
lean.update = function (...args) {
  const result = base.update.apply(this, args);
  const deferred = this._deferred;
  if (deferred.length === 0) deferred.length = 0;
  return result;
};
lean.subscribe = function (...args) {
  if (this.observers === NO_OBSERVERS) this.observers = new Set();
  return base.subscribe.apply(this, args);
};
lean.on = function (...args) {
  if (this.eventListeners === NO_LISTENERS) this.eventListeners = new Map();
  return base.on.apply(this, args);
};
