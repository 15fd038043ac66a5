"""Text analytics: language detection and sentiment scoring of customer-side free text.

Everything here runs offline: the scorers and the language model ship inside their wheels
(docs/text_analytics.md, docs/stack_pitfalls.md #7). Employee survey comments are never scored (docs/decisions.md D34).
"""
