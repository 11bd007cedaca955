"""Enrol a CRM integration's key for the second factor of recording access.

    printf '%s\n' "$CRM_KEY" | python -m recordings.enrol [--issuer NAME]

Reads the CRM key on stdin (never on the command line, where it would stay in the shell
history and the process list), makes a new 160-bit TOTP secret and prints:
- `entry: key_id:SECRET`, to append (comma-separated) to the RECORDINGS_CRM_TOTP_SECRETS
  secret in Secret Manager (a new version; the function reads it at its next start);
- the otpauth:// URI and the bare secret, for the CRM integration's TOTP generator.
The key itself is never printed; key_id is a hash prefix that names it in audit entries.
"""

from __future__ import annotations

import argparse
import sys


def main() -> None:
    import pyotp

    from recordings.config import key_id

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--issuer", default="contact-center-recordings")
    args = ap.parse_args()
    key = sys.stdin.readline().strip()
    if not key:
        sys.exit("enrol: give the CRM key on stdin")
    kid = key_id(key)
    secret = pyotp.random_base32(32)
    uri = pyotp.TOTP(secret).provisioning_uri(name=f"crm-key-{kid}", issuer_name=args.issuer)
    print(f"key_id: {kid}")
    print(f"entry: {kid}:{secret}")
    print(f"otpauth: {uri}")
    print("Append the entry to RECORDINGS_CRM_TOTP_SECRETS; give the otpauth URI (or the")
    print("secret, RFC 6238: SHA-1, 6 digits, 30 s) to the CRM integration, over a safe channel.")


if __name__ == "__main__":
    main()
