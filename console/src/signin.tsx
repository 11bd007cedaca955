import { useRef, useState } from "preact/hooks";
import { confirmSecondFactor, signIn, signInError, type SignInStep } from "./auth";
import { t } from "./i18n";
import { LangSwitch } from "./shell";

export function SignInPage() {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const [step, setStep] = useState<SignInStep | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const captcha = useRef<HTMLDivElement>(null);

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (step?.kind === "second_factor") {
        await confirmSecondFactor(step, code.trim());
      } else {
        const next = await signIn(email.trim(), password, captcha.current!);
        if (next.kind === "second_factor") setStep(next);
      }
    } catch (err) {
      setError(signInError(err));
    } finally {
      setBusy(false);
    }
  }

  const mfa = step?.kind === "second_factor";
  return (
    <main class="signin" id="main">
      <div class="signin-top">
        <LangSwitch />
      </div>
      <form class="card" onSubmit={submit} aria-labelledby="signin-title" data-testid="signin-form">
        <h1 id="signin-title">{t("signin.title")}</h1>
        <p class="muted">{t("app.title")}</p>
        {!mfa && (
          <>
            <label for="signin-email">{t("signin.email")}</label>
            <input
              id="signin-email"
              data-testid="signin-email"
              type="email"
              autocomplete="username"
              required
              value={email}
              onInput={(e) => setEmail((e.target as HTMLInputElement).value)}
            />
            <label for="signin-password">{t("signin.password")}</label>
            <input
              id="signin-password"
              data-testid="signin-password"
              type="password"
              autocomplete="current-password"
              required
              value={password}
              onInput={(e) => setPassword((e.target as HTMLInputElement).value)}
            />
          </>
        )}
        {mfa && step.kind === "second_factor" && (
          <>
            <p>{t("signin.code_sent", { phone: step.phone })}</p>
            <label for="signin-code">{t("signin.code")}</label>
            <input
              id="signin-code"
              data-testid="signin-code"
              inputMode="numeric"
              autocomplete="one-time-code"
              required
              value={code}
              onInput={(e) => setCode((e.target as HTMLInputElement).value)}
            />
          </>
        )}
        {error && (
          <p class="error" role="alert" data-testid="signin-error">
            {t(error)}
          </p>
        )}
        <button type="submit" class="primary" data-testid="signin-submit" disabled={busy}>
          {busy ? t("signin.working") : mfa ? t("signin.verify") : t("signin.submit")}
        </button>
        <div ref={captcha} />
      </form>
    </main>
  );
}
