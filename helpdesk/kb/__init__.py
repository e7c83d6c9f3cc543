"""The knowledge base (服务导航): service guides by platform and category, written in Markdown,
kept in versions, reviewed before publishing, found by the search module and suggested to
enterprises as they type a need (deflection counted)."""
