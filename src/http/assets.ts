import { readdir, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

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
 * npm packages the page imports, served from node_modules (never a CDN: the page
 * works offline and its CSP allows only its own origin). Each is a self-contained
 * ES module build of the package: route -> [package, file in the package].
 */
export const VENDOR: Record<string, [string, string]> = {
  "/vendor/markdown-it.js": ["markdown-it", "dist/browser/markdown-it.esm.min.mjs"],
};

/**
 * The embedded web client, read once at start: every file under src/web (dist/src/web
 * when built) is served at its path, and index.html also at `/`. A new module needs no
 * entry here, and the `vendor` modules (VENDOR for the real page) join them. The
 * page works with no network.
 */
export async function loadAssets(dir: URL = WEB, vendor: Record<string, [string, string]> = dir === WEB ? VENDOR : {}): Promise<Map<string, Asset>> {
  const assets = new Map<string, Asset>();
  for (const path of (await filesUnder(dir, "")).sort()) {
    const type = TYPES[path.split(".").pop()!.toLowerCase()];
    if (!type) continue;
    const body = new Uint8Array(await readFile(new URL(encodePath(path), dir)));
    assets.set(`/${path}`, { body, type });
    if (path === "index.html") assets.set("/", { body, type });
  }
  const require = createRequire(import.meta.url);
  for (const [route, [pkg, file]] of Object.entries(vendor)) {
    const path = join(dirname(require.resolve(`${pkg}/package.json`)), file);
    assets.set(route, { body: new Uint8Array(await readFile(path)), type: TYPES.js! });
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
