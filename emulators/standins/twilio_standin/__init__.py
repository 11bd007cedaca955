"""Local stand-in for Twilio's Voice/Messaging REST API (2010-04-01) with fault injection.

Production code only gets a base URL and credentials, so this speaks Twilio's wire format:
form-encoded requests, JSON answers shaped like Twilio's, Basic auth AccountSid:AuthToken,
signed (X-Twilio-Signature) status callbacks. Recording media is generated on the fly and
is deterministic, so tests can tell exactly which seconds reached the CRM.

`state.TwilioState` holds the calls, conferences, recordings and messages and the rules
that change them; each resource is a blueprint (`calls`, `conferences`, `participants`,
`recordings`, `messages`, `control`); `app.create_app` puts them together.
"""
