// Sign-in with Identity Platform through the Firebase JS SDK (the Auth emulator locally):
// email / password, then the SMS second factor when the account has one enrolled.
import { initializeApp, type FirebaseApp } from "firebase/app";
import {
  connectAuthEmulator,
  getAuth,
  getMultiFactorResolver,
  onIdTokenChanged,
  PhoneAuthProvider,
  PhoneMultiFactorGenerator,
  RecaptchaVerifier,
  signInWithEmailAndPassword,
  signOut as fbSignOut,
  type Auth,
  type MultiFactorError,
  type MultiFactorResolver,
  type User,
} from "firebase/auth";
import { config } from "./config";

let app: FirebaseApp | null = null;
let auth: Auth | null = null;

export function initAuth(onUser: (u: User | null) => void): void {
  const cfg = config();
  app = initializeApp(cfg.firebase);
  auth = getAuth(app);
  if (cfg.authEmulator) {
    connectAuthEmulator(auth, cfg.authEmulator, { disableWarnings: true });
    // The emulator's phone factor needs no reCAPTCHA (and the page loads nothing remote).
    auth.settings.appVerificationDisabledForTesting = true;
  }
  onIdTokenChanged(auth, onUser);
}

export async function idToken(): Promise<string | null> {
  return auth?.currentUser ? auth.currentUser.getIdToken() : null;
}

/** What a password sign-in gave: done, or a second factor to verify. */
export type SignInStep =
  | { kind: "done" }
  | { kind: "second_factor"; resolver: MultiFactorResolver; verificationId: string; phone: string };

export async function signIn(email: string, password: string, captchaEl: HTMLElement): Promise<SignInStep> {
  try {
    await signInWithEmailAndPassword(auth!, email, password);
    return { kind: "done" };
  } catch (e) {
    if ((e as { code?: string }).code !== "auth/multi-factor-auth-required") throw e;
    const resolver = getMultiFactorResolver(auth!, e as MultiFactorError);
    const hint = resolver.hints.find((h) => h.factorId === PhoneMultiFactorGenerator.FACTOR_ID);
    if (!hint) throw new Error("this account's second factor is not a phone; use another sign-in");
    const verifier = new RecaptchaVerifier(auth!, captchaEl, { size: "invisible" });
    const verificationId = await new PhoneAuthProvider(auth!).verifyPhoneNumber(
      { multiFactorHint: hint, session: resolver.session },
      verifier,
    );
    return {
      kind: "second_factor",
      resolver,
      verificationId,
      phone: (hint as { phoneNumber?: string }).phoneNumber ?? "",
    };
  }
}

export async function confirmSecondFactor(step: SignInStep, code: string): Promise<void> {
  if (step.kind !== "second_factor") return;
  const cred = PhoneAuthProvider.credential(step.verificationId, code);
  await step.resolver.resolveSignIn(PhoneMultiFactorGenerator.assertion(cred));
}

export async function signOut(): Promise<void> {
  if (auth) await fbSignOut(auth);
}

/** Firebase error codes as a person reads them. */
export function signInError(e: unknown): string {
  const code = (e as { code?: string }).code ?? "";
  if (
    code === "auth/invalid-credential" ||
    code === "auth/wrong-password" ||
    code === "auth/user-not-found" ||
    code === "auth/invalid-login-credentials"
  )
    return "signin.bad_credentials";
  if (code === "auth/invalid-verification-code") return "signin.bad_code";
  if (code === "auth/too-many-requests") return "signin.too_many";
  return (e as Error)?.message ?? String(e);
}
