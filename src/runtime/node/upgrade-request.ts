/**
 * The request node-ws hands the app for each WebSocket upgrade, without
 * undici's `Request`: building one costs about 6 KiB per connection (its
 * state, an AbortSignal, the URL parsed again, a copy of the headers), part
 * of it living long enough in a connection storm to be promoted to the old
 * generation before it dies. Routing and the upgrade checks read only the
 * URL, the method and headers; anything else (a body, the signal, a clone)
 * gets a real `Request`, made on first use, as @hono/node-server does for
 * ordinary requests.
 */
export class UpgradeRequest {
  #full: Request | undefined;

  constructor(
    readonly url: string,
    readonly headers: Headers,
    // The request's own: an upgrade sent as POST is routed as a POST (404), not as a GET ws then refuses in plain text.
    readonly method = "GET",
  ) {}

  /** @internal */
  full(): Request {
    return (this.#full ??= new Request(this.url, { method: this.method, headers: this.headers }));
  }
}

const PROPERTIES = ["body", "bodyUsed", "cache", "credentials", "destination", "duplex", "integrity", "keepalive", "mode", "redirect", "referrer", "referrerPolicy", "signal"];
const METHODS = ["arrayBuffer", "blob", "bytes", "clone", "formData", "json", "text"];

for (const key of PROPERTIES) {
  Object.defineProperty(UpgradeRequest.prototype, key, {
    get(this: UpgradeRequest) {
      return (this.full() as unknown as Record<string, unknown>)[key];
    },
  });
}
for (const key of METHODS) {
  Object.defineProperty(UpgradeRequest.prototype, key, {
    value(this: UpgradeRequest, ...args: unknown[]) {
      const full = this.full() as unknown as Record<string, (...a: unknown[]) => unknown>;
      return full[key]!(...args);
    },
  });
}
// `instanceof Request` holds, for code that checks.
Object.setPrototypeOf(UpgradeRequest.prototype, Request.prototype);
