import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";

/*
 * The Docker HEALTHCHECK: exit 0 when GET /healthz on this container answers
 * 200, 1 otherwise. Reads the same environment as the daemon, so it follows
 * CHAT_PORT and uses https when CHAT_TLS_CERT is set (the certificate is not
 * verified: it is the container's own, reached as 127.0.0.1).
 */
const port = Number(process.env.CHAT_PORT || 8080);
const request = process.env.CHAT_TLS_CERT ? httpsRequest : httpRequest;
const req = request({ host: "127.0.0.1", port, path: "/healthz", timeout: 2500, rejectUnauthorized: false }, (res) => {
  res.resume();
  process.exit(res.statusCode === 200 ? 0 : 1);
});
req.on("timeout", () => req.destroy(new Error("timeout")));
req.on("error", () => process.exit(1));
req.end();
