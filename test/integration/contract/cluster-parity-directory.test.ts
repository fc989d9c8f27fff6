import { describe, expect, it } from "vitest";
import { parityWorld } from "../../helpers/parity.ts";

/**
 * Cluster parity of the room directory's forgetting (see test/helpers/parity.ts): rooms empty
 * for a second are forgotten, looked for every 100 ms (the heartbeat).
 */
const w = parityWorld({ emptyRoomTtlMs: 1000, heartbeatMs: 100 });
const pastTtl = () => new Promise((r) => setTimeout(r, 1300));

describe("cluster parity: forgetting empty rooms", () => {
  it("keeps a room nobody belongs to while someone is in it on any node, then forgets it everywhere", async () => {
    await w.parity(async (a, b, t) => {
      const room = `gone${t}`;
      const A = await w.user(a, `alice${t}`);
      const A2 = await w.user(b, `alice${t}`);
      const B = await w.user(b, `bob${t}`);
      await w.req(A, { type: "join", room });
      // Alice no longer belongs (her other connection left it), but her first connection is still in it.
      await w.req(A2, { type: "leave", room });
      await pastTtl();
      const kept = await w.req(B, { type: "rooms", query: room });
      await A.close();
      await pastTtl();
      const forgotten = await w.req(B, { type: "rooms", query: room });
      const again = await w.req(B, { type: "join", room });
      return { kept, forgotten, operators: again.operators };
    });
  });
});
