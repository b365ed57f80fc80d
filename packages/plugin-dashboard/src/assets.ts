/**
 * The page's static files, shipped in the package's `assets/` folder (no CDN, no build step) and
 * read once per server.
 */
import { readFile } from "node:fs/promises";

/** One static file, ready to send. */
export interface Asset {
  body: Buffer;
  contentType: string;
}

const FILES: Record<string, string> = {
  "/": "index.html",
  "/app.js": "app.js",
  "/style.css": "style.css",
  "/favicon.svg": "favicon.svg",
};

const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  svg: "image/svg+xml",
};

/** @internal Reads every asset; src/ and dist/ both sit next to assets/. */
export async function loadAssets(): Promise<Map<string, Asset>> {
  const dir = new URL("../assets/", import.meta.url);
  const out = new Map<string, Asset>();
  for (const [route, file] of Object.entries(FILES)) {
    const ext = file.slice(file.lastIndexOf(".") + 1);
    out.set(route, { body: await readFile(new URL(file, dir)), contentType: TYPES[ext] ?? "application/octet-stream" });
  }
  return out;
}
