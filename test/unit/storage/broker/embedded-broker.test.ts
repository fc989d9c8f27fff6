import type { MessageRecord } from "../../../../storage/chatlog/types.ts";
import { describe, expect, it } from "vitest";
import { createEmbeddedBroker } from "../../../../storage/broker/embedded-broker.ts";
import { createMemoryBroker } from "../../../../storage/broker/memory-broker.ts";
import { createMemoryLog } from "../../../../storage/chatlog/memory-log.ts";
import type { StoredEvent } from "../../../../storage/broker/types.ts";
import { StorageUnavailableError } from "../../../../storage/errors.ts";

describe("createEmbeddedBroker", () => {
  it("stores, assigns increasing ids and hands each event to the handler with its origin, in id order", async () => {
    const broker = createMemoryBroker<string>();
    const seen: Array<[string, string | undefined]> = [];
    broker.register((event, origin) => seen.push([(event as MessageRecord).text, origin]));
    const a = await broker.publish({ room: "general", from: "alice", text: "one" }, "alice's session");
    const b = await broker.publish({ room: "general", from: "bob", text: "two" });
    expect(a.id < b.id).toBe(true);
    expect(seen).toEqual([
      ["one", "alice's session"],
      ["two", undefined],
    ]);
    expect((await broker.history("general", { limit: 10 })).messages).toEqual([a, b]);
  });

  it("delivers in the same turn as the write, before the publish resolves", async () => {
    const broker = createMemoryBroker();
    let seen: StoredEvent | undefined;
    broker.register((event) => (seen = event));
    const pending = broker.publish({ room: "general", from: "alice", text: "now" });
    expect((seen as MessageRecord | undefined)?.text).toBe("now");
    expect(await pending).toBe(seen);
  });

  it("rejects with a storage error when the log cannot store, and delivers nothing", async () => {
    const log = createMemoryLog();
    log.append = async () => {
      throw Object.assign(new Error("ENOSPC: no space left on device"), { code: "ENOSPC" });
    };
    const broker = createEmbeddedBroker(log);
    const seen: StoredEvent[] = [];
    broker.register((event) => seen.push(event));
    const error = await broker.publish({ room: "general", from: "alice", text: "lost" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageUnavailableError);
    expect((error as StorageUnavailableError).public).toBe("the message could not be stored; it was not sent");
    expect(seen).toEqual([]);
  });

  it("still succeeds when the handler throws (the event is stored), and reports it", async () => {
    const errors: string[] = [];
    const broker = createEmbeddedBroker(createMemoryLog(), { onHandlerError: (e) => errors.push(e.message) });
    broker.register(() => {
      throw new Error("handler broke");
    });
    await expect(broker.publish({ room: "general", from: "alice", text: "x" })).resolves.toMatchObject({ text: "x" });
    expect(errors).toEqual(["handler broke"]);
  });

  it("takes one handler: a second registration throws, a removed one can be replaced", () => {
    const broker = createMemoryBroker();
    const off = broker.register(() => {});
    expect(() => broker.register(() => {})).toThrow(/already registered/);
    off();
    expect(() => broker.register(() => {})).not.toThrow();
  });

  it("lists rooms with history but not direct conversations", async () => {
    const broker = createMemoryBroker();
    await broker.publish({ room: "general", from: "alice", text: "x" });
    await broker.publish({ room: "dm:alice:bob", from: "alice", to: "bob", text: "psst" });
    expect(broker.rooms()).toEqual(["general"]);
  });
});
