// Hash routing (#/calls, #/calls/<id>, #/settings/...): the page is one index.html served
// under any path prefix, so the route lives in the fragment.
import { useEffect, useState } from "preact/hooks";

export interface Route {
  path: string; // e.g. "/calls/CA123"
  parts: string[]; // ["calls", "CA123"]
  query: URLSearchParams;
}

function parse(): Route {
  const raw = location.hash.replace(/^#/, "") || "/";
  const [path, qs] = raw.split("?", 2);
  return {
    path,
    parts: path.split("/").filter(Boolean).map(decodeURIComponent),
    query: new URLSearchParams(qs ?? ""),
  };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(parse);
  useEffect(() => {
    const on = () => setRoute(parse());
    window.addEventListener("hashchange", on);
    return () => window.removeEventListener("hashchange", on);
  }, []);
  return route;
}

export function navigate(path: string): void {
  location.hash = "#" + path;
}

/** An href for a route; the click handler keeps navigation in the page whatever <base> says. */
export function link(path: string): { href: string; onClick: (e: MouseEvent) => void } {
  return {
    href: "#" + path,
    onClick: (e: MouseEvent) => {
      if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
      e.preventDefault();
      navigate(path);
    },
  };
}
