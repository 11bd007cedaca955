// Settings > Users / Teams / Roles: one list and one form per kind, each entry its own
// resource (ETag, If-Match, conflict shown on 412).
import { useEffect, useState } from "preact/hooks";
import { t } from "../../i18n";
import { call, type ApiErrorBody } from "./client";
import { clone, settingsShape, useResource } from "./resource";
import { Check, CheckSet, ConflictView, ErrorBox, Select, Status, TextField, Pending } from "./widgets";

type Kind = "users" | "teams" | "roles";
type Entry = Record<string, unknown>;

// The permission names the API knows (core.config.schema.people.PERMISSIONS).
const PERMISSIONS = [
  "monitor",
  "monitor.coach",
  "monitor.barge",
  "Monitor-Chats-Edit",
  "settings.edit",
  "audit.read",
  "sessions.assign",
  "smartactions.request",
  "smartactions.supervise",
  "recordings.read",
];

interface ListBody {
  items: { id: string; data: Entry }[];
  builtin?: Record<string, Entry>;
}

export function PeoplePage({ queueIds }: { queueIds: string[] }) {
  const [kind, setKind] = useState<Kind>("users");
  const [lists, setLists] = useState<Record<Kind, ListBody>>({
    users: { items: [] },
    teams: { items: [] },
    roles: { items: [] },
  });
  const [current, setCurrent] = useState("");
  const [newId, setNewId] = useState("");
  const [error, setError] = useState<ApiErrorBody | null>(null);
  const load = async () => {
    const out = { ...lists };
    for (const k of ["users", "teams", "roles"] as Kind[]) {
      const r = await call<ListBody>("settings_http", `/settings/${k}`);
      if (r.error) return setError(r.error);
      out[k] = r.body;
    }
    setError(null);
    setLists(out);
  };
  useEffect(() => {
    void load();
  }, []);
  const items = lists[kind].items;
  const roleIds = [...Object.keys(lists.roles.builtin ?? {}), ...lists.roles.items.map((i) => i.id)];
  const blank: Record<Kind, Entry> = {
    users: { name: "", roles: [], teams: [] },
    teams: { name: "", queues: [] },
    roles: { name: "", permissions: [], scope: "teams" },
  };
  return (
    <section aria-labelledby="people-title" data-testid="settings-people">
      <h2 id="people-title">{t("settings.people.title")}</h2>
      <div role="tablist" aria-label={t("settings.people.title")} class="settings-tabs">
        {(["users", "teams", "roles"] as Kind[]).map((k) => (
          <button
            key={k}
            role="tab"
            type="button"
            aria-selected={k === kind}
            data-testid={`people-tab-${k}`}
            onClick={() => {
              setKind(k);
              setCurrent("");
            }}
          >
            {t(`settings.people.${k}`)}
          </button>
        ))}
      </div>
      <ErrorBox error={error} />
      <div class="settings-split" role="tabpanel">
        <div>
          <ul class="settings-list" data-testid={`people-${kind}-list`} aria-label={t(`settings.people.${kind}`)}>
            {items.map((i) => (
              <li key={i.id}>
                <button
                  type="button"
                  aria-current={i.id === current ? "true" : undefined}
                  data-testid="people-row"
                  data-id={i.id}
                  onClick={() => setCurrent(i.id)}
                >
                  {String(i.data.name || i.id)} <small>({i.id})</small>
                </button>
              </li>
            ))}
          </ul>
          {kind === "roles" && (
            <p class="settings-help">
              {t("settings.people.builtin")}: {Object.keys(lists.roles.builtin ?? {}).join(", ")}
            </p>
          )}
          <form
            class="settings-inline"
            onSubmit={async (e) => {
              e.preventDefault();
              const id = newId.trim();
              if (!id) return;
              const body = { ...blank[kind], name: id };
              const r = await call("settings_http", `/settings/${kind}/${encodeURIComponent(id)}`, { method: "PUT", body });
              if (r.error) return setError(r.error);
              setNewId("");
              await load();
              setCurrent(id);
            }}
          >
            <TextField label={t("settings.people.newId")} value={newId} testid={`people-${kind}-new-id`} onInput={setNewId} />
            <button type="submit" data-testid={`people-${kind}-create`}>
              {t("settings.people.create")}
            </button>
          </form>
        </div>
        {current && (
          <EntryForm
            key={`${kind}/${current}`}
            kind={kind}
            id={current}
            roleIds={roleIds}
            teamIds={lists.teams.items.map((i) => i.id)}
            queueIds={queueIds}
            onChanged={async (gone) => {
              if (gone) setCurrent("");
              await load();
            }}
          />
        )}
      </div>
    </section>
  );
}

function EntryForm(props: {
  kind: Kind;
  id: string;
  roleIds: string[];
  teamIds: string[];
  queueIds: string[];
  onChanged: (gone: boolean) => void;
}) {
  const path = `/settings/${props.kind}/${encodeURIComponent(props.id)}`;
  const res = useResource<Entry>("settings_http", path, settingsShape());
  const [form, setForm] = useState<Entry | null>(null);
  useEffect(() => setForm(res.data ? clone(res.data) : null), [res.data]);
  useEffect(() => {
    if (res.saved) props.onChanged(false);
  }, [res.saved]);
  if (!form) return <Pending res={res} />;
  const str = (k: string) => (form[k] as string | null | undefined) ?? "";
  const list = (k: string) => (form[k] as string[] | undefined) ?? [];
  const set = (k: string, v: unknown) => setForm({ ...form, [k]: v });
  const p = `${props.kind}-form`;
  return (
    <form
      class="settings-detail"
      data-testid={p}
      data-id={props.id}
      onSubmit={(e) => {
        e.preventDefault();
        void res.save(form);
      }}
    >
      <h3>{props.id}</h3>
      <ErrorBox error={res.error} testid={`${p}-error`} />
      {res.conflict && <ConflictView conflict={res.conflict} onKeepTheirs={res.keepTheirs} onOverwrite={res.overwrite} />}
      <TextField label={t("settings.people.name")} value={str("name")} testid={`${p}-name`} onInput={(v) => set("name", v)} />
      {props.kind === "users" && (
        <>
          <TextField label={t("settings.people.email")} type="email" value={str("email")} testid={`${p}-email`} onInput={(v) => set("email", v || null)} />
          <TextField label={t("settings.people.phone")} type="tel" value={str("phone")} testid={`${p}-phone`} onInput={(v) => set("phone", v || null)} />
          <Check label={t("settings.people.active")} checked={form.active !== false} testid={`${p}-active`} onChange={(v) => set("active", v)} />
          <CheckSet legend={t("settings.people.roles")} values={props.roleIds} chosen={list("roles")} testid={`${p}-roles`} onChange={(v) => set("roles", v)} />
          <CheckSet legend={t("settings.people.teams")} values={props.teamIds} chosen={list("teams")} testid={`${p}-teams`} onChange={(v) => set("teams", v)} />
        </>
      )}
      {props.kind === "teams" && (
        <CheckSet legend={t("settings.people.queues")} values={props.queueIds} chosen={list("queues")} testid={`${p}-queues`} onChange={(v) => set("queues", v)} />
      )}
      {props.kind === "roles" && (
        <>
          <CheckSet legend={t("settings.people.permissions")} values={PERMISSIONS} chosen={list("permissions")} testid={`${p}-permissions`} onChange={(v) => set("permissions", v)} />
          <Select
            label={t("settings.people.scope")}
            value={str("scope") || "teams"}
            options={[
              { value: "teams", label: t("settings.people.scopeTeams") },
              { value: "all", label: t("settings.people.scopeAll") },
            ]}
            testid={`${p}-scope`}
            onChange={(v) => set("scope", v)}
          />
          <Check label={t("settings.people.mfa")} checked={!!form.mfa_required} testid={`${p}-mfa`} onChange={(v) => set("mfa_required", v)} />
        </>
      )}
      <div class="settings-actions">
        <button type="submit" data-testid={`${p}-save`}>
          {t("settings.save")}
        </button>
        <button
          type="button"
          data-testid={`${p}-delete`}
          onClick={async () => {
            if (!window.confirm(t("settings.people.confirmDelete", { id: props.id }))) return;
            const r = await call("settings_http", path, { method: "DELETE", ifMatch: res.etag ?? undefined });
            if (r.error) return res.setError(r.error);
            props.onChanged(true);
          }}
        >
          {t("settings.delete")}
        </button>
      </div>
      <Status text={res.saved ? t("settings.saved") : null} testid={`${p}-status`} />
    </form>
  );
}
