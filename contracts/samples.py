"""Synthetic, obviously fake example events (valid check digits, test names) for tests and docs."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from contracts import events as ev
from contracts.types import SHANGHAI
from contracts.values import check_digit, person_key

SAMPLE_SECRET = b"paicha-sample-secret-not-for-production"
T0 = datetime(2022, 6, 1, 9, 0, tzinfo=SHANGHAI)


def synthetic_id_number(seq: int = 1, area: str = "130826", born: date = date(1990, 1, 1)) -> str:
    """A resident ID number with a valid check digit; ``seq`` fills the 3-digit sequence."""
    body = f"{area}{born:%Y%m%d}{seq % 1000:03d}"
    return body + check_digit(body)


def synthetic_mobile(seq: int = 1) -> str:
    return f"1990000{seq % 10000:04d}"


def sample_person(seq: int = 1) -> ev.Person:
    return ev.Person(name=f"测试{seq}号", id_type=ev.IdType.RESIDENT_ID,
                     id_number=synthetic_id_number(seq), mobile=synthetic_mobile(seq))


def sample_key(seq: int = 1) -> str:
    return person_key("resident_id", synthetic_id_number(seq), SAMPLE_SECRET)


_HERE = ev.Location(county_code="130826", township_code="130826100",
                    village_code="130826100201", address="测试镇测试村1号")
_CODES = ev.LocationCodes(county_code="130826", township_code="130826100")
_SOURCE = ev.SourceRef(feed=ev.Feed.BIGDATA, source_record_id="src-1", record_id="rec-1",
                       received_at=T0)
_DETAILS: dict[ev.Feed, ev.BigdataDetails | ev.AssistDetails | ev.SelfreportDetails
               | ev.ScreeningDetails | ev.ContactsDetails] = {
    ev.Feed.BIGDATA: ev.BigdataDetails(signal=ev.BigdataSignal.ELECTRONIC_FENCE),
    ev.Feed.ASSIST: ev.AssistDetails(request_id="req-1", requesting_province="测试省",
                                     reply_by=T0 + timedelta(hours=1)),
    ev.Feed.SELFREPORT: ev.SelfreportDetails(channel=ev.SelfreportChannel.MINI_PROGRAM),
    ev.Feed.SCREENING: ev.ScreeningDetails(screened_by="测试卡口", checkpoint="checkpoint-1"),
    ev.Feed.CONTACTS: ev.ContactsDetails(case_ref="case-ref-1", last_contact_at=T0,
                                         contact_kind=ev.ContactKind.HOUSEHOLD),
}


def sample_record(feed: ev.Feed = ev.Feed.BIGDATA, seq: int = 1) -> ev.RecordReceived:
    return ev.RecordReceived(
        record_id=f"rec-{seq}", feed=feed, source_record_id=f"src-{seq}", received_at=T0,
        person_key=sample_key(seq), person=sample_person(seq),
        origin=ev.Origin(area_code="110105", area_name="测试区"),
        departed_at=T0 - timedelta(days=2), arrived_at=T0 - timedelta(days=1), current=_HERE,
        exposure=ev.Exposure.NONE, details=_DETAILS[feed])


def _case(seq: int = 1) -> dict[str, object]:
    return dict(
        case_id=f"case-{seq}", person_key=sample_key(seq), risk_level=ev.RiskLevel.HIGH,
        category=ev.Category.HIGH_RISK_AREA, measure=ev.Measure.CENTRALIZED_QUARANTINE,
        measure_days=7, test_days=[1, 2, 3, 5, 7], verification_due_at=T0 + timedelta(hours=2),
        test_result_due_at=T0 + timedelta(hours=24), policy_version="2022-06-9th",
        origin_area_code="110105", sources=[_SOURCE], current=_CODES, classified_at=T0,
        reason="came from a high-risk area within 7 days before arrival")


def sample_events(seq: int = 1) -> list[ev.Event]:
    """One instance of every public event type (and every feed variant of RecordReceived)."""
    task = dict(task_id=f"task-{seq}", case_id=f"case-{seq}", person_key=sample_key(seq))
    test = dict(test_task_id=f"test-{seq}", case_id=f"case-{seq}", person_key=sample_key(seq))
    counts = ev.StatusCounts(pushed=5, verified=3, system_fault=1, unreachable=1, pending=0)
    prev = dict(previous_category=ev.Category.LOW_RISK_AREA, previous_risk_level=ev.RiskLevel.LOW)
    return [
        *(sample_record(feed, seq) for feed in ev.Feed),
        ev.InputRejected(
            rejection_id=f"rej-{seq}", feed="bigdata", channel=ev.IntakeChannel.HTTP,
            reason=ev.RejectReason.INVALID_ID_NUMBER, field="id_number",
            message="check digit should be 7, got 3", payload='{"id_number": "x"}',
            received_at=T0, index=0),
        ev.RiskAreaDesignated(area_code="110105001", area_name="测试街道", level=ev.AreaLevel.HIGH,
                              effective_from=T0 - timedelta(days=3), notice_id="notice-1"),
        ev.CaseOpened(**_case(seq)),  # type: ignore[arg-type]
        ev.CaseMerged(**_case(seq), merged=_SOURCE),  # type: ignore[arg-type]
        ev.CaseReclassified(**_case(seq), **prev,  # type: ignore[arg-type]
                            previous_measure=ev.Measure.HEALTH_MONITORING),
        ev.CaseClosed(**_case(seq), resolution="no_risk", task_id=f"task-{seq}",  # type: ignore[arg-type]
                      closed_at=T0),
        ev.TaskAssigned(**task, person=sample_person(seq), current=_HERE,  # type: ignore[arg-type]
                        grid_id="grid-1", category=ev.Category.HIGH_RISK_AREA,
                        risk_level=ev.RiskLevel.HIGH, measure=ev.Measure.CENTRALIZED_QUARANTINE,
                        due_at=T0 + timedelta(hours=2), assigned_at=T0, sources=[_SOURCE]),
        ev.TaskOutcomeRecorded(**task, outcome=ev.Outcome.UNREACHABLE,  # type: ignore[arg-type]
                               recorded_at=T0, recorded_by="worker-1"),
        ev.TaskOverdue(**task, due_at=T0, detected_at=T0 + timedelta(minutes=1),  # type: ignore[arg-type]
                       tier=ev.Tier.GRID),
        ev.TaskEscalated(**task, from_tier=ev.Tier.GRID, to_tier=ev.Tier.TOWNSHIP,  # type: ignore[arg-type]
                         reason="overdue", escalated_at=T0),
        ev.TaskRevised(**task, category=ev.Category.HIGH_RISK_AREA,  # type: ignore[arg-type]
                       risk_level=ev.RiskLevel.HIGH, measure=ev.Measure.CENTRALIZED_QUARANTINE,
                       due_at=T0 + timedelta(hours=2), sources=[_SOURCE], revised_at=T0,
                       reason="case reclassified"),
        ev.TaskStarted(**task, started_at=T0, started_by="worker-1"),  # type: ignore[arg-type]
        ev.TaskRequeued(**task, attempt=2, reason=ev.Outcome.UNREACHABLE,  # type: ignore[arg-type]
                        requeued_at=T0, due_at=T0 + timedelta(hours=1), tier=ev.Tier.GRID),
        ev.TaskClosed(**task, outcome=ev.Outcome.VERIFIED_MEASURE_APPLIED,  # type: ignore[arg-type]
                      measure_applied=ev.Measure.CENTRALIZED_QUARANTINE, closed_at=T0),
        ev.TestTaskScheduled(**test, day=1, test_date=T0.date(),  # type: ignore[arg-type]
                             result_due_at=T0 + timedelta(hours=24), current=_CODES,
                             scheduled_at=T0),
        ev.TestResultRecorded(**test, result=ev.TestResult.NEGATIVE,  # type: ignore[arg-type]
                              recorded_at=T0),
        ev.TestTaskOverdue(**test, day=1, result_due_at=T0, current=_CODES,  # type: ignore[arg-type]
                           detected_at=T0 + timedelta(minutes=1)),
        ev.PositiveTestAlerted(**test, day=1, current=_CODES, alerted_at=T0),  # type: ignore[arg-type]
        ev.CaseResolved(case_id=f"case-{seq}", person_key=sample_key(seq), task_id=f"task-{seq}",
                        resolution=ev.Resolution.NO_RISK, resolved_at=T0),
        ev.AssistReplyIssued(request_id=f"XC-{seq}", requesting_province="北京市",
                             source_record_id=f"src-{seq}", record_id=f"rec-{seq}",
                             case_id=f"case-{seq}", task_id=f"task-{seq}",
                             status=ev.AssistReplyStatus.IN_PROGRESS,
                             reply_by=T0 + timedelta(hours=12), issued_at=T0),
        ev.DailyReportClosed(
            report_date=T0.date(), campaign_start=date(2022, 5, 1), closed_at=T0,
            feeds=[ev.FeedCounts(feed=ev.Feed.BIGDATA, today=counts, cumulative=counts)],
            today=counts, cumulative=counts, overdue=0,
            measures=ev.MeasureCounts(centralized_quarantine=1, home_quarantine=0,
                                      health_monitoring=0),
            rejected_by_reason={ev.RejectReason.INVALID_ID_NUMBER: 1},
            text="今日推送数据5条，已核实3条，其中剩余1条因系统出现故障无法审核，剩余1条数据无人接听，正在核实"),
    ]
