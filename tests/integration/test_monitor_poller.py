"""Polled signal monitors: a poll cycle reads the source (httpx.MockTransport, a real local
HTTP server, a CSV file), stores the samples and sends the rule's verdict through the same
alert pipeline as the webhooks."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from bot.adapters.db.alerts import SqlSampleStore, signal_samples
from bot.adapters.monitors.config import RuleSpec, SourceSpec, parse_monitors
from bot.adapters.monitors.poller import Poller
from bot.adapters.monitors.routing import Router
from bot.adapters.monitors.sample_data import mentions_frame, write_csv
from bot.domain.severity import Severity
from bot.services.alerts import AlertService
from tests.conftest import T0

NEGATIVE_SPIKE = RuleSpec(kind="change", window=timedelta(hours=24), pct=300)


def source(**overrides) -> SourceSpec:
    spec = {"name": "social-mentions", "metric": "negative", "rule": NEGATIVE_SPIKE,
            "url": "https://listening.example/api/series", "title": "Negative mentions surging",
            "crisis_type": "brand_reputation", "severity": Severity.S}
    return SourceSpec(**(spec | overrides))


def sample_records(end=T0) -> list[dict]:
    frame = mentions_frame(end=end)
    return [
        {"at": at.isoformat(), "series": series, "value": float(value)}
        for at, row in frame.iterrows() for series, value in row.items()
    ]


@pytest.fixture
def alerts(service, catalog) -> AlertService:
    return AlertService(incidents=service, router=Router(parse_monitors({}), crisis_types=catalog.playbooks))


def poller_for(engine, alerts: AlertService, clock, sources, client=None) -> Poller:
    return Poller(sources=sources, ingest=alerts.ingest_many, samples=SqlSampleStore(engine),
                  clock=clock, client=client)


def test_a_poll_through_mock_transport_stores_samples_and_opens_an_incident(engine, alerts, clock):
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, json={"samples": sample_records()})

    client = httpx.Client(transport=httpx.MockTransport(handler))
    poller = poller_for(engine, alerts, clock, [source()], client)
    (result,) = poller.run_due()
    assert seen == ["https://listening.example/api/series"]
    assert result.verdict.fired and result.samples == 72 * 4
    assert result.outcome.action.value == "opened"
    incident = alerts.incidents.get(result.outcome.incident)
    assert incident.source == "monitor:social-mentions"
    assert incident.crisis_type == "brand_reputation" and incident.severity is Severity.S
    (fired,) = incident.firing.values()
    assert fired.threshold == 300 and fired.value > 300
    assert fired.labels["rule"] == "change"
    stored = signal_samples(engine, monitor="social-mentions")
    assert {s for s, _, _ in stored} == {"mentions", "negative", "neutral", "positive"}
    assert len(stored) == 72 * 4


def test_the_next_cycle_waits_for_the_interval_and_repeats_are_deduplicated(engine, alerts, clock):
    client = httpx.Client(transport=httpx.MockTransport(
        lambda request: httpx.Response(200, json=sample_records())))
    poller = poller_for(engine, alerts, clock, [source(interval=timedelta(minutes=5))], client)
    assert len(poller.run_due()) == 1
    assert poller.run_due() == []  # not due yet
    clock.advance(minutes=5)
    (again,) = poller.run_due()
    assert again.outcome.action.value == "deduplicated"
    assert len(alerts.incidents.list()) == 1


def test_a_rule_that_stops_firing_resolves_the_alert(engine, alerts, clock):
    records = sample_records()
    calm = [r for r in records if r["series"] != "negative"] + [
        r | {"value": 30.0} for r in records if r["series"] == "negative"]
    answers = iter([records, calm])
    client = httpx.Client(transport=httpx.MockTransport(
        lambda request: httpx.Response(200, json=next(answers))))
    poller = poller_for(engine, alerts, clock, [source(interval=timedelta(minutes=1))], client)
    (first,) = poller.run_due()
    clock.advance(minutes=1)
    (second,) = poller.run_due()
    assert second.outcome.action.value == "resolved"
    assert alerts.incidents.get(first.outcome.incident).firing == {}
    values = {at: v for s, at, v in signal_samples(engine, monitor="social-mentions") if s == "negative"}
    assert set(values.values()) == {30.0}  # the newer poll's samples replace the old ones


def test_an_unreachable_or_broken_source_is_reported_and_opens_nothing(engine, alerts, clock):
    answers = iter([httpx.Response(503), httpx.Response(200, text="<html>oops</html>",
                                                        headers={"content-type": "text/html"})])
    client = httpx.Client(transport=httpx.MockTransport(lambda request: next(answers)))
    poller = poller_for(engine, alerts, clock, [source(interval=timedelta(minutes=1))], client)
    (down,) = poller.run_due()
    assert "HTTP 503" in down.error
    clock.advance(minutes=1)
    (broken,) = poller.run_due()
    assert broken.error and broken.outcome is None
    assert alerts.incidents.list() == []


class _SeriesHandler(BaseHTTPRequestHandler):
    csv_text = ""

    def do_GET(self) -> None:
        body = self.csv_text.encode()
        self.send_response(200)
        self.send_header("content-type", "text/csv")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def test_a_poll_against_a_real_local_http_server_reads_csv(engine, alerts, clock, tmp_path):
    csv_file = write_csv(tmp_path / "mentions.csv", end=T0)
    handler = type("Handler", (_SeriesHandler,), {"csv_text": csv_file.read_text()})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/series.csv"
        poller = poller_for(engine, alerts, clock, [source(url=url)])
        (result,) = poller.run_due()
    finally:
        server.shutdown()
        server.server_close()
    assert result.error is None and result.outcome.action.value == "opened"
    since = T0 - timedelta(hours=5)
    recent = signal_samples(engine, monitor="social-mentions", since=since, until=T0)
    assert {at for _, at, _ in recent} == {T0 - timedelta(hours=h) for h in range(6)}


def test_a_local_csv_file_source_with_a_threshold_rule(engine, alerts, clock, tmp_path):
    csv_file = write_csv(tmp_path / "mentions.csv", end=T0)
    rule = RuleSpec(kind="threshold", op=">", value=10_000)
    poller = poller_for(engine, alerts, clock,
                        [source(url=None, path=csv_file, metric="mentions", rule=rule)])
    (result,) = poller.run_due()
    assert not result.verdict.fired and result.outcome.action.value == "ignored"
    assert alerts.incidents.list() == []


def test_a_missing_metric_is_reported(engine, alerts, clock, tmp_path):
    csv_file = write_csv(tmp_path / "mentions.csv", end=T0)
    poller = poller_for(engine, alerts, clock, [source(url=None, path=csv_file, metric="likes")])
    (result,) = poller.run_due()
    assert "no series 'likes'" in result.error


def test_json_wide_rows_are_read_too(engine, alerts, clock):
    frame = mentions_frame(end=T0)
    rows = [{"time": at.isoformat(), **{k: float(v) for k, v in row.items()}}
            for at, row in frame.iterrows()]
    client = httpx.Client(transport=httpx.MockTransport(
        lambda request: httpx.Response(200, content=json.dumps(rows).encode(),
                                       headers={"content-type": "application/json"})))
    (result,) = poller_for(engine, alerts, clock, [source()], client).run_due()
    assert result.verdict.fired


def test_sample_config_in_the_repository_parses_and_its_file_exists():
    root = Path(__file__).resolve().parents[2]
    import yaml

    data = yaml.safe_load((root / "samples" / "crisisbot.monitors.yaml").read_text())
    config = parse_monitors(data["monitors"], base=root / "samples")
    (spec,) = config.sources
    assert spec.path.is_file() and spec.metric == "negative"


def test_credentials_in_a_source_url_never_reach_alerts_or_error_messages(engine, alerts, clock):
    secret_url = "https://bot:pa55@listening.example/api/series?api_key=SECRET123"
    answers = iter([httpx.Response(503), httpx.Response(200, json=sample_records())])
    client = httpx.Client(transport=httpx.MockTransport(lambda request: next(answers)))
    poller = poller_for(engine, alerts, clock, [source(url=secret_url)], client)
    (failed,) = poller.run_due()
    assert "503" in failed.error and "SECRET123" not in failed.error and "pa55" not in failed.error
    clock.advance(minutes=10)
    (fired,) = poller.run_due()
    incident = alerts.incidents.get(fired.outcome.incident)
    (alert,) = incident.firing.values()
    assert alert.url == "https://listening.example/api/series"
