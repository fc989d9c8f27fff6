import { describe, expect, it } from "vitest";
import { inRange, parseIp, parseRange } from "../../../src/net/cidr.ts";
import { clientAddress } from "../../../src/http/client-address.ts";

const h = (init: Record<string, string>) => new Headers(init);

describe("IP ranges", () => {
  it("match IPv4 and IPv6 addresses against CIDRs, counting IPv4-mapped IPv6 as IPv4", () => {
    const match = (ip: string, range: string) => inRange(parseIp(ip)!, parseRange(range)!);
    expect(match("10.1.2.3", "10.0.0.0/8")).toBe(true);
    expect(match("11.1.2.3", "10.0.0.0/8")).toBe(false);
    expect(match("192.168.1.1", "192.168.1.1")).toBe(true);
    expect(match("::ffff:10.0.0.1", "10.0.0.0/8")).toBe(true);
    expect(match("2001:db8::1", "2001:db8::/32")).toBe(true);
    expect(match("2001:db9::1", "2001:db8::/32")).toBe(false);
    expect(match("::1", "::1/128")).toBe(true);
    expect(match("0.0.0.1", "::/0")).toBe(false);
  });

  it("refuses what is not an address or range", () => {
    for (const bad of ["", "10.0.0", "10.0.0.256", "10.0.0.0/33", "1::2::3", "example.com", "10.0.0.0/8/1", "::/129"]) {
      expect(parseRange(bad), bad).toBeUndefined();
    }
  });
});

describe("the client address", () => {
  it("is the peer's address when no proxy is trusted, whatever the headers say", () => {
    expect(clientAddress("198.51.100.9", h({ "x-forwarded-for": "203.0.113.7" }), [])).toBe("198.51.100.9");
  });

  it("ignores forwarding headers from a peer that is not a trusted proxy (no spoofing)", () => {
    expect(clientAddress("198.51.100.9", h({ "x-forwarded-for": "203.0.113.7", forwarded: "for=1.2.3.4" }), ["10.0.0.0/8"])).toBe("198.51.100.9");
  });

  it("comes from X-Forwarded-For when the peer is a trusted proxy", () => {
    expect(clientAddress("10.0.0.2", h({ "x-forwarded-for": "203.0.113.7" }), ["10.0.0.0/8"])).toBe("203.0.113.7");
  });

  it("is the nearest untrusted hop, so a client cannot prepend its own X-Forwarded-For", () => {
    expect(clientAddress("10.0.0.2", h({ "x-forwarded-for": "1.2.3.4, 203.0.113.7, 10.0.0.5" }), ["10.0.0.0/8"])).toBe("203.0.113.7");
  });

  it("reads Forwarded (RFC 7239) with quotes, IPv6 brackets and ports", () => {
    const headers = h({ forwarded: 'for=1.2.3.4;proto=https, for="[2001:db8::7]:4711"' });
    expect(clientAddress("::ffff:127.0.0.1", headers, ["127.0.0.1"])).toBe("2001:db8::7");
  });

  it("stays with the peer when the header is missing or holds no address", () => {
    expect(clientAddress("10.0.0.2", h({}), ["10.0.0.0/8"])).toBe("10.0.0.2");
    expect(clientAddress("10.0.0.2", h({ forwarded: "for=unknown" }), ["10.0.0.0/8"])).toBe("10.0.0.2");
  });
});
