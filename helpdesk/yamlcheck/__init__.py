"""One validator for the YAML files people edit (routing rules, SLA policies and calendar
years, IVR scripts): `read` parses keeping the line of every key and item, `validate` runs a
pydantic model per file kind and maps each error back to (file, line, field, message), and
`DocError` is the one error type the loaders, the semantic checks, the CLIs and the admin
editors share. Messages are msgids translated when shown: Chinese first (CLI, logs), the
page's language in a request."""
