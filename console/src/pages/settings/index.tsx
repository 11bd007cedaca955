// Settings: the pages of the source document's Settings menu. Who sees what is asked of the
// API itself (the same checks as every write): no `settings.edit` -> no Settings; a
// team-scoped editor gets only their teams' queues and those queues' notifications.
import { useEffect, useState } from "preact/hooks";
import { t } from "../../i18n";
import { call, type ApiErrorBody } from "./client";
import { CenterPage } from "./hours";
import { DeflectionPage } from "./deflection";
import { QueuesPage, type QueueRow } from "./queues";
import { LanguagesPage } from "./languages";
import { NotificationsPage } from "./notifications";
import { PeoplePage } from "./people";
import { HistoryPage } from "./history";
import { useMe } from "../../me";
import { link } from "../../router";
import { ErrorBox, Loading } from "./widgets";
import "./settings.css";

export type Section = "center" | "deflection" | "queues" | "languages" | "notifications" | "people" | "history";
const CENTER_WIDE: Section[] = ["center", "deflection", "queues", "languages", "notifications", "people", "history"];
const TEAM_SCOPED: Section[] = ["queues", "notifications", "history"];

interface Access {
  allowed: boolean;
  centerWide: boolean;
  zone: string;
  queues: QueueRow[];
  error: ApiErrorBody | null;
}

/** Route #/settings/<section>: `parts` is what follows "settings". */
export function SettingsPage({ parts }: { parts: string[] }) {
  const me = useMe();
  const [access, setAccess] = useState<Access | null>(null);
  const section = (CENTER_WIDE as string[]).includes(parts[0] ?? "") ? (parts[0] as Section) : null;

  const load = async () => {
    const q = await call<{ queues: QueueRow[] }>("settings_http", "/settings/queues");
    if (q.error) {
      setAccess({ allowed: false, centerWide: false, zone: me.center_time_zone, queues: [], error: q.error });
      return;
    }
    const c = await call<{ data: { timezone: string } }>("settings_http", "/settings/center");
    setAccess({
      allowed: true,
      centerWide: !c.error,
      zone: c.error ? me.center_time_zone : c.body.data.timezone,
      queues: q.body.queues,
      error: null,
    });
  };
  useEffect(() => {
    void load();
  }, []);

  if (!access) return <Loading loading />;
  if (!access.allowed) {
    return (
      <section data-testid="settings-denied" aria-labelledby="settings-title">
        <h1 id="settings-title">{t("settings.title")}</h1>
        <p>{t("settings.denied")}</p>
        <ErrorBox error={access.error} />
      </section>
    );
  }
  const sections = access.centerWide ? CENTER_WIDE : TEAM_SCOPED;
  const current = section && sections.includes(section) ? section : sections[0];
  const queues = access.queues.map((q) => ({ id: q.id, path: q.path }));
  return (
    <section class="settings" data-testid="settings-page" aria-labelledby="settings-title">
      <h1 id="settings-title">{t("settings.title")}</h1>
      {!access.centerWide && <p data-testid="settings-team-scoped">{t("settings.teamScoped")}</p>}
      <nav aria-label={t("settings.title")} class="settings-nav">
        <ul>
          {sections.map((s) => (
            <li key={s}>
              <a
                {...link(`/settings/${s}`)}
                aria-current={s === current ? "page" : undefined}
                data-testid={`settings-tab-${s}`}
              >
                {t(`settings.section.${s}`)}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <div class="settings-body">
        {current === "center" && <CenterPage queues={queues} />}
        {current === "deflection" && <DeflectionPage queues={queues} zone={access.zone} />}
        {current === "queues" && <QueuesPage queues={access.queues} zone={access.zone} reload={() => void load()} />}
        {current === "languages" && <LanguagesPage zone={access.zone} />}
        {current === "notifications" && <NotificationsPage queues={queues} global={access.centerWide} />}
        {current === "people" && <PeoplePage queueIds={access.queues.map((q) => q.id)} />}
        {current === "history" && <HistoryPage zone={access.zone} centerWide={access.centerWide} />}
      </div>
    </section>
  );
}

export default SettingsPage;
