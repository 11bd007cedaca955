// Binary requests: TTS preview (audio/wav back) and MP3 uploads (raw body), with the same
// Bearer token and function URLs as api().
import { idToken } from "../../auth";
import { functionUrl } from "../../config";
import type { ApiErrorBody } from "./client";

export interface RawResult {
  status: number;
  blob: Blob | null;
  json: unknown;
  etag: string | null;
  error: ApiErrorBody | null;
}

export async function rawFetch(
  fn: string,
  path: string,
  init: { method?: string; body?: BodyInit; contentType?: string; json?: unknown; ifMatch?: string } = {},
): Promise<RawResult> {
  const headers: Record<string, string> = {};
  const token = await idToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  if (init.ifMatch) headers["If-Match"] = `"${init.ifMatch}"`;
  let body = init.body;
  if (init.json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(init.json);
  } else if (init.contentType) {
    headers["Content-Type"] = init.contentType;
  }
  let r: Response;
  try {
    r = await fetch(functionUrl(fn) + path, { method: init.method ?? "GET", headers, body });
  } catch (e) {
    return { status: 0, blob: null, json: null, etag: null, error: { code: "network", message: String(e) } };
  }
  const type = r.headers.get("Content-Type") ?? "";
  const etag = (r.headers.get("ETag") ?? "").replace(/^W\//, "").replace(/"/g, "") || null;
  if (type.includes("json")) {
    const json = await r.json().catch(() => null);
    const error = r.ok
      ? null
      : ((json as { error?: ApiErrorBody } | null)?.error ?? {
          code: String(r.status),
          message: `HTTP ${r.status}`,
        });
    return { status: r.status, blob: null, json, etag, error };
  }
  const blob = await r.blob();
  const error = r.ok ? null : { code: String(r.status), message: `HTTP ${r.status}` };
  return { status: r.status, blob, json: null, etag, error };
}
