// The one place the settings pages talk to the API: every call returns its status, body,
// ETag and the API's error (never throws for an HTTP refusal), so a page can show it.
import { api, ApiError } from "../../api";

export interface ApiErrorBody {
  code: string;
  message: string;
  field?: string;
  errors?: { field: string; problem: string }[];
}

export interface Result<T> {
  status: number;
  body: T;
  etag: string | null;
  error: ApiErrorBody | null;
}

export interface CallInit {
  method?: string;
  body?: unknown;
  ifMatch?: string;
}

function errorOf(status: number, body: unknown): ApiErrorBody | null {
  if (status < 400) return null;
  const err = (body as { error?: ApiErrorBody } | null)?.error;
  return err ?? { code: String(status), message: `HTTP ${status}` };
}

export async function call<T>(fn: string, path: string, init: CallInit = {}): Promise<Result<T>> {
  try {
    const r = await api<T>(fn, path, init);
    const etag = r.etag ? r.etag.replace(/^W\//, "").replace(/"/g, "") : null;
    return { status: r.status, body: r.body, etag, error: errorOf(r.status, r.body) };
  } catch (e) {
    // api() throws the API's refusal: keep its status, code, message and field.
    if (e instanceof ApiError) {
      return {
        status: e.status,
        body: undefined as T,
        etag: null,
        error: { code: e.code, message: e.message, field: e.field },
      };
    }
    return { status: 0, body: undefined as T, etag: null, error: { code: "network", message: String(e) } };
  }
}

/** Binary requests (audio upload and preview), which api() (JSON in / out) does not do. */
export { rawFetch } from "./raw";
