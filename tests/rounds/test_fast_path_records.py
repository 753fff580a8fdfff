"""The fast path's plain records (rounds/games.py `RoundRecord`, roulette/pg_seats.py
`SeatRow`) keep to the tables they stand for: a column added to the model and not to its
record would go missing from the answers of rounds played on that path."""

from __future__ import annotations

from dataclasses import fields

import pytest

from portero.kit.db import Base
from portero.roulette.models import RouletteSeat
from portero.roulette.pg_seats import SeatRow
from portero.rounds.games import RoundRecord
from portero.rounds.models import GameRound


@pytest.mark.parametrize(("record", "model"), [(RoundRecord, GameRound), (SeatRow, RouletteSeat)])
def test_a_record_has_every_column_of_its_table_and_nothing_else(
    record: type, model: type[Base]
) -> None:
    columns = {column.key for column in model.__table__.columns}
    assert {field.name for field in fields(record)} == columns
