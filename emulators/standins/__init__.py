"""Local stand-ins for third-party SaaS (Twilio, Zendesk, Salesforce) with fault injection.

Each module has `create_app(**config)`, `serve(port=0) -> ServerHandle` and a
`python -m emulators.standins.<module> --port N` entry point; see README.md.
"""
