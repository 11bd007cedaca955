// The frame around every page: navigation (only the pages the roles allow), the signed-in
// person (name, roles, teams), the language switch and sign-out.
import type { ComponentChildren } from "preact";
import { signOut } from "./auth";
import { LANGS, lang, setLang, t, type Lang } from "./i18n";
import { can, useMe, type Me } from "./me";
import { link } from "./router";

export interface NavItem {
  id: string;
  path: string;
  label: string;
}

export function navItems(me: Me): NavItem[] {
  const out: NavItem[] = [];
  if (can(me, "monitor")) {
    out.push({ id: "calls", path: "/calls", label: t("nav.calls") });
    out.push({ id: "chats", path: "/chats", label: t("nav.chats") });
    out.push({ id: "agents", path: "/agents", label: t("nav.agents") });
  }
  if (can(me, "audit.read")) out.push({ id: "audit", path: "/audit", label: t("nav.audit") });
  if (can(me, "settings.edit")) out.push({ id: "settings", path: "/settings", label: t("nav.settings") });
  out.push({ id: "account", path: "/account", label: t("nav.account") });
  return out;
}

export function LangSwitch() {
  return (
    <label class="lang">
      <span>{t("lang.label")}</span>
      <select
        data-testid="lang-switch"
        value={lang()}
        onChange={(e) => setLang((e.target as HTMLSelectElement).value as Lang)}
      >
        {LANGS.map((l) => (
          <option value={l} key={l}>
            {t(`lang.${l}`)}
          </option>
        ))}
      </select>
    </label>
  );
}

export function Shell(props: { active: string; children: ComponentChildren }) {
  const me = useMe();
  const teams = me.user.all_queues
    ? t("user.all_teams")
    : me.user.teams.map((x) => x.name).join(", ") || t("common.none");
  return (
    <div class="shell">
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById("main")?.focus(); }}>
        {t("app.skip")}
      </a>
      <header class="top">
        <span class="brand">{t("app.title")}</span>
        <nav aria-label={t("nav.label")}>
          <ul>
            {navItems(me).map((n) => (
              <li key={n.id}>
                <a
                  {...link(n.path)}
                  data-testid={`nav-${n.id}`}
                  aria-current={props.active === n.id ? "page" : undefined}
                >
                  {n.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="who" data-testid="user-box">
          <span class="name" data-testid="user-name">{me.user.name}</span>
          <span class="meta">
            <span data-testid="user-roles">{me.user.roles.map((r) => r.name).join(", ")}</span>
            {" · "}
            <span data-testid="user-teams">{teams}</span>
          </span>
        </div>
        <LangSwitch />
        <button type="button" data-testid="signout" onClick={() => void signOut()}>
          {t("signin.out")}
        </button>
      </header>
      {me.user.needs_second_factor_for.length > 0 && (
        <p class="banner" role="status" data-testid="mfa-banner">
          {t("user.mfa_needed", { perms: me.user.needs_second_factor_for.join(", ") })}
        </p>
      )}
      <main id="main" tabIndex={-1}>
        {props.children}
      </main>
    </div>
  );
}
