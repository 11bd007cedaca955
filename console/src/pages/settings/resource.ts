// One editable resource of the API: load it with its ETag, save with If-Match, and on 412
// keep both versions (theirs from the server, yours from the form) instead of overwriting.
import { useCallback, useEffect, useState } from "preact/hooks";
import { call, type ApiErrorBody } from "./client";

export interface Conflict<T> {
  mine: T;
  theirs: T | null;
  theirsEtag: string | null;
}

export interface Resource<T> {
  loading: boolean;
  data: T | null;
  etag: string | null;
  error: ApiErrorBody | null;
  status: number;
  conflict: Conflict<T> | null;
  saved: number; // increments on each successful save
  reload: () => Promise<void>;
  save: (data: T, method?: "PUT" | "PATCH") => Promise<boolean>;
  overwrite: () => Promise<boolean>;
  keepTheirs: () => void;
  setError: (e: ApiErrorBody | null) => void;
}

export interface Shape<T> {
  data: (body: unknown) => T;
  etag: (body: unknown, header: string | null) => string | null;
}

/** The Settings API: {resource, etag, version, data}. */
export const settingsShape = <T,>(): Shape<T> => ({
  data: (b) => (b as { data: T }).data,
  etag: (b, h) => (b as { etag?: string }).etag ?? h,
});

export function useResource<T>(fn: string, path: string | null, shape: Shape<T>): Resource<T> {
  const [state, setState] = useState<{
    loading: boolean;
    data: T | null;
    etag: string | null;
    error: ApiErrorBody | null;
    status: number;
    conflict: Conflict<T> | null;
    saved: number;
  }>({ loading: true, data: null, etag: null, error: null, status: 0, conflict: null, saved: 0 });

  const reload = useCallback(async () => {
    if (!path) return;
    setState((s) => ({ ...s, loading: true }));
    const r = await call<unknown>(fn, path);
    setState((s) => ({
      ...s,
      loading: false,
      status: r.status,
      error: r.error,
      data: r.error ? null : shape.data(r.body),
      etag: r.error ? null : shape.etag(r.body, r.etag),
      conflict: null,
    }));
  }, [fn, path]);

  useEffect(() => {
    void reload();
  }, [reload]);

  const send = async (data: T, etag: string | null, method: "PUT" | "PATCH"): Promise<boolean> => {
    if (!path) return false;
    const r = await call<unknown>(fn, path, {
      method,
      body: data,
      ifMatch: etag ?? undefined,
    });
    if (r.status === 412) {
      // Someone saved in between: show their version next to ours, overwrite nothing.
      const cur = await call<unknown>(fn, path);
      setState((s) => ({
        ...s,
        error: null,
        conflict: {
          mine: data,
          theirs: cur.error ? null : shape.data(cur.body),
          theirsEtag: cur.error ? null : shape.etag(cur.body, cur.etag),
        },
      }));
      return false;
    }
    if (r.error) {
      setState((s) => ({ ...s, error: r.error, status: r.status }));
      return false;
    }
    setState((s) => ({
      ...s,
      error: null,
      conflict: null,
      status: r.status,
      data: shape.data(r.body),
      etag: shape.etag(r.body, r.etag),
      saved: s.saved + 1,
    }));
    return true;
  };

  return {
    ...state,
    reload,
    save: (data, method = "PUT") => send(data, state.etag, method),
    overwrite: async () => {
      const c = state.conflict;
      if (!c) return false;
      return send(c.mine, c.theirsEtag, "PUT");
    },
    keepTheirs: () =>
      setState((s) =>
        s.conflict
          ? { ...s, data: s.conflict.theirs, etag: s.conflict.theirsEtag, conflict: null }
          : s,
      ),
    setError: (e) => setState((s) => ({ ...s, error: e })),
  };
}

/** Leaves of a JSON value as (dot path, JSON text), for showing two versions side by side. */
export function leaves(value: unknown, prefix = ""): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (v: unknown, p: string) => {
    if (v !== null && typeof v === "object" && !Array.isArray(v)) {
      const entries = Object.entries(v as Record<string, unknown>);
      if (!entries.length && p) out.set(p, "{}");
      for (const [k, x] of entries) walk(x, p ? `${p}.${k}` : k);
    } else {
      out.set(p || "(value)", JSON.stringify(v));
    }
  };
  walk(value, prefix);
  return out;
}

export function differingPaths(a: unknown, b: unknown): { path: string; a?: string; b?: string }[] {
  const la = leaves(a);
  const lb = leaves(b);
  const paths = [...new Set([...la.keys(), ...lb.keys()])].sort();
  return paths
    .filter((p) => la.get(p) !== lb.get(p))
    .map((p) => ({ path: p, a: la.get(p), b: lb.get(p) }));
}

export function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}
