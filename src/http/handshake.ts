/** An RFC 7230 token: what each name in Sec-WebSocket-Protocol must be. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * What makes a request that asks for a WebSocket (`Upgrade: websocket`) a valid RFC 6455
 * handshake, checked before either runtime's upgrade so the client gets chatd's JSON answer,
 * the same on every runtime: Node's ws and Deno disagree on it (ws answers its own text/html
 * 400 and accepts version 8, Deno upgrades a bad key or a missing version, and Node hands a
 * request without `Connection: Upgrade` to the app as a plain GET). Answers what is wrong, or
 * undefined.
 */
export function handshakeProblem(header: (name: string) => string | undefined): string | undefined {
  const connection = (header("connection") ?? "").split(",").map((token) => token.trim().toLowerCase());
  if (!connection.includes("upgrade")) return "the Connection header must contain Upgrade";
  // A key is 16 random bytes in base64: 22 characters and "==".
  if (!/^[A-Za-z0-9+/]{22}==$/.test(header("sec-websocket-key")?.trim() ?? "")) return "Sec-WebSocket-Key must be 16 bytes in base64";
  if (header("sec-websocket-version")?.trim() !== "13") return "Sec-WebSocket-Version must be 13";
  const protocols = header("sec-websocket-protocol");
  if (protocols !== undefined) {
    const names = protocols.split(",").map((p) => p.trim());
    if (!names.every((p) => TOKEN.test(p)) || new Set(names).size !== names.length) {
      return "Sec-WebSocket-Protocol must be a list of distinct tokens";
    }
  }
  return undefined;
}
