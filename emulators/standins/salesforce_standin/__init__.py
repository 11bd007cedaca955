"""Local stand-in for the Salesforce REST API (OAuth token, sObjects, ContentVersion, SOQL)
and the one SOAP partner call REST lacks, merge().

`state.SalesforceState` holds tokens, records and ContentVersion blobs and the rules that
change them; each resource is a blueprint (`oauth`, `content_versions`, `sobjects`,
`soap`, `query`, `control`); `soql.py` and `multipart.py` parse what the wire brings;
`app.create_app` puts them together.
"""
