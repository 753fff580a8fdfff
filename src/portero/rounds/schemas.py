from __future__ import annotations

from pydantic import BaseModel, Field

from portero.wallet.modes import WalletMode


class WalletOut(BaseModel):
    """Whose money the table plays with: the pages label play money as such."""

    mode: WalletMode
    play_money: bool = Field(description="True for demo money, which is worth nothing.")

    @classmethod
    def of(cls, mode: str) -> WalletOut:
        return cls(mode=WalletMode(mode), play_money=mode == WalletMode.demo)
