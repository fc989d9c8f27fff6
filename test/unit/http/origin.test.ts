import { describe, expect, it } from "vitest";
import { originAllowed } from "../../../src/http/origin.ts";

const closed = { allowedOrigins: [] as string[], allowMissingOrigin: true };

describe("originAllowed", () => {
  it("allows the daemon's own origin: the Origin's host equals the Host header", () => {
    expect(originAllowed("http://chat.example:8080", "chat.example:8080", closed)).toBe(true);
    expect(originAllowed("https://Chat.Example", "chat.example", closed)).toBe(true);
  });

  it("takes a Host header that spells out the scheme's default port as the same host (a proxy's `Host: $host:$server_port`)", () => {
    expect(originAllowed("https://chat.example", "chat.example:443", closed)).toBe(true);
    expect(originAllowed("http://chat.example", "chat.example:80", closed)).toBe(true);
    expect(originAllowed("http://[::1]:8080", "[::1]:8080", closed)).toBe(true);
    // Not another scheme's default port, and not a Host that is more than host[:port].
    expect(originAllowed("http://chat.example", "chat.example:443", closed)).toBe(false);
    expect(originAllowed("https://chat.example", "chat.example:80", closed)).toBe(false);
    expect(originAllowed("https://chat.example", "chat.example/x", closed)).toBe(false);
    expect(originAllowed("https://chat.example", "user@chat.example", closed)).toBe(false);
  });

  it("refuses another site, a lookalike host, another port and the opaque origin null", () => {
    expect(originAllowed("https://evil.example", "chat.example", closed)).toBe(false);
    expect(originAllowed("https://chat.example.evil.example", "chat.example", closed)).toBe(false);
    expect(originAllowed("http://chat.example:9090", "chat.example:8080", closed)).toBe(false);
    expect(originAllowed("null", "chat.example", closed)).toBe(false);
    expect(originAllowed("file://", "chat.example", closed)).toBe(false);
  });

  it("allows listed origins exactly (scheme, host and port), and every origin with \"*\"", () => {
    const listed = { allowedOrigins: ["https://app.example"], allowMissingOrigin: true };
    expect(originAllowed("https://app.example", "chat.example", listed)).toBe(true);
    expect(originAllowed("http://app.example", "chat.example", listed)).toBe(false);
    expect(originAllowed("https://app.example:444", "chat.example", listed)).toBe(false);
    expect(originAllowed("https://anything.example", "chat.example", { allowedOrigins: ["*"], allowMissingOrigin: true })).toBe(true);
  });

  it("follows allowMissingOrigin when there is no Origin", () => {
    expect(originAllowed(undefined, "chat.example", closed)).toBe(true);
    expect(originAllowed(undefined, "chat.example", { ...closed, allowMissingOrigin: false })).toBe(false);
    expect(originAllowed("", "chat.example", { ...closed, allowMissingOrigin: false })).toBe(false);
  });
});
