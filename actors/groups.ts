import { createActor, fromCallback, type AnyActorRef } from "xstate";

/** How many session actors share one actor system. */
const GROUP_SIZE = 64;

/**
 * Parents for session actors, so they share actor systems. Every root actor
 * gets a system of its own (maps, a set, a scheduler and a dozen closures:
 * about 2 KiB, per connection); an actor started with a `parent` joins that
 * parent's system instead. Groups stay small because an actor that stops
 * looks through every delayed event of its system. The parents do nothing:
 * they only receive their members' done and error events, and are garbage
 * once their last member has stopped.
 */
export class ActorGroups {
  #parent: AnyActorRef | undefined;
  #members = 0;

  next(): AnyActorRef {
    if (!this.#parent || this.#members >= GROUP_SIZE) {
      this.#parent = createActor(fromCallback(() => {})).start();
      this.#members = 0;
    }
    this.#members += 1;
    return this.#parent;
  }
}
