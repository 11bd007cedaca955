// Live data by polling every second with If-None-Match: an unchanged list answers 304 with
// no body, so a quiet page costs one small request a second per viewer. Why polling (not
// SSE or Firestore listeners): docs/console.md.
import { useEffect, useRef, useState } from "preact/hooks";
import { api, ApiError, errorText } from "./api";

export const POLL_MS = 1000;

export interface Polled<T> {
  data: T | null;
  error: string | null;
  status: number | null;
  /** When `data` was fetched (ms since epoch; a 304 keeps it): running clocks tick from here. */
  fetchedAt: number;
  refresh: () => void;
}

export function usePoll<T>(fn: string, path: string | null, intervalMs = POLL_MS): Polled<T> {
  const [state, setState] = useState<{ data: T | null; error: string | null; status: number | null; fetchedAt: number }>(
    { data: null, error: null, status: null, fetchedAt: Date.now() },
  );
  const etag = useRef<string | null>(null);
  const kick = useRef<() => void>(() => {});

  useEffect(() => {
    etag.current = null;
    setState({ data: null, error: null, status: null, fetchedAt: Date.now() });
    if (path === null) return;
    let stopped = false;
    let timer: number | undefined;
    let ctrl: AbortController | null = null;

    async function once() {
      window.clearTimeout(timer);
      ctrl?.abort();
      ctrl = new AbortController();
      try {
        const r = await api<T>(fn, path!, { ifNoneMatch: etag.current ?? undefined, signal: ctrl.signal });
        if (stopped) return;
        if (r.status === 304) {
          // Same rows; their clocks were computed at the last 200, so keep ticking from it.
          setState((s) => (s.error ? { ...s, error: null } : s));
        } else {
          etag.current = r.etag;
          setState({ data: r.body, error: null, status: r.status, fetchedAt: Date.now() });
        }
      } catch (e) {
        if (stopped || (e as Error).name === "AbortError") return;
        setState((s) => ({ ...s, error: errorText(e), status: e instanceof ApiError ? e.status : null }));
      }
      if (!stopped) timer = window.setTimeout(once, intervalMs);
    }
    kick.current = () => void once();
    void once();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
      ctrl?.abort();
    };
  }, [fn, path, intervalMs]);

  return { ...state, refresh: () => kick.current() };
}

/** Re-render every second (running clocks). */
export function useTicker(ms = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const id = window.setInterval(() => setNow(Date.now()), ms);
    return () => window.clearInterval(id);
  }, [ms]);
  return now;
}
