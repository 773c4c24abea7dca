"""The worklist: best priority first, oldest first within a priority, interrupted studies back at the head."""
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.worklist import Worklist


def test_the_best_priority_is_taken_before_an_older_lower_priority_study():
    worklist = Worklist([0, 1])
    worklist.push(1, 10.0, 1)  # routine, older
    worklist.push(0, 20.0, 2)  # stroke, newer
    assert worklist.pop(worklist.best_class(worklist.view([[0], [1]]))) == 2


def test_within_a_priority_the_oldest_head_wins_across_classes():
    worklist = Worklist([0, 0])
    worklist.push(1, 5.0, 1)
    worklist.push(0, 7.0, 2)
    assert worklist.best_class(worklist.view([[0, 1]])) == 1


def test_a_reader_only_sees_classes_they_may_read():
    worklist = Worklist([0, 1])
    worklist.push(0, 1.0, 1)
    assert worklist.best_class(worklist.view([[1]])) is None
    assert len(worklist) == 1


def test_an_interrupted_study_returns_ahead_of_newer_ones_in_its_class():
    worklist = Worklist([0])
    worklist.push(0, 10.0, 1)
    worklist.push(0, 20.0, 2)
    worklist.push(0, 30.0, 3)
    assert worklist.pop(0) == 1
    worklist.push(0, 10.0, 1)  # put back after an interruption, with its original time
    assert [worklist.pop(0) for _ in range(3)] == [1, 2, 3]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.integers(0, 2), st.integers(0, 50)), min_size=1, max_size=60))
def test_picks_match_a_naive_sorted_reference(operations):
    """Any mix of additions (in time order, or put back older) and picks gives the (rank, time) minimum."""
    ranks = [0, 1, 2]
    worklist, reference = Worklist(ranks), []
    clock, exam = 0.0, 0
    for is_pick, klass, back in operations:
        if is_pick and reference:
            expected = min(reference)
            got_class = worklist.best_class(worklist.view([[0], [1], [2]]))
            got = worklist.pop(got_class)
            assert (got_class, got) == (expected[0], expected[2])
            reference.remove(expected)
        else:
            clock += 1.0
            ready = max(0.0, clock - back) if back % 3 == 0 else clock  # some studies go back in older
            worklist.push(klass, ready, exam)
            reference.append((klass, ready, exam))
            exam += 1
        assert len(worklist) == len(reference)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["add", "pick", "move"]), st.integers(0, 2), st.integers(0, 1000)),
                min_size=1, max_size=80))
def test_moves_between_classes_keep_picks_exact(operations):
    """Studies moved to another class (aging, fallback) are found there, never twice, never lost."""
    worklist, reference = Worklist([0, 1, 2]), {}
    clock, exam = 0.0, 0
    for action, klass, pick in operations:
        if action == "add":
            clock += 1.0
            worklist.push(klass, clock, exam)
            reference[exam] = (klass, clock)
            exam += 1
        elif action == "move" and reference:
            moved = sorted(reference)[pick % len(reference)]
            worklist.move(moved, klass, reference[moved][1])
            reference[moved] = (klass, reference[moved][1])
        elif action == "pick" and reference:
            expected = min(reference, key=lambda x: (reference[x][0], reference[x][1], x))
            got_class = worklist.best_class(worklist.view([[0], [1], [2]]))
            assert got_class == reference[expected][0]
            assert worklist.pop(got_class) == expected
            del reference[expected]
        assert len(worklist) == len(reference)
        assert all(x in worklist for x in reference)
