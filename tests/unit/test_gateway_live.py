"""gateway/live/feed.py without Kafka: positions, what a resumed stream gets, and when it must reload."""
from gateway.live.feed import Change, TopicBuffer, format_position, parse_position


def buffer_with(offsets_by_partition: dict[int, range], keep: int = 5, start: dict[int, int] | None = None) -> TopicBuffer:
    b = TopicBuffer(keep)
    for p, offsets in offsets_by_partition.items():
        b.start(p, (start or {}).get(p, offsets.start))
        for o in offsets:
            b.add(Change(p, o, {"id": f"{p}-{o}"}))
    return b


def test_positions_round_trip_and_malformed_ones_mean_live_from_now():
    assert parse_position("0:12,1:7,2:0") == {0: 12, 1: 7, 2: 0}
    assert format_position({2: 0, 0: 12, 1: 7}) == "0:12,1:7,2:0"
    for bad in ("", None, "x", "0:1,1", "0:-1", "a:b", "-1:3"):
        assert parse_position(bad) is None, bad


def test_a_resumed_stream_gets_exactly_the_changes_after_its_position():
    b = buffer_with({0: range(10, 13), 1: range(0, 2)})
    assert b.head() == {0: 13, 1: 2}
    got = b.after({0: 11, 1: 2})
    assert [(c.partition, c.offset) for c in got] == [(0, 11), (0, 12)]
    assert not b.missed({0: 11, 1: 2})
    assert b.after(b.head()) == []


def test_a_position_older_than_what_is_kept_must_reload():
    b = buffer_with({0: range(0, 8)}, keep=5)          # offsets 0..7, only 3..7 kept
    assert b.available[0] == 3
    assert b.missed({0: 2}) and not b.missed({0: 3})
    assert [c.offset for c in b.after({0: 3})] == [3, 4, 5, 6, 7]


def test_a_position_from_before_this_reader_began_must_reload_but_one_ahead_of_it_waits():
    b = buffer_with({0: range(100, 102)}, start={0: 100})  # a worker that began reading at 100
    assert b.missed({0: 99})
    assert not b.missed({0: 150}) and b.after({0: 150}) == []  # another worker was further ahead: wait
    b.add(Change(0, 150, {}))
    assert [c.offset for c in b.after({0: 150})] == [150]


def test_compacted_topics_have_gaps_in_their_offsets():
    b = TopicBuffer(5)
    b.start(0, 40)
    for o in (40, 44, 47):
        b.add(Change(0, o, {}))
    assert [c.offset for c in b.after({0: 41})] == [44, 47]
    assert not b.missed({0: 41})


def test_a_change_keeps_only_what_a_stream_needs_of_either_event_shape():
    from gateway.live.feed import essentials
    record = {"operation": "UPDATED", "kind": "hazard", "id": "65", "version": "3", "region_code": "620802", "uscc": "91620802MA71KT001D",
              "changed_at": "2026-12-01T22:40:27Z", "record": {"description": "whole record", "phone": "13800001234"}}
    enterprise = {"kind": "CREATED", "uscc": "91620802MA71KT001D", "region_code": "620802", "version": "1",
                  "changed_at": "2026-12-01T22:40:27Z", "record": {"name": "平凉市崆峒化工有限公司"}}
    assert essentials(record) == {"id": "65", "operation": "updated", "version": 3, "changed_at": "2026-12-01T22:40:27Z",
                                  "uscc": "91620802MA71KT001D", "region_code": "620802"}
    assert essentials(enterprise) == {"id": "91620802MA71KT001D", "operation": "created", "version": 1,
                                      "changed_at": "2026-12-01T22:40:27Z", "uscc": "91620802MA71KT001D", "region_code": "620802"}
