import { createHash } from 'node:crypto';

/** Escapes text and attribute values: every fixture and request value goes through it. */
export function escapeHtml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** A tagged template whose interpolations are escaped unless wrapped in `raw()`. */
export interface Raw {
  readonly __raw: string;
}
export const raw = (html: string): Raw => ({ __raw: html });

export function html(strings: TemplateStringsArray, ...values: Array<string | number | Raw | Raw[] | null | undefined>): Raw {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    if (Array.isArray(v)) out += v.map((r) => r.__raw).join('');
    else if (v && typeof v === 'object') out += v.__raw;
    else if (v !== null && v !== undefined) out += escapeHtml(String(v));
    out += strings[i + 1] ?? '';
  });
  return raw(out);
}

const STYLE = `body{font-family:"Segoe UI","Helvetica Neue",Arial,sans-serif;background:#f2f2f2;margin:0}
main{background:#fff;max-width:440px;margin:60px auto;padding:44px;box-shadow:0 2px 6px rgba(0,0,0,.2)}
h1{font-size:24px;font-weight:600;margin:16px 0}.brand{font-weight:600;color:#737373}
button,.btn{background:#0067b8;color:#fff;border:0;padding:8px 24px;font-size:15px;cursor:pointer}
button.secondary{background:#ccc;color:#000}.account{display:block;width:100%;text-align:left;background:#fff;color:#1b1b1b;border:1px solid #ddd;padding:12px;margin:6px 0}
.account small{display:block;color:#666}.error{color:#e81123}input[type=password],input[type=text]{width:100%;padding:6px;font-size:15px;margin:8px 0}
.details{font-size:12px;color:#555;word-break:break-all}.details h2{font-size:15px}code{font-size:13px}`;

/** The hash of the one inline style sheet, for the pages' Content-Security-Policy (page-headers.ts). */
export const STYLE_HASH = `'sha256-${createHash('sha256').update(STYLE, 'utf8').digest('base64')}'`;

/** The page frame, in the spirit of Microsoft's sign-in pages (no scripts, no external assets). */
export function page(title: string, body: Raw): string {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><meta name="viewport" content="width=device-width, initial-scale=1"><style>${STYLE}</style></head><body><main><div class="brand">Microsoft (mock-entra)</div>${body.__raw}</main></body></html>`;
}
