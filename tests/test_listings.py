"""Which generated lists an essay's change touches, without a Sphinx build.

``pages_to_rewrite`` rewrites a page only if one of its listings shows
something of an essay's old or new record (``_shows_a_change``);
``tests/test_incremental.py`` checks the same through real builds.
"""

from __future__ import annotations

import pytest

from kb.listings import _shows_a_change
from kb.models import Authorship, Essay


def essay(themes: tuple[str, ...] = ("ios",), people: tuple[str, ...] = ("ann",),
          title: str = "T") -> Essay:
    return Essay("essays/e", title, None,
                 tuple(Authorship(p, None, (), ()) for p in people),
                 tuple((t, 0) for t in themes), ())


EDITED_TITLE = [(essay(), essay(title="New"))]
MOVED_THEME = [(essay(themes=("ios",)), essay(themes=("pc",)))]
NEW_AUTHOR = [(essay(people=("ann",)), essay(people=("ann", "bob")))]
ADDED = [(None, essay())]
REMOVED = [(essay(), None)]


@pytest.mark.parametrize(("spec", "changes", "shown"), [
    # Every essay list shows every essay.
    (("essays", None, None), EDITED_TITLE, True),
    # A theme's list shows the essay before and after it moved.
    (("essays", "ios", None), MOVED_THEME, True),
    (("essays", "pc", None), MOVED_THEME, True),
    (("essays", "other", None), MOVED_THEME, False),
    # A person's list, before and after.
    (("essays", None, "bob"), NEW_AUTHOR, True),
    (("essays", None, "carol"), NEW_AUTHOR, False),
    (("essays", "ios", "ann"), EDITED_TITLE, True),
    (("essays", "pc", "ann"), EDITED_TITLE, False),
    # Theme and people indexes show counts: only membership changes them.
    (("themes", None, None), EDITED_TITLE, False),
    (("themes", None, None), MOVED_THEME, True),
    (("themes", None, None), NEW_AUTHOR, False),
    (("people", None, None), NEW_AUTHOR, True),
    (("people", None, None), MOVED_THEME, False),
    # An essay added or removed changes every count of its themes and people.
    (("themes", None, None), ADDED, True),
    (("people", None, None), REMOVED, True),
    (("essays", "ios", None), ADDED, True),
    (("essays", "pc", None), REMOVED, False),
    # An essay whose record is the same (only its text or citations changed)
    # looks the same in every essay list.
    (("essays", None, None), [(essay(), essay())], False),
    # The cited-works list shows titles, dates and citations of every essay.
    (("references", None, None), EDITED_TITLE, True),
])
def test_a_listing_is_rewritten_only_when_it_shows_the_change(spec, changes, shown):
    assert _shows_a_change(spec, changes) is shown
