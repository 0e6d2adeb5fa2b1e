"""`guardrails scan`: judge what already exists in one account or many (list, describe, decide)."""
