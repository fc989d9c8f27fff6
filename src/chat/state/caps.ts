import type { Limits } from "../../config/schema.ts";
import { ClientError, ErrorCode, rateLimited } from "../../message/index.ts";
import { TokenBucket } from "../token-bucket.ts";
import type { Session } from "../session.ts";

/**
 * The caps on room creation (per user, per address, in total) and the
 * per-connection rate of conversation-state requests. Buckets are dropped by
 * `sweep` once full again, so the maps do not keep every user and address.
 */
export class StateLimits {
  readonly #users = new Map<string, TokenBucket>();
  readonly #ips = new Map<string, TokenBucket>();
  readonly #requests = new WeakMap<Session, TokenBucket>();

  constructor(
    private readonly limits: Limits,
    private readonly now: () => number = Date.now,
  ) {}

  /** `rate_limited` (with retryAfterMs) when the session's `read`/`topic`/`rooms` allowance is spent. */
  takeRequest(session: Session): void {
    const { stateRequestsPerSecond: rate, stateRequestBurst: burst } = this.limits;
    let bucket = this.#requests.get(session);
    if (!bucket || bucket.rate !== rate || bucket.burst !== burst) this.#requests.set(session, (bucket = new TokenBucket(rate, burst, this.now)));
    if (!bucket.take()) throw rateLimited("too many requests; slow down", bucket.retryAfterMs());
  }

  /**
   * Checks that one more room may be created by this user from this address
   * (`too_many_rooms` at the total cap, `rate_limited` with retryAfterMs past a
   * per-user or per-address cap) and takes it from both allowances.
   */
  takeCreation(user: string, address: string, rooms: number): void {
    const l = this.limits;
    if (rooms >= l.maxRooms) throw new ClientError(ErrorCode.tooManyRooms, `the server has its maximum of ${l.maxRooms} rooms`);
    const u = this.#bucket(this.#users, user, l.userRoomsPerHour / 3600, l.userRoomBurst);
    const a = this.#bucket(this.#ips, address, l.ipRoomsPerHour / 3600, l.ipRoomBurst);
    const wait = Math.max(u.retryAfterMs(), a.retryAfterMs());
    if (wait > 0) throw rateLimited("too many new rooms; try again later", wait);
    u.take();
    a.take();
    this.onCreation?.(user, address);
  }

  /** Told of every room creation taken here, so a cluster's other nodes take it too (`recordCreation`): one allowance everywhere. */
  onCreation: ((user: string, address: string) => void) | undefined;

  /** A room creation another node allowed: taken from this node's allowances too, into debt if need be. */
  recordCreation(user: string, address: string): void {
    const l = this.limits;
    this.#bucket(this.#users, user, l.userRoomsPerHour / 3600, l.userRoomBurst).charge(1);
    this.#bucket(this.#ips, address, l.ipRoomsPerHour / 3600, l.ipRoomBurst).charge(1);
  }

  #bucket(map: Map<string, TokenBucket>, key: string, rate: number, burst: number): TokenBucket {
    let b = map.get(key);
    if (!b || b.rate !== rate || b.burst !== burst) map.set(key, (b = new TokenBucket(rate, burst, this.now)));
    return b;
  }

  /** Forgets buckets that are full again. */
  sweep(): void {
    for (const map of [this.#users, this.#ips]) for (const [k, b] of map) if (b.retryAfterMs(b.burst) === 0) map.delete(k);
  }
}
