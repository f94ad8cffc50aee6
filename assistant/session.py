"""A conversation: follow-ups resolved against the previous question; answers offline or through an LLM
responder that writes prose from the same evidence. Both the CLI chat and the app talk to this."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from assistant.engine import TOO_LONG, Engine, cap_question
from assistant.models import Answer, ParsedQuestion
from assistant.multipart import ask_parts
from assistant.smalltalk import reply_to


class Responder(Protocol):
    """Writes the answer for a parsed question; `stream` yields text as it comes, then the final Answer."""

    def stream(self, parsed: ParsedQuestion) -> Iterator[str | Answer]: ...


class OfflineResponder:
    """The embedded default: the engine's own extractive, verified answer, in one piece."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def stream(self, parsed: ParsedQuestion) -> Iterator[str | Answer]:
        answer = self.engine.verified(parsed)
        yield answer.answer
        yield answer


class ChatSession:
    def __init__(self, engine: Engine, responder: Responder | None = None) -> None:
        self.engine = engine
        self.responder = responder or OfflineResponder(engine)
        self.previous: ParsedQuestion | None = None
        self.history: list[tuple[str, Answer]] = []

    def stream(self, question: str) -> Iterator[str | Answer]:
        """Text pieces as they are written, then the verified Answer (always last)."""
        question, cut = cap_question(question)
        if cut:
            yield TOO_LONG
        several = ask_parts(question, self.previous, self.engine.parser.parse, self._complete)
        if several is not None:  # "支出多少，执行率多少？": each part answered, then shown together
            answer, parsed = several
            self.previous = parsed
            self.history.append((question, answer))
            yield answer.answer
            yield answer
            return
        parsed = self.engine.parser.parse(question, self.previous)
        final: Answer | None = None
        for piece in self.responder.stream(parsed):
            if isinstance(piece, Answer):
                final = piece
            else:
                yield piece
        assert final is not None, "a responder must end with an Answer"
        if reply_to(parsed) is None:  # "谢谢" between two questions leaves the conversation where it was
            self.previous = parsed
        self.history.append((question, final))
        yield final

    def _complete(self, parsed: ParsedQuestion) -> Answer:
        final = None
        for piece in self.responder.stream(parsed):
            if isinstance(piece, Answer):
                final = piece
        assert final is not None, "a responder must end with an Answer"
        return final

    def ask(self, question: str) -> Answer:
        final = None
        for piece in self.stream(question):
            if isinstance(piece, Answer):
                final = piece
        assert final is not None
        return final

    def reset(self) -> None:
        self.previous = None
        self.history.clear()
