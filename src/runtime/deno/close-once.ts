/**
 * Sends an answer's `Connection: close` once on Deno. Deno's server adds a
 * `connection: close` of its own to an answer sent while the request body is
 * still unread, after chatd's (a 413, a 401 to a large upload): the client
 * would read `close, close`. A body the app has let go unfinished (no reader
 * holds it) is cancelled first, which Deno counts as read, so it adds nothing;
 * Deno reads and drops the rest of the body itself. A body still held by a
 * reader was read to its end or cancelled through it (drainSmallBody, a JSON
 * body): Deno adds nothing then either.
 */
export async function closeOnce(request: Request, response: Response): Promise<Response> {
  // Checked first: an upgraded request (a WebSocket) has no body left to ask about.
  if (response.headers.get("connection")?.toLowerCase() !== "close") return response;
  const body = request.body;
  if (body !== null && !body.locked) await body.cancel().catch(() => {});
  return response;
}
