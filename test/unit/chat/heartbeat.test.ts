import { afterEach, describe, expect, it, vi } from "vitest";
import { Hub } from "../../../src/chat/hub.ts";
import { Session } from "../../../src/chat/session.ts";
import { startHeartbeat } from "../../../src/chat/heartbeat.ts";
import type { Peer } from "../../../src/chat/peer.ts";

function peer(answers: boolean) {
  let waiting = false;
  const p = {
    send: vi.fn(),
    close: vi.fn(),
    bufferedAmount: 0,
    remoteAddress: "127.0.0.1",
    pings: 0,
    ping: vi.fn(() => {
      if (waiting) return false;
      p.pings += 1;
      waiting = !answers;
      return true;
    }),
    terminate: vi.fn(),
  };
  return p;
}

describe("startHeartbeat", () => {
  afterEach(() => vi.useRealTimers());

  it("pings every peer each interval and terminates one that missed a pong at the next tick", () => {
    vi.useFakeTimers();
    const hub = new Hub(1 << 20);
    const alive = peer(true);
    const dead = peer(false);
    hub.add(new Session(alive as unknown as Peer, { messagesPerSecond: 1, messageBurst: 1 }));
    hub.add(new Session(dead as unknown as Peer, { messagesPerSecond: 1, messageBurst: 1 }));
    const tick = vi.fn();
    const stop = startHeartbeat(hub, 100, tick);
    vi.advanceTimersByTime(100);
    expect(dead.terminate).not.toHaveBeenCalled();
    vi.advanceTimersByTime(100);
    expect(dead.terminate).toHaveBeenCalledTimes(1);
    expect(alive.terminate).not.toHaveBeenCalled();
    expect(alive.pings).toBe(2);
    expect(tick).toHaveBeenCalledTimes(2);
    stop();
    vi.advanceTimersByTime(1000);
    expect(tick).toHaveBeenCalledTimes(2);
  });

  it("leaves peers without ping support (runtimes that keep alive themselves) alone", () => {
    vi.useFakeTimers();
    const hub = new Hub(1 << 20);
    const p = { send: vi.fn(), close: vi.fn(), bufferedAmount: 0, remoteAddress: "x" };
    hub.add(new Session(p as Peer, { messagesPerSecond: 1, messageBurst: 1 }));
    const stop = startHeartbeat(hub, 100);
    expect(() => vi.advanceTimersByTime(500)).not.toThrow();
    expect(p.close).not.toHaveBeenCalled();
    stop();
  });
});
