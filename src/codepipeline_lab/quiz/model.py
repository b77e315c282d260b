"""A question of the bank, as loaded from its YAML file."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Option:
    text: str
    correct: bool
    explanation: str


@dataclass(frozen=True)
class Refs:
    notebook: str
    heading: str
    docs: tuple[str, ...]
    urls: tuple[str, ...] = ()


@dataclass(frozen=True)
class Question:
    id: str
    topic: str
    domain: int
    type: str
    choose: int
    difficulty: str
    stem: str
    options: tuple[Option, ...]
    refs: Refs
    experiment: str | None
    file: str

    @classmethod
    def from_dict(cls, data: dict, file: str) -> "Question":
        return cls(
            id=data["id"],
            topic=data["topic"],
            domain=data["domain"],
            type=data["type"],
            choose=data.get("choose", 1),
            difficulty=data["difficulty"],
            stem=data["stem"].strip(),
            options=tuple(Option(o["text"].strip(), o["correct"], o["explanation"].strip()) for o in data["options"]),
            refs=Refs(data["refs"]["notebook"], data["refs"]["heading"], tuple(data["refs"]["docs"]),
                      tuple(data["refs"].get("urls", ()))),
            experiment=data.get("experiment"),
            file=file,
        )

    @property
    def correct_indexes(self) -> list[int]:
        return [i for i, option in enumerate(self.options) if option.correct]
