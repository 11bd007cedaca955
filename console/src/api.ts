// Every call to the API functions: JSON in and out, the signed-in person's ID token as
// Bearer, ETags for polling (If-None-Match -> 304) and optimistic writes (If-Match).
import { idToken } from "./auth";
import { functionUrl } from "./config";

export interface ApiInit {
  method?: string;
  body?: unknown;
  ifMatch?: string;
  ifNoneMatch?: string;
  /** A bearer token other than the person's (e.g. a chat viewer token). */
  token?: string;
  signal?: AbortSignal;
}

export interface ApiResult<T> {
  status: number;
  body: T;
  etag: string | null;
}

/** The API's JSON error ({"error": {code, message, field}}), thrown for any 4xx / 5xx. */
export class ApiError extends Error {
  constructor(
    public status: number,
    public code: string,
    message: string,
    public field?: string,
  ) {
    super(message);
  }
}

export async function api<T>(fn: string, path: string, init: ApiInit = {}): Promise<ApiResult<T>> {
  const headers: Record<string, string> = { Accept: "application/json" };
  const token = init.token ?? (await idToken());
  if (token) headers.Authorization = `Bearer ${token}`;
  if (init.body !== undefined) headers["Content-Type"] = "application/json";
  if (init.ifMatch) headers["If-Match"] = init.ifMatch;
  if (init.ifNoneMatch) headers["If-None-Match"] = init.ifNoneMatch;
  let r: Response;
  try {
    r = await fetch(functionUrl(fn) + path, {
      method: init.method ?? (init.body !== undefined ? "POST" : "GET"),
      headers,
      body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
      cache: "no-store",
      signal: init.signal,
    });
  } catch (e) {
    if ((e as Error).name === "AbortError") throw e;
    throw new ApiError(0, "network", `cannot reach ${fn}: ${(e as Error).message}`);
  }
  const etag = r.headers.get("ETag");
  if (r.status === 304) return { status: 304, body: undefined as T, etag };
  const text = await r.text();
  let body: unknown = undefined;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  if (r.status >= 400) {
    const err = (body as { error?: { code?: string; message?: string; field?: string } })?.error;
    throw new ApiError(
      r.status,
      err?.code ?? "http_" + r.status,
      err?.message ?? `HTTP ${r.status}`,
      err?.field,
    );
  }
  return { status: r.status, body: body as T, etag };
}

export function errorText(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  return (e as Error)?.message ?? String(e);
}
