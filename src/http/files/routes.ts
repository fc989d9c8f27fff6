import { Hono } from "hono";
import type { Logger } from "../../log.ts";
import { download } from "./download.ts";
import { FILE_SAFETY_HEADERS, fileErrorResponse } from "./errors.ts";
import { upload, type UploadDeps } from "./upload.ts";

/** `POST /files` and `GET /files/{id}/{name}` (HEAD too). */
export function fileRoutes(deps: UploadDeps & { logger: Logger }): Hono {
  const app = new Hono();
  // Every answer under /files/ (a path that names no file, an error, a 404 of the app) is never rendered as a page.
  app.use("/files/*", async (c, next) => {
    await next();
    for (const [name, value] of Object.entries(FILE_SAFETY_HEADERS)) c.res.headers.set(name, value);
  });
  app.post("/files", (c) => upload(c, deps));
  app.get("/files/:id/:name", (c) => download(c, deps.files));
  app.onError((error, c) => fileErrorResponse(c, error, deps.logger));
  return app;
}
