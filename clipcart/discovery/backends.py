"""Full-text matching, one backend per dialect behind ``SearchBackend``.

A backend turns query terms into a subquery of ``(pid, score)``: the matching product IDs
with an integer relevance score (higher is better). Scores are integers (the engine's
rank scaled by a billion and truncated) so that a page token can carry them exactly.
"""

from __future__ import annotations

import re
from typing import Protocol

from sqlalchemy import BigInteger, Subquery, text
from sqlalchemy.orm import Session

MAX_TERMS = 8
_WORD = re.compile(r"[^\W_]+")


def terms_of(query: str) -> list[str]:
    """The words of a query, lower-cased; punctuation and operators are dropped."""
    return _WORD.findall(query.casefold())[:MAX_TERMS]


class SearchBackend(Protocol):
    name: str

    def hits(self, terms: list[str]) -> Subquery:
        """Products whose text has every term (as a word prefix): columns pid, score."""
        ...


class SqliteFts5:
    """FTS5 with BM25; the title weighs four times the rest."""

    name = "sqlite-fts5"

    def hits(self, terms: list[str]) -> Subquery:
        match = " ".join(f'"{t}"*' for t in terms)
        return (text("SELECT rowid AS pid, "
                     "CAST(-bm25(product_search_fts, 4.0, 1.0) * 1000000000 AS INTEGER) AS score "
                     "FROM product_search_fts WHERE product_search_fts MATCH :match")
                .bindparams(match=match).columns(pid=BigInteger, score=BigInteger)
                .subquery("hits"))


class PostgresFullText:
    """A weighted tsvector (title A, the rest B) ranked by ts_rank, 'simple' configuration:
    markets write in several languages, so no stemming dictionary is imposed."""

    name = "postgresql-tsvector"

    def hits(self, terms: list[str]) -> Subquery:
        tsquery = " & ".join(f"{t}:*" for t in terms)
        return (text("SELECT product_id AS pid, "
                     "CAST(ts_rank(search_vector, to_tsquery('simple', :tsq)) * 1000000000 "
                     "AS BIGINT) AS score FROM product_search "
                     "WHERE search_vector @@ to_tsquery('simple', :tsq)")
                .bindparams(tsq=tsquery).columns(pid=BigInteger, score=BigInteger)
                .subquery("hits"))


def backend_for(session: Session) -> SearchBackend:
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        return SqliteFts5()
    if dialect == "postgresql":
        return PostgresFullText()
    raise RuntimeError(f"no search backend for {dialect}")
