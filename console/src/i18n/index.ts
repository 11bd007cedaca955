// English and Korean. t(key) looks the key up in the current language, then English.
// Settings pages keep their strings in settings.<lang>.ts (their own files), merged here.
import en from "./en";
import ko from "./ko";
import settingsEn from "./settings.en";
import settingsKo from "./settings.ko";

export type Lang = "en" | "ko";
export const LANGS: Lang[] = ["en", "ko"];
const DICTS: Record<Lang, Record<string, string>> = {
  en: { ...en, ...settingsEn },
  ko: { ...ko, ...settingsKo },
};
const STORAGE_KEY = "console.lang";

function initial(): Lang {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (saved === "en" || saved === "ko") return saved;
  return (navigator.language || "en").toLowerCase().startsWith("ko") ? "ko" : "en";
}

let current: Lang = initial();
const listeners = new Set<() => void>();

export function lang(): Lang {
  return current;
}

export function setLang(l: Lang): void {
  current = l;
  localStorage.setItem(STORAGE_KEY, l);
  document.documentElement.lang = l;
  listeners.forEach((f) => f());
}

export function onLangChange(f: () => void): () => void {
  listeners.add(f);
  return () => listeners.delete(f);
}

/** The string for key, with {name} placeholders filled from vars. */
export function t(key: string, vars?: Record<string, string | number>): string {
  let s = DICTS[current][key] ?? DICTS.en[key] ?? key;
  if (vars) for (const [k, v] of Object.entries(vars)) s = s.split(`{${k}}`).join(String(v));
  return s;
}

document.documentElement.lang = current;
