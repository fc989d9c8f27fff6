import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { loadAssets } from "../../../src/http/assets.ts";

const decode = (body: Uint8Array) => new TextDecoder().decode(body);

describe("loadAssets", () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  it("serves every file of the folder at its path, with its type, and index.html at /", async () => {
    const dir = await mkdtemp(join(tmpdir(), "chatd-assets-"));
    dirs.push(dir);
    await mkdir(join(dir, "styles"));
    await writeFile(join(dir, "index.html"), "<!doctype html>");
    await writeFile(join(dir, "app.js"), "import './ui.js';");
    await writeFile(join(dir, "ui.js"), "export {};");
    await writeFile(join(dir, "styles", "base.css"), "body{}");
    await writeFile(join(dir, "logo.png"), new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0xff]));
    await writeFile(join(dir, ".DS_Store"), "hidden");
    await writeFile(join(dir, "notes.md"), "not part of the page");

    const assets = await loadAssets(pathToFileURL(`${dir}/`));
    expect([...assets.keys()].sort()).toEqual(["/", "/app.js", "/index.html", "/logo.png", "/styles/base.css", "/ui.js"]);
    expect(assets.get("/")!.type).toBe("text/html; charset=utf-8");
    expect(decode(assets.get("/")!.body)).toBe("<!doctype html>");
    expect(assets.get("/ui.js")!.type).toBe("text/javascript; charset=utf-8");
    expect(assets.get("/styles/base.css")!.type).toBe("text/css; charset=utf-8");
    expect(assets.get("/logo.png")!.type).toBe("image/png");
    expect([...assets.get("/logo.png")!.body]).toEqual([0x89, 0x50, 0x4e, 0x47, 0xff]); // bytes kept as they are
  });

  it("serves every module of the real page without a list to keep up to date", async () => {
    const assets = await loadAssets();
    const web = new URL("../../../src/web/", import.meta.url);
    for (const name of await readdir(web)) {
      if (name.endsWith(".js")) expect(assets.get(`/${name}`)?.type, name).toBe("text/javascript; charset=utf-8");
    }
    expect(decode(assets.get("/")!.body)).toContain('<script type="module" src="/app.js"></script>');
  });

  it("serves the npm packages the page imports from node_modules, as JavaScript modules", async () => {
    const assets = await loadAssets();
    const markdown = assets.get("/vendor/markdown-it.js");
    expect(markdown?.type).toBe("text/javascript; charset=utf-8");
    expect(decode(markdown!.body)).toMatch(/export \{ \w+ as default \}/); // an ES module, not a script
    // A folder of its own (the test's) gets only what it holds unless vendor modules are named.
    expect([...(await loadAssets(new URL("../../../src/web/styles/", import.meta.url))).keys()].some((k) => k.startsWith("/vendor/"))).toBe(false);
  });
});
