// Files: uploads from the attach button, paste and drag-and-drop (POST /files
// with the resume token, a progress bar and Cancel each), the ids they give
// sent with the next message, and files in messages (images as thumbnails
// that open a viewer, others as a named download with their size).
import { $, el, toast } from "./dom.js";
import { state } from "./state.js";
import { duration } from "./text.js";

/** Uploads of the composer: { key, name, size, loaded, xhr, ref, state: "uploading" | "done" }. */
const uploads = [];
let nextKey = 1;
/** What runs once no upload is still going (a Send pressed meanwhile), or null. */
let whenDone = null;

/** Runs `fn` once no upload is still going (finished, failed or cancelled); replaces an earlier one. */
export function whenUploadsDone(fn) {
  whenDone = fn;
}

/** An upload ended one way or another: a waiting Send goes once none is still going. */
function settled() {
  renderUploads();
  if (uploading() || !whenDone) return;
  const fn = whenDone;
  whenDone = null;
  fn();
}

export function startUploads(fileList) {
  for (const file of fileList) upload(file);
}

function upload(file) {
  const item = { key: String(nextKey++), name: file.name || "pasted", size: file.size, loaded: 0, xhr: new XMLHttpRequest(), ref: null, state: "uploading" };
  uploads.push(item);
  const xhr = item.xhr;
  xhr.open("POST", "/files");
  xhr.setRequestHeader("Authorization", `Bearer ${state.token}`);
  xhr.responseType = "json";
  xhr.upload.addEventListener("progress", (e) => {
    item.loaded = e.loaded;
    if (e.lengthComputable) item.size = e.total;
    renderUploads();
  });
  xhr.addEventListener("load", () => {
    if (xhr.status === 201 && xhr.response?.id) {
      item.ref = xhr.response;
      // The progress events counted the whole form (boundaries, headers): show the file's own size.
      item.size = xhr.response.size;
      item.state = "done";
    } else {
      drop(item);
      toast(`Could not upload ${item.name}: ${uploadError(xhr)}`, "error", xhr.response?.error ?? String(xhr.status));
    }
    settled();
  });
  xhr.addEventListener("error", () => {
    drop(item);
    toast(`Could not upload ${item.name}: the connection failed.`);
    settled();
  });
  const form = new FormData();
  form.append("file", file, item.name);
  xhr.send(form);
  renderUploads();
}

function uploadError(xhr) {
  if (xhr.status === 413) return "the file is too large.";
  if (xhr.status === 429) {
    // Retry-After (seconds): when enough of the day's uploads are older than 24 hours.
    const seconds = Number(xhr.getResponseHeader("Retry-After"));
    return seconds > 0 ? `your upload allowance for today is spent; try again in ${duration(seconds * 1000)}.` : "your upload allowance for today is spent.";
  }
  if (xhr.status === 401) return "sign in again.";
  return `the server answered ${xhr.status}.`;
}

function drop(item) {
  const i = uploads.indexOf(item);
  if (i >= 0) uploads.splice(i, 1);
}

/** Cancel (while uploading) or remove (once done) one upload. */
export function cancelUpload(key) {
  const item = uploads.find((u) => u.key === key);
  if (!item) return;
  if (item.state === "uploading") item.xhr.abort();
  drop(item);
  settled();
}

/** True while an upload is still going: the message waits for it. */
export function uploading() {
  return uploads.some((u) => u.state === "uploading");
}

/** The finished uploads, taken for a message (at most 10, as the server allows). */
export function takeFiles() {
  const done = uploads.filter((u) => u.state === "done").slice(0, 10);
  for (const u of done) drop(u);
  renderUploads();
  return done.map((u) => u.ref);
}

export function hasFiles() {
  return uploads.some((u) => u.state === "done");
}

export function renderUploads() {
  const box = $("composer-files");
  box.replaceChildren(
    ...uploads.map((u) =>
      el(
        "li",
        { class: `upload is-${u.state}`, "data-testid": "upload", "data-state": u.state },
        el("span", { class: "upload-name" }, u.name),
        u.state === "uploading"
          ? el("progress", { max: Math.max(u.size, 1), value: Math.min(u.loaded, u.size), "data-testid": "upload-progress", "aria-label": `Uploading ${u.name}` })
          : el("span", { class: "upload-size" }, formatSize(u.size)),
        el(
          "button",
          { type: "button", class: "icon-btn", "data-action": "cancel-upload", "data-key": u.key, "data-testid": "upload-cancel", "aria-label": `${u.state === "uploading" ? "Cancel" : "Remove"} ${u.name}` },
          "×",
        ),
      ),
    ),
  );
  box.hidden = uploads.length === 0;
  $("composer-send").disabled = $("composer-send").disabled && !hasFiles();
}

export function formatSize(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

const INLINE = new Set(["image/png", "image/jpeg", "image/gif", "image/webp"]);

/** The files of a message (or null): thumbnails for images, download links for the rest. */
export function filesNode(files) {
  if (!Array.isArray(files) || files.length === 0) return null;
  return el(
    "div",
    { class: "msg-files" },
    ...files.map((f) =>
      INLINE.has(f.type) && f.width && f.height
        ? el(
            "button",
            { type: "button", class: "file-thumb", "data-action": "view-image", "data-url": f.url, "data-name": f.name, "data-testid": "file-thumb", "aria-label": `View ${f.name}` },
            el("img", { src: f.url, alt: f.name, width: f.width, height: f.height, loading: "lazy" }),
          )
        : el(
            "a",
            { class: "file-link", href: f.url, download: f.name, "data-testid": "file-link" },
            el("span", { class: "file-name" }, f.name),
            " ",
            el("span", { class: "file-size" }, formatSize(f.size)),
          ),
    ),
  );
}

/** Full size in the viewer dialog; Esc (the dialog's own) or the close button closes it. */
export function viewImage(url, name) {
  const img = $("viewer-image");
  img.src = url;
  img.alt = name;
  $("viewer-name").textContent = name;
  $("viewer-dialog").showModal();
}
