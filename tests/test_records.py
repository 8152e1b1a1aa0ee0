"""The essays' records pickle in buckets, each pickled again only when changed.

The rules: a :class:`Records` is a dict in every way code reads or writes
it; pickled and loaded, it holds the same items in the same order; a bucket none of whose
items was set or removed since it was loaded (or last pickled) is the very
same bytes again; every way of changing an item makes its bucket's pickle
again, and only its bucket's.
"""

from __future__ import annotations

import copy
import pickle

from hypothesis import given, settings
from hypothesis import strategies as st

from kb.models import Essay
from kb.records import BUCKETS, Records, bucket_of, restore


def essay(docname: str, title: str = "An essay") -> Essay:
    return Essay(docname=docname, title=title, date=None, authors=(), themes=(), tags=())


def loaded(records: Records) -> Records:
    return pickle.loads(pickle.dumps(records, pickle.HIGHEST_PROTOCOL))


def test_a_loaded_copy_holds_the_same_records():
    records = Records({f"essays/e{i}": essay(f"essays/e{i}") for i in range(300)})
    again = loaded(records)
    assert type(again) is Records
    assert again == records
    assert len(records.pickled_buckets()) == BUCKETS


def test_a_loaded_copy_iterates_in_the_original_order():
    keys = [f"essays/e{i}" for i in (5, 3, 9, 1, 7, 30, 2)]
    records = Records({key: essay(key) for key in keys})
    assert list(loaded(records)) == keys


def test_unchanged_buckets_pickle_as_the_bytes_they_were_loaded_from():
    records = loaded(Records({f"essays/e{i}": essay(f"essays/e{i}") for i in range(300)}))
    before = records.pickled_buckets()
    records["essays/e7"] = essay("essays/e7", "Retitled")
    after = records.pickled_buckets()
    changed = [n for n in range(BUCKETS) if after[n] is not before[n]]
    assert changed == [bucket_of("essays/e7")]
    assert loaded(records)["essays/e7"].title == "Retitled"


def test_the_bucket_of_a_key_is_the_same_in_every_process():
    # crc32, not hash(): string hashes change with each interpreter's seed.
    assert bucket_of("essays/e7") == bucket_of("essays/" + "e7") == 2839637187 % BUCKETS


def test_a_domain_s_fresh_data_is_a_records_of_its_own():
    empty = Records()
    first, second = copy.deepcopy(empty), copy.deepcopy(empty)
    first["essays/a"] = essay("essays/a")
    assert type(second) is Records and second == {}


def test_pickles_of_another_bucket_count_are_loaded_and_made_again():
    old = [pickle.dumps({key: essay(key)}) for key in ("essays/a", "essays/b")]
    records = restore(old, ["essays/b", "essays/a"])
    assert list(records) == ["essays/b", "essays/a"]
    assert loaded(records) == records


OPERATIONS = st.lists(st.tuples(
    st.sampled_from(["set", "del", "pop", "pop_default", "setdefault", "update", "ior",
                     "popitem", "clear", "reload"]),
    st.integers(min_value=0, max_value=40), st.text(max_size=3)), max_size=40)


@settings(max_examples=200, deadline=None)
@given(OPERATIONS)
def test_every_way_of_changing_a_record_is_seen_when_pickled(operations):
    records, plain = Records(), {}
    for operation, number, title in operations:
        key = f"essays/e{number}"
        value = essay(key, title)
        for target in (records, plain):
            if operation == "set":
                target[key] = value
            elif operation == "del" and key in target:
                del target[key]
            elif operation == "pop":
                target.pop(key, None)
            elif operation == "pop_default":
                assert target.pop(key, "absent") == plain.get(key, "absent") or target is plain
            elif operation == "setdefault":
                target.setdefault(key, value)
            elif operation == "update":
                target.update({key: value}, **{"essays/kw": value})
            elif operation == "ior":
                target |= {key: value}
            elif operation == "popitem" and target:
                target.popitem()
            elif operation == "clear":
                target.clear()
        if operation == "reload":
            records = loaded(records)
        assert loaded(records) == plain
