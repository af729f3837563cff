"""Consultations on draft catalogue editions (Art. 10: public opinion is solicited during compilation).

load → rules → state → render: `load_consultations` reads `content/consultations/`, the rules check
it against the catalogue, `state_at` says where each stands on `--as-of`, and `render_consultations`
writes the pages, the comment templates and the feed.
"""

from generator.consultations.load import load_consultations
from generator.consultations.model import Comment, Consultation
from generator.consultations.render import home_context, nav_entry, render_consultations
from generator.consultations.search import search_docs
from generator.consultations.state import State, state_at

__all__ = [
    "Comment",
    "Consultation",
    "State",
    "home_context",
    "load_consultations",
    "nav_entry",
    "render_consultations",
    "search_docs",
    "state_at",
]
