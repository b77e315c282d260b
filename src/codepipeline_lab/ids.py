"""Seeded identifiers: the same seed and the same calls give the same ids."""

import random
import string
import uuid

ARTIFACT_ID_ALPHABET = string.ascii_letters + string.digits


class IdFactory:
    """Every id the simulator makes comes from one seeded generator."""

    def __init__(self, seed: int) -> None:
        self._random = random.Random(seed)

    def uuid(self) -> str:
        """A version-4 UUID, as CodePipeline uses for execution ids and approval tokens."""
        return str(uuid.UUID(int=self._random.getrandbits(128), version=4))

    def token(self, length: int, alphabet: str = ARTIFACT_ID_ALPHABET) -> str:
        """A random string such as the 7-character suffix of an artifact's S3 key."""
        return "".join(self._random.choice(alphabet) for _ in range(length))

    def hex(self, length: int) -> str:
        return self.token(length, "0123456789abcdef")
