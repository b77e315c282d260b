"""The simulated account: the simulator's state beside moto's, and the operations it answers."""

from __future__ import annotations


class SimulatedAccount:
    def __init__(self, lab) -> None:
        self.lab = lab
        self.account_id = lab.account_id
        self.region = lab.region

    def handlers(self) -> dict:
        return {}
