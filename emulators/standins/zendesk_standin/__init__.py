"""Local stand-in for the Zendesk Support API (v2) with fault injection.

Speaks the shapes our CRM client depends on: uploads with tokens that expire after 60
minutes, ticket comments that attach uploads in order (a token can be attached once),
users with create_or_update/search/merge, custom fields and tags on tickets. Uploads are
streamed to disk and hashed so tests can assert "byte-identical, exactly once, in order".

`state.ZendeskState` holds users, tickets, comments, uploads and attachments and the rules
that change them; each resource is a blueprint (`uploads`, `attachments`, `tickets`,
`users`, `control`); `app.create_app` puts them together.
"""
