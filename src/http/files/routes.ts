import { Hono } from "hono";
import type { Logger } from "../../log.ts";
import { download } from "./download.ts";
import { fileErrorResponse } from "./errors.ts";
import { upload, type UploadDeps } from "./upload.ts";

/** `POST /files` and `GET /files/{id}/{name}` (HEAD too). */
export function fileRoutes(deps: UploadDeps & { logger: Logger }): Hono {
  const app = new Hono();
  app.post("/files", (c) => upload(c, deps));
  app.get("/files/:id/:name", (c) => download(c, deps.files));
  app.onError((error, c) => fileErrorResponse(c, error, deps.logger));
  return app;
}
