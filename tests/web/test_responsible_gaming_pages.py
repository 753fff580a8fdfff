"""The partner's responsible-gaming page and age notice: configured with `partner configure`,
shown in the footer of every game page (not on the call pages), refused unless https."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from typer.testing import CliRunner

from portero.cli.main import app as cli_app
from portero.partners.schemas import PartnerConfigUpdate
from tests.support.factories import create_launch, launch_body, make_partner

RG_URL = "https://casino.example/juego-responsable"


async def page_of(client: httpx.AsyncClient, launch: dict[str, object]) -> str:
    location = (await client.get(str(launch["url"]))).headers["location"]
    response = await client.get(location.split("#", 1)[0])
    assert response.status_code == 200, response.text
    return response.text


@pytest.mark.parametrize("product", ["slot", "roulette"])
async def test_every_game_page_shows_the_age_notice_and_the_link(
    client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession], product: str
) -> None:
    partner = await make_partner(sessions, responsible_gaming_url=RG_URL, age_notice="18+")
    html = await page_of(client, await create_launch(client, partner, launch_body(product)))
    footer = re.search(r'<footer id="rg-footer".*?</footer>', html, re.DOTALL)
    assert footer is not None
    assert '<span id="age-notice" class="age-notice">18+</span>' in footer.group(0)
    assert f'href="{RG_URL}"' in footer.group(0)
    assert "Juega con responsabilidad" in footer.group(0)  # the launch's language (es)
    assert '<dialog id="reality-check"' in html
    texts = re.search(r'id="texts">(.*?)</script>', html, re.DOTALL)
    assert texts is not None
    assert json.loads(texts.group(1))["play.rg.check_title"] == "Recordatorio de juego"


async def test_no_footer_without_a_configuration_and_none_on_call_pages(
    client: httpx.AsyncClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    plain = await make_partner(sessions)
    assert 'id="rg-footer"' not in await page_of(
        client, await create_launch(client, plain, launch_body("slot"))
    )
    configured = await make_partner(sessions, responsible_gaming_url=RG_URL, age_notice="18+")
    call = await page_of(client, await create_launch(client, configured, launch_body("call")))
    assert 'id="rg-footer"' not in call


@pytest.mark.parametrize(
    "config",
    [
        {"responsible_gaming_url": "http://casino.example/rg"},
        {"responsible_gaming_url": "javascript:alert(1)"},
        {"age_notice": "x" * 33},
        {"age_notice": "18+\u202e"},
        {"age_notice": "   "},
    ],
)
def test_an_unsafe_configuration_is_refused(config: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        PartnerConfigUpdate.model_validate(config)


def test_the_cli_configures_and_shows_them(
    database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PORTERO_DATABASE_URL", database_url)
    monkeypatch.setenv("PORTERO_SECRET_KEY", "s" * 40)
    cli = CliRunner()
    created = cli.invoke(cli_app, ["partner", "create", "RG casino", "--json"])
    partner_id = str(json.loads(created.output)["id"])
    args = ["partner", "configure", partner_id, "--products", "slot"]
    args += ["--responsible-gaming-url", RG_URL, "--age-notice", "18+", "--json"]
    shown = cli.invoke(cli_app, args)
    assert shown.exit_code == 0, shown.output
    view = json.loads(shown.output)
    assert (view["responsible_gaming_url"], view["age_notice"]) == (RG_URL, "18+")
    text = cli.invoke(cli_app, ["partner", "show", partner_id]).output
    assert f"responsible gaming: {RG_URL}, age notice 18+" in text
    refused = cli.invoke(
        cli_app,
        ["partner", "configure", partner_id, "--responsible-gaming-url", "http://x.example"],
    )
    assert refused.exit_code == 2
