import { copyFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { DOCS_DIR, launchBrowser, RESULTS_DIR } from "./browser.ts";

/**
 * A terminal pane as a PNG: the text and colours tmux captured (`capture-pane
 * -e`: SGR escape codes) become an HTML page of monospace spans, which Chromium
 * renders. Only SGR is understood (what capture-pane writes): 16 and 256
 * colours, 24-bit colour, bold, reverse.
 */

const BASE16 = ["#1e1e1e", "#cd3131", "#0dbc79", "#e5e510", "#2472c8", "#bc3fbc", "#11a8cd", "#e5e5e5", "#666666", "#f14c4c", "#23d18b", "#f5f543", "#3b8eea", "#d670d6", "#29b8db", "#ffffff"];
const FG = "#e5e5e5";
const BG = "#1e1e1e";

function color256(n: number): string {
  if (n < 16) return BASE16[n]!;
  if (n >= 232) {
    const v = 8 + (n - 232) * 10;
    return `rgb(${v},${v},${v})`;
  }
  const i = n - 16;
  const level = (x: number) => (x === 0 ? 0 : 55 + x * 40);
  return `rgb(${level(Math.floor(i / 36))},${level(Math.floor(i / 6) % 6)},${level(i % 6)})`;
}

type Style = { fg?: string; bg?: string; bold?: boolean; reverse?: boolean };

function applySgr(style: Style, params: number[]): Style {
  const s = { ...style };
  for (let i = 0; i < params.length; i++) {
    const p = params[i]!;
    if (p === 0) Object.assign(s, { fg: undefined, bg: undefined, bold: false, reverse: false });
    else if (p === 1) s.bold = true;
    else if (p === 22) s.bold = false;
    else if (p === 7) s.reverse = true;
    else if (p === 27) s.reverse = false;
    else if (p >= 30 && p <= 37) s.fg = BASE16[p - 30];
    else if (p >= 90 && p <= 97) s.fg = BASE16[p - 90 + 8];
    else if (p === 39) s.fg = undefined;
    else if (p >= 40 && p <= 47) s.bg = BASE16[p - 40];
    else if (p >= 100 && p <= 107) s.bg = BASE16[p - 100 + 8];
    else if (p === 49) s.bg = undefined;
    else if ((p === 38 || p === 48) && params[i + 1] === 5) {
      const c = color256(params[i + 2] ?? 0);
      if (p === 38) s.fg = c;
      else s.bg = c;
      i += 2;
    } else if ((p === 38 || p === 48) && params[i + 1] === 2) {
      const c = `rgb(${params[i + 2] ?? 0},${params[i + 3] ?? 0},${params[i + 4] ?? 0})`;
      if (p === 38) s.fg = c;
      else s.bg = c;
      i += 4;
    }
  }
  return s;
}

const escapeHtml = (t: string) => t.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** The captured pane as HTML `<span>`s, one line per line. */
export function ansiToHtml(text: string): string {
  let style: Style = {};
  let out = "";
  const span = (t: string) => {
    if (t === "") return;
    const fg = style.reverse ? (style.bg ?? BG) : style.fg;
    const bg = style.reverse ? (style.fg ?? FG) : style.bg;
    const css = [fg ? `color:${fg}` : "", bg ? `background:${bg}` : "", style.bold ? "font-weight:bold" : ""].filter(Boolean).join(";");
    out += css ? `<span style="${css}">${escapeHtml(t)}</span>` : escapeHtml(t);
  };
  const re = /\x1b\[([0-9;:]*)m/g;
  for (const line of text.replace(/\n+$/, "").split("\n")) {
    let at = 0;
    re.lastIndex = 0;
    for (let m; (m = re.exec(line)); ) {
      span(line.slice(at, m.index));
      style = applySgr(style, m[1] === "" ? [0] : m[1]!.split(/[;:]/).map(Number));
      at = m.index + m[0].length;
    }
    span(line.slice(at).replace(/\x1b\[[0-9;?]*[A-Za-z]/g, ""));
    out += "\n";
  }
  return out;
}

/**
 * Renders a pane (from `Tmux.screen(true)`) to test-results/<name>.png, and
 * copies it to docs/<docsName> when given. `title` is drawn above it, as a
 * terminal window's title bar.
 */
export async function terminalShot(ansi: string, options: { name: string; docsName?: string; title: string; columns: number }): Promise<string> {
  const html = `<!doctype html><meta charset="utf-8"><style>
    body { margin: 0; background: #2d2d2d; font: 14px/1.35 "DejaVu Sans Mono", "Liberation Mono", monospace; }
    .win { display: inline-block; margin: 12px; border-radius: 6px; overflow: hidden; box-shadow: 0 2px 10px #0008; }
    .bar { background: #3c3c3c; color: #ccc; padding: 4px 10px; font: 12px sans-serif; }
    pre { margin: 0; padding: 8px; background: ${BG}; color: ${FG}; font: inherit; width: ${options.columns}ch; }
  </style><div class="win"><div class="bar">${escapeHtml(options.title)}</div><pre>${ansiToHtml(ansi)}</pre></div>`;
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.setContent(html);
    await mkdir(RESULTS_DIR, { recursive: true });
    const file = join(RESULTS_DIR, `${options.name}.png`);
    await page.locator(".win").screenshot({ path: file });
    if (options.docsName) await copyFile(file, join(DOCS_DIR, options.docsName));
    return file;
  } finally {
    await browser.close();
  }
}
