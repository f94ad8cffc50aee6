import pytest

from assistant.models import Answer
from assistant.session import ChatSession


@pytest.mark.slow
@pytest.mark.integration
def test_session_streams_then_ends_with_the_verified_answer_and_keeps_follow_ups(engine):
    session = ChatSession(engine)
    pieces = list(session.stream("永平街的预算执行率是多少？"))
    assert isinstance(pieces[-1], Answer) and pieces[-1].value == 94.96
    assert all(isinstance(p, str) for p in pieces[:-1]) and "94.96%" in "".join(pieces[:-1])
    follow = session.ask("那洛浦街呢？")
    assert follow.value == 82.2 and follow.citations[0].doc == "000_dfbd2fd614bc8960.txt"
    assert [q for q, _ in session.history] == ["永平街的预算执行率是多少？", "那洛浦街呢？"]
    session.reset()
    assert session.previous is None and not session.history
