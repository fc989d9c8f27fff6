import { readdir, readFile } from "node:fs/promises";

export type Asset = { body: Uint8Array<ArrayBuffer>; type: string };

/** Content types of the files the page is made of; a file of another kind is not served. */
const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  mjs: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  json: "application/json",
  svg: "image/svg+xml",
  png: "image/png",
  ico: "image/x-icon",
  woff2: "font/woff2",
};

const WEB = new URL("../web/", import.meta.url);

/**
 * The embedded web client, read once at start: every file under src/web (dist/src/web
 * when built) is served at its path, and index.html also at `/`. A new module needs no
 * entry here. The page works with no network.
 */
export async function loadAssets(dir: URL = WEB): Promise<Map<string, Asset>> {
  const assets = new Map<string, Asset>();
  for (const path of (await filesUnder(dir, "")).sort()) {
    const type = TYPES[path.split(".").pop()!.toLowerCase()];
    if (!type) continue;
    const body = new Uint8Array(await readFile(new URL(encodePath(path), dir)));
    assets.set(`/${path}`, { body, type });
    if (path === "index.html") assets.set("/", { body, type });
  }
  return assets;
}

/** Relative paths of the files under `dir`, hidden ones (".name") left out. */
async function filesUnder(dir: URL, prefix: string): Promise<string[]> {
  const paths: string[] = [];
  for (const entry of await readdir(new URL(encodePath(prefix) || ".", dir), { withFileTypes: true })) {
    if (entry.name.startsWith(".")) continue;
    const path = `${prefix}${entry.name}`;
    if (entry.isDirectory()) paths.push(...(await filesUnder(dir, `${path}/`)));
    else if (entry.isFile()) paths.push(path);
  }
  return paths;
}

const encodePath = (path: string) => path.split("/").map(encodeURIComponent).join("/");
