import type { User } from "firebase/auth";
import { useEffect, useState } from "preact/hooks";
import { api, errorText } from "./api";
import { initAuth } from "./auth";
import { loadConfig } from "./config";
import { onLangChange, t } from "./i18n";
import { MeContext, type Me } from "./me";
import { AccountPage } from "./pages/Account";
import { AgentsPage } from "./pages/Agents";
import { AuditPage } from "./pages/Audit";
import { DetailsPage } from "./pages/Details";
import { LivePage } from "./pages/Live";
import { SettingsPage } from "./pages/settings";
import { navigate, useRoute } from "./router";
import { navItems, Shell } from "./shell";
import { SignInPage } from "./signin";

type Auth = { state: "loading" } | { state: "out" } | { state: "in"; user: User };

export function App() {
  const [, setTick] = useState(0);
  const [auth, setAuth] = useState<Auth>({ state: "loading" });
  const [me, setMe] = useState<Me | null>(null);
  const [error, setError] = useState<string | null>(null);
  const route = useRoute();

  useEffect(() => onLangChange(() => setTick((n) => n + 1)), []);
  useEffect(() => {
    loadConfig()
      .then(() => initAuth((u) => setAuth(u ? { state: "in", user: u } : { state: "out" })))
      .catch((e) => setError(errorText(e)));
  }, []);
  const uid = auth.state === "in" ? auth.user.uid : null;
  useEffect(() => {
    setMe(null);
    if (!uid) return;
    setError(null);
    api<Me>("monitoring_http", "/me")
      .then((r) => setMe(r.body))
      .catch((e) => setError(errorText(e)));
  }, [uid]);

  if (error)
    return (
      <main id="main" class="signin">
        <div class="card" role="alert" data-testid="app-error">
          <h1>{t("error.title")}</h1>
          <p>{error}</p>
          <button type="button" onClick={() => location.reload()}>
            {t("error.retry")}
          </button>
        </div>
      </main>
    );
  if (auth.state === "loading" || (auth.state === "in" && !me))
    return (
      <main id="main" aria-busy="true">
        <p class="loading">{t("app.loading")}</p>
      </main>
    );
  if (auth.state === "out") return <SignInPage />;
  return (
    <MeContext.Provider value={me}>
      <Routed me={me!} parts={route.parts} />
    </MeContext.Provider>
  );
}

function Routed(props: { me: Me; parts: string[] }) {
  const items = navItems(props.me);
  const [page, id] = props.parts;
  const allowed = items.some((n) => n.id === page);
  useEffect(() => {
    if (!allowed) navigate(items[0].path);
  }, [allowed, page]);
  if (!allowed) return null;
  let body;
  if ((page === "calls" || page === "chats") && id)
    body = <DetailsPage kind={page === "calls" ? "call" : "chat"} id={id} />;
  else if (page === "calls") body = <LivePage kind="call" />;
  else if (page === "chats") body = <LivePage kind="chat" />;
  else if (page === "agents") body = <AgentsPage />;
  else if (page === "audit") body = <AuditPage />;
  else if (page === "settings") body = <SettingsPage parts={props.parts.slice(1)} />;
  else body = <AccountPage nothingElse={items.length === 1} />;
  return <Shell active={page}>{body}</Shell>;
}
