// Small labelled form controls and the error / conflict boxes every settings page uses.
import type { ComponentChildren } from "preact";
import { t } from "../../i18n";
import type { ApiErrorBody } from "./client";
import { differingPaths, type Conflict } from "./resource";

let seq = 0;
const uid = (p: string) => `${p}-${++seq}`;

export function ErrorBox({ error, testid = "settings-error" }: { error: ApiErrorBody | null; testid?: string }) {
  if (!error) return null;
  return (
    <div class="settings-error" role="alert" data-testid={testid}>
      <p>{error.message}</p>
      {error.errors && error.errors.length > 1 && (
        <ul>
          {error.errors.map((e) => (
            <li key={e.field + e.problem}>
              <code>{e.field}</code>: {e.problem}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Status({ text, testid = "settings-status" }: { text: string | null; testid?: string }) {
  return (
    <p class="settings-status" role="status" aria-live="polite" data-testid={testid}>
      {text ?? ""}
    </p>
  );
}

export function ConflictView<T>({
  conflict,
  onKeepTheirs,
  onOverwrite,
}: {
  conflict: Conflict<T>;
  onKeepTheirs: () => void;
  onOverwrite: () => void;
}) {
  const rows = differingPaths(conflict.theirs, conflict.mine);
  return (
    <section class="settings-conflict" role="alert" data-testid="settings-conflict" aria-labelledby="conflict-title">
      <h3 id="conflict-title">{t("settings.conflict.title")}</h3>
      <p>{t("settings.conflict.explain")}</p>
      <table>
        <thead>
          <tr>
            <th scope="col">{t("settings.conflict.field")}</th>
            <th scope="col">{t("settings.conflict.theirs")}</th>
            <th scope="col">{t("settings.conflict.mine")}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.path} data-testid="settings-conflict-row">
              <th scope="row">
                <code>{r.path}</code>
              </th>
              <td data-testid="settings-conflict-theirs">{r.a ?? "—"}</td>
              <td data-testid="settings-conflict-mine">{r.b ?? "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div class="settings-actions">
        <button type="button" onClick={onKeepTheirs} data-testid="settings-conflict-keep-theirs">
          {t("settings.conflict.keepTheirs")}
        </button>
        <button type="button" onClick={onOverwrite} data-testid="settings-conflict-overwrite">
          {t("settings.conflict.overwrite")}
        </button>
      </div>
    </section>
  );
}

export function TextField(props: {
  label: string;
  value: string;
  onInput: (v: string) => void;
  testid: string;
  type?: string;
  placeholder?: string;
  help?: string;
  multiline?: boolean;
}) {
  const id = uid(props.testid);
  const help = props.help ? `${id}-help` : undefined;
  return (
    <div class="settings-field">
      <label for={id}>{props.label}</label>
      {props.multiline ? (
        <textarea
          id={id}
          value={props.value}
          rows={3}
          aria-describedby={help}
          data-testid={props.testid}
          onInput={(e) => props.onInput((e.target as HTMLTextAreaElement).value)}
        />
      ) : (
        <input
          id={id}
          type={props.type ?? "text"}
          value={props.value}
          placeholder={props.placeholder}
          aria-describedby={help}
          data-testid={props.testid}
          onInput={(e) => props.onInput((e.target as HTMLInputElement).value)}
        />
      )}
      {props.help && (
        <small id={help} class="settings-help">
          {props.help}
        </small>
      )}
    </div>
  );
}

export function Check(props: {
  label: string;
  checked: boolean;
  onChange: (v: boolean) => void;
  testid: string;
  disabled?: boolean;
}) {
  const id = uid(props.testid);
  return (
    <div class="settings-check">
      <input
        id={id}
        type="checkbox"
        checked={props.checked}
        disabled={props.disabled}
        data-testid={props.testid}
        onChange={(e) => props.onChange((e.target as HTMLInputElement).checked)}
      />
      <label for={id}>{props.label}</label>
    </div>
  );
}

export function Select(props: {
  label: string;
  value: string;
  options: { value: string; label: string }[];
  onChange: (v: string) => void;
  testid: string;
}) {
  const id = uid(props.testid);
  return (
    <div class="settings-field">
      <label for={id}>{props.label}</label>
      <select
        id={id}
        value={props.value}
        data-testid={props.testid}
        onChange={(e) => props.onChange((e.target as HTMLSelectElement).value)}
      >
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

export function Fieldset({ legend, children, testid }: { legend: string; children: ComponentChildren; testid?: string }) {
  return (
    <fieldset class="settings-fieldset" data-testid={testid}>
      <legend>{legend}</legend>
      {children}
    </fieldset>
  );
}

/** Check boxes for a set of values (options of a deflection, roles of a user...). */
export function CheckSet(props: {
  legend: string;
  values: string[];
  chosen: string[];
  onChange: (v: string[]) => void;
  testid: string;
  labelOf?: (v: string) => string;
}) {
  return (
    <Fieldset legend={props.legend} testid={props.testid}>
      {props.values.map((v) => (
        <Check
          key={v}
          label={props.labelOf ? props.labelOf(v) : v}
          checked={props.chosen.includes(v)}
          testid={`${props.testid}-${v}`}
          onChange={(on) =>
            props.onChange(on ? [...props.chosen.filter((x) => x !== v), v] : props.chosen.filter((x) => x !== v))
          }
        />
      ))}
    </Fieldset>
  );
}

export function Loading({ loading }: { loading: boolean }) {
  return loading ? <p aria-busy="true">{t("settings.loading")}</p> : null;
}

/** A form not loaded yet: loading, or the API's refusal. */
export function Pending({ res }: { res: { loading: boolean; error: ApiErrorBody | null } }) {
  return (
    <>
      <Loading loading={res.loading} />
      <ErrorBox error={res.error} />
    </>
  );
}
