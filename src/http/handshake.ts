/** An RFC 7230 token: what each name in Sec-WebSocket-Protocol must be. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * What the WebSocket library would refuse with a bare plain-text 400 (RFC 6455 §4.2.1), checked
 * first so the client gets chatd's JSON answer, the same on every runtime. Undefined when sound.
 */
export function handshakeProblem(key: string | undefined, version: string | undefined, protocols?: string): string | undefined {
  const v = version?.trim();
  if (v !== "13") return "Sec-WebSocket-Version must be 13";
  if (!/^[+/0-9A-Za-z]{22}==$/.test(key?.trim() ?? "")) return "Sec-WebSocket-Key must be 16 bytes in base64";
  if (protocols !== undefined) {
    const names = protocols.split(",").map((p) => p.trim());
    if (!names.every((p) => TOKEN.test(p)) || new Set(names).size !== names.length) {
      return "Sec-WebSocket-Protocol must be a list of distinct tokens";
    }
  }
  return undefined;
}
