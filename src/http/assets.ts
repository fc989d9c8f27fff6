import { readFile } from "node:fs/promises";

export type Asset = { body: string; type: string };

const FILES: Record<string, string> = {
  "/": "index.html",
  "/app.js": "app.js",
  "/app.css": "app.css",
};
const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
};

/** The embedded web client, read once at start: the page works with no network. */
export async function loadAssets(): Promise<Map<string, Asset>> {
  const assets = new Map<string, Asset>();
  for (const [route, file] of Object.entries(FILES)) {
    const body = await readFile(new URL(`../web/${file}`, import.meta.url), "utf8");
    assets.set(route, { body, type: TYPES[file.split(".").pop()!]! });
  }
  return assets;
}
