"""The whole-chain benchmark's pure helpers: percentiles, metric sums, its people and its table
(the benchmark itself is run by `make bench`, never as a test)."""

from __future__ import annotations

from io import StringIO

from rich.console import Console

from benchmarks.relay_ceiling import latency_summary, percentile
from benchmarks.whole_chain import make_records, metric_sum, results_table, unique_id_number
from contracts.values import check_digit


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]  # 1..100
    assert percentile(values, 50) == 50.0
    assert percentile(values, 99) == 99.0
    assert percentile(values, 100) == 100.0
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0
    assert percentile([5.0], 99) == 5.0
    assert percentile([], 50) is None


def test_latency_summary_rounds_to_the_millisecond_and_copes_with_nothing() -> None:
    assert latency_summary([0.0012, 0.5, 2.25]) == {"p50_s": 0.5, "p99_s": 2.25, "max_s": 2.25}
    assert latency_summary([]) == {"p50_s": None, "p99_s": None, "max_s": None}


def test_metric_sum_adds_the_matching_series_only() -> None:
    text = "\n".join([
        "# HELP paicha_reporting_events_consumed_total Events consumed",
        'paicha_reporting_events_consumed_total{topic="a",type="x.task.assigned.v1"} 3.0',
        'paicha_reporting_events_consumed_total{topic="b",type="x.task.assigned.v1"} 4.0',
        'paicha_reporting_events_consumed_total{topic="a",type="other"} 100.0',
        'paicha_reporting_events_consumed_created{topic="a",type="other"} 1.7e9',
        "paicha_reporting_records 12.0",
    ])
    name = "paicha_reporting_events_consumed_total"
    assert metric_sum(text, name) == 107.0
    assert metric_sum(text, name, type="x.task.assigned.v1") == 7.0
    assert metric_sum(text, "paicha_reporting_records") == 12.0
    assert metric_sum(text, "paicha_missing") == 0.0


def test_benchmark_people_are_valid_and_all_different() -> None:
    numbers = {unique_id_number(n) for n in range(0, 30_000, 7)}
    assert len(numbers) == len(range(0, 30_000, 7))
    for number in list(numbers)[:50]:
        assert number[17] == check_digit(number[:17])
    records = make_records(10, 1234, "run")
    assert [feed for feed, _ in records][:5] == [
        "bigdata", "assist", "selfreport", "screening", "contacts"]
    assert len({r["id_number"] for _, r in records}) == 10
    assert records[0][1]["source_record_id"] == "run-1234"


def test_results_table_shows_chain_ceiling_and_ratio() -> None:
    latency = {"p50_s": 0.25, "p99_s": 2.0, "max_s": 3.0}
    result = {
        "chain": {
            "throughput": {"per_second": 40.0, "stages_per_second": {"intake": 900.0}},
            "latency": {"offered_per_second": 500, "task": latency, "case": latency,
                        "task_event_time": latency, "pushed": 5000, "assigned": 5000,
                        "seconds": 10, "push_seconds": 11.0},
        },
        "ceiling": {"throughput": {"per_second": 4000.0},
                    "latency": {"p50_s": 0.05, "p99_s": 0.2, "max_s": 0.3}},
        "rss_mb": {"intake": {"vmhwm": 120.4, "sampled_max": 118.0}},
    }
    out = StringIO()
    Console(file=out, width=200).print(results_table(result))
    text = out.getvalue()
    assert "40/s" in text and "4,000/s" in text and "1.0%" in text
    assert "250 ms" in text and "2.00 s" in text
    assert "5× as long" in text and "10× as long" in text  # p50 0.25 vs 0.05, p99 2.0 vs 0.2
    assert "120 / 118 MB" in text
