import { createActor, fromCallback, type AnyActorRef, type EventObject } from "xstate";

/** How many session actors share one actor system. */
const GROUP_SIZE = 64;

/** xstate's event to a parent when a child actor fails (an action or guard threw). */
const CHILD_ERROR = "xstate.error.actor.";

/**
 * Parents for session actors, so they share actor systems. Every root actor
 * gets a system of its own (maps, a set, a scheduler and a dozen closures:
 * about 2 KiB, per connection); an actor started with a `parent` joins that
 * parent's system instead. Groups stay small because an actor that stops
 * looks through every delayed event of its system. The parents receive their
 * members' done and error events; they are garbage once their last member has
 * stopped.
 *
 * A member's failure goes to `onError` with the group's parent and the
 * member's id (xstate's own, unique within the group's system): a child with a
 * parent and no observer does not rethrow globally, so one handler here
 * replaces an observer (a set entry, an observer object and closures) per actor.
 */
export class ActorGroups {
  #parent: AnyActorRef | undefined;
  #members = 0;
  readonly #logic;

  constructor(onError: (parent: AnyActorRef, id: string, error: unknown) => void) {
    this.#logic = fromCallback(({ receive, self }) =>
      receive((event: EventObject) => {
        if (event.type.startsWith(CHILD_ERROR)) onError(self, event.type.slice(CHILD_ERROR.length), (event as { error?: unknown }).error);
      }),
    );
  }

  next(): AnyActorRef {
    if (!this.#parent || this.#members >= GROUP_SIZE) {
      this.#parent = createActor(this.#logic).start();
      this.#members = 0;
    }
    this.#members += 1;
    return this.#parent;
  }
}
